#include "widgets/views/line_chart_view.h"

#include "widgets/views/chart_items.h"

#include <vtkAxis.h>
#include <vtkChartXY.h>
#include <vtkContextScene.h>
#include <vtkContextView.h>
#include <vtkDoubleArray.h>
#include <vtkPen.h>
#include <vtkPlotLine.h>
#include <vtkRenderer.h>
#include <vtkStringArray.h>
#include <vtkTable.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace driftlab::widgets {

struct LineChartView::Impl {
    vtkSmartPointer<vtkChartXY> chart;
    std::vector<vtkSmartPointer<vtkTable>> tables;  // kept alive with their plots
    bool logWhenPositive = false;
    bool log = false;
    int drawn = 0;
};

LineChartView::LineChartView(QWidget* parent) : VtkView(parent), p(std::make_unique<Impl>()) {
    contextView()->GetRenderer()->SetBackground(theme::kBackground[0], theme::kBackground[1],
                                                theme::kBackground[2]);
    p->chart = vtkSmartPointer<vtkChartXY>::New();
    contextView()->GetScene()->AddItem(p->chart);
    detail::applyChartTheme(p->chart);
    p->chart->SetShowLegend(true);
    clear("No data yet");
}

LineChartView::~LineChartView() = default;

vtkChartXY* LineChartView::chart() const { return p->chart; }
int LineChartView::lineCount() const { return p->drawn; }
bool LineChartView::logScale() const { return p->log; }
void LineChartView::setLogScaleWhenPositive(bool on) { p->logWhenPositive = on; }

void LineChartView::setAxisTitles(const QString& x, const QString& y) {
    p->chart->GetAxis(vtkAxis::BOTTOM)->SetTitle(x.toStdString());
    p->chart->GetAxis(vtkAxis::LEFT)->SetTitle(y.toStdString());
    requestRender();
}

namespace {

// Ticks for a log10-transformed axis spanning [lo, hi] (log10 units): every decade, with
// 2 and 5 between them when the range is short, labelled with the untransformed value.
void setLogTicks(vtkAxis* axis, double lo, double hi) {
    vtkNew<vtkDoubleArray> positions;
    vtkNew<vtkStringArray> labels;
    const bool fine = hi - lo < 3.0;
    for (int decade = int(std::floor(lo)); decade <= int(std::ceil(hi)); ++decade)
        for (double m : fine ? std::vector<double>{1, 2, 5} : std::vector<double>{1}) {
            const double v = decade + std::log10(m);
            if (v < lo - 1e-9 || v > hi + 1e-9) continue;
            positions->InsertNextValue(v);
            labels->InsertNextValue(
                QString::number(m * std::pow(10.0, decade), 'g', 3).toStdString());
        }
    axis->SetCustomTickPositions(positions, labels);
}

}  // namespace

void LineChartView::setLines(const std::vector<ChartLine>& lines, const QString& title) {
    bool allPositive = true;
    int finitePoints = 0;
    for (const ChartLine& line : lines)
        for (std::size_t i = 0; i < std::min(line.x.size(), line.y.size()); ++i)
            if (std::isfinite(line.x[i]) && std::isfinite(line.y[i])) {
                allPositive = allPositive && line.y[i] > 0;
                ++finitePoints;
            }
    // VTK's own log axis crowds its labels on a short chart: draw log10(y) on a linear axis
    // with one labelled tick per decade instead.
    p->log = p->logWhenPositive && allPositive && finitePoints > 0;

    // A handful of lines, redrawn a few times a second: rebuilding the plots is cheaper to
    // get right than matching old plots to new lines.
    p->chart->ClearPlots();
    p->tables.clear();
    p->drawn = 0;
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    const float dpr = static_cast<float>(devicePixelRatioF());
    for (const ChartLine& line : lines) {
        auto table = vtkSmartPointer<vtkTable>::New();
        vtkNew<vtkDoubleArray> xs, ys;
        xs->SetName("x");
        ys->SetName("y");
        const std::size_t n = std::min(line.x.size(), line.y.size());
        for (std::size_t i = 0; i < n; ++i)
            if (std::isfinite(line.x[i]) && std::isfinite(line.y[i])) {
                const double y = p->log ? std::log10(line.y[i]) : line.y[i];
                xs->InsertNextValue(line.x[i]);
                ys->InsertNextValue(y);
                lo = std::min(lo, y);
                hi = std::max(hi, y);
            }
        table->AddColumn(xs);
        table->AddColumn(ys);
        if (table->GetNumberOfRows() < 2) continue;  // VTK draws nothing for one point
        auto* plot = vtkPlotLine::SafeDownCast(p->chart->AddPlot(vtkChart::LINE));
        plot->SetInputData(table, "x", "y");
        detail::setRgb(plot->GetPen(), line.color, line.opacity);
        plot->GetPen()->SetWidth(line.width * dpr);
        if (line.dashed) plot->GetPen()->SetLineType(vtkPen::DASH_LINE);
        plot->SetLabel(line.name.toStdString());
        plot->SetTooltipLabelFormat(p->log ? "%l: 10^%y at %x" : "%l: %y at %x");
        p->tables.push_back(table);
        ++p->drawn;
    }
    vtkAxis* left = p->chart->GetAxis(vtkAxis::LEFT);
    if (p->log && lo <= hi) {
        setLogTicks(left, lo, hi);
    } else {
        left->SetCustomTickPositions(nullptr, nullptr);
    }
    p->chart->SetTitle(title.toStdString());
    p->chart->RecalculateBounds();
    requestRender();
}

void LineChartView::clear(const QString& title) { setLines({}, title); }

void LineChartView::resetCamera() {
    p->chart->RecalculateBounds();
    requestRender();
    Q_EMIT cameraReset();
}

}  // namespace driftlab::widgets
