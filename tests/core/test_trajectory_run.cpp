// One Trajectories run picks the engine path its solver needs: ODE methods solve the one
// deterministic path (accurately, with step records), SDE solvers simulate all paths, and a
// solver that cannot run the equation is refused with the reason the GUI shows.
#include "core/common/error.h"
#include "core/equations/compiled_equation.h"
#include "core/trajectories/trajectory_run.h"

#include <nlohmann/json.hpp>

#include <QtTest>
#include <cmath>

using namespace driftlab;
using namespace driftlab::core;

namespace {

TrajectoryConfig decayConfig(const std::string& solver) {
    nlohmann::json json = {
        {"experiment", "trajectories"},
        {"equation", {{"drift", {"-x"}}, {"diffusion", {"0"}}, {"initial", {1.0}}}},
        {"simulation",
         {{"solver", solver}, {"t1", 1.0}, {"steps", 200}, {"rtol", 1e-10}, {"atol", 1e-12}}}};
    return trajectoryConfigFromJson(json, "decay.json");
}

}  // namespace

class TestTrajectoryRun : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void odeMethodsSolveTheDeterministicPath_data() {
        QTest::addColumn<QString>("solver");
        QTest::addColumn<double>("tolerance");
        QTest::newRow("rk4, 200 fixed steps") << "rk4" << 1e-9;
        QTest::newRow("dp5 adaptive") << "dp5" << 1e-9;
        QTest::newRow("tsit5 adaptive") << "tsit5" << 1e-9;
        QTest::newRow("rosenbrock23") << "rosenbrock23" << 1e-7;
        QTest::newRow("auto_stiff") << "auto_stiff" << 1e-9;
        QTest::newRow("euler, 200 fixed steps") << "euler" << 2e-3;
    }
    void odeMethodsSolveTheDeterministicPath() {
        QFETCH(QString, solver);
        QFETCH(double, tolerance);
        const TrajectoryRun run = runTrajectory(decayConfig(solver.toStdString()), nullptr, {});
        QVERIFY(run.result);
        QCOMPARE(run.result->paths, 1);
        QCOMPARE(run.result->calculus, std::string("ODE"));
        const double final = run.result->states[0](0, run.result->times.size() - 1);
        QVERIFY2(std::abs(final - std::exp(-1.0)) < tolerance,
                 qPrintable(QString::number(final - std::exp(-1.0))));
        QCOMPARE(run.result->times.back(), 1.0);
        QVERIFY(run.diagnostics.stats.accepted > 0);
        QCOMPARE(long(run.diagnostics.stats.steps.size()),
                 run.diagnostics.stats.accepted + run.diagnostics.stats.rejected);
        QVERIFY(run.diagnostics.message.empty());
    }

    void stiffSolveSwitchesAndRecordsIt() {
        nlohmann::json json = {
            {"experiment", "trajectories"},
            {"equation",
             {{"drift", {"y", "1000*(1 - x^2)*y - x"}},
              {"diffusion", {"0", "0"}},
              {"initial", {2.0, 0.0}}}},
            {"simulation", {{"solver", "auto_stiff"}, {"t1", 1500.0}, {"rtol", 1e-6}}}};
        const TrajectoryRun run =
            runTrajectory(trajectoryConfigFromJson(json, "vdp.json"), nullptr, {});
        QVERIFY(run.diagnostics.stats.stiffnessDetected);
        QVERIFY(run.diagnostics.stats.methodSwitches >= 1);
        QVERIFY(run.diagnostics.stats.accepted < 20000);  // DP5 alone needs > 100,000

        json["simulation"]["solver"] = "dp5";
        const TrajectoryRun explicitRun =
            runTrajectory(trajectoryConfigFromJson(json, "vdp.json"), nullptr, {});
        // The explicit solver gives up; the message says where, the partial path is kept.
        QVERIFY(explicitRun.result);
        QVERIFY(QString::fromStdString(explicitRun.diagnostics.message).contains("exceeded"));
        QVERIFY(explicitRun.result->times.back() < 1500.0);
    }

    void sdeRunsRecordTheirSteps() {
        nlohmann::json json = {
            {"experiment", "trajectories"},
            {"equation", {{"drift", {"-x"}}, {"diffusion", {"0.5"}}, {"initial", {1.0}}}},
            {"simulation", {{"solver", "sra1"}, {"paths", 50}, {"steps", 100}, {"t1", 1.0}}}};
        const TrajectoryRun adaptive =
            runTrajectory(trajectoryConfigFromJson(json, "ou.json"), nullptr, {});
        QCOMPARE(adaptive.result->paths, 50);
        QVERIFY(QString::fromStdString(adaptive.diagnostics.scope).contains("adaptively"));
        QVERIFY(std::isfinite(adaptive.diagnostics.stats.steps.front().errorNorm));

        json["simulation"]["solver"] = "euler_maruyama";
        const TrajectoryRun fixed =
            runTrajectory(trajectoryConfigFromJson(json, "ou.json"), nullptr, {});
        QCOMPARE(fixed.diagnostics.stats.accepted, 100L);
        QCOMPARE(long(fixed.diagnostics.stats.steps.size()), 100L);
        QVERIFY(std::isnan(fixed.diagnostics.stats.steps.front().errorNorm));
        QCOMPARE(fixed.diagnostics.stats.nfe, 200L);  // one drift + one diffusion per step
    }

    void refusalsNameTheReason() {
        EquationSpec spec;
        spec.name = "gbm";
        spec.variables = {"x"};
        spec.drift = {"0.1*x"};
        spec.diffusion = {"0.3*x"};
        spec.initial = {1.0};
        const CompiledEquation diagonal(spec);
        QVERIFY(solverRefusal("euler_maruyama", diagonal, 0.5).empty());
        QVERIFY(QString::fromStdString(solverRefusal("dp5", diagonal, 0.5)).contains("noise"));
        QVERIFY(QString::fromStdString(solverRefusal("sra1", diagonal, 0.5)).contains("diagonal"));
        QVERIFY(QString::fromStdString(solverRefusal("milstein", diagonal, 0.7))
                    .contains("fractional"));
        QVERIFY(solverRefusal("stochastic_heun", diagonal, 0.7).empty());

        nlohmann::json json = {
            {"experiment", "trajectories"},
            {"equation", {{"drift", {"-x"}}, {"diffusion", {"x"}}, {"initial", {1.0}}}},
            {"simulation", {{"solver", "tsit5"}}}};
        try {
            trajectoryConfigFromJson(json, "bad.json");
            QFAIL("expected a refusal");
        } catch (const ConfigError& e) {
            QVERIFY2(QString(e.what()).contains("bad.json: simulation.solver = \"tsit5\""),
                     e.what());
        }
    }

    void cancelledOdeSolveReturnsNothing() {
        std::atomic<bool> cancel{true};
        const TrajectoryRun run = runTrajectory(decayConfig("dp5"), &cancel, {});
        QVERIFY(!run.result);
    }
};

QTEST_GUILESS_MAIN(TestTrajectoryRun)
#include "test_trajectory_run.moc"
