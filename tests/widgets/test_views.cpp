// Trajectories views under Xvfb, fed synthetic snapshots (no simulate()): the theme's
// colours must show up in real pixels, the cursor must signal, phase space must draw.
#include "core/trajectories/trajectory_snapshot.h"
#include "widgets/views/histogram_view.h"
#include "widgets/views/path_fan_view.h"
#include "widgets/views/phase_space_view.h"
#include "widgets/vtk/surface_format.h"
#include "widgets/vtk/theme.h"

#include <QElapsedTimer>
#include <QImage>
#include <QSignalSpy>
#include <QTest>

#include <vtkAxis.h>
#include <vtkCamera.h>
#include <vtkChartXY.h>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkRenderer.h>

#include <cmath>
#include <memory>

using namespace driftlab;
using widgets::theme::Rgb;

namespace {

constexpr double kPi = 3.14159265358979323846;

// `paths` paths of `dim` components over `times` saved times in [0, 1]. Component 0 of
// path i is the line 2 + 0.1 i + 0.5 t: all above the bands, so they are drawn over the
// white background. Bands are fixed at 5-95 % = [-1, 1], 25-75 % = [-0.4, 0.4].
// Components 1 and 2 make spirals for the phase-space view.
std::shared_ptr<const core::TrajectorySnapshot> makeSnapshot(int dim, int paths, int times,
                                                             int drawn) {
    auto result = std::make_shared<core::SimulationResult>();
    result->dimension = dim;
    result->paths = paths;
    result->times.resize(times);
    for (int k = 0; k < times; ++k) result->times[k] = k / (times - 1.0);
    result->states.assign(dim, Eigen::MatrixXd(paths, times));
    for (int i = 0; i < paths; ++i)
        for (int k = 0; k < times; ++k) {
            const double t = result->times[k];
            const double angle = 4 * kPi * t + i * 2 * kPi / paths;
            const double radius = 1.0 + 2.0 * t;
            if (dim == 1) {
                result->states[0](i, k) = 2.0 + 0.1 * i + 0.5 * t;
            } else {
                result->states[0](i, k) = radius * std::cos(angle);
                result->states[1](i, k) = radius * std::sin(angle);
                if (dim > 2) result->states[2](i, k) = 3.0 * t;
            }
        }
    result->solverName = "euler_maruyama";
    result->calculus = "Ito";

    auto snapshot = std::make_shared<core::TrajectorySnapshot>();
    snapshot->config.equation.name = "Synthetic";
    snapshot->config.equation.variables = core::defaultVariableNames(dim);
    snapshot->result = result;
    snapshot->bands.perComponent.assign(dim, Eigen::MatrixXd(core::QuantileBands::RowCount, times));
    for (int c = 0; c < dim; ++c)
        for (int k = 0; k < times; ++k) {
            auto& b = snapshot->bands.perComponent[c];
            b(core::QuantileBands::Mean, k) = 0.1;
            b(core::QuantileBands::Q05, k) = -1.0;
            b(core::QuantileBands::Q25, k) = -0.4;
            b(core::QuantileBands::Q50, k) = -0.1;
            b(core::QuantileBands::Q75, k) = 0.4;
            b(core::QuantileBands::Q95, k) = 1.0;
        }
    for (int i = 0; i < drawn; ++i) snapshot->drawnPathIndices.push_back(i * paths / drawn);
    return snapshot;
}

QRgb toQRgb(const Rgb& c) {
    return qRgb(qRound(c[0] * 255), qRound(c[1] * 255), qRound(c[2] * 255));
}

// What a colour drawn with `alpha` over white looks like.
QRgb overWhite(const Rgb& c, double alpha) {
    return qRgb(qRound(255 * (1 - alpha) + 255 * c[0] * alpha),
                qRound(255 * (1 - alpha) + 255 * c[1] * alpha),
                qRound(255 * (1 - alpha) + 255 * c[2] * alpha));
}

int countNear(const QImage& img, QRgb target, int tolerance) {
    int n = 0;
    for (int y = 0; y < img.height(); ++y)
        for (int x = 0; x < img.width(); ++x) {
            const QRgb p = img.pixel(x, y);
            if (std::abs(qRed(p) - qRed(target)) <= tolerance &&
                std::abs(qGreen(p) - qGreen(target)) <= tolerance &&
                std::abs(qBlue(p) - qBlue(target)) <= tolerance)
                ++n;
        }
    return n;
}

int countSaturated(const QImage& img) {
    int n = 0;
    for (int y = 0; y < img.height(); ++y)
        for (int x = 0; x < img.width(); ++x) {
            const QRgb p = img.pixel(x, y);
            const int hi = std::max({qRed(p), qGreen(p), qBlue(p)});
            const int lo = std::min({qRed(p), qGreen(p), qBlue(p)});
            if (hi - lo > 60) ++n;
        }
    return n;
}

bool show(QWidget& w, QSize size = {640, 420}) {
    w.resize(size);
    w.show();
    return QTest::qWaitForWindowExposed(&w);
}

}  // namespace

class TestViews : public QObject {
    Q_OBJECT

public:
    static void initMain() { widgets::setDefaultSurfaceFormat(); }

private Q_SLOTS:
    void fanDrawsBandsPathsAndMean();
    void fanCursorSignals();
    void fanHandlesEmptyAndBadInput();
    void fanRendersManyPathsQuickly();
    void histogramDrawsBarsAndCurve();
    void phaseSpace2dDrawsColouredLines();
    void phaseSpace3dRotates();
    void phaseSpaceHintFor1d();
};

void TestViews::fanDrawsBandsPathsAndMean() {
    widgets::PathFanView view;
    view.setSnapshot(makeSnapshot(1, 40, 200, 10), 0);
    QVERIFY(show(view));
    QCOMPARE(view.drawnPathCount(), 10);
    const QImage img = view.grabFramebuffer();
    img.save("/tmp/views_fan.png");
    using namespace widgets::theme;
    QVERIFY2(countNear(img, toQRgb(kBandOuter), 6) > 2000, "5-95 % band colour missing");
    QVERIFY2(countNear(img, toQRgb(kBandInner), 6) > 2000, "25-75 % band colour missing");
    QVERIFY2(countNear(img, overWhite(kPath, kPathOpacity), 12) > 1000, "path colour missing");
    QVERIFY2(countNear(img, toQRgb(kMean), 20) > 200, "mean line missing");
    QVERIFY2(countNear(img, toQRgb(kCursor), 20) > 50, "time cursor missing");
    QCOMPARE(QString::fromStdString(view.chart()->GetAxis(vtkAxis::LEFT)->GetTitle()),
             QString("x"));
}

void TestViews::fanCursorSignals() {
    widgets::PathFanView view;
    view.setSnapshot(makeSnapshot(1, 40, 101, 10), 0);
    QVERIFY(show(view));
    view.grabFramebuffer();
    QSignalSpy spy(&view, &widgets::PathFanView::timeCursorChanged);
    view.setTimeCursor(30);
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.last().at(0).toInt(), 30);
    QCOMPARE(view.timeCursor(), 30);
    view.setTimeCursor(30);  // no change, no signal
    QCOMPARE(spy.count(), 1);
    view.setTimeCursor(5000);  // clamped to the last saved time
    QCOMPARE(view.timeCursor(), 100);

    // A left press in the plot area moves the cursor there; dragging right moves it on.
    const int y = view.height() / 2;
    QTest::mousePress(&view, Qt::LeftButton, Qt::NoModifier, QPoint(view.width() / 3, y));
    QTRY_VERIFY(view.timeCursor() < 60);
    const int left = view.timeCursor();
    QVERIFY(left > 0);
    for (int i = 1; i <= 5; ++i)
        QTest::mouseMove(&view, QPoint(view.width() / 3 + i * view.width() / 15, y));
    QTest::mouseRelease(&view, Qt::LeftButton, Qt::NoModifier,
                        QPoint(view.width() / 3 + view.width() / 3, y));
    QVERIFY2(view.timeCursor() > left + 10, "dragging right should move the cursor right");
    QCOMPARE(spy.last().at(0).toInt(), view.timeCursor());
    const QImage img = view.grabFramebuffer();
    QVERIFY(countNear(img, toQRgb(widgets::theme::kCursor), 20) > 50);
}

void TestViews::fanHandlesEmptyAndBadInput() {
    widgets::PathFanView view;
    QVERIFY(show(view));
    QCOMPARE(view.timeCursor(), -1);
    view.setTimeCursor(3);  // no snapshot: ignored
    QCOMPARE(view.timeCursor(), -1);
    view.setSnapshot(makeSnapshot(1, 10, 50, 5), 7);  // no such component
    QCOMPARE(view.drawnPathCount(), 0);
    view.setSnapshot(nullptr);
    const QImage img = view.grabFramebuffer();
    QVERIFY(!img.isNull());
}

void TestViews::fanRendersManyPathsQuickly() {
    widgets::PathFanView view;
    view.setSnapshot(makeSnapshot(1, 1000, 500, 200), 0);
    QVERIFY(show(view, {900, 600}));
    view.grabFramebuffer();
    QCOMPARE(view.drawnPathCount(), 200);
    QElapsedTimer timer;
    timer.start();
    constexpr int frames = 10;
    for (int i = 0; i < frames; ++i) {
        view.setTimeCursor(i * 40);
        view.renderWindow()->Render();
    }
    const double ms = timer.nsecsElapsed() / 1e6 / frames;
    qInfo("PathFanView: 200 paths x 500 points, %.1f ms per frame", ms);
    QVERIFY2(ms < 250.0, "fan chart too slow for interactive use");
    view.grabFramebuffer().save("/tmp/views_fan_200.png");
}

void TestViews::histogramDrawsBarsAndCurve() {
    widgets::HistogramView view;
    core::Histogram h;
    h.lo = -3.0;
    h.hi = 3.0;
    h.density.resize(30);
    std::vector<std::pair<double, double>> curve;
    for (int i = 0; i < 30; ++i) {
        const double x = h.lo + (i + 0.5) * h.binWidth();
        h.density[i] = std::exp(-x * x / 2) / std::sqrt(2 * kPi) * (1.0 + 0.1 * ((i % 3) - 1));
    }
    for (int i = 0; i <= 200; ++i) {
        const double x = -3.0 + 6.0 * i / 200;
        curve.emplace_back(x, std::exp(-x * x / 2) / std::sqrt(2 * kPi));
    }
    view.setHistogram(h, curve, "x at t = 1");
    QVERIFY(show(view));
    QCOMPARE(view.binCount(), 30);
    QVERIFY(view.hasAnalyticCurve());
    const QImage img = view.grabFramebuffer();
    img.save("/tmp/views_histogram.png");
    using namespace widgets::theme;
    QVERIFY2(countNear(img, toQRgb(kHistogramBar), 6) > 5000, "bars missing");
    QVERIFY2(countNear(img, toQRgb(kAnalytic), 25) > 200, "analytic curve missing");

    view.setHistogram(h, {}, "no closed form");
    QVERIFY(!view.hasAnalyticCurve());
    const QImage bare = view.grabFramebuffer();
    QVERIFY(countNear(bare, toQRgb(kAnalytic), 25) < 20);
    view.clear();
    QCOMPARE(view.binCount(), 0);
}

void TestViews::phaseSpace2dDrawsColouredLines() {
    widgets::PhaseSpaceView view;
    view.setSnapshot(makeSnapshot(2, 50, 300, 20));
    QVERIFY(show(view));
    QCOMPARE(view.shownDimension(), 2);
    QCOMPARE(view.drawnPathCount(), 20);
    QVERIFY(view.renderer()->GetActiveCamera()->GetParallelProjection());
    QCOMPARE(view.interactionMode(), widgets::VtkView::InteractionMode::PanZoom2D);
    const QImage img = view.grabFramebuffer();
    img.save("/tmp/views_phase2d.png");
    QVERIFY2(countSaturated(img) > 3000, "coloured paths missing");
    // Early times are viridis' purple, late ones green: both must be there.
    const auto early = widgets::sampleColorMap(widgets::ColorMap::Viridis, 0.05);
    const auto late = widgets::sampleColorMap(widgets::ColorMap::Viridis, 0.8);
    QVERIFY(countNear(img, toQRgb({early[0], early[1], early[2]}), 30) > 50);
    QVERIFY(countNear(img, toQRgb({late[0], late[1], late[2]}), 30) > 50);
    QVERIFY2(countNear(img, toQRgb(widgets::theme::kStartPoint), 40) > 20, "start points");

    view.setColorMap(widgets::ColorMap::Magma);
    const QImage magma = view.grabFramebuffer();
    const auto m = widgets::sampleColorMap(widgets::ColorMap::Magma, 0.6);
    QVERIFY(countNear(magma, toQRgb({m[0], m[1], m[2]}), 30) > 50);
}

void TestViews::phaseSpace3dRotates() {
    widgets::PhaseSpaceView view;
    view.setSnapshot(makeSnapshot(3, 30, 200, 15));
    QVERIFY(show(view));
    QCOMPARE(view.shownDimension(), 3);
    QVERIFY(!view.renderer()->GetActiveCamera()->GetParallelProjection());
    QImage img = view.grabFramebuffer();
    img.save("/tmp/views_phase3d.png");
    QVERIFY(countSaturated(img) > 2000);
    double before[3];
    view.renderer()->GetActiveCamera()->GetPosition(before);
    QTest::mousePress(&view, Qt::LeftButton, Qt::NoModifier, QPoint(300, 200));
    for (int i = 1; i <= 6; ++i) QTest::mouseMove(&view, QPoint(300 + 15 * i, 200));
    QTest::mouseRelease(&view, Qt::LeftButton, Qt::NoModifier, QPoint(390, 200));
    const double* after = view.renderer()->GetActiveCamera()->GetPosition();
    QVERIFY(std::abs(after[0] - before[0]) + std::abs(after[1] - before[1]) > 0.1);
    // A same-shaped update keeps the user's view.
    double kept[3];
    view.renderer()->GetActiveCamera()->GetPosition(kept);
    view.setSnapshot(makeSnapshot(3, 30, 200, 10));
    QCOMPARE(view.drawnPathCount(), 10);
    QCOMPARE(view.renderer()->GetActiveCamera()->GetPosition()[0], kept[0]);
}

void TestViews::phaseSpaceHintFor1d() {
    widgets::PhaseSpaceView view;
    view.setSnapshot(makeSnapshot(1, 10, 50, 5));
    QVERIFY(show(view));
    QCOMPARE(view.shownDimension(), 0);
    const QImage img = view.grabFramebuffer();
    QVERIFY(countSaturated(img) < 50);
}

QTEST_MAIN(TestViews)
#include "test_views.moc"
