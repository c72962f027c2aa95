// Adaptive ODE solving: the global error follows the tolerance, PI and I control both meet
// it, rejected steps are recorded and observed, and the work (NFE) on Lorenz and Van der Pol
// is in the range standard Dormand–Prince implementations need.
#include "core/common/error.h"
#include "core/solvers/ode_solve.h"
#include "ode_test_problems.h"

#include <QtTest>

#include <cmath>
#include <cstdio>

using namespace driftlab::core;
using namespace driftlab::test;

Q_DECLARE_METATYPE(driftlab::core::OdeMethod)

namespace {

Eigen::VectorXd reference(const OdeSystem& system, const Eigen::VectorXd& y0, double t1) {
    OdeOptions tight;
    tight.rtol = 1e-13;
    tight.atol = 1e-13;
    tight.saveAt = {t1};
    const OdeSolution a = integrate(system, y0, 0.0, t1, tight);
    tight.method = OdeMethod::Tsitouras5;
    const OdeSolution b = integrate(system, y0, 0.0, t1, tight);
    // Two different methods agreeing is what makes this a reference.
    if (!a.ok() || !b.ok() || relativeStateError(a.y.back(), b.y.back()) > 1e-9) {
        return Eigen::VectorXd();
    }
    return a.y.back();
}

OdeSolution solve(const OdeSystem& system, const Eigen::VectorXd& y0, double t1, OdeMethod method,
                  double tol, StepController controller = StepController::ProportionalIntegral) {
    OdeOptions options;
    options.method = method;
    options.controller = controller;
    options.rtol = tol;
    options.atol = tol;
    options.saveAt = {t1};
    return integrate(system, y0, 0.0, t1, options);
}

}  // namespace

class TestOdeAdaptive : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void errorFollowsTolerance_data() {
        QTest::addColumn<OdeMethod>("method");
        QTest::newRow("bs3") << OdeMethod::BogackiShampine3;
        QTest::newRow("dp5") << OdeMethod::DormandPrince5;
        QTest::newRow("tsit5") << OdeMethod::Tsitouras5;
    }

    // Error-per-step control with local extrapolation makes the global error proportional
    // to the tolerance (h^p ~ tol): slope 1 in log-log, and within a modest factor of tol.
    void errorFollowsTolerance() {
        QFETCH(OdeMethod, method);
        const auto system = knownSolutionProblem();
        const double t1 = 10.0;
        const Eigen::VectorXd exact = knownSolutionExact(t1);
        std::vector<double> tols, errs;
        for (double tol = 1e-3; tol >= 1e-9 * 0.99; tol *= 0.1) {
            if (method == OdeMethod::BogackiShampine3 && tol < 1e-7) break;  // too many steps
            const OdeSolution sol = solve(system, knownSolutionInitial(), t1, method, tol);
            QVERIFY2(sol.ok(), sol.message.c_str());
            const double err = relativeStateError(sol.y.back(), exact);
            std::printf("  %-6s tol %.0e: error %.2e (%.2f x tol), nfe %ld, rejected %ld\n",
                        toString(method).c_str(), tol, err, err / tol, sol.stats.nfe,
                        sol.stats.rejected);
            QVERIFY2(err < 20.0 * tol, qPrintable(QString("error %1 at tol %2").arg(err).arg(tol)));
            tols.push_back(tol);
            errs.push_back(err);
        }
        const double slope = logLogSlope(tols, errs);
        std::printf("  %-6s error ~ tol^%.3f\n", toString(method).c_str(), slope);
        QVERIFY2(slope > 0.8 && slope < 1.25, qPrintable(QString::number(slope)));
    }

    void lorenzAgainstReference() {
        const auto system = lorenz();
        const Eigen::VectorXd y0 = Eigen::Vector3d(1.0, 0.0, 0.0);
        const double t1 = 2.0;
        const Eigen::VectorXd ref = reference(system, y0, t1);
        QVERIFY(ref.size() == 3);
        for (OdeMethod method : {OdeMethod::DormandPrince5, OdeMethod::Tsitouras5}) {
            for (double tol : {1e-4, 1e-6, 1e-8}) {
                const OdeSolution sol = solve(system, y0, t1, method, tol);
                QVERIFY(sol.ok());
                const double err = relativeStateError(sol.y.back(), ref);
                std::printf(
                    "  Lorenz t=[0,2] %-6s rtol=atol=%.0e: nfe %ld, accepted %ld, "
                    "rejected %ld, error %.2e\n",
                    toString(method).c_str(), tol, sol.stats.nfe, sol.stats.accepted,
                    sol.stats.rejected, err);
                // Chaos amplifies local errors over the horizon (Lyapunov time ~1.1).
                QVERIFY(err < 200.0 * tol);
                QVERIFY(sol.stats.nfe < 20000);
            }
        }
    }

    // A DOPRI5-class code needs a couple of hundred steps (about a thousand f-evaluations)
    // for Van der Pol mu=1 on [0,20] at 1e-6; far more means the controller is off.
    void vanDerPolWork() {
        const Eigen::VectorXd y0 = Eigen::Vector2d(2.0, 0.0);
        for (double mu : {1.0, 10.0}) {
            const auto system = vanDerPol(mu);
            const double t1 = 20.0;
            const Eigen::VectorXd ref = reference(system, y0, t1);
            QVERIFY(ref.size() == 2);
            for (OdeMethod method :
                 {OdeMethod::DormandPrince5, OdeMethod::Tsitouras5, OdeMethod::BogackiShampine3}) {
                const double tol = 1e-6;
                const OdeSolution sol = solve(system, y0, t1, method, tol);
                QVERIFY(sol.ok());
                const double err = relativeStateError(sol.y.back(), ref);
                std::printf(
                    "  Van der Pol mu=%g t=[0,20] %-6s rtol=atol=1e-6: nfe %ld, "
                    "accepted %ld, rejected %ld, error %.2e\n",
                    mu, toString(method).c_str(), sol.stats.nfe, sol.stats.accepted,
                    sol.stats.rejected, err);
                QVERIFY(err < 100.0 * tol);
                if (mu == 1.0 && method == OdeMethod::DormandPrince5) {
                    QVERIFY(sol.stats.nfe > 400 && sol.stats.nfe < 3000);
                }
                QVERIFY(!sol.stats.stiffnessDetected);
            }
        }
    }

    void piAndIControllersMeetTolerance() {
        const auto system = vanDerPol(10.0);
        const Eigen::VectorXd y0 = Eigen::Vector2d(2.0, 0.0);
        const Eigen::VectorXd ref = reference(system, y0, 20.0);
        for (double tol : {1e-5, 1e-8}) {
            const OdeSolution pi = solve(system, y0, 20.0, OdeMethod::DormandPrince5, tol,
                                         StepController::ProportionalIntegral);
            const OdeSolution i =
                solve(system, y0, 20.0, OdeMethod::DormandPrince5, tol, StepController::Integral);
            QVERIFY(pi.ok() && i.ok());
            const double errPi = relativeStateError(pi.y.back(), ref);
            const double errI = relativeStateError(i.y.back(), ref);
            std::printf(
                "  VdP mu=10 tol %.0e: PI nfe %ld rejected %ld error %.2e | I nfe %ld "
                "rejected %ld error %.2e\n",
                tol, pi.stats.nfe, pi.stats.rejected, errPi, i.stats.nfe, i.stats.rejected, errI);
            QVERIFY(errPi < 100.0 * tol);
            QVERIFY(errI < 100.0 * tol);
            // The PI controller's point: fewer rejections for about the same work.
            QVERIFY(pi.stats.rejected <= i.stats.rejected);
        }
    }

    void rejectedStepsAreRecordedAndObserved() {
        const auto system = vanDerPol(10.0);
        OdeOptions options;
        options.rtol = options.atol = 1e-6;
        long observed = 0, observedRejected = 0;
        double lastT = -1.0;
        bool monotone = true;
        options.observer = [&](const OdeStepRecord& r) {
            ++observed;
            if (!r.accepted) ++observedRejected;
            if (r.t < lastT) monotone = false;
            lastT = r.t;
        };
        const OdeSolution sol = integrate(system, Eigen::Vector2d(2.0, 0.0), 0.0, 20.0, options);
        QVERIFY(sol.ok());
        QVERIFY(sol.stats.rejected > 0);
        QCOMPARE(observed, sol.stats.accepted + sol.stats.rejected);
        QCOMPARE(observedRejected, sol.stats.rejected);
        QCOMPARE(long(sol.stats.steps.size()), observed);
        QVERIFY(monotone);
        long rejectedRecords = 0;
        for (const OdeStepRecord& r : sol.stats.steps) {
            QVERIFY(std::isfinite(r.errorNorm) && r.dt > 0.0 && std::isfinite(r.stiffness));
            if (!r.accepted) {
                ++rejectedRecords;
                QVERIFY(r.errorNorm > 1.0);
            } else {
                QVERIFY(r.errorNorm <= 1.0);
            }
        }
        QCOMPARE(rejectedRecords, sol.stats.rejected);
        // Every accepted step saved (no saveAt), plus t0.
        QCOMPARE(long(sol.t.size()), sol.stats.accepted + 1);
        QCOMPARE(sol.t.back(), 20.0);
    }

    void perComponentTolerancesAndDtmax() {
        const auto system = knownSolutionProblem();
        OdeOptions options;
        options.rtolPerComponent = Eigen::Vector4d(1e-10, 1e-3, 1e-3, 1e-3);
        options.atolPerComponent = Eigen::Vector4d(1e-10, 1e-3, 1e-3, 1e-3);
        options.dtmax = 0.05;
        const OdeSolution sol = integrate(system, knownSolutionInitial(), 0.0, 5.0, options);
        QVERIFY(sol.ok());
        for (const OdeStepRecord& r : sol.stats.steps) QVERIFY(std::abs(r.dt) <= 0.05 + 1e-15);
        const Eigen::VectorXd err = (sol.y.back() - knownSolutionExact(5.0)).cwiseAbs();
        QVERIFY(err(0) < 1e-8);
    }
};

QTEST_GUILESS_MAIN(TestOdeAdaptive)
#include "test_ode_adaptive.moc"
