#include "widgets/views/histogram_view.h"

#include "core/stats/path_statistics.h"
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

#include <cmath>

namespace driftlab::widgets {

using detail::setRgb;

namespace {

vtkSmartPointer<vtkTable> makeTable(std::initializer_list<const char*> names) {
    auto table = vtkSmartPointer<vtkTable>::New();
    for (const char* name : names) {
        vtkNew<vtkDoubleArray> column;
        column->SetName(name);
        table->AddColumn(column);
    }
    return table;
}

double* column(vtkTable* table, int i) {
    return vtkDoubleArray::SafeDownCast(table->GetColumn(i))->GetPointer(0);
}

void touch(vtkTable* table) {
    for (vtkIdType i = 0; i < table->GetNumberOfColumns(); ++i) table->GetColumn(i)->Modified();
    table->Modified();
}

}  // namespace

struct HistogramView::Impl {
    vtkSmartPointer<vtkChartXY> chart;
    vtkSmartPointer<vtkTable> bars;   // x, zero, density: 4 points per bin
    vtkSmartPointer<vtkTable> curve;  // x, density
    vtkSmartPointer<vtkPlotArea> barPlot;
    vtkSmartPointer<vtkPlotLine> curvePlot;
    int bins = 0;
};

HistogramView::HistogramView(QWidget* parent) : VtkView(parent), p(std::make_unique<Impl>()) {
    contextView()->GetRenderer()->SetBackground(theme::kBackground[0], theme::kBackground[1],
                                                theme::kBackground[2]);
    p->chart = vtkSmartPointer<vtkChartXY>::New();
    contextView()->GetScene()->AddItem(p->chart);
    detail::applyChartTheme(p->chart);
    p->chart->GetAxis(vtkAxis::BOTTOM)->SetTitle("value");
    p->chart->GetAxis(vtkAxis::LEFT)->SetTitle("density");

    // Bars as one area plot: each bin is a rectangle from 0 to its density, with a small
    // gap to the next, so there is no per-bar item and no vtkPlotBar width guessing.
    p->bars = makeTable({"x", "zero", "density"});
    p->barPlot = vtkSmartPointer<vtkPlotArea>::New();
    p->barPlot->SetInputData(p->bars);
    p->barPlot->SetInputArray(0, "x");
    p->barPlot->SetInputArray(1, "zero");
    p->barPlot->SetInputArray(2, "density");
    setRgb(p->barPlot->GetBrush(), theme::kHistogramBar);
    p->barPlot->GetPen()->SetLineType(vtkPen::NO_PEN);
    p->barPlot->SetLabel("simulated");
    p->chart->AddPlot(p->barPlot);

    p->curve = makeTable({"x", "density"});
    p->curvePlot = vtkSmartPointer<vtkPlotLine>::New();
    p->curvePlot->SetInputData(p->curve, "x", "density");
    setRgb(p->curvePlot->GetPen(), theme::kAnalytic);
    p->curvePlot->SetLabel("analytic");
    p->curvePlot->SetVisible(false);
    p->chart->AddPlot(p->curvePlot);

    p->chart->SetShowLegend(true);
    p->chart->SetTitle("No data yet");
}

HistogramView::~HistogramView() = default;

vtkChartXY* HistogramView::chart() const { return p->chart; }
int HistogramView::binCount() const { return p->bins; }
bool HistogramView::hasAnalyticCurve() const { return p->curvePlot->GetVisible(); }

void HistogramView::setValueAxisTitle(const QString& title) {
    p->chart->GetAxis(vtkAxis::BOTTOM)->SetTitle(title.toStdString());
    requestRender();
}

void HistogramView::setHistogram(const core::Histogram& histogram,
                                 const std::vector<std::pair<double, double>>& analytic,
                                 const QString& title) {
    const int bins = static_cast<int>(histogram.density.size());
    const double w = histogram.binWidth();
    p->bins = bins;
    p->bars->SetNumberOfRows(4 * bins);
    double* x = column(p->bars, 0);
    double* zero = column(p->bars, 1);
    double* density = column(p->bars, 2);
    const double gap = 0.06 * w;
    for (int i = 0; i < bins; ++i) {
        const double left = histogram.lo + i * w + gap / 2, right = left + w - gap;
        const double h = std::isfinite(histogram.density[i]) ? histogram.density[i] : 0.0;
        const double xs[4] = {left, left, right, right};
        const double ys[4] = {0.0, h, h, 0.0};
        for (int j = 0; j < 4; ++j) {
            x[4 * i + j] = xs[j];
            zero[4 * i + j] = 0.0;
            density[4 * i + j] = ys[j];
        }
    }
    touch(p->bars);
    p->barPlot->SetVisible(bins > 0);

    p->curve->SetNumberOfRows(static_cast<vtkIdType>(analytic.size()));
    double* cx = column(p->curve, 0);
    double* cy = column(p->curve, 1);
    for (std::size_t i = 0; i < analytic.size(); ++i) {
        cx[i] = analytic[i].first;
        cy[i] = analytic[i].second;
    }
    touch(p->curve);
    p->curvePlot->SetVisible(!analytic.empty());
    p->curvePlot->GetPen()->SetWidth(2.5f * static_cast<float>(devicePixelRatioF()));

    p->chart->SetTitle(title.toStdString());
    p->chart->RecalculateBounds();
    requestRender();
}

void HistogramView::clear() { setHistogram(core::Histogram{}, {}, QStringLiteral("No data yet")); }

void HistogramView::resetCamera() {
    p->chart->RecalculateBounds();
    requestRender();
    Q_EMIT cameraReset();
}

}  // namespace driftlab::widgets
