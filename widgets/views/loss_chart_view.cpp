#include "widgets/views/loss_chart_view.h"

#include "widgets/views/chart_items.h"
#include "widgets/vtk/theme.h"

#include <vtkAxis.h>
#include <vtkChartXY.h>
#include <vtkContextScene.h>
#include <vtkContextView.h>
#include <vtkDoubleArray.h>
#include <vtkPlotLine.h>
#include <vtkRenderer.h>
#include <vtkTable.h>

#include <cmath>

namespace driftlab::widgets {

std::vector<double> smoothExponential(const std::vector<double>& values, double decay) {
    std::vector<double> out(values.size());
    double average = 0.0, weight = 0.0;
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (std::isfinite(values[i])) {
            average = decay * average + (1.0 - decay) * values[i];
            weight = decay * weight + (1.0 - decay);
        }
        out[i] = weight > 0 ? average / weight : values[i];
    }
    return out;
}

struct LossChartView::Impl {
    vtkSmartPointer<vtkChartXY> chart;
    vtkSmartPointer<vtkTable> table;  // x, raw, smoothed
    vtkSmartPointer<vtkPlotLine> raw, smoothed;
    int points = 0;
};

LossChartView::LossChartView(QWidget* parent) : VtkView(parent), p(std::make_unique<Impl>()) {
    contextView()->GetRenderer()->SetBackground(theme::kBackground[0], theme::kBackground[1],
                                                theme::kBackground[2]);
    p->chart = vtkSmartPointer<vtkChartXY>::New();
    contextView()->GetScene()->AddItem(p->chart);
    detail::applyChartTheme(p->chart);

    p->table = vtkSmartPointer<vtkTable>::New();
    for (const char* name : {"x", "raw", "smoothed"}) {
        vtkNew<vtkDoubleArray> column;
        column->SetName(name);
        p->table->AddColumn(column);
    }
    p->raw = vtkSmartPointer<vtkPlotLine>::New();
    p->raw->SetInputData(p->table, "x", "raw");
    detail::setRgb(p->raw->GetPen(), theme::kPath, 0.35);
    p->raw->SetLabel("per report");
    p->chart->AddPlot(p->raw);
    p->smoothed = vtkSmartPointer<vtkPlotLine>::New();
    p->smoothed->SetInputData(p->table, "x", "smoothed");
    detail::setRgb(p->smoothed->GetPen(), theme::kMean);
    p->smoothed->SetLabel("smoothed");
    p->chart->AddPlot(p->smoothed);
    p->chart->SetShowLegend(true);
    clear("No training yet");
}

LossChartView::~LossChartView() = default;

vtkChartXY* LossChartView::chart() const { return p->chart; }
int LossChartView::pointCount() const { return p->points; }

void LossChartView::setAxisTitles(const QString& x, const QString& y) {
    p->chart->GetAxis(vtkAxis::BOTTOM)->SetTitle(x.toStdString());
    p->chart->GetAxis(vtkAxis::LEFT)->SetTitle(y.toStdString());
    requestRender();
}

void LossChartView::setSeriesLabels(const QString& raw, const QString& smoothed) {
    p->raw->SetLabel(raw.toStdString());
    p->smoothed->SetLabel(smoothed.toStdString());
}

void LossChartView::setSeries(const std::vector<double>& x, const std::vector<double>& raw,
                              const std::vector<double>& smoothed, const QString& title) {
    const auto n = static_cast<vtkIdType>(std::min(x.size(), raw.size()));
    const bool hasSmoothed = smoothed.size() >= static_cast<std::size_t>(n) && n > 0;
    p->table->SetNumberOfRows(n);
    auto* cx = vtkDoubleArray::SafeDownCast(p->table->GetColumn(0));
    auto* cr = vtkDoubleArray::SafeDownCast(p->table->GetColumn(1));
    auto* cs = vtkDoubleArray::SafeDownCast(p->table->GetColumn(2));
    for (vtkIdType i = 0; i < n; ++i) {
        cx->SetValue(i, x[i]);
        // A NaN bucket (no sample fell there) would break the polyline; VTK skips NaN rows
        // poorly, so show it at zero height instead of hiding the rest of the curve.
        cr->SetValue(i, std::isfinite(raw[i]) ? raw[i] : 0.0);
        cs->SetValue(i, hasSmoothed && std::isfinite(smoothed[i]) ? smoothed[i] : 0.0);
    }
    for (vtkIdType c = 0; c < 3; ++c) p->table->GetColumn(c)->Modified();
    p->table->Modified();
    p->points = static_cast<int>(n);
    const float dpr = static_cast<float>(devicePixelRatioF());
    p->raw->GetPen()->SetWidth(1.2f * dpr);
    p->smoothed->GetPen()->SetWidth(2.2f * dpr);
    // VTK complains about (and draws nothing for) a one-point line.
    p->raw->SetVisible(n > 1);
    p->smoothed->SetVisible(hasSmoothed && n > 1);
    p->chart->SetTitle(title.toStdString());
    p->chart->RecalculateBounds();
    requestRender();
}

void LossChartView::clear(const QString& title) { setSeries({}, {}, {}, title); }

void LossChartView::resetCamera() {
    p->chart->RecalculateBounds();
    requestRender();
    Q_EMIT cameraReset();
}

}  // namespace driftlab::widgets
