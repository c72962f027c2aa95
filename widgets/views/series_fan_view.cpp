#include "widgets/views/series_fan_view.h"

#include "widgets/views/chart_items.h"

#include <vtkAxis.h>
#include <vtkChartXY.h>
#include <vtkContextScene.h>
#include <vtkContextView.h>
#include <vtkDoubleArray.h>
#include <vtkPen.h>
#include <vtkPlotArea.h>
#include <vtkPlotLine.h>
#include <vtkPlotPoints.h>
#include <vtkRenderer.h>
#include <vtkTable.h>

#include <algorithm>
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

// Fills the table's columns with equally long vectors (the shortest length wins).
void fill(vtkTable* table, std::initializer_list<const std::vector<double>*> columns) {
    std::size_t n = SIZE_MAX;
    for (const auto* c : columns) n = std::min(n, c->size());
    if (n == SIZE_MAX) n = 0;
    table->SetNumberOfRows(static_cast<vtkIdType>(n));
    int index = 0;
    for (const auto* c : columns) {
        auto* array = vtkDoubleArray::SafeDownCast(table->GetColumn(index++));
        std::copy_n(c->begin(), n, array->GetPointer(0));
        array->Modified();
    }
    table->Modified();
}

vtkSmartPointer<vtkPlotPoints> makePoints(vtkChartXY* chart, vtkTable* table, const theme::Rgb& rgb,
                                          const char* label) {
    auto plot = vtkSmartPointer<vtkPlotPoints>::New();
    plot->SetInputData(table, "t", "y");
    plot->SetMarkerStyle(vtkPlotPoints::CIRCLE);
    setRgb(plot->GetPen(), rgb);
    setRgb(plot->GetBrush(), rgb);
    plot->SetLabel(label);
    plot->SetTooltipLabelFormat("%l: %y at t = %x");
    chart->AddPlot(plot);
    return plot;
}

}  // namespace

struct SeriesFanView::Impl {
    vtkSmartPointer<vtkChartXY> chart;
    vtkSmartPointer<vtkTable> fan, context, target, missing;
    vtkSmartPointer<vtkPlotArea> band;
    vtkSmartPointer<vtkPlotLine> mean;
    vtkSmartPointer<detail::PolylineSetPlot> paths;
    vtkSmartPointer<vtkPlotPoints> contextPoints, targetPoints, missingRing, missingHole;
    vtkSmartPointer<detail::CursorPlot> holdOut;
    std::shared_ptr<const SeriesFanData> data;
};

SeriesFanView::SeriesFanView(QWidget* parent) : VtkView(parent), p(std::make_unique<Impl>()) {
    contextView()->GetRenderer()->SetBackground(theme::kBackground[0], theme::kBackground[1],
                                                theme::kBackground[2]);
    p->chart = vtkSmartPointer<vtkChartXY>::New();
    contextView()->GetScene()->AddItem(p->chart);
    detail::applyChartTheme(p->chart);
    p->chart->GetAxis(vtkAxis::BOTTOM)->SetTitle("time t");

    p->fan = makeTable({"t", "lower", "upper", "mean"});
    p->band = vtkSmartPointer<vtkPlotArea>::New();
    p->band->SetInputData(p->fan);
    p->band->SetInputArray(0, "t");
    p->band->SetInputArray(1, "lower");
    p->band->SetInputArray(2, "upper");
    setRgb(p->band->GetBrush(), theme::kBandOuter);
    p->band->GetPen()->SetLineType(vtkPen::NO_PEN);
    p->band->SetLabel("model 5-95 %");
    p->chart->AddPlot(p->band);

    p->paths = vtkSmartPointer<detail::PolylineSetPlot>::New();
    setRgb(p->paths->GetPen(), theme::kPath, 0.3);
    p->paths->SetLabel("model paths");
    p->chart->AddPlot(p->paths);

    p->mean = vtkSmartPointer<vtkPlotLine>::New();
    p->mean->SetInputData(p->fan, "t", "mean");
    setRgb(p->mean->GetPen(), theme::kMean);
    p->mean->SetLabel("model mean");
    p->chart->AddPlot(p->mean);

    p->holdOut = vtkSmartPointer<detail::CursorPlot>::New();
    setRgb(p->holdOut->GetPen(), theme::kTolerance, 0.8);
    p->holdOut->GetPen()->SetLineType(vtkPen::DASH_LINE);
    p->holdOut->SetLegendVisibility(false);
    p->holdOut->setLabel("held out");
    p->chart->AddPlot(p->holdOut);

    p->context = makeTable({"t", "y"});
    p->target = makeTable({"t", "y"});
    p->missing = makeTable({"t", "y"});
    // A ring is a grey dot with a white dot on it: VTK's circle markers are always filled.
    p->missingRing = makePoints(p->chart, p->missing, kMissingColor, "not observed");
    p->missingHole = makePoints(p->chart, p->missing, theme::kBackground, "");
    p->missingHole->SetLegendVisibility(false);
    p->contextPoints = makePoints(p->chart, p->context, kContextColor, "observed");
    p->targetPoints = makePoints(p->chart, p->target, kTargetColor, "held out");
    p->chart->SetShowLegend(true);
    setData(nullptr);
}

SeriesFanView::~SeriesFanView() = default;

vtkChartXY* SeriesFanView::chart() const { return p->chart; }
std::shared_ptr<const SeriesFanData> SeriesFanView::data() const { return p->data; }
int SeriesFanView::drawnPathCount() const { return p->paths->polylineCount(); }
int SeriesFanView::contextPointCount() const {
    return static_cast<int>(p->context->GetNumberOfRows());
}
int SeriesFanView::targetPointCount() const {
    return static_cast<int>(p->target->GetNumberOfRows());
}
int SeriesFanView::missingPointCount() const {
    return static_cast<int>(p->missing->GetNumberOfRows());
}

void SeriesFanView::setData(std::shared_ptr<const SeriesFanData> data, const QString& emptyTitle) {
    p->data = std::move(data);
    static const SeriesFanData kEmpty;
    const SeriesFanData& d = p->data ? *p->data : kEmpty;
    fill(p->fan, {&d.gridTimes, &d.lower, &d.upper, &d.mean});
    fill(p->context, {&d.contextTimes, &d.contextValues});
    fill(p->target, {&d.targetTimes, &d.targetValues});
    fill(p->missing, {&d.missingTimes, &d.missingValues});

    std::vector<double> xy;
    std::vector<int> counts;
    const std::size_t n = d.gridTimes.size();
    for (const auto& path : d.paths) {
        if (path.size() != n) continue;
        for (std::size_t k = 0; k < n; ++k) xy.insert(xy.end(), {d.gridTimes[k], path[k]});
        counts.push_back(static_cast<int>(n));
    }
    p->paths->setPolylines(std::move(xy), std::move(counts));

    const float dpr = static_cast<float>(devicePixelRatioF());
    p->mean->GetPen()->SetWidth(2.5f * dpr);
    p->paths->GetPen()->SetWidth(1.0f * dpr);
    p->holdOut->GetPen()->SetWidth(1.5f * dpr);
    p->contextPoints->SetMarkerSize(7.0f * dpr);
    p->targetPoints->SetMarkerSize(7.0f * dpr);
    p->missingRing->SetMarkerSize(12.0f * dpr);
    p->missingHole->SetMarkerSize(7.0f * dpr);

    // VTK complains about (and draws nothing for) empty or one-point plots.
    const bool fan = p->fan->GetNumberOfRows() > 1;
    p->band->SetVisible(fan);
    p->mean->SetVisible(fan);
    p->paths->SetVisible(p->paths->polylineCount() > 0);
    p->contextPoints->SetVisible(p->context->GetNumberOfRows() > 0);
    p->targetPoints->SetVisible(p->target->GetNumberOfRows() > 0);
    p->missingRing->SetVisible(p->missing->GetNumberOfRows() > 0);
    p->missingHole->SetVisible(p->missing->GetNumberOfRows() > 0);
    const bool marker = d.markHoldOut && std::isfinite(d.holdOutStart);
    p->holdOut->SetVisible(marker);
    if (marker) p->holdOut->setPosition(d.holdOutStart);

    p->chart->GetAxis(vtkAxis::LEFT)->SetTitle(d.valueLabel);
    p->chart->SetTitle(p->data ? d.title : emptyTitle.toStdString());
    p->chart->RecalculateBounds();
    requestRender();
}

void SeriesFanView::resetCamera() {
    p->chart->RecalculateBounds();
    requestRender();
    Q_EMIT cameraReset();
}

}  // namespace driftlab::widgets
