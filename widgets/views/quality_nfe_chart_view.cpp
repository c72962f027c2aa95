#include "widgets/views/quality_nfe_chart_view.h"

#include "widgets/views/chart_items.h"
#include "widgets/vtk/theme.h"

#include <vtkAxis.h>
#include <vtkChartLegend.h>
#include <vtkChartXY.h>
#include <vtkContextScene.h>
#include <vtkContextView.h>
#include <vtkDoubleArray.h>
#include <vtkPlotLine.h>
#include <vtkPlotPoints.h>
#include <vtkRenderer.h>
#include <vtkTable.h>

#include <array>
#include <cmath>

namespace driftlab::widgets {
namespace {

// Tableau 10: ten distinguishable hues for up to ten samplers.
constexpr std::array<theme::Rgb, 10> kPalette = {{{0.12, 0.47, 0.71},
                                                  {1.00, 0.50, 0.05},
                                                  {0.17, 0.63, 0.17},
                                                  {0.84, 0.15, 0.16},
                                                  {0.58, 0.40, 0.74},
                                                  {0.55, 0.34, 0.29},
                                                  {0.89, 0.47, 0.76},
                                                  {0.50, 0.50, 0.50},
                                                  {0.74, 0.74, 0.13},
                                                  {0.09, 0.75, 0.81}}};

}  // namespace

struct QualityNfeChartView::Impl {
    vtkSmartPointer<vtkChartXY> chart;
    int drawn = 0;
    bool logValues = false;
};

QualityNfeChartView::QualityNfeChartView(QWidget* parent)
    : VtkView(parent), p(std::make_unique<Impl>()) {
    contextView()->GetRenderer()->SetBackground(theme::kBackground[0], theme::kBackground[1],
                                                theme::kBackground[2]);
    p->chart = vtkSmartPointer<vtkChartXY>::New();
    contextView()->GetScene()->AddItem(p->chart);
    detail::applyChartTheme(p->chart);
    p->chart->GetAxis(vtkAxis::BOTTOM)->SetTitle("NFE (log scale)");
    p->chart->GetAxis(vtkAxis::BOTTOM)->SetLogScale(true);
    p->chart->GetLegend()->SetInline(false);
    p->chart->GetLegend()->SetHorizontalAlignment(vtkChartLegend::RIGHT);
    p->chart->GetLegend()->SetVerticalAlignment(vtkChartLegend::CENTER);
    p->chart->SetShowLegend(true);
    clear("No shoot-out yet");
}

QualityNfeChartView::~QualityNfeChartView() = default;

vtkChartXY* QualityNfeChartView::chart() const { return p->chart; }
int QualityNfeChartView::seriesCount() const { return p->drawn; }

void QualityNfeChartView::setSeries(const std::vector<QualitySeries>& series, const QString& title,
                                    const QString& valueTitle) {
    p->chart->ClearPlots();
    p->drawn = 0;
    const float dpr = static_cast<float>(devicePixelRatioF());
    for (std::size_t s = 0; s < series.size(); ++s) {
        auto table = vtkSmartPointer<vtkTable>::New();
        vtkNew<vtkDoubleArray> x, y;
        x->SetName("nfe");
        y->SetName("value");
        for (std::size_t i = 0; i < series[s].nfe.size() && i < series[s].value.size(); ++i) {
            if (!(series[s].nfe[i] > 0) || !std::isfinite(series[s].value[i])) continue;
            if (p->logValues && !(series[s].value[i] > 0)) continue;
            x->InsertNextValue(series[s].nfe[i]);
            y->InsertNextValue(series[s].value[i]);
        }
        if (x->GetNumberOfTuples() == 0) continue;
        table->AddColumn(x);
        table->AddColumn(y);
        // One point (adaptive Dopri5) is a marker: VTK refuses a one-point line.
        vtkSmartPointer<vtkPlotPoints> line =
            x->GetNumberOfTuples() > 1
                ? vtkSmartPointer<vtkPlotPoints>(vtkSmartPointer<vtkPlotLine>::New())
                : vtkSmartPointer<vtkPlotPoints>::New();
        line->SetInputData(table, "nfe", "value");
        detail::setRgb(line->GetPen(), kPalette[s % kPalette.size()]);
        detail::setRgb(line->GetBrush(), kPalette[s % kPalette.size()]);
        line->GetPen()->SetWidth(2.0f * dpr);
        line->SetMarkerStyle(x->GetNumberOfTuples() > 1 ? vtkPlotPoints::CIRCLE
                                                        : vtkPlotPoints::DIAMOND);
        line->SetMarkerSize(7.0f * dpr);
        line->SetLabel(series[s].name.toStdString());
        p->chart->AddPlot(line);
        ++p->drawn;
    }
    p->chart->GetAxis(vtkAxis::LEFT)->SetTitle(valueTitle.toStdString());
    p->chart->SetTitle(title.toStdString());
    p->chart->RecalculateBounds();
    requestRender();
}

void QualityNfeChartView::clear(const QString& title) { setSeries({}, title, {}); }

void QualityNfeChartView::setLogValues(bool log) {
    p->logValues = log;
    p->chart->GetAxis(vtkAxis::LEFT)->SetLogScale(log);
}

void QualityNfeChartView::setLegendVisible(bool visible) {
    p->chart->SetShowLegend(visible);
    requestRender();
}

void QualityNfeChartView::resetCamera() {
    p->chart->RecalculateBounds();
    requestRender();
    Q_EMIT cameraReset();
}

}  // namespace driftlab::widgets
