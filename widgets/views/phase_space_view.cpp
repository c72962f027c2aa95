#include "widgets/views/phase_space_view.h"

#include "core/trajectories/trajectory_snapshot.h"
#include "widgets/vtk/theme.h"

#include <vtkActor.h>
#include <vtkActor2D.h>
#include <vtkCamera.h>
#include <vtkCellArray.h>
#include <vtkCoordinate.h>
#include <vtkCubeAxesActor.h>
#include <vtkDoubleArray.h>
#include <vtkIdTypeArray.h>
#include <vtkLookupTable.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>
#include <vtkScalarBarActor.h>
#include <vtkTextActor.h>
#include <vtkTextProperty.h>

#include <algorithm>
#include <array>
#include <cmath>

namespace driftlab::widgets {
namespace {

void styleText(vtkTextProperty* text, int size, bool bold = false) {
    text->SetColor(theme::kText[0], theme::kText[1], theme::kText[2]);
    text->SetFontSize(size);
    text->SetBold(bold);
    text->SetItalic(false);
    text->SetShadow(false);
    text->SetFontFamilyToArial();
}

// Viridis' last yellows vanish on the white background: use the part that stays readable.
constexpr double kMapEnd = 0.85;

}  // namespace

struct PhaseSpaceView::Impl {
    std::shared_ptr<const core::TrajectorySnapshot> snapshot;
    ColorMap map = ColorMap::Viridis;
    int dimension = 0;
    int paths = 0;
    double timeRange[2] = {0.0, 1.0};

    vtkSmartPointer<vtkPolyData> lines;
    vtkSmartPointer<vtkPolyDataMapper> lineMapper;
    vtkSmartPointer<vtkActor> lineActor;
    vtkSmartPointer<vtkPolyData> starts;
    vtkSmartPointer<vtkActor> startActor;
    vtkSmartPointer<vtkCubeAxesActor> axes;
    vtkSmartPointer<vtkScalarBarActor> colorBar;
    vtkSmartPointer<vtkTextActor> title;
    vtkSmartPointer<vtkLookupTable> lut;
};

PhaseSpaceView::PhaseSpaceView(QWidget* parent) : VtkView(parent), p(std::make_unique<Impl>()) {
    vtkRenderer* ren = renderer();
    ren->SetBackground(theme::kBackground[0], theme::kBackground[1], theme::kBackground[2]);

    p->lines = vtkSmartPointer<vtkPolyData>::New();
    p->lines->SetPoints(vtkSmartPointer<vtkPoints>::New());
    p->lines->SetLines(vtkSmartPointer<vtkCellArray>::New());
    vtkNew<vtkDoubleArray> time;
    time->SetName("t");
    p->lines->GetPointData()->SetScalars(time);
    p->lineMapper = vtkSmartPointer<vtkPolyDataMapper>::New();
    p->lineMapper->SetInputData(p->lines);
    p->lineMapper->ScalarVisibilityOn();
    p->lineMapper->SetScalarModeToUsePointData();
    p->lineMapper->SetColorModeToMapScalars();
    p->lineMapper->UseLookupTableScalarRangeOn();
    p->lineActor = vtkSmartPointer<vtkActor>::New();
    p->lineActor->SetMapper(p->lineMapper);
    p->lineActor->GetProperty()->SetLighting(false);  // flat colours: the colour is the time
    ren->AddActor(p->lineActor);

    p->starts = vtkSmartPointer<vtkPolyData>::New();
    p->starts->SetPoints(vtkSmartPointer<vtkPoints>::New());
    p->starts->SetVerts(vtkSmartPointer<vtkCellArray>::New());
    vtkNew<vtkPolyDataMapper> startMapper;
    startMapper->SetInputData(p->starts);
    startMapper->ScalarVisibilityOff();
    p->startActor = vtkSmartPointer<vtkActor>::New();
    p->startActor->SetMapper(startMapper);
    p->startActor->GetProperty()->SetColor(theme::kStartPoint[0], theme::kStartPoint[1],
                                           theme::kStartPoint[2]);
    p->startActor->GetProperty()->SetRenderPointsAsSpheres(true);
    ren->AddActor(p->startActor);

    p->axes = vtkSmartPointer<vtkCubeAxesActor>::New();
    p->axes->SetCamera(ren->GetActiveCamera());
    for (int i = 0; i < 3; ++i) {
        styleText(p->axes->GetTitleTextProperty(i), theme::kAxisTitleFontSize, true);
        styleText(p->axes->GetLabelTextProperty(i), theme::kLabelFontSize);
    }
    for (vtkProperty* line : {p->axes->GetXAxesLinesProperty(), p->axes->GetYAxesLinesProperty(),
                              p->axes->GetZAxesLinesProperty()})
        line->SetColor(theme::kText[0], theme::kText[1], theme::kText[2]);
    p->axes->SetTickLocationToOutside();
    p->axes->SetFlyModeToOuterEdges();
    p->axes->SetXLabelFormat("%-#6.3g");
    p->axes->SetYLabelFormat("%-#6.3g");
    p->axes->SetZLabelFormat("%-#6.3g");
    ren->AddActor(p->axes);

    p->colorBar = vtkSmartPointer<vtkScalarBarActor>::New();
    p->colorBar->SetTitle("t");
    p->colorBar->SetNumberOfLabels(5);
    p->colorBar->SetLabelFormat("%-#6.3g");
    p->colorBar->UnconstrainedFontSizeOn();
    styleText(p->colorBar->GetTitleTextProperty(), theme::kAxisTitleFontSize, true);
    styleText(p->colorBar->GetLabelTextProperty(), theme::kLabelFontSize);
    p->colorBar->GetPositionCoordinate()->SetCoordinateSystemToNormalizedViewport();
    p->colorBar->SetPosition(0.89, 0.10);
    p->colorBar->SetWidth(0.09);
    p->colorBar->SetHeight(0.70);  // leaves room above for the bar's title
    p->colorBar->SetBarRatio(0.35);
    p->colorBar->SetVerticalTitleSeparation(8);  // keeps the title off the top label
    ren->AddActor2D(p->colorBar);

    p->title = vtkSmartPointer<vtkTextActor>::New();
    styleText(p->title->GetTextProperty(), theme::kTitleFontSize, true);
    p->title->GetTextProperty()->SetJustificationToLeft();
    p->title->GetTextProperty()->SetVerticalJustificationToTop();
    p->title->GetPositionCoordinate()->SetCoordinateSystemToNormalizedViewport();
    p->title->SetPosition(0.02, 0.97);
    ren->AddActor2D(p->title);

    setHomeView(0.9, -1.3, 0.8, 0.0, 0.0, 1.0);
    updateColors();
    setSnapshot(nullptr);
}

PhaseSpaceView::~PhaseSpaceView() = default;

std::shared_ptr<const core::TrajectorySnapshot> PhaseSpaceView::snapshot() const {
    return p->snapshot;
}
ColorMap PhaseSpaceView::colorMap() const { return p->map; }
int PhaseSpaceView::shownDimension() const { return p->dimension; }
int PhaseSpaceView::drawnPathCount() const { return p->paths; }

void PhaseSpaceView::resetCamera() {
    VtkView::resetCamera();
    // ResetCamera fits the data; the axes' labels and titles sit outside it.
    renderer()->GetActiveCamera()->Zoom(p->dimension == 3 ? 0.8 : 0.9);
    renderer()->ResetCameraClippingRange();
}

void PhaseSpaceView::setColorMap(ColorMap map) {
    p->map = map;
    updateColors();
    requestRender();
}

void PhaseSpaceView::updateColors() {
    // A fresh table per range: VTK rebuilds a used table on range changes with its default
    // rainbow, which would silently replace the map.
    p->lut = makeLookupTable(p->map, p->timeRange[0], p->timeRange[1], 256, 0.0, kMapEnd);
    p->lineMapper->SetLookupTable(p->lut);
    p->colorBar->SetLookupTable(p->lut);
}

void PhaseSpaceView::setSnapshot(std::shared_ptr<const core::TrajectorySnapshot> snapshot) {
    p->snapshot = std::move(snapshot);
    const core::SimulationResult* result = p->snapshot ? p->snapshot->result.get() : nullptr;
    const int oldDimension = p->dimension;
    const int dimension = result && !result->times.empty() &&
                                  static_cast<int>(result->states.size()) >= result->dimension
                              ? std::min(result->dimension, 3)
                              : 0;
    p->dimension = dimension >= 2 ? dimension : 0;
    const double dpr = devicePixelRatioF();

    vtkPoints* points = p->lines->GetPoints();
    auto* time = vtkDoubleArray::SafeDownCast(p->lines->GetPointData()->GetScalars());
    vtkNew<vtkIdTypeArray> offsets, connectivity;
    vtkPoints* startPoints = p->starts->GetPoints();
    vtkNew<vtkIdTypeArray> startOffsets, startConnectivity;
    p->paths = 0;

    if (p->dimension) {
        const int n = static_cast<int>(result->times.size());
        std::vector<int> drawn;
        for (int path : p->snapshot->drawnPathIndices)
            if (path >= 0 && path < result->paths && result->states[0].cols() == n)
                drawn.push_back(path);
        p->paths = static_cast<int>(drawn.size());

        // Each axis is scaled to a span of 2 so a component in the hundreds doesn't flatten
        // one in the tenths; the axes' labels still show the true values.
        std::array<double, 3> lo{0, 0, 0}, hi{0, 0, 0}, centre{0, 0, 0}, scale{1, 1, 1};
        for (int c = 0; c < p->dimension; ++c) {
            lo[c] = HUGE_VAL;
            hi[c] = -HUGE_VAL;
            for (int path : drawn)
                for (int k = 0; k < n; ++k)
                    if (const double v = result->states[c](path, k); std::isfinite(v)) {
                        lo[c] = std::min(lo[c], v);
                        hi[c] = std::max(hi[c], v);
                    }
            if (!(lo[c] <= hi[c])) lo[c] = hi[c] = 0.0;
            centre[c] = 0.5 * (lo[c] + hi[c]);
            scale[c] = hi[c] > lo[c] ? 2.0 / (hi[c] - lo[c]) : 1.0;
        }

        points->SetDataTypeToDouble();
        points->SetNumberOfPoints(static_cast<vtkIdType>(drawn.size()) * n);
        time->SetNumberOfTuples(static_cast<vtkIdType>(drawn.size()) * n);
        offsets->SetNumberOfTuples(static_cast<vtkIdType>(drawn.size()) + 1);
        connectivity->SetNumberOfTuples(static_cast<vtkIdType>(drawn.size()) * n);
        startPoints->SetNumberOfPoints(static_cast<vtkIdType>(drawn.size()));
        startOffsets->SetNumberOfTuples(static_cast<vtkIdType>(drawn.size()) + 1);
        startConnectivity->SetNumberOfTuples(static_cast<vtkIdType>(drawn.size()));
        auto* xyz = static_cast<double*>(points->GetVoidPointer(0));
        vtkIdType id = 0;
        offsets->SetValue(0, 0);
        startOffsets->SetValue(0, 0);
        for (std::size_t i = 0; i < drawn.size(); ++i) {
            std::array<double, 3> last{0, 0, 0};
            for (int k = 0; k < n; ++k, ++id) {
                for (int c = 0; c < 3; ++c) {
                    double v = c < p->dimension ? result->states[c](drawn[i], k) : 0.0;
                    // A path that blew up stays at its last finite point.
                    v = std::isfinite(v) ? (v - centre[c]) * scale[c] : last[c];
                    last[c] = v;
                    xyz[3 * id + c] = v;
                }
                time->SetValue(id, result->times[k]);
                connectivity->SetValue(id, id);
                if (k == 0) startPoints->SetPoint(static_cast<vtkIdType>(i), &xyz[3 * id]);
            }
            offsets->SetValue(static_cast<vtkIdType>(i) + 1, id);
            startConnectivity->SetValue(static_cast<vtkIdType>(i), static_cast<vtkIdType>(i));
            startOffsets->SetValue(static_cast<vtkIdType>(i) + 1, static_cast<vtkIdType>(i) + 1);
        }

        p->timeRange[0] = result->times.front();
        p->timeRange[1] = result->times.back() > result->times.front() ? result->times.back()
                                                                       : result->times.front() + 1;
        updateColors();

        const auto& spec = p->snapshot->config.equation;
        auto name = [&](int c) {
            if (c < static_cast<int>(spec.variables.size())) return spec.variables[c];
            std::string fallback = "x";  // += avoids GCC 12's false -Wrestrict on "x" + s
            fallback += std::to_string(c + 1);
            return fallback;
        };
        double bounds[6];
        for (int c = 0; c < 3; ++c) {
            bounds[2 * c] = c < p->dimension ? (lo[c] - centre[c]) * scale[c] : 0.0;
            bounds[2 * c + 1] = c < p->dimension ? (hi[c] - centre[c]) * scale[c] : 0.0;
        }
        p->axes->SetBounds(bounds);
        p->axes->SetXAxisRange(lo[0], hi[0]);
        p->axes->SetYAxisRange(lo[1], hi[1]);
        p->axes->SetZAxisRange(lo[2], hi[2]);
        p->axes->SetXTitle(name(0).c_str());
        p->axes->SetYTitle(name(1).c_str());
        p->axes->SetZTitle(p->dimension == 3 ? name(2).c_str() : "");
        p->axes->SetZAxisVisibility(p->dimension == 3);
        // Screen-aligned labels: 3-D follower text turns unreadable edge-on.
        p->axes->SetUse2DMode(1);

        QString axesText = QString::fromStdString(name(0) + ", " + name(1));
        if (p->dimension == 3) axesText += QString::fromStdString(", " + name(2));
        QString heading = QString("Phase space (%1): %2 paths").arg(axesText).arg(p->paths);
        if (result->dimension > 3)
            heading += QString(" - first 3 of %1 components").arg(result->dimension);
        p->title->SetInput(heading.toStdString().c_str());
    } else {
        points->SetNumberOfPoints(0);
        time->SetNumberOfTuples(0);
        offsets->SetNumberOfTuples(1);
        offsets->SetValue(0, 0);
        startPoints->SetNumberOfPoints(0);
        startOffsets->SetNumberOfTuples(1);
        startOffsets->SetValue(0, 0);
        p->title->SetInput(result ? "Phase space needs two or more components"
                                  : "No data yet - run a simulation");
    }
    p->lines->GetLines()->SetData(offsets, connectivity);
    p->starts->GetVerts()->SetData(startOffsets, startConnectivity);
    points->Modified();
    time->Modified();
    startPoints->Modified();
    p->lines->Modified();
    p->starts->Modified();

    p->lineActor->GetProperty()->SetLineWidth(static_cast<float>(1.5 * dpr));
    p->startActor->GetProperty()->SetPointSize(static_cast<float>(9.0 * dpr));
    p->lineActor->SetVisibility(p->dimension > 0);
    p->startActor->SetVisibility(p->dimension > 0);
    p->axes->SetVisibility(p->dimension > 0);
    p->colorBar->SetVisibility(p->dimension > 0);

    if (p->dimension != oldDimension) {
        // A new kind of picture starts from its home view; same-shaped updates keep the
        // user's rotation and zoom.
        if (p->dimension == 2) {
            setInteractionMode(InteractionMode::PanZoom2D);
            setHomeView(0.0, 0.0, 1.0, 0.0, 1.0, 0.0);
        } else {
            setInteractionMode(InteractionMode::Trackball3D);
            setHomeView(0.9, -1.3, 0.8, 0.0, 0.0, 1.0);
        }
        if (p->dimension > 0) resetCamera();
    } else if (p->dimension > 0) {
        renderer()->ResetCameraClippingRange();
    }
    requestRender();
}

}  // namespace driftlab::widgets
