// Step-size controllers: the factors against hand-computed values, PID meeting tolerance on
// Van der Pol and Lorenz at a cost comparable to PI, the CFL limit capping dt in an explicit
// transport loop, and steps landing exactly on requested output times.
#include "core/common/error.h"
#include "core/solvers/ode_solve.h"
#include "core/solvers/step_controller.h"
#include "ode_test_problems.h"

#include <QtTest>
#include <cmath>

using namespace driftlab;
using namespace driftlab::core;
using namespace driftlab::test;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool close(double a, double b, double rel = 1e-13) { return std::abs(a - b) <= rel * std::abs(b); }

// Evaluates a once: the controllers are stateful.
#define VERIFY_CLOSE(a, b)                                                                        \
    do {                                                                                          \
        const double actual_ = (a), expected_ = (b);                                              \
        QVERIFY2(                                                                                 \
            close(actual_, expected_),                                                            \
            qPrintable(QString("%1 vs %2").arg(actual_, 0, 'g', 17).arg(expected_, 0, 'g', 17))); \
    } while (false)

struct Solve {
    OdeSolution solution;
    double error = 0.0;
};

Solve solveWith(const OdeSystem& system, const Eigen::VectorXd& y0, double t1,
                StepController controller, double tol, const Eigen::VectorXd& reference) {
    OdeOptions options;
    options.controller = controller;
    options.rtol = options.atol = tol;
    options.saveAt = {t1};
    Solve s{integrate(system, y0, 0.0, t1, options)};
    s.error = relativeStateError(s.solution.y.back(), reference);
    return s;
}

Eigen::VectorXd tightReference(const OdeSystem& system, const Eigen::VectorXd& y0, double t1) {
    OdeOptions tight;
    tight.rtol = tight.atol = 1e-13;
    tight.saveAt = {t1};
    return integrate(system, y0, 0.0, t1, tight).y.back();
}

}  // namespace

class TestStepController : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void integralFactors() {
        IntegralController c;  // safety 0.9, facmin 0.2, facmax 10
        // 0.1 * 0.9 * 0.5^(-1/5)
        VERIFY_CLOSE(c.propose({0.1, 0.5, 5.0, true}), 0.10338285194973316);
        // Rejected at err 4: 0.9 * 4^(-1/5), with the sign of the step kept.
        VERIFY_CLOSE(c.propose({-0.2, 4.0, 5.0, false}), -0.13641449098593583);
        // Accepted right after the rejection: 0.9 * 1e-3^(-1/5) = 3.58 is held at 1.
        QCOMPARE(c.propose({0.3, 1e-3, 5.0, true}), 0.3);
        // Then growth is allowed again, up to facmax.
        QCOMPARE(c.propose({0.3, 1e-8, 5.0, true}), 0.3 * 10.0);
        // A huge error shrinks by no more than facmin; a non-finite one by exactly facmin.
        QCOMPARE(c.propose({0.5, 1e6, 5.0, false}), 0.5 * 0.2);
        QCOMPARE(c.propose({0.5, kNaN, 5.0, false}), 0.5 * 0.2);

        StepControlSettings noHold;
        noHold.holdAfterRejection = false;
        noHold.facmax = 5.0;
        IntegralController sde(noHold);
        sde.propose({0.1, 2.0, 1.0, false});
        // err^(-1/k) with k = 1 (strong order): 0.9 / 0.01 = 90, clamped to facmax = 5.
        QCOMPARE(sde.propose({0.1, 0.01, 1.0, true}), 0.1 * 5.0);
    }

    void proportionalIntegralFactors() {
        ProportionalIntegralController c;
        // First step: 0.9 * 0.5^(-0.7/5) * (1e-4)^(0.4/5), Hairer's initial history 1e-4.
        VERIFY_CLOSE(c.propose({1.0, 0.5, 5.0, true}), 0.4746644526085287);
        // Second: 0.9 * 0.25^(-0.14) * 0.5^(0.08).
        VERIFY_CLOSE(c.propose({1.0, 0.25, 5.0, true}), 1.0338285194973318);
        // A rejection uses the I formula and leaves the history alone.
        VERIFY_CLOSE(c.propose({-0.2, 4.0, 5.0, false}), -0.13641449098593583);
        QCOMPARE(c.propose({1.0, 1e-9, 5.0, true}), 1.0);  // held after the rejection
        c.reset();
        VERIFY_CLOSE(c.propose({1.0, 0.5, 5.0, true}), 0.4746644526085287);

        StepControlSettings explicitBetas;
        explicitBetas.beta1 = 0.2;
        explicitBetas.beta2 = 0.0;
        ProportionalIntegralController plainI(explicitBetas);
        VERIFY_CLOSE(plainI.propose({0.1, 0.5, 99.0, true}), 0.10338285194973316);
    }

    void pidFactors() {
        PidController c;  // H312PID: (1/18, 1/9, 1/18) / k, history starting at 1
        VERIFY_CLOSE(c.propose({1.0, 0.5, 5.0, true}), 0.9069582322954364);
        VERIFY_CLOSE(c.propose({1.0, 0.25, 5.0, true}), 0.928157376062696);
        // 0.9 * 0.8^(-1/90) * 0.25^(-1/45) * 0.5^(-1/90)
        VERIFY_CLOSE(c.propose({1.0, 0.8, 5.0, true}), 0.9376552206327);
        c.reset();
        VERIFY_CLOSE(c.propose({1.0, 0.5, 5.0, true}), 0.9069582322954364);

        // With Söderlind's PI34 coefficients the PID is Gustafsson's PI once both have the
        // same history (they differ only in the first step's assumed previous error).
        StepControlSettings pi34;
        pi34.pid = {0.7, -0.4, 0.0};
        PidController pid(pi34);
        ProportionalIntegralController pi;
        pid.propose({1.0, 0.3, 5.0, true});
        pi.propose({1.0, 0.3, 5.0, true});
        for (double err : {0.6, 0.05, 0.9, 0.2}) {
            QCOMPARE(pid.propose({0.01, err, 5.0, true}), pi.propose({0.01, err, 5.0, true}));
        }
    }

    void constantAndFactory() {
        auto constant = makeStepController(StepController::Constant);
        QVERIFY(!constant->isAdaptive());
        QCOMPARE(constant->start(-0.25), -0.25);
        QCOMPARE(constant->propose({-0.1, 1e3, 5.0, true}), -0.25);
        QCOMPARE(makeStepController(StepController::Integral)->name(), std::string("I"));
        QCOMPARE(makeStepController(StepController::ProportionalIntegral)->name(),
                 std::string("PI"));
        auto pid = makeStepController(StepController::ProportionalIntegralDerivative);
        QCOMPARE(pid->name(), std::string("PID"));
        QVERIFY(pid->isAdaptive());
        QCOMPARE(toString(StepController::ProportionalIntegralDerivative), std::string("PID"));
    }

    // Adaptive solves with the PID controller meet the tolerance like PI does, at an NFE
    // within a modest factor of PI's.
    void pidMeetsToleranceAtComparableCost_data() {
        QTest::addColumn<int>("problem");
        QTest::addColumn<double>("tol");
        QTest::newRow("van der pol mu=1, 1e-6") << 0 << 1e-6;
        QTest::newRow("van der pol mu=1, 1e-9") << 0 << 1e-9;
        QTest::newRow("lorenz 1e-9") << 1 << 1e-9;
    }
    void pidMeetsToleranceAtComparableCost() {
        QFETCH(int, problem);
        QFETCH(double, tol);
        const FunctionOdeSystem system = problem == 0 ? vanDerPol(1.0) : lorenz();
        const Eigen::VectorXd y0 = problem == 0 ? Eigen::VectorXd(Eigen::Vector2d(2.0, 0.0))
                                                : Eigen::VectorXd(Eigen::Vector3d(1.0, 1.0, 1.0));
        const double t1 = problem == 0 ? 20.0 : 2.0;
        const Eigen::VectorXd reference = tightReference(system, y0, t1);
        const Solve pi =
            solveWith(system, y0, t1, StepController::ProportionalIntegral, tol, reference);
        const Solve pid = solveWith(system, y0, t1, StepController::ProportionalIntegralDerivative,
                                    tol, reference);
        QVERIFY(pi.solution.ok());
        QVERIFY2(pid.solution.ok(), pid.solution.message.c_str());
        qInfo(
            "tol %.0e: PI %ld NFE (%ld rejected), error %.2e; PID %ld NFE (%ld rejected), "
            "error %.2e",
            tol, pi.solution.stats.nfe, pi.solution.stats.rejected, pi.error,
            pid.solution.stats.nfe, pid.solution.stats.rejected, pid.error);
        // Global error within the same factor of the tolerance that PI reaches (Lorenz
        // amplifies local errors by about e^(0.9 t)).
        QVERIFY2(pid.error < 100.0 * tol, qPrintable(QString::number(pid.error)));
        QVERIFY2(pid.error < 5.0 * pi.error, qPrintable(QString::number(pid.error)));
        const double ratio = double(pid.solution.stats.nfe) / pi.solution.stats.nfe;
        QVERIFY2(ratio > 0.67 && ratio < 1.5, qPrintable(QString::number(ratio)));
    }

    void cflLimitCapsTheStep() {
        double speed = 2.0;
        auto limited =
            std::make_unique<LimitedController>(makeStepController(StepController::Integral),
                                                CflLimit(0.5, 0.01, [&] { return speed; }));
        // 0.5 * 0.01 / 2 = 0.0025
        QCOMPARE(limited->start(0.1), 0.0025);
        QVERIFY(limited->lastLimited());
        // A tiny error asks for 10x growth; the limit still holds, and follows the speed.
        speed = -4.0;  // |speed| counts
        QCOMPARE(limited->propose({0.0025, 1e-12, 3.0, true}), 0.00125);
        // Below the limit the controller's proposal passes unchanged, sign included.
        speed = 1e-3;
        QCOMPARE(limited->propose({-0.002, 1e-12, 3.0, true}), -0.02);
        QVERIFY(!limited->lastLimited());
        speed = 0.0;  // nothing moves: no limit
        QCOMPARE(limited->propose({0.02, 1e-12, 3.0, true}), 0.2);
        speed = kNaN;
        QVERIFY_THROWS_EXCEPTION(SolverError, limited->propose({0.02, 0.5, 3.0, true}));
        QVERIFY_THROWS_EXCEPTION(ConfigError, CflLimit(0.0, 0.01, [] { return 1.0; }));
        QVERIFY_THROWS_EXCEPTION(ConfigError, CflLimit(0.5, -1.0, [] { return 1.0; }));
    }

    // First-order upwind for u_t + c u_x = 0 on a periodic grid is stable exactly when
    // c dt / dx <= 1. Asked for a constant dt far beyond that, the CFL-limited controller
    // keeps every step at cfl * dx / c, so the bump is transported without growing.
    void cflLimitKeepsUpwindTransportStable() {
        const int n = 100;
        const double dx = 1.0 / n, c = 1.5, cfl = 0.9;
        Eigen::VectorXd u(n);
        for (int i = 0; i < n; ++i) u(i) = std::exp(-100.0 * std::pow((i + 0.5) * dx - 0.5, 2));
        const double mass = u.sum();
        LimitedController controller(makeStepController(StepController::Constant),
                                     CflLimit(cfl, dx, [&] { return c; }));
        double t = 0.0, h = controller.start(0.05), largest = 0.0;
        int steps = 0;
        while (t < 0.5) {
            const double dt = std::min(h, 0.5 - t);
            largest = std::max(largest, dt);
            Eigen::VectorXd next(n);
            for (int i = 0; i < n; ++i) next(i) = u(i) - c * dt / dx * (u(i) - u((i + n - 1) % n));
            u.swap(next);
            t += dt;
            ++steps;
            h = controller.propose({dt, kNaN, 1.0, true});
        }
        QCOMPARE(largest, cfl * dx / c);
        QCOMPARE(steps, 84);  // ceil(0.5 / (0.9 * 0.01 / 1.5)) = ceil(83.3)
        QVERIFY2(u.maxCoeff() <= 1.0 && u.minCoeff() >= -1e-12,
                 qPrintable(QString::number(u.maxCoeff())));
        QVERIFY(std::abs(u.sum() - mass) < 1e-9 * mass);
    }

    void clipperLandsExactlyOnRequestedTimes() {
        std::vector<double> times;
        for (int k = 1; k <= 10; ++k) times.push_back(0.1 * k);  // 0.30000000000000004, ...
        OutputTimeClipper clipper(times, 1.0);
        double t = 0.0;
        std::vector<double> landed;
        while (t < 1.0) {
            const OutputTimeClipper::Step s = clipper.clip(t, 0.07);
            if (s.landed) {
                landed.push_back(s.end);
            } else {
                QCOMPARE(s.dt, 0.07);
            }
            t = s.end;
        }
        QCOMPARE(landed, times);  // exact equality, element by element
        QVERIFY(std::isnan(clipper.next(t)));
        // Nothing left to land on: steps pass unchanged.
        QCOMPARE(clipper.clip(t, 0.3).dt, 0.3);

        // Stretch: a step ending within 1% of a requested time is stretched onto it, so no
        // sliver is left; one ending 2% short is not.
        OutputTimeClipper stretchy({1.0}, 1.0, 0.01);
        QVERIFY(stretchy.clip(0.0, 0.995).landed);
        QCOMPARE(stretchy.clip(0.0, 0.995).dt, 1.0);
        QVERIFY(!stretchy.clip(0.0, 0.98).landed);

        // Backwards in time, with a repeated time.
        OutputTimeClipper backwards({0.5, 0.5, -0.25}, -1.0);
        QCOMPARE(backwards.next(1.0), 0.5);
        OutputTimeClipper::Step s = backwards.clip(1.0, -0.6);
        QVERIFY(s.landed);
        QCOMPARE(s.end, 0.5);
        QCOMPARE(s.dt, -0.5);
        QVERIFY(!backwards.clip(0.5, -0.6).landed);  // ends at -0.1, short of -0.25
        s = backwards.clip(0.5, -0.8);
        QVERIFY(s.landed);
        QCOMPARE(s.end, -0.25);
        QCOMPARE(s.dt, -0.75);
    }

    // integrate() with a method that cannot interpolate lands on every save time exactly.
    void integrateLandsOnSaveTimes() {
        const FunctionOdeSystem decay(
            1, [](double, const Eigen::VectorXd& y, Eigen::VectorXd& f) { f = -y; });
        OdeOptions options;
        options.method = OdeMethod::Rk4;
        options.controller = StepController::Constant;
        options.dt0 = 0.03;
        options.saveAt = {0.0, 0.1, 0.25, 1.0 / 3.0, 0.7, 1.0};
        const OdeSolution solution =
            integrate(decay, Eigen::VectorXd::Constant(1, 1.0), 0.0, 1.0, options);
        QVERIFY(solution.ok());
        QCOMPARE(solution.t, options.saveAt);
        for (std::size_t i = 0; i < solution.t.size(); ++i) {
            QVERIFY(std::abs(solution.y[i](0) - std::exp(-solution.t[i])) < 1e-8);
        }
        // Steps of 0.03 restart at each save time: 4 + 5 + 3 + 13 + 10.
        QCOMPARE(solution.stats.accepted, 35L);
    }
};

QTEST_GUILESS_MAIN(TestStepController)
#include "test_step_controller.moc"
