#include "widgets/views/path_fan_view.h"

#include "core/trajectories/trajectory_snapshot.h"
#include "widgets/views/chart_items.h"
#include "widgets/vtk/theme.h"

#include <vtkAxis.h>
#include <vtkChartXY.h>
#include <vtkContextScene.h>
#include <vtkContextView.h>
#include <vtkDoubleArray.h>
#include <vtkPen.h>
#include <vtkPlotArea.h>
#include <vtkPlotLine.h>
#include <vtkRenderer.h>
#include <vtkTable.h>

#include <algorithm>
#include <cmath>

namespace driftlab::widgets {

using detail::CursorPlot;
using detail::PolylineSetPlot;
using detail::setRgb;

namespace {

// Columns of the band table, in the order they are added.
enum Column { T = 0, Q05, Q95, Q25, Q75, Mean, Median, ColumnCount };
const char* const kColumnNames[ColumnCount] = {"t", "q05", "q95", "q25", "q75", "mean", "median"};

}  // namespace

struct PathFanView::Impl {
    vtkSmartPointer<vtkChartXY> chart;
    vtkSmartPointer<vtkTable> table;
    vtkSmartPointer<vtkPlotArea> outer, inner;
    vtkSmartPointer<vtkPlotLine> mean, median;
    vtkSmartPointer<PolylineSetPlot> paths;
    vtkSmartPointer<CursorPlot> cursor;
    std::shared_ptr<const core::TrajectorySnapshot> snapshot;
    int component = 0;
    int cursorIndex = -1;

    const std::vector<double>* times() const {
        return snapshot && snapshot->result ? &snapshot->result->times : nullptr;
    }
};

PathFanView::PathFanView(QWidget* parent) : VtkView(parent), p(std::make_unique<Impl>()) {
    contextView()->GetRenderer()->SetBackground(theme::kBackground[0], theme::kBackground[1],
                                                theme::kBackground[2]);
    p->chart = vtkSmartPointer<vtkChartXY>::New();
    contextView()->GetScene()->AddItem(p->chart);
    detail::applyChartTheme(p->chart);
    p->chart->GetAxis(vtkAxis::BOTTOM)->SetTitle("time t");

    p->table = vtkSmartPointer<vtkTable>::New();
    for (const char* name : kColumnNames) {
        vtkNew<vtkDoubleArray> column;
        column->SetName(name);
        p->table->AddColumn(column);
    }

    auto area = [this](Column lo, Column hi, const theme::Rgb& rgb, const char* label) {
        auto plot = vtkSmartPointer<vtkPlotArea>::New();
        plot->SetInputData(p->table);
        plot->SetInputArray(0, kColumnNames[T]);
        plot->SetInputArray(1, kColumnNames[lo]);
        plot->SetInputArray(2, kColumnNames[hi]);
        setRgb(plot->GetBrush(), rgb);
        plot->GetPen()->SetLineType(vtkPen::NO_PEN);
        plot->SetLabel(label);
        p->chart->AddPlot(plot);
        return plot;
    };
    p->outer = area(Q05, Q95, theme::kBandOuter, "5-95 %");
    p->inner = area(Q25, Q75, theme::kBandInner, "25-75 %");

    p->paths = vtkSmartPointer<PolylineSetPlot>::New();
    setRgb(p->paths->GetPen(), theme::kPath, theme::kPathOpacity);
    p->paths->SetLabel("paths");
    p->chart->AddPlot(p->paths);

    auto line = [this](Column y, const theme::Rgb& rgb, const char* label) {
        auto plot = vtkSmartPointer<vtkPlotLine>::New();
        plot->SetInputData(p->table, kColumnNames[T], kColumnNames[y]);
        setRgb(plot->GetPen(), rgb);
        plot->SetLabel(label);
        plot->SetTooltipLabelFormat("%l: %y at t = %x");
        p->chart->AddPlot(plot);
        return plot;
    };
    p->median = line(Median, theme::kMedian, "median");
    p->median->GetPen()->SetLineType(vtkPen::DASH_LINE);
    p->mean = line(Mean, theme::kMean, "mean");

    p->cursor = vtkSmartPointer<CursorPlot>::New();
    setRgb(p->cursor->GetPen(), theme::kCursor);
    p->cursor->SetLegendVisibility(false);
    p->cursor->SetVisible(false);
    p->cursor->onUserMoved = [this](double t) { moveCursorToTime(t); };
    p->chart->AddPlot(p->cursor);

    p->chart->SetShowLegend(true);
    setSnapshot(nullptr);  // hides the empty plots, which VTK would complain about
}

PathFanView::~PathFanView() = default;

vtkChartXY* PathFanView::chart() const { return p->chart; }
std::shared_ptr<const core::TrajectorySnapshot> PathFanView::snapshot() const {
    return p->snapshot;
}
int PathFanView::component() const { return p->component; }
int PathFanView::timeCursor() const { return p->cursorIndex; }
int PathFanView::drawnPathCount() const { return p->paths->polylineCount(); }

void PathFanView::setSnapshot(std::shared_ptr<const core::TrajectorySnapshot> snapshot,
                              int component) {
    p->snapshot = std::move(snapshot);
    const core::SimulationResult* result = p->snapshot ? p->snapshot->result.get() : nullptr;
    const bool valid = result && component >= 0 && component < result->dimension &&
                       component < static_cast<int>(result->states.size()) &&
                       !result->times.empty();
    p->component = valid ? component : 0;

    // Pen widths follow the device pixel ratio so HiDPI lines don't look hairline-thin.
    const float dpr = static_cast<float>(devicePixelRatioF());
    p->paths->GetPen()->SetWidth(1.0f * dpr);
    p->mean->GetPen()->SetWidth(2.5f * dpr);
    p->median->GetPen()->SetWidth(1.5f * dpr);
    p->cursor->GetPen()->SetWidth(2.0f * dpr);

    const int n = valid ? static_cast<int>(result->times.size()) : 0;
    p->table->SetNumberOfRows(n);
    const bool haveBands =
        valid && component < static_cast<int>(p->snapshot->bands.perComponent.size()) &&
        p->snapshot->bands.perComponent[component].cols() == n &&
        p->snapshot->bands.perComponent[component].rows() >= core::QuantileBands::RowCount;
    if (valid) {
        using B = core::QuantileBands;
        const std::pair<Column, int> rows[] = {{Q05, B::Q05}, {Q95, B::Q95},   {Q25, B::Q25},
                                               {Q75, B::Q75}, {Mean, B::Mean}, {Median, B::Q50}};
        auto* t = vtkDoubleArray::SafeDownCast(p->table->GetColumn(T));
        std::copy(result->times.begin(), result->times.end(), t->GetPointer(0));
        for (auto [column, row] : rows) {
            double* out = vtkDoubleArray::SafeDownCast(p->table->GetColumn(column))->GetPointer(0);
            for (int k = 0; k < n; ++k)
                out[k] = haveBands ? p->snapshot->bands.perComponent[component](row, k) : 0.0;
        }
        for (int c = 0; c < ColumnCount; ++c) p->table->GetColumn(c)->Modified();
        p->table->Modified();

        const Eigen::MatrixXd& states = result->states[component];
        std::vector<double> xy;
        std::vector<int> counts;
        xy.reserve(2 * p->snapshot->drawnPathIndices.size() * n);
        for (int path : p->snapshot->drawnPathIndices) {
            if (path < 0 || path >= states.rows() || states.cols() != n) continue;
            for (int k = 0; k < n; ++k) {
                xy.push_back(result->times[k]);
                xy.push_back(states(path, k));
            }
            counts.push_back(n);
        }
        p->paths->setPolylines(std::move(xy), std::move(counts));
        p->paths->SetLabel(QString("paths (%1 of %2)")
                               .arg(p->paths->polylineCount())
                               .arg(result->paths)
                               .toStdString());

        const auto& spec = p->snapshot->config.equation;
        const QString variable = component < static_cast<int>(spec.variables.size())
                                     ? QString::fromStdString(spec.variables[component])
                                     : QString("x%1").arg(component + 1);
        p->chart->GetAxis(vtkAxis::LEFT)->SetTitle(variable.toStdString());
        const QString name = QString::fromStdString(spec.name);
        p->chart->SetTitle((name.isEmpty() ? QString("%1(t)").arg(variable)
                                           : QString("%1(t) - %2").arg(variable, name))
                               .toStdString());
    } else {
        p->paths->setPolylines({}, {});
        p->chart->SetTitle("No data yet - run a simulation");
    }
    for (vtkPlot* plot : {static_cast<vtkPlot*>(p->outer), static_cast<vtkPlot*>(p->inner),
                          static_cast<vtkPlot*>(p->mean), static_cast<vtkPlot*>(p->median)})
        plot->SetVisible(haveBands);
    p->paths->SetVisible(valid);

    p->cursorIndex = valid ? std::clamp(p->cursorIndex < 0 ? 0 : p->cursorIndex, 0, n - 1) : -1;
    p->cursor->SetVisible(valid);
    if (valid) {
        const double t = result->times[p->cursorIndex];
        p->cursor->setPosition(t);
        p->cursor->setLabel(QString("t = %1").arg(t, 0, 'g', 4).toStdString());
    }
    p->chart->RecalculateBounds();
    requestRender();
}

void PathFanView::setTimeCursor(int savedTimeIndex) {
    const auto* times = p->times();
    if (!times || times->empty()) return;
    const int index = std::clamp(savedTimeIndex, 0, static_cast<int>(times->size()) - 1);
    if (index == p->cursorIndex) return;
    p->cursorIndex = index;
    const double t = (*times)[index];
    p->cursor->setPosition(t);
    p->cursor->setLabel(QString("t = %1").arg(t, 0, 'g', 4).toStdString());
    requestRender();
    Q_EMIT timeCursorChanged(index);
}

void PathFanView::moveCursorToTime(double t) {
    const auto* times = p->times();
    if (!times || times->empty()) return;
    // Nearest saved time (times are increasing).
    auto it = std::lower_bound(times->begin(), times->end(), t);
    int index = static_cast<int>(it - times->begin());
    if (index >= static_cast<int>(times->size()) ||
        (index > 0 && t - (*times)[index - 1] < (*times)[index] - t))
        --index;
    setTimeCursor(index);
}

void PathFanView::resetCamera() {
    p->chart->RecalculateBounds();
    requestRender();
    Q_EMIT cameraReset();
}

}  // namespace driftlab::widgets
