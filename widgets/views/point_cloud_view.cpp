#include "widgets/views/point_cloud_view.h"

#include <vtkActor.h>
#include <vtkCamera.h>
#include <vtkCellArray.h>
#include <vtkDoubleArray.h>
#include <vtkGlyph3D.h>
#include <vtkGlyphSource2D.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>
#include <vtkSmartPointer.h>
#include <vtkTextActor.h>
#include <vtkTextProperty.h>

#include <QMouseEvent>

#include <algorithm>
#include <array>
#include <cmath>

namespace driftlab::widgets {
namespace {

void styleText(vtkTextProperty* text, int size, const theme::Rgb& rgb, bool bold = false) {
    text->SetColor(rgb[0], rgb[1], rgb[2]);
    text->SetFontSize(size);
    text->SetBold(bold);
    text->SetShadow(false);
    text->SetFontFamilyToArial();
}

// A poly data of vertices (one per point) at z = depth; depth orders the layers under the
// parallel camera, so samples always sit on top of paths and data.
void fillVertices(vtkPolyData* poly, const Eigen::Matrix2Xd& x, double depth) {
    vtkNew<vtkPoints> points;
    points->SetNumberOfPoints(x.cols());
    vtkNew<vtkCellArray> verts;
    for (Eigen::Index i = 0; i < x.cols(); ++i) {
        points->SetPoint(i, x(0, i), x(1, i), depth);
        const vtkIdType id = i;
        verts->InsertNextCell(1, &id);
    }
    poly->SetPoints(points);
    poly->SetVerts(verts);
    poly->Modified();
}

void fillPolylines(vtkPolyData* poly, const std::vector<Eigen::Matrix2Xd>& paths, double depth) {
    vtkNew<vtkPoints> points;
    vtkNew<vtkCellArray> lines;
    for (const auto& path : paths) {
        std::vector<vtkIdType> ids;
        ids.reserve(static_cast<std::size_t>(path.cols()));
        for (Eigen::Index k = 0; k < path.cols(); ++k)
            ids.push_back(points->InsertNextPoint(path(0, k), path(1, k), depth));
        if (ids.size() >= 2) lines->InsertNextCell(static_cast<vtkIdType>(ids.size()), ids.data());
    }
    poly->SetPoints(points);
    poly->SetLines(lines);
    poly->Modified();
}

vtkSmartPointer<vtkActor> makeActor(vtkAlgorithmOutput* port, vtkPolyData* data,
                                    const theme::Rgb& rgb, double opacity) {
    vtkNew<vtkPolyDataMapper> mapper;
    if (port) {
        mapper->SetInputConnection(port);
    } else {
        mapper->SetInputData(data);
    }
    mapper->ScalarVisibilityOff();
    auto actor = vtkSmartPointer<vtkActor>::New();
    actor->SetMapper(mapper);
    actor->GetProperty()->SetColor(rgb[0], rgb[1], rgb[2]);
    actor->GetProperty()->SetOpacity(opacity);
    actor->GetProperty()->SetLighting(false);  // flat: the pixels are exactly the theme colour
    return actor;
}

vtkSmartPointer<vtkActor> makeArrowActor(vtkPolyData* base, const theme::Rgb& rgb) {
    vtkNew<vtkGlyphSource2D> arrow;
    arrow->SetGlyphTypeToArrow();
    arrow->FilledOff();
    arrow->SetCenter(0.5, 0.0, 0.0);  // the arrow starts at its grid point
    vtkNew<vtkGlyph3D> glyphs;
    glyphs->SetInputData(base);
    glyphs->SetSourceConnection(arrow->GetOutputPort());
    glyphs->SetVectorModeToUseVector();
    glyphs->SetScaleModeToScaleByVector();
    glyphs->OrientOn();
    glyphs->SetScaleFactor(1.0);
    return makeActor(glyphs->GetOutputPort(), nullptr, rgb, 0.85);
}

void fillArrowBase(vtkPolyData* base, const Eigen::Matrix2Xd& positions,
                   const Eigen::Matrix2Xd& vectors, double depth) {
    fillVertices(base, positions, depth);
    vtkNew<vtkDoubleArray> v;
    v->SetName("vectors");
    v->SetNumberOfComponents(3);
    v->SetNumberOfTuples(positions.cols());
    for (Eigen::Index i = 0; i < positions.cols(); ++i)
        v->SetTuple3(i, i < vectors.cols() ? vectors(0, i) : 0.0,
                     i < vectors.cols() ? vectors(1, i) : 0.0, 0.0);
    base->GetPointData()->SetVectors(v);
}

constexpr int kLegendEntries = 6;  // data, samples, SDE, ODE, arrows, true arrows

}  // namespace

struct PointCloudView::Impl {
    vtkSmartPointer<vtkPolyData> data, samples, sde, ode, arrowBase, trueBase, brush;
    vtkSmartPointer<vtkActor> dataActor, sampleActor, sdeActor, odeActor, arrowActor, trueActor,
        brushActor;
    vtkSmartPointer<vtkTextActor> title;
    std::array<vtkSmartPointer<vtkTextActor>, kLegendEntries> legend;
    QString arrowLegend, trueLegend;
    QString stochasticLabel = "reverse-SDE", deterministicLabel = "probability-flow ODE";
    int dataCount = 0, sampleCount = 0, sdeCount = 0, odeCount = 0, arrowCount = 0, trueCount = 0;
    double bounds[4] = {-3.0, 3.0, -3.0, 3.0};
    Tool tool = Tool::Navigate;
    double brushRadius = 0.3;
    bool brushing = false;
    Eigen::Vector2d lastDab = Eigen::Vector2d::Zero();
};

PointCloudView::PointCloudView(QWidget* parent) : VtkView(parent), p(std::make_unique<Impl>()) {
    setInteractionMode(InteractionMode::PanZoom2D);
    vtkRenderer* ren = renderer();
    ren->SetBackground(theme::kBackground[0], theme::kBackground[1], theme::kBackground[2]);

    for (auto* poly :
         {&p->data, &p->samples, &p->sde, &p->ode, &p->arrowBase, &p->trueBase, &p->brush})
        *poly = vtkSmartPointer<vtkPolyData>::New();
    p->dataActor = makeActor(nullptr, p->data, kDataColor, 0.45);
    p->sdeActor = makeActor(nullptr, p->sde, kSdePathColor, 0.22);
    p->odeActor = makeActor(nullptr, p->ode, kOdePathColor, 0.95);
    p->sampleActor = makeActor(nullptr, p->samples, kSampleColor, 1.0);

    p->arrowActor = makeArrowActor(p->arrowBase, kArrowColor);
    p->trueActor = makeArrowActor(p->trueBase, kTrueArrowColor);
    p->brushActor = makeActor(nullptr, p->brush, kBrushColor, 0.9);
    p->brushActor->SetVisibility(false);

    for (auto& actor : {p->dataActor, p->trueActor, p->arrowActor, p->sdeActor, p->odeActor,
                        p->sampleActor, p->brushActor})
        ren->AddActor(actor);

    p->title = vtkSmartPointer<vtkTextActor>::New();
    styleText(p->title->GetTextProperty(), theme::kTitleFontSize, theme::kText, true);
    p->title->GetTextProperty()->SetVerticalJustificationToTop();
    p->title->GetTextProperty()->SetBackgroundColor(theme::kBackground[0], theme::kBackground[1],
                                                    theme::kBackground[2]);
    p->title->GetTextProperty()->SetBackgroundOpacity(0.8);
    p->title->GetPositionCoordinate()->SetCoordinateSystemToNormalizedViewport();
    p->title->SetPosition(0.02, 0.97);
    ren->AddActor2D(p->title);

    const std::array<theme::Rgb, kLegendEntries> colors = {
        kDataColor, kSampleColor, kSdePathColor, kOdePathColor, kArrowColor, kTrueArrowColor};
    for (std::size_t i = 0; i < p->legend.size(); ++i) {
        p->legend[i] = vtkSmartPointer<vtkTextActor>::New();
        styleText(p->legend[i]->GetTextProperty(), theme::kLabelFontSize + 1, colors[i], true);
        p->legend[i]->GetTextProperty()->SetJustificationToRight();
        p->legend[i]->GetTextProperty()->SetVerticalJustificationToTop();
        // Arrows and paths run under the legend; a veil of the background keeps it legible.
        p->legend[i]->GetTextProperty()->SetBackgroundColor(
            theme::kBackground[0], theme::kBackground[1], theme::kBackground[2]);
        p->legend[i]->GetTextProperty()->SetBackgroundOpacity(0.8);
        p->legend[i]->GetPositionCoordinate()->SetCoordinateSystemToNormalizedViewport();
        ren->AddActor2D(p->legend[i]);
    }
    clearAll();
}

PointCloudView::~PointCloudView() = default;

int PointCloudView::dataCount() const { return p->dataCount; }
int PointCloudView::sampleCount() const { return p->sampleCount; }
int PointCloudView::pathCount() const { return p->sdeCount + p->odeCount; }
int PointCloudView::arrowCount() const { return p->arrowCount; }
int PointCloudView::trueArrowCount() const { return p->trueCount; }

void PointCloudView::clearAll() {
    setData(Eigen::Matrix2Xd(2, 0));
    setSamples(Eigen::Matrix2Xd(2, 0));
    setPaths({}, {});
    setArrows(Eigen::Matrix2Xd(2, 0), Eigen::Matrix2Xd(2, 0), {});
    setTrueArrows(Eigen::Matrix2Xd(2, 0), Eigen::Matrix2Xd(2, 0), {});
}

void PointCloudView::setTitle(const QString& title) {
    p->title->SetInput(title.toUtf8().constData());
    requestRender();
}

void PointCloudView::setData(const Eigen::Matrix2Xd& points, bool refit) {
    fillVertices(p->data, points, 0.0);
    p->dataCount = static_cast<int>(points.cols());
    if (refit && points.cols() > 0) {
        const Eigen::Vector2d lo = points.rowwise().minCoeff();
        const Eigen::Vector2d hi = points.rowwise().maxCoeff();
        p->bounds[0] = lo.x();
        p->bounds[1] = hi.x();
        p->bounds[2] = lo.y();
        p->bounds[3] = hi.y();
        resetCamera();
    }
    updateLegend();
    requestRender();
}

void PointCloudView::setSamples(const Eigen::Matrix2Xd& points) {
    fillVertices(p->samples, points, 0.3);
    p->sampleCount = static_cast<int>(points.cols());
    updateLegend();
    requestRender();
}

void PointCloudView::setPaths(const std::vector<Eigen::Matrix2Xd>& sde,
                              const std::vector<Eigen::Matrix2Xd>& ode) {
    fillPolylines(p->sde, sde, 0.1);
    fillPolylines(p->ode, ode, 0.2);
    p->sdeCount = static_cast<int>(sde.size());
    p->odeCount = static_cast<int>(ode.size());
    updateLegend();
    requestRender();
}

void PointCloudView::setArrows(const Eigen::Matrix2Xd& positions, const Eigen::Matrix2Xd& vectors,
                               const QString& legend) {
    fillArrowBase(p->arrowBase, positions, vectors, 0.05);
    p->arrowCount = static_cast<int>(positions.cols());
    p->arrowLegend = legend;
    updateLegend();
    requestRender();
}

void PointCloudView::setPathLabels(const QString& stochastic, const QString& deterministic) {
    p->stochasticLabel = stochastic;
    p->deterministicLabel = deterministic;
    updateLegend();
    requestRender();
}

void PointCloudView::setTrueArrows(const Eigen::Matrix2Xd& positions,
                                   const Eigen::Matrix2Xd& vectors, const QString& legend) {
    fillArrowBase(p->trueBase, positions, vectors, 0.04);
    p->trueCount = static_cast<int>(positions.cols());
    p->trueLegend = legend;
    updateLegend();
    requestRender();
}

void PointCloudView::setLayerVisible(Layer layer, bool visible) {
    switch (layer) {
        case Layer::Data:
            p->dataActor->SetVisibility(visible);
            break;
        case Layer::Samples:
            p->sampleActor->SetVisibility(visible);
            break;
        case Layer::Paths:
            p->sdeActor->SetVisibility(visible);
            p->odeActor->SetVisibility(visible);
            break;
        case Layer::Arrows:
            p->arrowActor->SetVisibility(visible);
            break;
        case Layer::TrueArrows:
            p->trueActor->SetVisibility(visible);
            break;
    }
    updateLegend();
    requestRender();
}

bool PointCloudView::layerVisible(Layer layer) const {
    switch (layer) {
        case Layer::Data:
            return p->dataActor->GetVisibility();
        case Layer::Samples:
            return p->sampleActor->GetVisibility();
        case Layer::Paths:
            return p->sdeActor->GetVisibility();
        case Layer::Arrows:
            return p->arrowActor->GetVisibility();
        case Layer::TrueArrows:
            return p->trueActor->GetVisibility();
    }
    return false;
}

void PointCloudView::updateLegend() {
    const std::array<QString, kLegendEntries> texts = {
        p->dataCount ? QString("data (%1 points)").arg(p->dataCount) : QString(),
        p->sampleCount ? QString("samples (%1)").arg(p->sampleCount) : QString(),
        p->sdeCount ? QString("%1 paths (%2)").arg(p->stochasticLabel).arg(p->sdeCount) : QString(),
        p->odeCount ? QString("%1 paths (%2)").arg(p->deterministicLabel).arg(p->odeCount)
                    : QString(),
        p->arrowCount ? p->arrowLegend : QString(),
        p->trueCount ? p->trueLegend : QString()};
    const std::array<bool, kLegendEntries> visible = {
        bool(p->dataActor->GetVisibility()),  bool(p->sampleActor->GetVisibility()),
        bool(p->sdeActor->GetVisibility()),   bool(p->odeActor->GetVisibility()),
        bool(p->arrowActor->GetVisibility()), bool(p->trueActor->GetVisibility())};
    double y = 0.97;
    for (std::size_t i = 0; i < texts.size(); ++i) {
        const bool show = !texts[i].isEmpty() && visible[i];
        p->legend[i]->SetVisibility(show);
        if (!show) continue;
        p->legend[i]->SetInput(texts[i].toUtf8().constData());
        p->legend[i]->SetPosition(0.98, y);
        y -= 0.045;
    }
}

void PointCloudView::resetCamera() {
    vtkCamera* camera = renderer()->GetActiveCamera();
    const double cx = 0.5 * (p->bounds[0] + p->bounds[1]);
    const double cy = 0.5 * (p->bounds[2] + p->bounds[3]);
    const double halfW = 0.5 * (p->bounds[1] - p->bounds[0]);
    const double halfH = 0.5 * (p->bounds[3] - p->bounds[2]);
    const double aspect = height() > 0 ? double(width()) / double(height()) : 1.0;
    camera->ParallelProjectionOn();
    camera->SetFocalPoint(cx, cy, 0.0);
    camera->SetPosition(cx, cy, 10.0);
    camera->SetViewUp(0.0, 1.0, 0.0);
    // A margin for the title and legend, which sit over the top of the view.
    camera->SetParallelScale(1.3 * std::max({halfH, halfW / std::max(aspect, 0.1), 0.5}));
    renderer()->ResetCameraClippingRange(-10, 10, -10, 10, -10, 10);
    requestRender();
    Q_EMIT cameraReset();
}

void PointCloudView::resizeGL(int w, int h) {
    VtkView::resizeGL(w, h);
    const double dpr = devicePixelRatioF();
    p->dataActor->GetProperty()->SetPointSize(float(2.0 * dpr));
    p->sampleActor->GetProperty()->SetPointSize(float(3.0 * dpr));
    p->sdeActor->GetProperty()->SetLineWidth(float(1.0 * dpr));
    p->odeActor->GetProperty()->SetLineWidth(float(2.0 * dpr));
    p->arrowActor->GetProperty()->SetLineWidth(float(1.2 * dpr));
    p->trueActor->GetProperty()->SetLineWidth(float(1.6 * dpr));
    p->brushActor->GetProperty()->SetLineWidth(float(1.5 * dpr));
    resetCamera();
}

void PointCloudView::setTool(Tool tool) {
    p->tool = tool;
    p->brushing = false;
    setCursor(tool == Tool::Navigate ? Qt::ArrowCursor : Qt::CrossCursor);
    setMouseTracking(tool != Tool::Navigate);
    if (tool == Tool::Navigate) p->brushActor->SetVisibility(false);
    requestRender();
}

PointCloudView::Tool PointCloudView::tool() const { return p->tool; }
void PointCloudView::setBrushRadius(double radius) { p->brushRadius = std::max(radius, 1e-6); }
double PointCloudView::brushRadius() const { return p->brushRadius; }

Eigen::Vector2d PointCloudView::widgetToData(const QPointF& position) const {
    vtkCamera* camera = renderer()->GetActiveCamera();
    double focal[3];
    camera->GetFocalPoint(focal);
    // Parallel projection: the parallel scale is half the viewport's height in data units.
    const double unitsPerPixel = 2.0 * camera->GetParallelScale() / std::max(1, height());
    return {focal[0] + (position.x() - 0.5 * width()) * unitsPerPixel,
            focal[1] - (position.y() - 0.5 * height()) * unitsPerPixel};
}

QPointF PointCloudView::dataToWidget(const Eigen::Vector2d& point) const {
    vtkCamera* camera = renderer()->GetActiveCamera();
    double focal[3];
    camera->GetFocalPoint(focal);
    const double pixelsPerUnit = std::max(1, height()) / (2.0 * camera->GetParallelScale());
    return {0.5 * width() + (point.x() - focal[0]) * pixelsPerUnit,
            0.5 * height() - (point.y() - focal[1]) * pixelsPerUnit};
}

void PointCloudView::moveBrushCircle(const Eigen::Vector2d& centre) {
    constexpr int kSegments = 48;
    Eigen::Matrix2Xd circle(2, kSegments + 1);
    for (int k = 0; k <= kSegments; ++k) {
        const double a = 2.0 * 3.14159265358979323846 * k / kSegments;
        circle.col(k) = centre + p->brushRadius * Eigen::Vector2d(std::cos(a), std::sin(a));
    }
    fillPolylines(p->brush, {circle}, 0.4);
    p->brushActor->SetVisibility(true);
    requestRender();
}

void PointCloudView::mousePressEvent(QMouseEvent* e) {
    if (p->tool == Tool::Navigate || e->button() != Qt::LeftButton) {
        VtkView::mousePressEvent(e);
        return;
    }
    const Eigen::Vector2d at = widgetToData(e->position());
    p->brushing = true;
    p->lastDab = at;
    moveBrushCircle(at);
    Q_EMIT brushApplied(at.x(), at.y(), p->tool == Tool::Erase, false);
}

void PointCloudView::mouseMoveEvent(QMouseEvent* e) {
    if (p->tool == Tool::Navigate) {
        VtkView::mouseMoveEvent(e);
        return;
    }
    const Eigen::Vector2d at = widgetToData(e->position());
    moveBrushCircle(at);
    // A dab every half radius of travel: an even stroke however fast the mouse moves
    // between events, without piling points where it lingers.
    if (p->brushing && (at - p->lastDab).norm() >= 0.5 * p->brushRadius) {
        p->lastDab = at;
        Q_EMIT brushApplied(at.x(), at.y(), p->tool == Tool::Erase, true);
    }
}

void PointCloudView::mouseReleaseEvent(QMouseEvent* e) {
    if (p->tool == Tool::Navigate || e->button() != Qt::LeftButton) {
        VtkView::mouseReleaseEvent(e);
        return;
    }
    p->brushing = false;
}

}  // namespace driftlab::widgets
