#include "widgets/vtk/vtk_view.h"

#include <QDateTime>
#include <QDir>
#include <QImage>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QOpenGLContext>
#include <QOpenGLExtraFunctions>
#include <QStandardPaths>
#include <QTimer>
#include <QWheelEvent>

#include <vtkCallbackCommand.h>
#include <vtkCamera.h>
#include <vtkChart.h>
#include <vtkCommand.h>
#include <vtkContextScene.h>
#include <vtkContextView.h>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkGenericRenderWindowInteractor.h>
#include <vtkInteractorStyleTrackballCamera.h>
#include <vtkObjectFactory.h>
#include <vtkOpenGLState.h>
#include <vtkRenderer.h>
#include <vtkRendererCollection.h>
#include <vtkSmartPointer.h>

#include <cmath>
#include <map>

namespace driftlab::widgets {
namespace {

// VTK's stock styles bind letters in OnChar (e/q exit, 3 stereo, w/s wireframe, f fly-to,
// p pick, r reset...). VtkView never forwards Char events, and these styles swallow them
// anyway so a style installed by someone else's code path can't surprise a user either.
class TrackballStyle : public vtkInteractorStyleTrackballCamera {
public:
    static TrackballStyle* New();
    vtkTypeMacro(TrackballStyle, vtkInteractorStyleTrackballCamera);
    void OnChar() override {}
    void OnKeyPress() override {}
};
vtkStandardNewMacro(TrackballStyle);

// 2-D: the left button pans instead of rotating; right button and wheel zoom (Dolly
// changes the parallel scale under a parallel projection).
class PanZoomStyle : public vtkInteractorStyleTrackballCamera {
public:
    static PanZoomStyle* New();
    vtkTypeMacro(PanZoomStyle, vtkInteractorStyleTrackballCamera);
    void OnChar() override {}
    void OnKeyPress() override {}
    void OnLeftButtonDown() override { OnMiddleButtonDown(); }
    void OnLeftButtonUp() override { OnMiddleButtonUp(); }
};
vtkStandardNewMacro(PanZoomStyle);

int vtkButtonEvent(Qt::MouseButton button, bool press) {
    switch (button) {
        case Qt::LeftButton:
            return press ? vtkCommand::LeftButtonPressEvent : vtkCommand::LeftButtonReleaseEvent;
        case Qt::MiddleButton:
            return press ? vtkCommand::MiddleButtonPressEvent
                         : vtkCommand::MiddleButtonReleaseEvent;
        case Qt::RightButton:
            return press ? vtkCommand::RightButtonPressEvent : vtkCommand::RightButtonReleaseEvent;
        default:
            return vtkCommand::NoEvent;
    }
}

const char* keySym(int key) {
    switch (key) {
        case Qt::Key_Left:
            return "Left";
        case Qt::Key_Right:
            return "Right";
        case Qt::Key_Up:
            return "Up";
        case Qt::Key_Down:
            return "Down";
        case Qt::Key_Shift:
            return "Shift_L";
        case Qt::Key_Control:
            return "Control_L";
        case Qt::Key_Alt:
            return "Alt_L";
        case Qt::Key_Escape:
            return "Escape";
        case Qt::Key_Delete:
            return "Delete";
        case Qt::Key_Plus:
            return "plus";
        case Qt::Key_Minus:
            return "minus";
        default:
            return nullptr;
    }
}

}  // namespace

struct VtkView::Impl {
    VtkView* self = nullptr;
    vtkSmartPointer<vtkGenericOpenGLRenderWindow> window;
    vtkSmartPointer<vtkGenericRenderWindowInteractor> interactor;
    vtkSmartPointer<vtkRenderer> renderer;
    vtkSmartPointer<vtkContextView> contextView;
    InteractionMode mode = InteractionMode::Trackball3D;
    double homeDirection[3] = {0.0, 0.0, 1.0};
    double homeUp[3] = {0.0, 1.0, 0.0};
    QSurface* surface = nullptr;  // Qt's surface for our context, kept from initializeGL
    bool initialized = false;
    bool inPaint = false;
    bool renderPending = true;
    std::map<int, QTimer*> timers;  // VTK timer id -> Qt timer
    std::vector<std::pair<vtkObject*, unsigned long>> observers;

    bool contextIsCurrent() const {
        QOpenGLContext* current = QOpenGLContext::currentContext();
        return current && current == self->context() && current->surface() == surface;
    }

    void onWindowEvent(vtkObject*, unsigned long event, void* callData) {
        switch (event) {
            case vtkCommand::WindowMakeCurrentEvent:
                // context()->makeCurrent, not QOpenGLWidget::makeCurrent(): the widget version
                // rebinds Qt's framebuffer while VTK builds its own ("FBO incomplete").
                if (self->context() && surface && !contextIsCurrent())
                    self->context()->makeCurrent(surface);
                break;
            case vtkCommand::WindowIsCurrentEvent:
                *static_cast<bool*>(callData) = surface && contextIsCurrent();
                break;
            case vtkCommand::WindowFrameEvent:
                // VTK rendered (maybe outside paintGL, e.g. during an interaction): show it.
                renderPending = false;
                if (!inPaint) self->update();
                break;
            default:
                break;
        }
    }

    void onTimerEvent(vtkObject*, unsigned long event, void* callData) {
        const int id = *static_cast<int*>(callData);
        if (event == vtkCommand::CreateTimerEvent) {
            auto* timer = new QTimer(self);
            timer->setSingleShot(interactor->GetTimerEventType() ==
                                 vtkRenderWindowInteractor::OneShotTimer);
            timer->setInterval(static_cast<int>(interactor->GetTimerEventDuration()));
            QObject::connect(timer, &QTimer::timeout, self, [this, id] { fireTimer(id); });
            if (auto old = timers.find(id); old != timers.end()) old->second->deleteLater();
            timers[id] = timer;
            interactor->SetTimerEventPlatformId(id);
            timer->start();
        } else if (event == vtkCommand::DestroyTimerEvent) {
            if (auto it = timers.find(id); it != timers.end()) {
                it->second->stop();
                it->second->deleteLater();  // we may be inside its timeout()
                timers.erase(it);
            }
        }
    }

    void fireTimer(int id) {
        if (!interactor->GetEnabled()) return;
        int timerId = id;
        interactor->InvokeEvent(vtkCommand::TimerEvent, &timerId);
        if (interactor->IsOneShotTimer(id))
            interactor->DestroyTimer(id);  // frees VTK's bookkeeping; our QTimer was one-shot
    }

    void installStyle() {
        if (contextView) return;  // the context view keeps its own style
        if (mode == InteractionMode::PanZoom2D) {
            interactor->SetInteractorStyle(vtkSmartPointer<PanZoomStyle>::New());
            renderer->GetActiveCamera()->ParallelProjectionOn();
        } else {
            interactor->SetInteractorStyle(vtkSmartPointer<TrackballStyle>::New());
            renderer->GetActiveCamera()->ParallelProjectionOff();
        }
    }

    double dpr() const { return self->devicePixelRatioF(); }

    void setEventPosition(const QPointF& pos, Qt::KeyboardModifiers mods, int repeat = 0) {
        interactor->SetEventInformationFlipY(static_cast<int>(std::lround(pos.x() * dpr())),
                                             static_cast<int>(std::lround(pos.y() * dpr())),
                                             (mods & Qt::ControlModifier) ? 1 : 0,
                                             (mods & Qt::ShiftModifier) ? 1 : 0, 0, repeat);
        interactor->SetAltKey((mods & Qt::AltModifier) ? 1 : 0);
    }
};

VtkView::VtkView(QWidget* parent) : QOpenGLWidget(parent), d(std::make_unique<Impl>()) {
    d->self = this;
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(true);
    setUpdateBehavior(QOpenGLWidget::NoPartialUpdate);
    setMinimumSize(120, 90);

    d->window = vtkSmartPointer<vtkGenericOpenGLRenderWindow>::New();
    d->window->SetReadyForRendering(false);
    d->window->SetFrameBlitModeToNoBlit();
    d->window->SetMultiSamples(0);
    d->renderer = vtkSmartPointer<vtkRenderer>::New();
    d->window->AddRenderer(d->renderer);

    d->interactor = vtkSmartPointer<vtkGenericRenderWindowInteractor>::New();
    d->interactor->SetTimerEventResetsTimer(false);  // our QTimers repeat natively
    d->window->SetInteractor(d->interactor);
    d->interactor->SetRenderWindow(d->window);
    d->installStyle();
    d->interactor->Initialize();

    for (unsigned long event : {vtkCommand::WindowMakeCurrentEvent,
                                vtkCommand::WindowIsCurrentEvent, vtkCommand::WindowFrameEvent})
        d->observers.emplace_back(d->window.Get(),
                                  d->window->AddObserver(event, d.get(), &Impl::onWindowEvent));
    for (unsigned long event : {vtkCommand::CreateTimerEvent, vtkCommand::DestroyTimerEvent})
        d->observers.emplace_back(d->interactor.Get(),
                                  d->interactor->AddObserver(event, d.get(), &Impl::onTimerEvent));
}

VtkView::~VtkView() {
    if (d->initialized && context()) {
        makeCurrent();
        cleanupGL();
        doneCurrent();
    }
    for (auto& [object, tag] : d->observers) object->RemoveObserver(tag);
    d->observers.clear();
    for (auto& [id, timer] : d->timers) delete timer;
    d->timers.clear();
}

vtkGenericOpenGLRenderWindow* VtkView::renderWindow() const { return d->window; }
vtkRenderer* VtkView::renderer() const { return d->renderer; }
vtkRenderWindowInteractor* VtkView::interactor() const { return d->interactor; }
bool VtkView::hasContextView() const { return d->contextView != nullptr; }
VtkView::InteractionMode VtkView::interactionMode() const { return d->mode; }
QSize VtkView::sizeHint() const { return {640, 480}; }

vtkContextView* VtkView::contextView() {
    if (!d->contextView) {
        d->contextView = vtkSmartPointer<vtkContextView>::New();
        // The context renderer takes the whole window; two layer-0 renderers would fight.
        d->window->RemoveRenderer(d->renderer);
        d->contextView->SetRenderWindow(d->window);  // moves its renderer and style over
        d->renderer = d->contextView->GetRenderer();
        requestRender();
    }
    return d->contextView;
}

void VtkView::setInteractionMode(InteractionMode mode) {
    d->mode = mode;
    d->installStyle();
    requestRender();
}

void VtkView::setHomeView(double dx, double dy, double dz, double upX, double upY, double upZ) {
    d->homeDirection[0] = dx;
    d->homeDirection[1] = dy;
    d->homeDirection[2] = dz;
    d->homeUp[0] = upX;
    d->homeUp[1] = upY;
    d->homeUp[2] = upZ;
}

void VtkView::resetCamera() {
    if (d->contextView) {
        vtkContextScene* scene = d->contextView->GetScene();
        for (unsigned int i = 0; i < scene->GetNumberOfItems(); ++i)
            if (auto* chart = vtkChart::SafeDownCast(scene->GetItem(i))) chart->RecalculateBounds();
    } else {
        vtkCamera* camera = d->renderer->GetActiveCamera();
        camera->SetFocalPoint(0.0, 0.0, 0.0);
        camera->SetPosition(d->homeDirection);
        camera->SetViewUp(d->homeUp);
        camera->SetParallelProjection(d->mode == InteractionMode::PanZoom2D);
        d->renderer->ResetCamera();
    }
    requestRender();
    Q_EMIT cameraReset();
}

void VtkView::requestRender() {
    d->renderPending = true;
    update();
}

QString VtkView::defaultScreenshotPath() {
    QString dir = QStandardPaths::writableLocation(QStandardPaths::PicturesLocation);
    if (dir.isEmpty() || !QDir().mkpath(dir)) dir = QDir::currentPath();
    const QString stamp = QDateTime::currentDateTime().toString("yyyyMMdd-HHmmss-zzz");
    return QDir(dir).filePath(QStringLiteral("driftlab-%1.png").arg(stamp));
}

bool VtkView::saveScreenshot(const QString& path) {
    const QImage image = grabFramebuffer();
    if (image.isNull() || !image.save(path, "PNG")) return false;
    Q_EMIT screenshotSaved(path);
    return true;
}

void VtkView::initializeGL() {
    d->surface = context()->surface();
    connect(context(), &QOpenGLContext::aboutToBeDestroyed, this, &VtkView::cleanupGL,
            static_cast<Qt::ConnectionType>(Qt::DirectConnection | Qt::UniqueConnection));

    d->window->GetState()->Reset();
    d->window->SetOwnContext(0);
    d->window->SetFrameBlitModeToNoBlit();
    d->window->SetUseOffScreenBuffers(false);
    d->window->SetMapped(1);
    d->window->SetReadyForRendering(true);
    d->window->OpenGLInit();
    d->initialized = true;
    d->renderPending = true;
}

void VtkView::cleanupGL() {
    if (!d->initialized) return;
    // Called with our context current (aboutToBeDestroyed or the destructor): VTK frees its
    // GL objects now, while the context they belong to still exists.
    if (d->surface && context()) context()->makeCurrent(d->surface);
    d->window->Finalize();
    d->window->SetReadyForRendering(false);
    d->initialized = false;
}

void VtkView::resizeGL(int w, int h) {
    const double ratio = devicePixelRatioF();
    const int dw = static_cast<int>(std::lround(w * ratio));
    const int dh = static_cast<int>(std::lround(h * ratio));
    d->interactor->UpdateSize(dw, dh);  // also resizes the window
    d->window->SetSize(dw, dh);
    d->window->SetDPI(static_cast<int>(std::lround(72 * ratio)));  // text scales with HiDPI
    d->renderPending = true;
}

void VtkView::paintGL() {
    if (!d->initialized) return;
    d->inPaint = true;
    vtkOpenGLState* state = d->window->GetState();
    state->Reset();
    state->Push();
    state->vtkglDepthFunc(GL_LEQUAL);  // Qt leaves GL_LESS, VTK expects GL_LEQUAL

    if (d->renderPending) {
        d->renderPending = false;
        d->interactor->Render();  // into VTK's own framebuffer
    }
    // A render may have made another widget's context current (progress updates etc.).
    if (!d->contextIsCurrent()) context()->makeCurrent(d->surface);

    QOpenGLExtraFunctions* f = context()->extraFunctions();
    f->glBindFramebuffer(GL_DRAW_FRAMEBUFFER, defaultFramebufferObject());
    const GLenum colorBuffer = GL_COLOR_ATTACHMENT0;
    f->glDrawBuffers(1, &colorBuffer);
    state->vtkglDisable(GL_SCISSOR_TEST);
    f->glDisable(GL_SCISSOR_TEST);

    const int* size = d->window->GetSize();
    d->window->BlitDisplayFramebuffer(0, 0, 0, size[0], size[1], 0, 0, size[0], size[1],
                                      GL_COLOR_BUFFER_BIT, GL_NEAREST);

    // Force alpha to 1: with Mesa the compositor otherwise blends in whatever VTK left there.
    GLboolean mask[4];
    f->glGetBooleanv(GL_COLOR_WRITEMASK, mask);
    GLfloat clear[4];
    f->glGetFloatv(GL_COLOR_CLEAR_VALUE, clear);
    f->glColorMask(GL_FALSE, GL_FALSE, GL_FALSE, GL_TRUE);
    f->glClearColor(0.0f, 0.0f, 0.0f, 1.0f);
    f->glClear(GL_COLOR_BUFFER_BIT);
    f->glColorMask(mask[0], mask[1], mask[2], mask[3]);
    f->glClearColor(clear[0], clear[1], clear[2], clear[3]);

    state->Pop();
    d->inPaint = false;
}

bool VtkView::event(QEvent* e) {
    switch (e->type()) {
        case QEvent::Enter:
            d->interactor->InvokeEvent(vtkCommand::EnterEvent);
            break;
        case QEvent::Leave:
            d->interactor->InvokeEvent(vtkCommand::LeaveEvent);
            break;
        default:
            break;
    }
    return QOpenGLWidget::event(e);
}

void VtkView::mousePressEvent(QMouseEvent* e) {
    const int id = vtkButtonEvent(e->button(), true);
    if (id == vtkCommand::NoEvent) return;
    d->setEventPosition(e->position(), e->modifiers());
    d->interactor->InvokeEvent(id, e);
    e->accept();
}

void VtkView::mouseDoubleClickEvent(QMouseEvent* e) {
    const int id = vtkButtonEvent(e->button(), true);
    if (id == vtkCommand::NoEvent) return;
    d->setEventPosition(e->position(), e->modifiers(), 1);  // repeat count marks a double click
    d->interactor->InvokeEvent(id, e);
    e->accept();
}

void VtkView::mouseReleaseEvent(QMouseEvent* e) {
    const int id = vtkButtonEvent(e->button(), false);
    if (id == vtkCommand::NoEvent) return;
    d->setEventPosition(e->position(), e->modifiers());
    d->interactor->InvokeEvent(id, e);
    e->accept();
}

void VtkView::mouseMoveEvent(QMouseEvent* e) {
    d->setEventPosition(e->position(), e->modifiers());
    d->interactor->InvokeEvent(vtkCommand::MouseMoveEvent, e);
    e->accept();
}

void VtkView::wheelEvent(QWheelEvent* e) {
    const int delta = e->angleDelta().y() != 0 ? e->angleDelta().y() : e->angleDelta().x();
    if (delta == 0) return;
    d->setEventPosition(e->position(), e->modifiers());
    d->interactor->InvokeEvent(
        delta > 0 ? vtkCommand::MouseWheelForwardEvent : vtkCommand::MouseWheelBackwardEvent, e);
    e->accept();
}

void VtkView::keyPressEvent(QKeyEvent* e) {
    switch (e->key()) {
        case Qt::Key_Return:
        case Qt::Key_Enter:
        case Qt::Key_R:
            if (e->modifiers() & (Qt::ControlModifier | Qt::AltModifier | Qt::MetaModifier)) break;
            resetCamera();
            e->accept();
            return;
        case Qt::Key_F12: {
            const QString path = defaultScreenshotPath();
            if (!saveScreenshot(path))
                qWarning("VtkView: could not write screenshot %s", qPrintable(path));
            e->accept();
            return;
        }
        default:
            break;
    }
    // Only KeyPress reaches VTK (context scenes and widgets use it); Char events, where the
    // stock styles keep their exit/stereo/wireframe shortcuts, never do.
    const QString text = e->text();
    const char code = text.size() == 1 && text.at(0).unicode() < 128 ? text.at(0).toLatin1() : 0;
    d->interactor->SetKeyEventInformation((e->modifiers() & Qt::ControlModifier) ? 1 : 0,
                                          (e->modifiers() & Qt::ShiftModifier) ? 1 : 0, code,
                                          e->count(), keySym(e->key()) ? keySym(e->key()) : "");
    d->interactor->InvokeEvent(vtkCommand::KeyPressEvent, e);
    QOpenGLWidget::keyPressEvent(e);
}

void VtkView::keyReleaseEvent(QKeyEvent* e) {
    const QString text = e->text();
    const char code = text.size() == 1 && text.at(0).unicode() < 128 ? text.at(0).toLatin1() : 0;
    d->interactor->SetKeyEventInformation((e->modifiers() & Qt::ControlModifier) ? 1 : 0,
                                          (e->modifiers() & Qt::ShiftModifier) ? 1 : 0, code,
                                          e->count(), keySym(e->key()) ? keySym(e->key()) : "");
    d->interactor->InvokeEvent(vtkCommand::KeyReleaseEvent, e);
    QOpenGLWidget::keyReleaseEvent(e);
}

}  // namespace driftlab::widgets
