// How ODE solves end when they cannot go on (step below dtmin, too many steps, non-finite
// state): a status, a message naming time, step and cause, and the partial solution. Invalid
// options are refused with ConfigError before any work.
#include "core/common/error.h"
#include "core/solvers/ode_solve.h"
#include "ode_test_problems.h"

#include <QtTest>

#include <cmath>
#include <limits>

using namespace driftlab::core;
using namespace driftlab::test;

namespace {

bool contains(const std::string& text, const char* part) {
    return text.find(part) != std::string::npos;
}

// y' = y^2, y(0) = 1: y = 1/(1 - t) blows up at t = 1.
FunctionOdeSystem blowUp() {
    return FunctionOdeSystem(
        1, [](double, const Eigen::VectorXd& y, Eigen::VectorXd& f) { f(0) = y(0) * y(0); });
}

// Decays until t = 0.5, where the right-hand side stops being a number.
FunctionOdeSystem nanAfterHalf() {
    return FunctionOdeSystem(2, [](double t, const Eigen::VectorXd& y, Eigen::VectorXd& f) {
        f = -y;
        if (t > 0.5) f(1) = std::numeric_limits<double>::quiet_NaN();
    });
}

void expectPartial(const OdeSolution& sol, double minT) {
    QVERIFY(!sol.ok());
    QVERIFY(!sol.message.empty());
    QVERIFY(sol.t.size() >= 2);
    QCOMPARE(sol.t.size(), sol.y.size());
    QVERIFY2(sol.t.back() >= minT, qPrintable(QString::number(sol.t.back())));
    for (const Eigen::VectorXd& y : sol.y) QVERIFY(y.allFinite());
    QVERIFY(sol.stats.accepted > 0);
}

}  // namespace

class TestOdeFailures : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void stepSizeBelowDtmin() {
        OdeOptions options;
        options.dtmin = 1e-6;
        const OdeSolution sol = integrate(blowUp(), Eigen::VectorXd::Ones(1), 0.0, 2.0, options);
        qInfo("%s", sol.message.c_str());
        QVERIFY(sol.status == OdeStatus::StepSizeTooSmall);
        QVERIFY(contains(sol.message, "below dtmin at t=0.99"));
        QVERIFY(contains(sol.message, "(step "));
        expectPartial(sol, 0.99);
    }

    void maxStepsExceeded() {
        OdeOptions options;
        options.maxSteps = 50;
        const OdeSolution sol =
            integrate(lorenz(), Eigen::Vector3d(1.0, 0.0, 0.0), 0.0, 100.0, options);
        qInfo("%s", sol.message.c_str());
        QVERIFY(sol.status == OdeStatus::MaxStepsExceeded);
        QVERIFY(contains(sol.message, "maximum number of steps (50) exceeded at t="));
        QVERIFY(contains(sol.message, "(step 50)"));
        QCOMPARE(sol.stats.accepted + sol.stats.rejected, 50L);
        QCOMPARE(long(sol.t.size()), sol.stats.accepted + 1);
        expectPartial(sol, 0.1);
    }

    void nonFiniteStateAdaptive() {
        OdeOptions options;
        const OdeSolution sol =
            integrate(nanAfterHalf(), Eigen::Vector2d(1.0, 1.0), 0.0, 1.0, options);
        qInfo("%s", sol.message.c_str());
        QVERIFY(sol.status == OdeStatus::NonFiniteState);
        QVERIFY(contains(sol.message, "NaN in component 1"));
        QVERIFY(contains(sol.message, "t=0.4") || contains(sol.message, "t=0.5"));
        QVERIFY(contains(sol.message, "(step "));
        expectPartial(sol, 0.4);
        QVERIFY(std::abs(sol.y.back()(0) - std::exp(-sol.t.back())) < 1e-5);
    }

    void nonFiniteStateFixedStep() {
        OdeOptions options;
        options.method = OdeMethod::Rk4;
        options.controller = StepController::Constant;
        options.dt0 = 0.1;
        const OdeSolution sol =
            integrate(nanAfterHalf(), Eigen::Vector2d(1.0, 1.0), 0.0, 1.0, options);
        qInfo("%s", sol.message.c_str());
        QVERIFY(sol.status == OdeStatus::NonFiniteState);
        QVERIFY(contains(sol.message, "from t=0.5 (step 6"));
        expectPartial(sol, 0.5 - 1e-12);
        QCOMPARE(long(sol.t.size()), 6L);  // t = 0, 0.1, ..., 0.5
    }

    void nonFiniteAtStart() {
        const FunctionOdeSystem bad(1, [](double, const Eigen::VectorXd&, Eigen::VectorXd& f) {
            f(0) = std::numeric_limits<double>::infinity();
        });
        const OdeSolution sol = integrate(bad, Eigen::VectorXd::Ones(1), 0.0, 1.0);
        QVERIFY(sol.status == OdeStatus::NonFiniteState);
        QVERIFY(contains(sol.message, "Inf in component 0 at t=0 (step 0)"));
        QCOMPARE(sol.t.size(), std::size_t(1));
    }

    void invalidOptionsThrowConfigError() {
        const auto system = knownSolutionProblem();
        const Eigen::VectorXd y0 = knownSolutionInitial();
        auto expectThrow = [&](OdeOptions options, const char* why) {
            bool thrown = false;
            try {
                integrate(system, y0, 0.0, 1.0, options);
            } catch (const driftlab::ConfigError& e) {
                thrown = true;
                qInfo("%s: %s", why, e.what());
            }
            QVERIFY2(thrown, why);
        };
        OdeOptions o;
        o.rtol = -1.0;
        expectThrow(o, "negative rtol");
        o = {};
        o.atolPerComponent = Eigen::VectorXd::Ones(3);
        expectThrow(o, "atol size");
        o = {};
        o.method = OdeMethod::Euler;
        expectThrow(o, "adaptive Euler");
        o = {};
        o.controller = StepController::Constant;
        expectThrow(o, "constant without dt0");
        o = {};
        o.saveAt = {0.5, 0.2};
        expectThrow(o, "unsorted saveAt");
        o = {};
        o.saveAt = {2.0};
        expectThrow(o, "saveAt outside");
        o = {};
        o.method = OdeMethod::Rk4;
        o.controller = StepController::Constant;
        o.dt0 = 0.1;
        o.autoSwitch = true;
        expectThrow(o, "auto-switch without stiffness estimate");
        o = {};
        o.facmin = 2.0;
        expectThrow(o, "facmin");
        bool thrown = false;
        try {
            integrate(system, Eigen::VectorXd::Ones(2), 0.0, 1.0);
        } catch (const driftlab::ConfigError&) {
            thrown = true;
        }
        QVERIFY(thrown);
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError, odeMethodFromId("rk45"));
    }
};

QTEST_GUILESS_MAIN(TestOdeFailures)
#include "test_ode_failures.moc"
