// Stiff problems: Rosenbrock 2(3) on Robertson with far fewer steps than Dormand–Prince,
// mass conservation, Hairer's stiffness detection (fires on Robertson and Van der Pol
// mu=1000, not on mu=1) and automatic switching explicit -> stiff -> explicit.
#include "core/solvers/ode_solve.h"
#include "ode_test_problems.h"

#include <QtTest>

#include <cmath>
#include <cstdio>

using namespace driftlab::core;
using namespace driftlab::test;

namespace {

const double kRobertsonT1 = 40.0;

Eigen::VectorXd robertsonY0() { return Eigen::Vector3d(1.0, 0.0, 0.0); }

OdeOptions robertsonOptions(OdeMethod method) {
    OdeOptions options;
    options.method = method;
    options.rtol = 1e-6;
    options.atolPerComponent = Eigen::Vector3d(1e-8, 1e-12, 1e-8);  // y2 lives near 1e-5
    options.maxSteps = 1000000;
    return options;
}

double massDefect(const OdeSolution& sol) {
    double worst = 0.0;
    for (const Eigen::VectorXd& y : sol.y) worst = std::max(worst, std::abs(y.sum() - 1.0));
    return worst;
}

void print(const char* what, const OdeSolution& sol) {
    std::printf(
        "  %-44s nfe %7ld, accepted %6ld, rejected %5ld, jacobians %4ld, LU %4ld, "
        "switches %ld\n",
        what, sol.stats.nfe, sol.stats.accepted, sol.stats.rejected, sol.stats.jacobianEvaluations,
        sol.stats.factorizations, sol.stats.methodSwitches);
}

}  // namespace

class TestOdeStiff : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void robertsonRosenbrockVsDp5() {
        const auto system = robertson(true);
        const OdeSolution ros = integrate(system, robertsonY0(), 0.0, kRobertsonT1,
                                          robertsonOptions(OdeMethod::Rosenbrock23));
        const OdeSolution dp5 = integrate(system, robertsonY0(), 0.0, kRobertsonT1,
                                          robertsonOptions(OdeMethod::DormandPrince5));
        print("Robertson [0,40] rosenbrock23 analytic J", ros);
        print("Robertson [0,40] dp5", dp5);
        QVERIFY2(ros.ok(), ros.message.c_str());
        QVERIFY2(dp5.ok(), dp5.message.c_str());
        QVERIFY(ros.stats.accepted * 20 < dp5.stats.accepted);
        QVERIFY(ros.stats.nfe * 50 < dp5.stats.nfe);

        // Linear invariants are kept exactly by Rosenbrock methods (rounding aside).
        QVERIFY(massDefect(ros) < 1e-6);
        // Hairer's reference values at t = 40 (Hairer–Wanner II, IV.10).
        const Eigen::VectorXd expected =
            Eigen::Vector3d(0.7158270687193432, 9.185534764557e-6, 0.2841637457458923);
        const Eigen::VectorXd& y = ros.y.back();
        std::printf("  y(40) = %.10f %.6e %.10f\n", y(0), y(1), y(2));
        QVERIFY(std::abs(y(0) - expected(0)) < 1e-4);
        QVERIFY(std::abs(y(1) - expected(1)) / expected(1) < 1e-3);
        QVERIFY(std::abs(y(2) - expected(2)) < 1e-4);

        QVERIFY(dp5.stats.stiffnessDetected);
        QVERIFY(dp5.stats.stiffnessDetectedAt < 1.0);
        std::printf("  dp5 flags stiffness at t=%.3g; max h*rho %.2f\n",
                    dp5.stats.stiffnessDetectedAt, dp5.stats.maxStiffness);
    }

    void finiteDifferenceJacobianAgrees() {
        const OdeSolution analytic = integrate(robertson(true), robertsonY0(), 0.0, kRobertsonT1,
                                               robertsonOptions(OdeMethod::Rosenbrock23));
        OdeOptions fdOptions = robertsonOptions(OdeMethod::Rosenbrock23);
        fdOptions.jacobian = JacobianSource::FiniteDifference;
        const OdeSolution fd =
            integrate(robertson(true), robertsonY0(), 0.0, kRobertsonT1, fdOptions);
        const OdeSolution noJacobian = integrate(robertson(false), robertsonY0(), 0.0, kRobertsonT1,
                                                 robertsonOptions(OdeMethod::Rosenbrock23));
        print("Robertson rosenbrock23 finite-difference J", fd);
        QVERIFY(fd.ok() && noJacobian.ok());
        QCOMPARE(fd.stats.nfe, noJacobian.stats.nfe);
        // Each finite-difference Jacobian costs dimension() evaluations on top of the steps'.
        QVERIFY(fd.stats.jacobianEvaluations > 0);
        QVERIFY(fd.stats.nfe >= 2 * fd.stats.accepted + 3 * fd.stats.jacobianEvaluations);
        QVERIFY(analytic.stats.nfe <
                2 * analytic.stats.accepted + 3 * analytic.stats.jacobianEvaluations);
        QVERIFY(relativeStateError(fd.y.back(), analytic.y.back()) < 1e-5);
        QVERIFY(massDefect(fd) < 1e-6);
    }

    void autoSwitchOnRobertson() {
        const auto system = robertson(true);
        const OdeSolution dp5 = integrate(system, robertsonY0(), 0.0, kRobertsonT1,
                                          robertsonOptions(OdeMethod::DormandPrince5));
        OdeOptions options = robertsonOptions(OdeMethod::DormandPrince5);
        options.autoSwitch = true;
        const OdeSolution sw = integrate(system, robertsonY0(), 0.0, kRobertsonT1, options);
        print("Robertson dp5 + auto-switch", sw);
        QVERIFY2(sw.ok(), sw.message.c_str());
        QVERIFY(sw.stats.methodSwitches >= 1);
        QVERIFY(sw.stats.nfe * 20 < dp5.stats.nfe);
        QVERIFY(massDefect(sw) < 1e-6);
        bool sawStiff = false;
        for (const OdeStepRecord& r : sw.stats.steps) sawStiff = sawStiff || r.stiffSolver;
        QVERIFY(sawStiff);
        QVERIFY(std::abs(sw.y.back()(0) - 0.7158270687193432) < 1e-4);
    }

    void stiffnessDetectionOnVanDerPol() {
        const Eigen::VectorXd y0 = Eigen::Vector2d(2.0, 0.0);
        OdeOptions options;
        options.rtol = options.atol = 1e-6;
        options.maxSteps = 200000;
        const OdeSolution stiff = integrate(vanDerPol(1000.0), y0, 0.0, 3.0, options);
        const OdeSolution mild = integrate(vanDerPol(1.0), y0, 0.0, 20.0, options);
        print("Van der Pol mu=1000 [0,3] dp5", stiff);
        QVERIFY(stiff.ok() && mild.ok());
        QVERIFY(stiff.stats.stiffnessDetected);
        QVERIFY(!mild.stats.stiffnessDetected);
        std::printf("  max h*rho: mu=1000 %.2f, mu=1 %.2f (DP5 boundary 3.25)\n",
                    stiff.stats.maxStiffness, mild.stats.maxStiffness);

        // The other FSAL pairs carry the same estimate from their last two stages.
        for (OdeMethod method : {OdeMethod::BogackiShampine3, OdeMethod::Tsitouras5}) {
            OdeOptions other = options;
            other.method = method;
            const OdeSolution s = integrate(vanDerPol(1000.0), y0, 0.0, 3.0, other);
            const OdeSolution m = integrate(vanDerPol(1.0), y0, 0.0, 20.0, other);
            std::printf("  %-6s max h*rho: mu=1000 %.2f, mu=1 %.2f\n", toString(method).c_str(),
                        s.stats.maxStiffness, m.stats.maxStiffness);
            QVERIFY(s.ok() && m.ok());
            QVERIFY(s.stats.stiffnessDetected);
            QVERIFY(!m.stats.stiffnessDetected);
        }

        // Switching hands mu=1000 to Rosenbrock for the slow phases, and back to DP5 when the
        // solution jumps and the explicit method can follow cheaply.
        options.autoSwitch = true;
        const OdeSolution sw = integrate(vanDerPol(1000.0), y0, 0.0, 3000.0, options);
        OdeOptions rosOptions = options;
        rosOptions.autoSwitch = false;
        rosOptions.method = OdeMethod::Rosenbrock23;
        const OdeSolution ros = integrate(vanDerPol(1000.0), y0, 0.0, 3000.0, rosOptions);
        print("Van der Pol mu=1000 [0,3000] dp5 + auto-switch", sw);
        print("Van der Pol mu=1000 [0,3000] rosenbrock23", ros);
        QVERIFY2(sw.ok(), sw.message.c_str());
        QVERIFY(ros.ok());
        QVERIFY(sw.stats.methodSwitches >= 2);
        QVERIFY(relativeStateError(sw.y.back(), ros.y.back()) < 1e-2);
    }
};

QTEST_GUILESS_MAIN(TestOdeStiff)
#include "test_ode_stiff.moc"
