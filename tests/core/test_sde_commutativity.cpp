// Diagonal noise commutes only when each g_i reads its own x_i. A typed equation knows what
// its expressions read, so it reports coupled diagonal noise as non-commuting, and the
// schemes whose order rests on commuting noise (Milstein, SRIW1) refuse it with a message
// naming the coupling, while Euler–Maruyama and the Heun schemes still take it. The
// refusal is justified by measurement: on shared Brownian paths, Milstein and SRIW1
// self-converge at their full order on an uncoupled SDE and drop to about order 0.5 once
// g_x reads y.
#include "core/common/error.h"
#include "core/equations/compiled_equation.h"
#include "core/solvers/sde_steppers.h"
#include "core/trajectories/trajectory_run.h"
#include "sde_fine_brownian.h"
#include "sde_test_support.h"

#include <QtTest>

#include <cmath>

using namespace driftlab::core;
using namespace driftlab::test;

namespace {

// dx = -x/2 dt + s g_x dW1, dy = -y/2 dt + s g_y dW2 on two Brownian motions.
EquationSpec twoComponent(const char* gx, const char* gy) {
    EquationSpec spec;
    spec.name = "coupling test";
    spec.variables = {"x", "y"};
    spec.drift = {"-0.5*x", "-0.5*y"};
    spec.diffusion = {gx, gy};
    spec.parameters = {param("s", 0.8)};
    spec.initial = {1.0, 0.5};
    return spec;
}

// Strong self-convergence order of a scheme: mean |y_dt(T) - y_ref(T)| over shared paths,
// the reference being the same scheme on the fine grid, fitted against dt.
double selfConvergenceOrder(const CompiledEquation& equation, const SdeStepper& stepper) {
    constexpr int paths = 200, fine = 1024;
    constexpr double T = 1.0;
    const FineBrownian brownian(17, 0, paths, 2, fine, T);
    auto worker = equation.makeWorker();
    auto solve = [&](int r) {
        Eigen::MatrixXd y(2, paths);
        y.row(0).setConstant(1.0);
        y.row(1).setConstant(0.5);
        StepScratch scratch;
        scratch.resize(2, paths);
        Eigen::MatrixXd dW, H;
        const double dt = r * brownian.fineDt();
        stepper.begin(*worker, 0.0, y, scratch);
        for (int k = 0; k < fine / r; ++k) {
            brownian.coarse(k, r, dW, H);
            stepper.stepWithArea(*worker, k * dt, dt, y, dW, H, scratch);
        }
        return y;
    };
    const Eigen::MatrixXd reference = solve(1);
    std::vector<double> dts, errors;
    for (int r : {8, 16, 32, 64, 128}) {
        const Eigen::MatrixXd y = solve(r);
        dts.push_back(r * brownian.fineDt());
        errors.push_back((y - reference).colwise().norm().mean());
    }
    return logLogSlope(dts, errors);
}

}  // namespace

class TestSdeCommutativity : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void typedEquationsReportCoupling() {
        const CompiledEquation own(twoComponent("s*x", "s*y"));
        QVERIFY(own.hasCommutativeNoise());
        QVERIFY(own.noiseCoupling().empty());
        const CompiledEquation coupled(twoComponent("s*y", "s*x"));
        QVERIFY(!coupled.hasCommutativeNoise());
        QCOMPARE(QString::fromStdString(coupled.noiseCoupling()), QString("g of x reads y"));
        // Reading t or a parameter couples nothing.
        const CompiledEquation timed(twoComponent("s*x*(1 + t)", "s"));
        QVERIFY(timed.hasCommutativeNoise());
    }

    void schemesThatNeedCommutingNoiseRefuse() {
        const CompiledEquation coupled(twoComponent("s*(1 + 0.5*y)", "s*x"));
        QCOMPARE(QString::fromStdString(coupled.noiseCoupling()), QString("g of x reads y"));
        for (const char* id : {"milstein", "milstein_stratonovich", "sriw1"}) {
            const auto stepper = makeSdeStepper(id);
            QVERIFY2(!stepper->handles(coupled), id);
            try {
                stepper->requireSupport(coupled);
                QFAIL("coupled diagonal noise accepted");
            } catch (const driftlab::SolverError& e) {
                QVERIFY2(QString(e.what()).contains("commuting noise"), e.what());
            }
            const std::string refusal = solverRefusal(id, coupled, 0.5);
            QVERIFY2(QString::fromStdString(refusal).contains("g of x reads y"), refusal.c_str());
            const CompiledEquation own(twoComponent("s*x", "s*y"));
            QVERIFY(solverRefusal(id, own, 0.5).empty());
        }
        for (const char* id :
             {"euler_maruyama", "stochastic_heun", "euler_heun", "reversible_heun"}) {
            QVERIFY2(makeSdeStepper(id)->handles(coupled), id);
            QVERIFY2(solverRefusal(id, coupled, 0.5).empty(), id);
        }
    }

    void couplingCostsMilsteinAndSriw1TheirOrder() {
        const CompiledEquation own(twoComponent("s*x", "s*y"));
        const CompiledEquation coupled(twoComponent("s*y", "s*x"));
        for (const char* id : {"milstein", "sriw1"}) {
            const auto stepper = makeSdeStepper(id);
            const double uncoupledOrder = selfConvergenceOrder(own, *stepper);
            const double coupledOrder = selfConvergenceOrder(coupled, *stepper);
            qInfo("%s self-convergence order: %.2f with g_i(x_i), %.2f with g_x(y), g_y(x)", id,
                  uncoupledOrder, coupledOrder);
            QVERIFY(uncoupledOrder > stepper->strongOrder(NoiseType::Diagonal) - 0.2);
            QVERIFY(coupledOrder < 0.75);
        }
    }
};

QTEST_GUILESS_MAIN(TestSdeCommutativity)
#include "test_sde_commutativity.moc"
