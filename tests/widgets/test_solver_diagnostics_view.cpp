// The solver-diagnostics view fed by real solves under Xvfb: Van der Pol mu = 10 with DP5
// (rejected steps), Robertson with auto-switch (stiff-solver steps), and the degenerate
// inputs (no steps, no error estimates, 100k steps) that must neither crash nor stall.
#include "core/solvers/ode_solve.h"
#include "tests/core/ode_test_problems.h"
#include "widgets/views/solver_diagnostics_view.h"
#include "widgets/vtk/surface_format.h"
#include "widgets/vtk/theme.h"
#include "widgets/vtk/vtk_view.h"

#include <QElapsedTimer>
#include <QImage>
#include <QPixmap>
#include <QTest>

#include <cmath>
#include <limits>

using namespace driftlab;
using widgets::theme::Rgb;

namespace {

int countNear(const QImage& img, const Rgb& c, int tolerance) {
    const int r = qRound(c[0] * 255), g = qRound(c[1] * 255), b = qRound(c[2] * 255);
    int n = 0;
    for (int y = 0; y < img.height(); ++y)
        for (int x = 0; x < img.width(); ++x) {
            const QRgb px = img.pixel(x, y);
            if (std::abs(qRed(px) - r) <= tolerance && std::abs(qGreen(px) - g) <= tolerance &&
                std::abs(qBlue(px) - b) <= tolerance)
                ++n;
        }
    return n;
}

bool show(QWidget& w, QSize size = {1000, 720}) {
    w.resize(size);
    w.show();
    return QTest::qWaitForWindowExposed(&w);
}

// Waits return as soon as their condition holds; the limit is for a loaded 2-core machine.
constexpr int kWaitMs = 60000;

// Tests wait for the colours they check (QTRY_*_WITH_TIMEOUT), then grab once more to look
// closer.
QImage grabAfterPaint(widgets::SolverDiagnosticsView& view) {
    view.grab();  // the first grab lets VTK lay the charts out at the final size
    return view.grab().toImage();
}

long countAccepted(const core::OdeStats& s, bool accepted) {
    long n = 0;
    for (const auto& r : s.steps) n += r.accepted == accepted;
    return n;
}

}  // namespace

class TestSolverDiagnosticsView : public QObject {
    Q_OBJECT

public:
    static void initMain() { widgets::setDefaultSurfaceFormat(); }

private Q_SLOTS:
    void vanDerPolShowsAcceptedAndRejected() {
        core::OdeOptions options;
        options.method = core::OdeMethod::DormandPrince5;
        options.rtol = 1e-6;
        const core::OdeSolution sol =
            core::integrate(test::vanDerPol(10.0), Eigen::Vector2d(2.0, 0.0), 0.0, 30.0, options);
        QVERIFY(sol.stats.rejected > 0);

        widgets::SolverDiagnosticsView view;
        view.setSolve(QString::fromStdString(sol.solver), sol.stats,
                      QString::fromStdString(sol.message));
        QVERIFY(show(view));
        QCOMPARE(view.acceptedPointCount(), static_cast<int>(sol.stats.accepted));
        QCOMPARE(view.rejectedPointCount(), static_cast<int>(sol.stats.rejected));
        QCOMPARE(static_cast<long>(view.acceptedPointCount()), countAccepted(sol.stats, true));
        QVERIFY(view.hasErrorEstimate());
        QVERIFY(view.summaryText().contains("NFE"));
        QVERIFY(view.summaryText().contains(
            QLocale::c().toString(static_cast<qlonglong>(sol.stats.nfe))));

        QTRY_VERIFY2_WITH_TIMEOUT(
            countNear(grabAfterPaint(view), widgets::theme::kAccepted, 16) > 300,
            "accepted colour missing", kWaitMs);
        const QImage img = grabAfterPaint(view);
        img.save("/tmp/diag_vdp.png");
        QVERIFY2(countNear(img, widgets::theme::kRejected, 16) > 30, "rejected colour missing");
    }

    void robertsonAutoSwitchShowsStiffSteps() {
        core::OdeOptions options;
        options.method = core::OdeMethod::DormandPrince5;
        options.autoSwitch = true;
        options.rtol = 1e-6;
        options.atol = 1e-10;
        const core::OdeSolution sol = core::integrate(
            test::robertson(true), Eigen::Vector3d(1.0, 0.0, 0.0), 0.0, 40.0, options);
        QVERIFY(sol.stats.methodSwitches > 0);

        widgets::SolverDiagnosticsView view;
        view.setSolve(QString::fromStdString(sol.solver), sol.stats);
        QVERIFY(show(view));
        QCOMPARE(view.acceptedPointCount(), static_cast<int>(sol.stats.accepted));
        QCOMPARE(view.rejectedPointCount(), static_cast<int>(sol.stats.rejected));
        QVERIFY(view.summaryText().contains("NFE"));
        QVERIFY(view.summaryText().contains("stiffness detected at t ="));

        QTRY_VERIFY2_WITH_TIMEOUT(
            countNear(grabAfterPaint(view), widgets::theme::kAccepted, 16) > 300,
            "accepted colour missing", kWaitMs);
        const QImage img = grabAfterPaint(view);
        img.save("/tmp/diag_robertson.png");
        QVERIFY2(countNear(img, widgets::theme::kStiff, 16) > 30, "stiff-solver colour missing");
    }

    void emptyAndNaNInputsDoNotCrash() {
        widgets::SolverDiagnosticsView view;
        QVERIFY(show(view, {700, 500}));
        view.setSolve("nothing", core::OdeStats{});
        QCOMPARE(view.acceptedPointCount(), 0);
        QCOMPARE(view.rejectedPointCount(), 0);
        grabAfterPaint(view);

        // A fixed-step method: no error estimate, no stiffness estimate, one zero step.
        core::OdeStats stats;
        const double nan = std::numeric_limits<double>::quiet_NaN();
        for (int i = 0; i < 50; ++i)
            stats.steps.push_back({i + 1, 0.1 * i, 0.1, nan, true, nan, false});
        stats.steps.push_back({51, 5.0, 0.0, nan, false, nan, false});
        stats.steps.push_back({52, nan, 0.1, nan, false, nan, false});
        stats.accepted = 50;
        stats.nfe = 200;
        view.setSolve("RK4", stats, "step size too small at t = 5");
        QCOMPARE(view.acceptedPointCount(), 50);
        QCOMPARE(view.rejectedPointCount(), 0);
        QVERIFY(!view.hasErrorEstimate());
        QVERIFY(view.errorTitle().contains("No error estimate"));
        QVERIFY(!view.errorView()->isVisible());
        QVERIFY(view.summaryText().contains("step size too small"));
        QTRY_VERIFY_WITH_TIMEOUT(
            countNear(grabAfterPaint(view), widgets::theme::kAccepted, 16) > 100, kWaitMs);
        grabAfterPaint(view).save("/tmp/diag_nan.png");

        view.clear();
        QCOMPARE(view.acceptedPointCount(), 0);
        grabAfterPaint(view);
    }

    void hundredThousandStepsAreThinned() {
        core::OdeStats stats;
        const int n = 100000;
        double t = 0.0;
        for (int i = 0; i < n; ++i) {
            const double dt = 1e-3 * (1.0 + 0.5 * std::sin(i * 1e-3));
            const bool acc = i % 10 != 0;
            stats.steps.push_back(
                {i + 1, t, dt, acc ? 0.3 : 3.0, acc, 0.5 + (i % 7) * 0.1, i > n / 2});
            if (acc) {
                t += dt;
                ++stats.accepted;
            } else {
                ++stats.rejected;
            }
        }
        widgets::SolverDiagnosticsView view;
        QVERIFY(show(view));
        QElapsedTimer timer;
        timer.start();
        view.setSolve("synthetic", stats);
        QTRY_VERIFY2_WITH_TIMEOUT(
            countNear(grabAfterPaint(view), widgets::theme::kAccepted, 16) > 300,
            "accepted line buried", kWaitMs);
        qInfo("100k steps: set + paints until drawn in %lld ms",
              static_cast<long long>(timer.elapsed()));
        const QImage img = grabAfterPaint(view);
        img.save("/tmp/diag_100k.png");
        QCOMPARE(view.acceptedPointCount(), static_cast<int>(stats.accepted));
        QCOMPARE(view.rejectedPointCount(), static_cast<int>(stats.rejected));
        QVERIFY(view.drawnAcceptedPointCount() <= 4000);
        QVERIFY(countNear(img, widgets::theme::kRejected, 16) > 30);
        QVERIFY2(countNear(img, widgets::theme::kAccepted, 16) > 300, "accepted line buried");
    }
};

QTEST_MAIN(TestSolverDiagnosticsView)
#include "test_solver_diagnostics_view.moc"
