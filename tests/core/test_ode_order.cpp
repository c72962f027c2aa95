// ODE steppers: tableau consistency, measured convergence orders at fixed steps and the
// accuracy order of dense output, on a problem with a known solution.
#include "core/common/error.h"
#include "core/solvers/ode_solve.h"
#include "core/solvers/ode_tableaus.h"
#include "core/solvers/solver_registry.h"
#include "ode_test_problems.h"

#include <QtTest>

#include <cmath>
#include <cstdio>

using namespace driftlab::core;
using namespace driftlab::test;

Q_DECLARE_METATYPE(driftlab::core::OdeMethod)

namespace {

constexpr double kT1 = 3.0;

double finalError(OdeMethod method, int steps) {
    const auto system = knownSolutionProblem();
    OdeOptions options;
    options.method = method;
    options.controller = StepController::Constant;
    options.dt0 = kT1 / steps;
    const OdeSolution sol = integrate(system, knownSolutionInitial(), 0.0, kT1, options);
    if (!sol.ok() || sol.stats.accepted != steps) return std::nan("");
    return (sol.y.back() - knownSolutionExact(kT1)).lpNorm<Eigen::Infinity>();
}

}  // namespace

class TestOdeOrder : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void tableausAreConsistent() {
        for (const ButcherTableau& t :
             {eulerTableau(), midpointTableau(), heunTableau(), rk4Tableau(),
              bogackiShampine3Tableau(), dormandPrince5Tableau(), tsitouras5Tableau()}) {
            QCOMPARE(t.a.rows(), t.stages);
            QVERIFY2(std::abs(t.b.sum() - 1.0) < 1e-14, t.id.c_str());
            for (int i = 0; i < t.stages; ++i) {
                // Tsitouras' method meets the row-sum condition only to the printed digits.
                QVERIFY2(std::abs(t.a.row(i).sum() - t.c(i)) < 1e-14, t.id.c_str());
                for (int j = i; j < t.stages; ++j) QCOMPARE(t.a(i, j), 0.0);
            }
            if (t.hasErrorEstimate()) QVERIFY2(std::abs(t.bError.sum()) < 1e-14, t.id.c_str());
            if (t.fsal) QVERIFY((t.a.row(t.stages - 1).transpose() - t.b).norm() == 0.0);
            if (t.hasDenseOutput()) {
                // Dense output must agree with the step at both ends.
                Eigen::VectorXd w;
                denseWeights(t, 0.0, w);
                QVERIFY2(w.norm() < 1e-14, t.id.c_str());
                denseWeights(t, 1.0, w);
                QVERIFY2((w - t.b).norm() < 1e-12, t.id.c_str());
            }
        }
    }

    void solversDeclareWhatTheyAre() {
        std::size_t methods = 0;
        for (const SolverInfo* info : odeSolvers()) {
            if (info->autoSwitch) continue;  // a strategy over dp5, not a method of its own
            ++methods;
            QVERIFY(odeMethodFromId(info->id) == info->odeMethod);
            QCOMPARE(toString(info->odeMethod), info->id);
            QVERIFY(!info->name.empty());
        }
        QCOMPARE(methods, std::size_t(9));
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError, odeMethodFromId("auto_stiff"));
        const auto dp5 = makeOdeStepper(OdeMethod::DormandPrince5);
        QCOMPARE(dp5->order(), 5);
        QCOMPARE(dp5->embeddedOrder(), 4);
        QVERIFY(dp5->hasErrorEstimate() && dp5->hasDenseOutput() && !dp5->isImplicit());
        const auto ros = makeOdeStepper(OdeMethod::Rosenbrock23);
        QVERIFY(ros->isImplicit() && ros->hasErrorEstimate());
        const auto rodas = makeOdeStepper(OdeMethod::Rodas4);
        QVERIFY(rodas->isImplicit() && rodas->hasErrorEstimate() && rodas->hasDenseOutput());
        QCOMPARE(rodas->order(), 4);
        QCOMPARE(rodas->embeddedOrder(), 3);
        const auto rk4 = makeOdeStepper(OdeMethod::Rk4);
        QVERIFY(!rk4->hasErrorEstimate() && !rk4->hasDenseOutput());
    }

    void convergenceOrder_data() {
        QTest::addColumn<OdeMethod>("method");
        QTest::addColumn<double>("order");
        QTest::addColumn<int>("baseSteps");
        QTest::newRow("euler") << OdeMethod::Euler << 1.0 << 200;
        QTest::newRow("midpoint") << OdeMethod::Midpoint << 2.0 << 50;
        QTest::newRow("heun") << OdeMethod::Heun << 2.0 << 50;
        QTest::newRow("rk4") << OdeMethod::Rk4 << 4.0 << 20;
        QTest::newRow("bs3") << OdeMethod::BogackiShampine3 << 3.0 << 30;
        QTest::newRow("dp5") << OdeMethod::DormandPrince5 << 5.0 << 24;
        QTest::newRow("tsit5") << OdeMethod::Tsitouras5 << 5.0 << 24;
        QTest::newRow("rosenbrock23") << OdeMethod::Rosenbrock23 << 2.0 << 50;
        QTest::newRow("rodas4") << OdeMethod::Rodas4 << 4.0 << 20;
    }

    void convergenceOrder() {
        QFETCH(OdeMethod, method);
        QFETCH(double, order);
        QFETCH(int, baseSteps);
        std::vector<double> h, err;
        for (int m = 1; m <= 8; m *= 2) {
            h.push_back(kT1 / (baseSteps * m));
            err.push_back(finalError(method, baseSteps * m));
            QVERIFY(std::isfinite(err.back()));
        }
        const double slope = logLogSlope(h, err);
        std::printf("  %-13s order %.3f (theory %.0f), errors %.2e .. %.2e\n",
                    toString(method).c_str(), slope, order, err.front(), err.back());
        QVERIFY2(std::abs(slope - order) <= 0.15, qPrintable(QString::number(slope)));
    }

    void denseOutputOrder_data() {
        QTest::addColumn<OdeMethod>("method");
        QTest::addColumn<double>("minOrder");
        QTest::newRow("bs3") << OdeMethod::BogackiShampine3 << 3.0;
        QTest::newRow("dp5") << OdeMethod::DormandPrince5 << 4.0;
        QTest::newRow("tsit5") << OdeMethod::Tsitouras5 << 4.0;
        QTest::newRow("rosenbrock23") << OdeMethod::Rosenbrock23 << 2.0;
        QTest::newRow("rodas4") << OdeMethod::Rodas4 << 3.0;
    }

    // Save times strictly inside steps (at 0.3 and 0.7 of each step) come from the
    // interpolant; their error must fall at least at the interpolant's order.
    void denseOutputOrder() {
        QFETCH(OdeMethod, method);
        QFETCH(double, minOrder);
        const auto system = knownSolutionProblem();
        std::vector<double> hs, errs;
        for (int steps : {10, 20, 40, 80}) {
            const double h = kT1 / steps;
            OdeOptions options;
            options.method = method;
            options.controller = StepController::Constant;
            options.dt0 = h;
            for (int i = 0; i < steps; ++i) {
                options.saveAt.push_back((i + 0.3) * h);
                options.saveAt.push_back((i + 0.7) * h);
            }
            const OdeSolution sol = integrate(system, knownSolutionInitial(), 0.0, kT1, options);
            QVERIFY(sol.ok());
            QCOMPARE(sol.t.size(), options.saveAt.size());
            QCOMPARE(sol.stats.accepted, long(steps));  // saving did not shorten steps
            double worst = 0.0;
            for (std::size_t i = 0; i < sol.t.size(); ++i) {
                worst = std::max(
                    worst, (sol.y[i] - knownSolutionExact(sol.t[i])).lpNorm<Eigen::Infinity>());
            }
            hs.push_back(h);
            errs.push_back(worst);
        }
        const double slope = logLogSlope(hs, errs);
        std::printf("  %-13s dense-output order %.3f, errors %.2e .. %.2e\n",
                    toString(method).c_str(), slope, errs.front(), errs.back());
        QVERIFY2(slope >= minOrder - 0.15, qPrintable(QString::number(slope)));
    }

    // Methods without dense output land on every save time instead of interpolating.
    void saveTimesWithoutDenseOutput() {
        const auto system = knownSolutionProblem();
        OdeOptions options;
        options.method = OdeMethod::Rk4;
        options.controller = StepController::Constant;
        options.dt0 = 0.1;
        options.saveAt = {0.0, 0.25, 1.0, 2.55, kT1};
        const OdeSolution sol = integrate(system, knownSolutionInitial(), 0.0, kT1, options);
        QVERIFY(sol.ok());
        QCOMPARE(sol.t, options.saveAt);
        for (std::size_t i = 0; i < sol.t.size(); ++i) {
            QVERIFY((sol.y[i] - knownSolutionExact(sol.t[i])).norm() < 1e-5);
        }
    }

    // Integrating backwards in time is the same machinery with negative steps.
    void backwardIntegration() {
        const auto system = knownSolutionProblem();
        OdeOptions options;
        options.rtol = options.atol = 1e-10;
        options.saveAt = {kT1, 2.0, 1.0, 0.0};
        const OdeSolution sol = integrate(system, knownSolutionExact(kT1), kT1, 0.0, options);
        QVERIFY(sol.ok());
        QCOMPARE(sol.t.size(), std::size_t(4));
        for (std::size_t i = 0; i < sol.t.size(); ++i) {
            QVERIFY((sol.y[i] - knownSolutionExact(sol.t[i])).norm() < 1e-8);
        }
    }
};

QTEST_GUILESS_MAIN(TestOdeOrder)
#include "test_ode_order.moc"
