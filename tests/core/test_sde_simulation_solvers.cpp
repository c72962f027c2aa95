// simulate() with the higher-order steppers: every registered solver runs where it applies,
// results are reproducible whatever the thread count, the OU moments come out right, SRA1
// draws its Lévy areas without changing the increments others see, refusals are clear.
#include "core/common/error.h"
#include "core/equations/compiled_equation.h"
#include "core/solvers/sde_steppers.h"
#include "core/solvers/simulation.h"
#include "core/solvers/solver_registry.h"
#include "sde_test_support.h"

#include <QtTest>

#include <cmath>
#include <cstring>

using namespace driftlab::core;
using namespace driftlab::test;

class TestSdeSimulationSolvers : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void everySolverOnOrnsteinUhlenbeck();
    void sra1DoesNotChangeTheIncrements();
    void refusals();
};

void TestSdeSimulationSolvers::everySolverOnOrnsteinUhlenbeck() {
    // dX = theta (mu - X) dt + sigma dW: additive, so Itô and Stratonovich agree.
    const double theta = 1.5, mu = 0.5, sigma = 0.6, x0 = 2.0, T = 1.0;
    const CompiledEquation ou(
        spec1d("theta*(mu-x)", "sigma",
               {param("theta", theta), param("mu", mu), param("sigma", sigma)}, x0));
    const double mean = mu + (x0 - mu) * std::exp(-theta * T);
    const double var = sigma * sigma / (2 * theta) * (1 - std::exp(-2 * theta * T));
    for (const auto& info : solverRegistry()) {
        if (info.isOde()) continue;
        SimulationSettings s;
        s.paths = 4000;
        s.steps = 100;
        s.savedTimes = 11;
        s.solver = info.id;
        s.seed = 3;
        s.threads = 1;
        const SimulationResult one = simulate(ou, {x0}, s);
        s.threads = 2;
        const SimulationResult two = simulate(ou, {x0}, s);
        QVERIFY2(sameStates(one, two), info.id.c_str());
        const Eigen::VectorXd end = one.states[0].col(one.times.size() - 1);
        const double m = end.mean();
        const double v = (end.array() - m).square().sum() / (end.size() - 1);
        qInfo("%s: mean %.4f (exact %.4f), variance %.4f (exact %.4f), %.3f s", info.id.c_str(), m,
              mean, v, var, one.stats.wallSeconds);
        QVERIFY2(std::abs(m - mean) < 5 * std::sqrt(var / s.paths), info.id.c_str());
        QVERIFY2(std::abs(v / var - 1) < 0.12, info.id.c_str());
        QCOMPARE(one.stats.nonFinitePaths, 0);
    }
}

void TestSdeSimulationSolvers::sra1DoesNotChangeTheIncrements() {
    // Without drift one SRA1 step is x0 + sigma dW. Its area is drawn after the step's
    // increments from the same per-path stream, so the first step's dW is Euler–Maruyama's
    // (later ones differ: the stream has moved on by the areas).
    const CompiledEquation bm(spec1d("0", "sigma", {param("sigma", 0.7)}, 1.0));
    SimulationSettings s;
    s.paths = 300;
    s.steps = 50;
    s.savedTimes = 51;
    s.seed = 8;
    const SimulationResult em = simulate(bm, {1.0}, s);
    s.solver = "sra1";
    const SimulationResult sra1 = simulate(bm, {1.0}, s);
    QVERIFY((em.states[0].col(1) - sra1.states[0].col(1)).cwiseAbs().maxCoeff() < 1e-14);
    QVERIFY((em.states[0].col(2) - sra1.states[0].col(2)).cwiseAbs().maxCoeff() > 1e-6);
    QCOMPARE(sra1.solverName, std::string("SRA1"));
}

void TestSdeSimulationSolvers::refusals() {
    const CompiledEquation gbm(spec1d("x", "0.5*x", {}, 1.0));
    SimulationSettings s;
    s.paths = 10;
    s.steps = 10;
    s.solver = "sra1";
    try {
        simulate(gbm, {1.0}, s);
        QFAIL("SRA1 accepted multiplicative noise");
    } catch (const driftlab::SolverError& e) {
        QVERIFY2(QString::fromStdString(e.what()).startsWith(
                     "SRA1 handles additive noise only; this system has diagonal noise"),
                 e.what());
    }
    // Milstein and reversible Heun run on it.
    for (const char* id : {"milstein", "milstein_stratonovich", "euler_heun", "reversible_heun"}) {
        s.solver = id;
        QVERIFY(std::isfinite(simulate(gbm, {1.0}, s).states[0](0, 1)));
    }
}

QTEST_GUILESS_MAIN(TestSdeSimulationSolvers)
#include "test_sde_simulation_solvers.moc"
