#pragma once
// A QOpenGLWidget that drives a vtkGenericOpenGLRenderWindow: the Qt 6 <-> VTK bridge.
// VTK's own QVTKOpenGLNativeWidget is built on Qt 5, so this re-does its job: VTK renders
// into its own FBO from Qt's context, paintGL blits that to Qt's framebuffer, and Qt's
// mouse/wheel/key events and timers are translated for a vtkGenericRenderWindowInteractor.
#include <QOpenGLWidget>
#include <QString>

#include <memory>

class vtkContextView;
class vtkGenericOpenGLRenderWindow;
class vtkRenderWindowInteractor;
class vtkRenderer;

namespace driftlab::widgets {

class VtkView : public QOpenGLWidget {
    Q_OBJECT

public:
    enum class InteractionMode {
        Trackball3D,  // left rotate, middle/shift-left pan, right/wheel zoom
        PanZoom2D,    // parallel projection; left/middle pan, right/wheel zoom
    };

    explicit VtkView(QWidget* parent = nullptr);
    ~VtkView() override;

    vtkGenericOpenGLRenderWindow* renderWindow() const;
    // The default 3-D renderer, or the context view's renderer once contextView() was used.
    vtkRenderer* renderer() const;
    vtkRenderWindowInteractor* interactor() const;

    // Hosts a 2-D context scene (vtkChartXY etc.) in this window. Created on first use; it
    // replaces the default renderer and installs VTK's context interactor style.
    vtkContextView* contextView();
    bool hasContextView() const;

    void setInteractionMode(InteractionMode mode);
    InteractionMode interactionMode() const;

    // Where resetCamera() looks from (direction from focal point to camera) and which way is up.
    void setHomeView(double dx, double dy, double dz, double upX, double upY, double upZ);

    // Writes what the widget shows to a PNG; returns false when it can't be written.
    bool saveScreenshot(const QString& path);
    // F12's target: a timestamped PNG in the Pictures folder, or the current directory.
    static QString defaultScreenshotPath();

    // Marks the VTK scene dirty and schedules a repaint (coalesced by Qt).
    void requestRender();

    QSize sizeHint() const override;

public Q_SLOTS:
    // Home view fitted to the visible props (or the charts' data bounds for a context view).
    virtual void resetCamera();

Q_SIGNALS:
    void screenshotSaved(const QString& path);
    void cameraReset();

protected:
    void initializeGL() override;
    void resizeGL(int w, int h) override;
    void paintGL() override;

    bool event(QEvent* e) override;
    void mousePressEvent(QMouseEvent* e) override;
    void mouseReleaseEvent(QMouseEvent* e) override;
    void mouseDoubleClickEvent(QMouseEvent* e) override;
    void mouseMoveEvent(QMouseEvent* e) override;
    void wheelEvent(QWheelEvent* e) override;
    void keyPressEvent(QKeyEvent* e) override;
    void keyReleaseEvent(QKeyEvent* e) override;

private:
    void cleanupGL();

    struct Impl;
    std::unique_ptr<Impl> d;
};

}  // namespace driftlab::widgets
