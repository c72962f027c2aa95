// The Qt 6 <-> VTK bridge under Xvfb: real pixels, interaction, keys, timers, screenshots.
#include "widgets/vtk/color_maps.h"
#include "widgets/vtk/surface_format.h"
#include "widgets/vtk/vtk_view.h"

#include <QApplication>
#include <QFile>
#include <QHBoxLayout>
#include <QImage>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <vtkActor.h>
#include <vtkCamera.h>
#include <vtkChartXY.h>
#include <vtkContextScene.h>
#include <vtkContextView.h>
#include <vtkFloatArray.h>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkLookupTable.h>
#include <vtkMath.h>
#include <vtkPlot.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderWindowInteractor.h>
#include <vtkRenderer.h>
#include <vtkSphereSource.h>
#include <vtkTable.h>

#include <memory>

using driftlab::widgets::VtkView;

namespace {

bool isRedish(QRgb p) { return qRed(p) > 150 && qGreen(p) < 80 && qBlue(p) < 80; }
bool isBackground(QRgb p) { return qRed(p) < 40 && qGreen(p) < 40 && qBlue(p) < 60; }

int countIn(const QImage& img, const QRect& rect, bool (*pred)(QRgb)) {
    int n = 0;
    for (int y = rect.top(); y <= rect.bottom(); ++y)
        for (int x = rect.left(); x <= rect.right(); ++x)
            if (pred(img.pixel(x, y))) ++n;
    return n;
}

QRect centre(const QImage& img, double fraction) {
    const int w = static_cast<int>(img.width() * fraction);
    const int h = static_cast<int>(img.height() * fraction);
    return {(img.width() - w) / 2, (img.height() - h) / 2, w, h};
}

// A red sphere on a dark blue-black background.
void addSphere(VtkView& view, double r = 1.0, double g = 0.0, double b = 0.0) {
    vtkNew<vtkSphereSource> sphere;
    sphere->SetThetaResolution(48);
    sphere->SetPhiResolution(48);
    vtkNew<vtkPolyDataMapper> mapper;
    mapper->SetInputConnection(sphere->GetOutputPort());
    vtkNew<vtkActor> actor;
    actor->SetMapper(mapper);
    actor->GetProperty()->SetColor(r, g, b);
    actor->GetProperty()->SetAmbient(0.5);
    actor->GetProperty()->SetDiffuse(0.6);
    view.renderer()->AddActor(actor);
    view.renderer()->SetBackground(0.05, 0.05, 0.1);
    view.resetCamera();
}

bool showAndWait(QWidget& w) {
    w.resize(400, 300);
    w.show();
    return QTest::qWaitForWindowExposed(&w);
}

void sameCamera(vtkCamera* c, const double pos[3], const double up[3]) {
    for (int i = 0; i < 3; ++i) {
        QVERIFY(qAbs(c->GetPosition()[i] - pos[i]) < 1e-6);
        QVERIFY(qAbs(c->GetViewUp()[i] - up[i]) < 1e-6);
    }
}

}  // namespace

class TestVtkView : public QObject {
    Q_OBJECT

public:
    static void initMain() { driftlab::widgets::setDefaultSurfaceFormat(); }

private Q_SLOTS:
    void rendersRedSphere();
    void mouseDragRotatesAndResetRestores();
    void quitKeysDoNothing();
    void twoViewsInOneWindow();
    void screenshotWritesPng();
    void f12SavesScreenshot();
    void panZoomModeUsesParallelProjection();
    void contextViewRendersChart();
    void colorMapsAreNamedAndOrdered();
};

void TestVtkView::rendersRedSphere() {
    VtkView view;
    addSphere(view);
    QVERIFY(showAndWait(view));
    const QImage img = view.grabFramebuffer();
    QVERIFY(!img.isNull());
    QCOMPARE(img.size(), view.size() * view.devicePixelRatioF());
    const QRect mid = centre(img, 0.2);
    QVERIFY2(countIn(img, mid, isRedish) > mid.width() * mid.height() * 9 / 10,
             "centre should be red");
    const QRect corner(0, 0, img.width() / 10, img.height() / 10);
    QCOMPARE(countIn(img, corner, isBackground), corner.width() * corner.height());
    img.save("/tmp/views_sphere.png");
}

void TestVtkView::mouseDragRotatesAndResetRestores() {
    VtkView view;
    addSphere(view);
    QVERIFY(showAndWait(view));
    view.grabFramebuffer();
    vtkCamera* camera = view.renderer()->GetActiveCamera();
    double pos[3], up[3];
    camera->GetPosition(pos);
    camera->GetViewUp(up);

    const QPoint a(200, 150), b(280, 110);
    QTest::mousePress(&view, Qt::LeftButton, Qt::NoModifier, a);
    for (int i = 1; i <= 8; ++i) QTest::mouseMove(&view, a + (b - a) * i / 8);
    QTest::mouseRelease(&view, Qt::LeftButton, Qt::NoModifier, b);
    double moved = 0.0;
    for (int i = 0; i < 3; ++i) moved += qAbs(camera->GetPosition()[i] - pos[i]);
    QVERIFY2(moved > 0.1, "dragging should rotate the camera");

    QSignalSpy reset(&view, &VtkView::cameraReset);
    QTest::keyClick(&view, Qt::Key_R);
    QCOMPARE(reset.count(), 1);
    sameCamera(camera, pos, up);

    // Enter resets too; the wheel zooms in between.
    QTest::mouseMove(&view, a);
    QWheelEvent wheel(QPointF(a), view.mapToGlobal(QPointF(a)), QPoint(), QPoint(0, 120),
                      Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(&view, &wheel);
    QVERIFY(qAbs(camera->GetDistance() -
                 std::sqrt(vtkMath::Distance2BetweenPoints(pos, camera->GetFocalPoint()))) > 1e-3);
    QTest::keyClick(&view, Qt::Key_Return);
    sameCamera(camera, pos, up);
}

void TestVtkView::quitKeysDoNothing() {
    VtkView view;
    addSphere(view);
    QVERIFY(showAndWait(view));
    view.setFocus();
    vtkCamera* camera = view.renderer()->GetActiveCamera();
    double pos[3], up[3];
    camera->GetPosition(pos);
    camera->GetViewUp(up);
    for (char key : {'e', 'q', 'E', 'Q', '3', 'w', 's', 'f', 'p', 'j', 'a'})
        QTest::keyClick(&view, key);
    QTest::qWait(50);
    QVERIFY(view.isVisible());
    sameCamera(camera, pos, up);
    const QImage img = view.grabFramebuffer();
    const QRect mid = centre(img, 0.2);
    QVERIFY(countIn(img, mid, isRedish) > mid.width() * mid.height() * 9 / 10);
}

void TestVtkView::twoViewsInOneWindow() {
    QWidget window;
    auto* layout = new QHBoxLayout(&window);
    auto* left = new VtkView;
    auto* right = new VtkView;
    layout->addWidget(left);
    layout->addWidget(right);
    addSphere(*left, 1.0, 0.0, 0.0);
    addSphere(*right, 0.0, 0.0, 0.0);  // black-ish sphere: must differ from the left one
    right->renderer()->SetBackground(0.9, 0.9, 0.9);
    window.resize(800, 300);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    const QImage a = left->grabFramebuffer();
    const QImage b = right->grabFramebuffer();
    QVERIFY(countIn(a, centre(a, 0.2), isRedish) > 0);
    QCOMPARE(countIn(b, centre(b, 0.2), isRedish), 0);
    const QRgb corner = b.pixel(2, 2);
    QVERIFY(qRed(corner) > 200 && qGreen(corner) > 200);
    // And the whole window, as a screenshot of it would capture it.
    const QImage all = window.grab().toImage();
    QVERIFY(countIn(all, QRect(0, 0, all.width() / 2, all.height()), isRedish) > 100);
    all.save("/tmp/views_two.png");
}

void TestVtkView::screenshotWritesPng() {
    QTemporaryDir dir;
    VtkView view;
    addSphere(view);
    QVERIFY(showAndWait(view));
    QSignalSpy saved(&view, &VtkView::screenshotSaved);
    const QString path = dir.filePath("shot.png");
    QVERIFY(view.saveScreenshot(path));
    QCOMPARE(saved.count(), 1);
    QImage img(path);
    QVERIFY(!img.isNull());
    QVERIFY(countIn(img, centre(img, 0.2), isRedish) > 100);
    QVERIFY(!view.saveScreenshot(dir.filePath("no/such/dir/shot.png")));
}

void TestVtkView::f12SavesScreenshot() {
    QTemporaryDir dir;
    qputenv("XDG_PICTURES_DIR", dir.path().toUtf8());  // keep the user's Pictures clean
    QStandardPaths::setTestModeEnabled(true);
    VtkView view;
    addSphere(view);
    QVERIFY(showAndWait(view));
    QSignalSpy saved(&view, &VtkView::screenshotSaved);
    QTest::keyClick(&view, Qt::Key_F12);
    QCOMPARE(saved.count(), 1);
    const QString path = saved.at(0).at(0).toString();
    QVERIFY(path.endsWith(".png"));
    QImage img(path);
    QVERIFY(!img.isNull());
    QVERIFY(countIn(img, centre(img, 0.2), isRedish) > 100);
    QFile::remove(path);
    QStandardPaths::setTestModeEnabled(false);
}

void TestVtkView::panZoomModeUsesParallelProjection() {
    VtkView view;
    view.setInteractionMode(VtkView::InteractionMode::PanZoom2D);
    addSphere(view);
    QVERIFY(showAndWait(view));
    vtkCamera* camera = view.renderer()->GetActiveCamera();
    QVERIFY(camera->GetParallelProjection());
    double focal[3], up[3];
    camera->GetFocalPoint(focal);
    camera->GetViewUp(up);
    QTest::mousePress(&view, Qt::LeftButton, Qt::NoModifier, QPoint(200, 150));
    for (int i = 1; i <= 5; ++i) QTest::mouseMove(&view, QPoint(200 + 10 * i, 150));
    QTest::mouseRelease(&view, Qt::LeftButton, Qt::NoModifier, QPoint(250, 150));
    QVERIFY2(qAbs(camera->GetFocalPoint()[0] - focal[0]) > 1e-3, "left drag pans in 2-D");
    for (int i = 0; i < 3; ++i)
        QVERIFY(qAbs(camera->GetViewUp()[i] - up[i]) < 1e-9);  // no rotation
}

void TestVtkView::contextViewRendersChart() {
    VtkView view;
    vtkContextView* context = view.contextView();
    QVERIFY(context);
    QCOMPARE(view.renderer(), context->GetRenderer());
    vtkNew<vtkChartXY> chart;
    context->GetScene()->AddItem(chart);
    vtkNew<vtkTable> table;
    vtkNew<vtkFloatArray> x, y;
    x->SetName("x");
    y->SetName("y");
    table->AddColumn(x);
    table->AddColumn(y);
    table->SetNumberOfRows(50);
    for (int i = 0; i < 50; ++i) {
        table->SetValue(i, 0, i / 49.0);
        table->SetValue(i, 1, (i % 2) ? 1.0 : 0.0);
    }
    vtkPlot* line = chart->AddPlot(vtkChart::LINE);
    line->SetInputData(table, 0, 1);
    line->SetColor(255, 0, 0, 255);
    line->SetWidth(3.0);
    QVERIFY(showAndWait(view));
    QTRY_VERIFY(countIn(view.grabFramebuffer(), QRect(0, 0, 400, 300), isRedish) > 200);

    // Timers reach VTK: the chart's scene re-renders itself after a data change.
    for (int i = 0; i < 50; ++i) table->SetValue(i, 1, 0.5);
    table->Modified();
    view.requestRender();
    QTRY_VERIFY(countIn(view.grabFramebuffer(), QRect(0, 0, 400, 300), isRedish) < 3000);
    // 'e' in a context view must not quit either.
    QTest::keyClick(&view, 'e');
    QVERIFY(view.isVisible());
}

void TestVtkView::colorMapsAreNamedAndOrdered() {
    using namespace driftlab::widgets;
    QCOMPARE(colorMapNames().size(), 4);
    QCOMPARE(colorMapFromName("Viridis"), std::optional<ColorMap>(ColorMap::Viridis));
    QVERIFY(!colorMapFromName("jet"));
    const auto dark = sampleColorMap(ColorMap::Magma, 0.0);
    const auto light = sampleColorMap(ColorMap::Magma, 1.0);
    QVERIFY(dark[0] + dark[1] + dark[2] < 0.1 && light[0] + light[1] + light[2] > 2.5);
    const auto blue = sampleColorMap(ColorMap::CoolWarm, 0.0);
    const auto red = sampleColorMap(ColorMap::CoolWarm, 1.0);
    QVERIFY(blue[2] > blue[0] && red[0] > red[2]);
    auto lut = makeLookupTable(ColorMap::Viridis, -1.0, 3.0, 64);
    QCOMPARE(lut->GetNumberOfTableValues(), 64);
    double rgb[3];
    lut->SetRange(0.0, 10.0);  // must not reset the table to VTK's rainbow
    lut->Build();
    lut->GetColor(0.0, rgb);
    QVERIFY(qAbs(rgb[0] - 0.267) < 0.02 && qAbs(rgb[2] - 0.329) < 0.02);
}

QTEST_MAIN(TestVtkView)
#include "test_vtk_view.moc"
