// SRIW1, the strong-order-1.5 scheme for diagonal noise: its order on a nonlinear 2-D
// diagonal SDE with a closed-form solution, the order of its error estimate, adaptive
// stepping with it on a Brownian tree (tolerance buys accuracy against the exact solution
// of the same path), its deterministic form, and its place in the Trajectories solver menu
// and diagnostics.
#include "core/equations/compiled_equation.h"
#include "core/solvers/brownian_path.h"
#include "core/solvers/sde_adaptive.h"
#include "core/solvers/sde_sri.h"
#include "core/trajectories/trajectory_config.h"
#include "core/trajectories/trajectory_run.h"
#include "sde_fine_brownian.h"
#include "sde_measured_orders.h"
#include "sde_test_support.h"

#include <QtTest>

#include <cmath>

using namespace driftlab::core;
using namespace driftlab::test;

namespace {

constexpr double kA = 1.0;                 // arctan problem's noise scale
constexpr double kMu = 0.5, kSigma = 0.8;  // geometric Brownian motion
constexpr double kX0 = 0.5, kY0 = 1.0;

// x: dX = -a^2 sin X cos^3 X dt + a cos^2 X dW, X = arctan(a W + tan x0) (Itô's formula
// for arctan: f' = cos^2, f''/2 = -sin cos^3); y: Itô GBM, Y = y0 exp((mu - sigma^2/2) t + sigma
// W). Each component has its own Brownian motion and g_i reads x_i only: diagonal, commutative,
// nonlinear.
EquationSpec nonlinearDiagonal() {
    EquationSpec spec;
    spec.name = "sri test";
    spec.variables = {"x", "y"};
    spec.drift = {"-a^2*sin(x)*cos(x)^3", "mu*y"};
    spec.diffusion = {"a*cos(x)^2", "sigma*y"};
    spec.parameters = {param("a", kA), param("mu", kMu), param("sigma", kSigma)};
    spec.initial = {kX0, kY0};
    return spec;
}

Eigen::Vector2d exact(const Eigen::Ref<const Eigen::VectorXd>& w, double T) {
    return {std::atan(kA * w(0) + std::tan(kX0)),
            kY0 * std::exp((kMu - 0.5 * kSigma * kSigma) * T + kSigma * w(1))};
}

struct Sweep {
    std::vector<double> dt, strong, estimate;
};

// Mean |X_N - X(T)| and mean |local error estimate| summed over the steps, per factor.
Sweep sweep(const SdeStepper& stepper, int paths, int fine, const std::vector<int>& factors) {
    const CompiledEquation equation(nonlinearDiagonal());
    auto worker = equation.makeWorker();
    StepScratch scratch;
    const double T = 1.0;
    Sweep out;
    out.strong.assign(factors.size(), 0.0);
    out.estimate.assign(factors.size(), 0.0);
    for (int r : factors) out.dt.push_back(r * T / fine);
    const int batch = 200;
    Eigen::MatrixXd y, dW, H;
    for (int p0 = 0; p0 < paths; p0 += batch) {
        const int n = std::min(batch, paths - p0);
        const FineBrownian noise(21, p0, n, 2, fine, T);
        const Eigen::MatrixXd w = noise.total();
        for (std::size_t l = 0; l < factors.size(); ++l) {
            const int r = factors[l];
            const double dt = out.dt[l];
            y = Eigen::Vector2d(kX0, kY0).replicate(1, n);
            for (int k = 0; k < fine / r; ++k) {
                noise.coarse(k, r, dW, H);
                stepper.stepWithArea(*worker, k * dt, dt, y, dW, H, scratch);
                out.estimate[l] += scratch.error.colwise().norm().sum();
            }
            for (int j = 0; j < n; ++j) out.strong[l] += (y.col(j) - exact(w.col(j), T)).norm();
        }
    }
    for (std::size_t l = 0; l < factors.size(); ++l) {
        out.strong[l] /= paths;
        out.estimate[l] /= paths;
    }
    return out;
}

QString describe(const std::vector<double>& dt, const std::vector<double>& error) {
    QString text;
    for (std::size_t i = 0; i < dt.size(); ++i)
        text += QStringLiteral("dt=%1 err=%2; ").arg(dt[i]).arg(error[i], 0, 'g', 4);
    return text;
}

}  // namespace

class TestSdeSri : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void strongOrderOnNonlinearDiagonalNoise();
    void adaptiveToleranceBuysAccuracy();
    void deterministicFormIsSecondOrder();
    void declaresWhatItIs();
    void trajectoryRunShowsAdaptiveSteps();
};

void TestSdeSri::strongOrderOnNonlinearDiagonalNoise() {
    const SriW1Stepper sri;
    const std::vector<int> factors = {8, 16, 32, 64};
    const Sweep s = sweep(sri, 1000, 1 << 9, factors);
    const double order = logLogSlope(s.dt, s.strong);
    qInfo("SRIW1 strong order on a nonlinear diagonal 2-D SDE: %.3f (%s)", order,
          qPrintable(describe(s.dt, s.strong)));
    const double expected = driftlab::test::measuredStrongOrder("sriw1", NoiseType::Diagonal);
    QVERIFY2(std::abs(order - expected) < 0.2, qPrintable(QString::number(order)));
    // Its local estimate is O(dt^1.5) per step; summed over 1/dt steps that is O(dt^0.5).
    const double estimateOrder = logLogSlope(s.dt, s.estimate);
    qInfo("SRIW1 summed |error estimate|: slope %.3f (%s)", estimateOrder,
          qPrintable(describe(s.dt, s.estimate)));
    QVERIFY2(std::abs(estimateOrder - 0.5) < 0.2, qPrintable(QString::number(estimateOrder)));

    // The comparison that makes the order worth having: Milstein (order 1) on the same paths
    // at the finest step is several times less accurate.
    const Sweep milstein = sweep(*makeSdeStepper("milstein"), 1000, 1 << 9, {8});
    qInfo("at dt = %.4g: SRIW1 %.3g, Milstein %.3g", s.dt[0], s.strong[0], milstein.strong[0]);
    QVERIFY(milstein.strong[0] > 3.0 * s.strong[0]);
}

void TestSdeSri::adaptiveToleranceBuysAccuracy() {
    const CompiledEquation equation(nonlinearDiagonal());
    const SriW1Stepper sri;
    const double T = 1.0;
    const std::vector<std::uint64_t> seeds = {2, 5, 7, 13, 19, 23, 29, 31, 37, 43};
    double previous = INFINITY;
    long previousSteps = 0;
    for (double tol : {1e-2, 1e-3, 1e-4}) {
        AdaptiveSdeOptions options;
        options.rtol = tol;
        options.atol = tol;
        double meanError = 0.0;
        long steps = 0, rejected = 0;
        for (std::uint64_t seed : seeds) {
            const BrownianPath path(0.0, T, 2, seed);
            const auto solution = integrateSdeAdaptive(equation, sri, Eigen::Vector2d(kX0, kY0),
                                                       0.0, T, path, options);
            QVERIFY2(solution.ok(), solution.message.c_str());
            meanError += (solution.y.back() - exact(path.value(T), T)).norm() / seeds.size();
            steps += solution.stats.accepted;
            rejected += solution.stats.rejected;
        }
        qInfo(
            "adaptive SRIW1 tol %.0e: mean error vs exact %.3g, %ld accepted, %ld rejected "
            "steps over %zu paths",
            tol, meanError, steps, rejected, seeds.size());
        QVERIFY2(meanError < previous, qPrintable(QString::number(meanError)));
        QVERIFY2(meanError < 10.0 * tol, qPrintable(QString::number(meanError)));
        QVERIFY(steps > previousSteps);
        previous = meanError;
        previousSteps = steps;
    }
}

// Without noise the scheme is Ralston's two-stage Runge–Kutta method: global order 2.
void TestSdeSri::deterministicFormIsSecondOrder() {
    EquationSpec spec = nonlinearDiagonal();
    spec.diffusion = {"0", "0"};
    const CompiledEquation equation(spec);
    auto worker = equation.makeWorker();
    const SriW1Stepper sri;
    StepScratch scratch;
    // The reference is the same scheme with 2000x smaller steps (its error is then ~4e6
    // times smaller than the coarsest one's).
    const double T = 1.0;
    Eigen::MatrixXd empty(2, 0);
    const auto solve = [&](int steps) {
        Eigen::MatrixXd y = Eigen::Vector2d(kX0, kY0);
        const double dt = T / steps;
        for (int k = 0; k < steps; ++k) sri.step(*worker, k * dt, dt, y, empty, scratch);
        return Eigen::Vector2d(y.col(0));
    };
    const Eigen::Vector2d reference = solve(20000);
    QVERIFY(std::abs(reference(1) - kY0 * std::exp(kMu * T)) < 1e-7);
    std::vector<double> dts, errors;
    for (int steps : {10, 20, 40, 80}) {
        dts.push_back(T / steps);
        errors.push_back((solve(steps) - reference).norm());
    }
    const double order = logLogSlope(dts, errors);
    qInfo("SRIW1 without noise: order %.3f (%s)", order, qPrintable(describe(dts, errors)));
    QVERIFY2(std::abs(order - 2.0) < 0.2, qPrintable(QString::number(order)));
}

void TestSdeSri::declaresWhatItIs() {
    const auto sri = makeSdeStepper("sriw1");
    QCOMPARE(QString::fromStdString(sri->name()), QStringLiteral("SRIW1"));
    QVERIFY(sri->calculus() == Calculus::Ito);
    QCOMPARE(sri->strongOrder(NoiseType::Diagonal), 1.5);
    QCOMPARE(sri->weakOrder(), 2.0);
    QVERIFY(sri->hasErrorEstimate() && sri->needsSpaceTimeArea());
    QVERIFY(sri->supports(NoiseType::Diagonal) && sri->supports(NoiseType::Additive));
    QVERIFY(!sri->supports(NoiseType::General));
    QCOMPARE(sri->evaluationsPerStep(false).diffusion, 4);
    QCOMPARE(sri->evaluationsPerStep(true).diffusion, 0);
}

// In the Trajectories experiment SRIW1 is offered for the (diagonal, multiplicative) GBM
// preset, and its diagnostics show one path stepped adaptively with its error estimates.
void TestSdeSri::trajectoryRunShowsAdaptiveSteps() {
    const TrajectoryConfig* preset = findPreset("gbm");
    QVERIFY(preset);
    TrajectoryConfig config = *preset;
    config.simulation.solver = "sriw1";
    config.simulation.paths = 64;
    config.simulation.steps = 200;
    config.simulation.rtol = config.simulation.atol = 1e-3;
    const CompiledEquation equation(config.equation);
    QVERIFY(solverRefusal("sriw1", equation, 0.5).empty());
    QVERIFY(!solverRefusal("sriw1", equation, 0.7).empty());  // no Lévy area for fBM
    const TrajectoryRun run = runTrajectory(config, nullptr, {});
    QVERIFY(run.result && run.result->stats.nonFinitePaths == 0);
    const OdeStats& stats = run.diagnostics.stats;
    QVERIFY2(run.diagnostics.message.empty(), run.diagnostics.message.c_str());
    QVERIFY(QString::fromStdString(run.diagnostics.solverName).contains("SRIW1"));
    QVERIFY(stats.accepted > 10);
    for (const auto& record : stats.steps)
        QVERIFY(std::isfinite(record.errorNorm) && (record.accepted == (record.errorNorm <= 1.0)));
}

QTEST_GUILESS_MAIN(TestSdeSri)
#include "test_sde_sri.moc"
