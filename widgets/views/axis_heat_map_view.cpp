#include "widgets/views/axis_heat_map_view.h"

#include "widgets/views/chart_items.h"
#include "widgets/vtk/color_maps.h"

#include <vtkAxis.h>
#include <vtkChartHistogram2D.h>
#include <vtkColorLegend.h>
#include <vtkColorTransferFunction.h>
#include <vtkContextScene.h>
#include <vtkContextView.h>
#include <vtkImageData.h>
#include <vtkRenderer.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace driftlab::widgets {

struct AxisHeatMapView::Impl {
    vtkSmartPointer<vtkChartHistogram2D> chart;
    vtkSmartPointer<vtkImageData> image;
    vtkSmartPointer<vtkColorTransferFunction> colors;
    double lo = 0.0, hi = 1.0;
    int rows = 0, columns = 0;
};

AxisHeatMapView::AxisHeatMapView(QWidget* parent) : VtkView(parent), p(std::make_unique<Impl>()) {
    contextView()->GetRenderer()->SetBackground(theme::kBackground[0], theme::kBackground[1],
                                                theme::kBackground[2]);
    p->chart = vtkSmartPointer<vtkChartHistogram2D>::New();
    contextView()->GetScene()->AddItem(p->chart);
    detail::applyChartTheme(p->chart);
    // The colour bar is the chart's legend; it sits right of the plot, not inside it.
    if (auto* legend = vtkColorLegend::SafeDownCast(p->chart->GetLegend())) {
        legend->SetInline(false);
        legend->SetDrawBorder(false);
        legend->SetHorizontalAlignment(vtkChartLegend::RIGHT);
        legend->SetVerticalAlignment(vtkChartLegend::CENTER);
    }
    p->chart->SetShowLegend(true);
    clear("No data yet");
}

AxisHeatMapView::~AxisHeatMapView() = default;

vtkChartXY* AxisHeatMapView::chart() const { return p->chart; }
int AxisHeatMapView::rowCount() const { return p->rows; }
int AxisHeatMapView::columnCount() const { return p->columns; }
std::pair<double, double> AxisHeatMapView::valueRange() const { return {p->lo, p->hi}; }

theme::Rgb AxisHeatMapView::colorOf(double value) const {
    if (!std::isfinite(value)) return kNoDataColor;
    theme::Rgb rgb{};
    p->colors->GetColor(value, rgb.data());
    return rgb;
}

void AxisHeatMapView::setAxisTitles(const QString& x, const QString& y) {
    p->chart->GetAxis(vtkAxis::BOTTOM)->SetTitle(x.toStdString());
    p->chart->GetAxis(vtkAxis::LEFT)->SetTitle(y.toStdString());
    requestRender();
}

void AxisHeatMapView::setColorBarTitle(const QString& title) {
    if (auto* legend = vtkColorLegend::SafeDownCast(p->chart->GetLegend()))
        legend->SetTitle(title.toStdString());
    requestRender();
}

void AxisHeatMapView::setGrid(double x0, double x1, double y0, double y1,
                              const Eigen::MatrixXd& values, const QString& title) {
    const int rows = static_cast<int>(values.rows()), columns = static_cast<int>(values.cols());
    const bool valid =
        rows > 0 && columns > 0 && x1 > x0 && y1 > y0 && std::isfinite(x0 + x1 + y0 + y1);
    p->rows = valid ? rows : 0;
    p->columns = valid ? columns : 0;

    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    if (valid)
        for (double v : values.reshaped())
            if (std::isfinite(v)) {
                lo = std::min(lo, v);
                hi = std::max(hi, v);
            }
    if (!(lo <= hi)) lo = 0.0, hi = 1.0;
    if (hi - lo < 1e-12 * std::max(1.0, std::abs(lo))) lo -= 0.5, hi += 0.5;  // one value: mid-map
    p->lo = lo;
    p->hi = hi;
    p->colors = makeColorTransferFunction(ColorMap::Viridis, lo, hi);
    p->colors->SetNanColor(kNoDataColor[0], kNoDataColor[1], kNoDataColor[2]);

    // A new image each time: the chart caches the old one's extent otherwise.
    p->image = vtkSmartPointer<vtkImageData>::New();
    const int nx = valid ? columns : 1, ny = valid ? rows : 1;
    p->image->SetDimensions(nx, ny, 1);
    p->image->SetOrigin(valid ? x0 : 0.0, valid ? y0 : 0.0, 0.0);
    p->image->SetSpacing(valid ? (x1 - x0) / columns : 1.0, valid ? (y1 - y0) / rows : 1.0, 1.0);
    p->image->AllocateScalars(VTK_DOUBLE, 1);
    auto* cells = static_cast<double*>(p->image->GetScalarPointer());
    for (int i = 0; i < ny; ++i)
        for (int j = 0; j < nx; ++j)
            cells[j + i * nx] = valid ? values(i, j) : std::numeric_limits<double>::quiet_NaN();
    p->image->Modified();
    p->chart->SetInputData(p->image);
    p->chart->SetTransferFunction(p->colors);
    p->chart->SetTitle(title.toStdString());
    p->chart->RecalculateBounds();
    requestRender();
}

void AxisHeatMapView::clear(const QString& title) { setGrid(0, 1, 0, 1, Eigen::MatrixXd(), title); }

void AxisHeatMapView::resetCamera() {
    p->chart->RecalculateBounds();
    requestRender();
    Q_EMIT cameraReset();
}

}  // namespace driftlab::widgets
