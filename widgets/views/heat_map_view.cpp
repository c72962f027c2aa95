#include "widgets/views/heat_map_view.h"

#include "widgets/vtk/color_maps.h"
#include "widgets/vtk/theme.h"

#include <vtkCamera.h>
#include <vtkDoubleArray.h>
#include <vtkImageActor.h>
#include <vtkImageData.h>
#include <vtkImageMapToColors.h>
#include <vtkImageMapper3D.h>
#include <vtkLookupTable.h>
#include <vtkPointData.h>
#include <vtkRenderer.h>
#include <vtkScalarBarActor.h>
#include <vtkSmartPointer.h>
#include <vtkTextActor.h>
#include <vtkTextProperty.h>

#include <algorithm>
#include <cmath>

namespace driftlab::widgets {
namespace {

void styleText(vtkTextProperty* text, int size, bool bold) {
    text->SetColor(theme::kText[0], theme::kText[1], theme::kText[2]);
    text->SetFontSize(size);
    text->SetBold(bold);
    text->SetItalic(false);
    text->SetShadow(false);
    text->SetFontFamilyToArial();
}

}  // namespace

struct HeatMapView::Impl {
    vtkSmartPointer<vtkImageData> image;
    vtkSmartPointer<vtkImageMapToColors> colors;
    vtkSmartPointer<vtkImageActor> actor;
    vtkSmartPointer<vtkScalarBarActor> bar;
    vtkSmartPointer<vtkTextActor> title;
    int cells = 0;
    double box[4] = {-1.0, 1.0, -1.0, 1.0};
};

HeatMapView::HeatMapView(QWidget* parent) : VtkView(parent), p(std::make_unique<Impl>()) {
    setInteractionMode(InteractionMode::PanZoom2D);
    renderer()->SetBackground(theme::kBackground[0], theme::kBackground[1], theme::kBackground[2]);
    p->image = vtkSmartPointer<vtkImageData>::New();
    p->colors = vtkSmartPointer<vtkImageMapToColors>::New();
    p->colors->SetInputData(p->image);
    p->colors->SetOutputFormatToRGBA();
    p->actor = vtkSmartPointer<vtkImageActor>::New();
    p->actor->GetMapper()->SetInputConnection(p->colors->GetOutputPort());
    p->actor->InterpolateOff();  // one flat colour per cell, as the numbers are per cell
    renderer()->AddActor(p->actor);

    p->bar = vtkSmartPointer<vtkScalarBarActor>::New();
    p->bar->SetNumberOfLabels(4);
    p->bar->SetLabelFormat("%.3g");
    p->bar->SetPosition(0.86, 0.1);
    p->bar->SetWidth(0.1);
    p->bar->SetHeight(0.75);
    p->bar->UnconstrainedFontSizeOn();
    styleText(p->bar->GetLabelTextProperty(), theme::kLabelFontSize, false);
    styleText(p->bar->GetTitleTextProperty(), theme::kLabelFontSize, false);
    renderer()->AddActor2D(p->bar);

    p->title = vtkSmartPointer<vtkTextActor>::New();
    styleText(p->title->GetTextProperty(), theme::kTitleFontSize, true);
    p->title->GetTextProperty()->SetVerticalJustificationToTop();
    p->title->GetPositionCoordinate()->SetCoordinateSystemToNormalizedViewport();
    p->title->SetPosition(0.02, 0.97);
    renderer()->AddActor2D(p->title);
    clear("No density yet");
}

HeatMapView::~HeatMapView() = default;

int HeatMapView::cellCount() const { return p->cells; }

void HeatMapView::setGrid(const Eigen::VectorXd& values, int grid, double x0, double x1, double y0,
                          double y1, double lo, double hi, const QString& title,
                          const QString& barTitle) {
    const bool valid = grid > 0 && values.size() == Eigen::Index(grid) * grid;
    p->cells = valid ? grid * grid : 0;
    p->actor->SetVisibility(valid);
    p->bar->SetVisibility(valid);
    p->title->SetInput(title.toUtf8().constData());
    if (valid) {
        const double dx = (x1 - x0) / grid, dy = (y1 - y0) / grid;
        p->image->SetDimensions(grid, grid, 1);
        p->image->SetOrigin(x0 + 0.5 * dx, y0 + 0.5 * dy, 0.0);
        p->image->SetSpacing(dx, dy, 1.0);
        vtkNew<vtkDoubleArray> scalars;
        scalars->SetNumberOfValues(values.size());
        for (Eigen::Index i = 0; i < values.size(); ++i) scalars->SetValue(i, values(i));
        p->image->GetPointData()->SetScalars(scalars);
        p->image->Modified();
        if (!(hi > lo)) hi = lo + 1.0;
        auto table = makeLookupTable(ColorMap::Viridis, lo, hi);
        table->SetNanColor(theme::kBackground[0], theme::kBackground[1], theme::kBackground[2],
                           1.0);
        table->SetBelowRangeColor(0.27, 0.0, 0.33, 1.0);  // viridis' low end
        table->UseBelowRangeColorOn();
        p->colors->SetLookupTable(table);
        p->bar->SetLookupTable(table);
        p->bar->SetTitle(barTitle.toUtf8().constData());
        p->box[0] = x0;
        p->box[1] = x1;
        p->box[2] = y0;
        p->box[3] = y1;
        resetCamera();
    }
    requestRender();
}

void HeatMapView::clear(const QString& title) {
    setGrid(Eigen::VectorXd(), 0, 0, 1, 0, 1, 0, 1, title, {});
}

void HeatMapView::resetCamera() {
    vtkCamera* camera = renderer()->GetActiveCamera();
    const double cx = 0.5 * (p->box[0] + p->box[1]);
    const double halfW = 0.5 * (p->box[1] - p->box[0]);
    const double halfH = 0.5 * (p->box[3] - p->box[2]);
    const double aspect = height() > 0 ? double(width()) / double(height()) : 1.0;
    // The colour bar takes the right sixth and the title the top: shift the picture left
    // and leave headroom.
    const double scale = 1.18 * std::max(halfH, 1.35 * halfW / std::max(aspect, 0.1));
    const double shiftX = 0.12 * scale * aspect;
    const double cy = 0.5 * (p->box[2] + p->box[3]) + 0.06 * scale;
    camera->ParallelProjectionOn();
    camera->SetFocalPoint(cx + shiftX, cy, 0.0);
    camera->SetPosition(cx + shiftX, cy, 10.0);
    camera->SetViewUp(0.0, 1.0, 0.0);
    camera->SetParallelScale(scale);
    renderer()->ResetCameraClippingRange(-10, 10, -10, 10, -10, 10);
    requestRender();
    Q_EMIT cameraReset();
}

}  // namespace driftlab::widgets
