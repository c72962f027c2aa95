// Measured strong and weak convergence orders of the SDE steppers, driven end to end through
// typed equations (CompiledEquation -> worker -> stepper). Every scheme runs on the same
// Brownian paths as the exact solution: fine increments are summed onto the coarse steps.
#include "core/common/error.h"
#include "core/common/random.h"
#include "core/equations/compiled_equation.h"
#include "core/solvers/sde_steppers.h"
#include "core/solvers/solver_registry.h"
#include "sde_measured_orders.h"
#include "sde_test_support.h"

#include <QtTest>

#include <cmath>
#include <functional>

using namespace driftlab::core;
using namespace driftlab::test;

namespace {

EquationSpec gbmSpec(double mu, double sigma, double x0) {
    EquationSpec spec;
    spec.name = "GBM";
    spec.variables = {"x"};
    spec.drift = {"mu*x"};
    spec.diffusion = {"sigma*x"};
    spec.parameters = {param("mu", mu), param("sigma", sigma)};
    spec.initial = {x0};
    return spec;
}

struct Sweep {
    std::vector<double> dt;
    std::vector<double> strong;       // E|X_N - X(T)| against `exact`
    std::vector<double> meanError;    // E[X_N - X(T)] against `exact` (the weak error)
    std::vector<double> strongOther;  // E|X_N - Y(T)| against `other` (the other calculus)
};

// Runs `stepper` on `paths` paths for every coarse step factor, all sharing one fine
// Brownian path per sample (2^fineLog2 increments over [0, T]).
Sweep sweep(const CompiledEquation& equation, const SdeStepper& stepper, int paths, int fineLog2,
            const std::vector<int>& factors, double T, const std::function<double(double)>& exact,
            const std::function<double(double)>& other, std::uint64_t seed) {
    const int fine = 1 << fineLog2;
    const double fineDt = T / fine;
    const double x0 = equation.spec().initial[0];
    auto worker = equation.makeWorker();
    StepScratch scratch;
    Sweep out;
    const std::size_t levels = factors.size();
    out.strong.assign(levels, 0.0);
    out.meanError.assign(levels, 0.0);
    out.strongOther.assign(levels, 0.0);
    for (int r : factors) out.dt.push_back(r * fineDt);

    const int batch = 256;
    Eigen::MatrixXd increments(fine, batch);
    Eigen::MatrixXd y(1, batch), dW(1, batch);
    for (int p0 = 0; p0 < paths; p0 += batch) {
        const int n = std::min(batch, paths - p0);
        for (int j = 0; j < n; ++j) {
            RandomStream rng(seed, static_cast<std::uint64_t>(p0 + j));
            for (int i = 0; i < fine; ++i) increments(i, j) = std::sqrt(fineDt) * rng.normal();
        }
        for (std::size_t l = 0; l < levels; ++l) {
            const int r = factors[l];
            const double dt = r * fineDt;
            auto yb = y.leftCols(n);
            auto db = dW.leftCols(n);
            yb.setConstant(x0);
            for (int k = 0; k < fine / r; ++k) {
                db = increments.block(k * r, 0, r, n).colwise().sum();
                stepper.step(*worker, k * dt, dt, yb, db, scratch);
            }
            for (int j = 0; j < n; ++j) {
                const double w = increments.col(j).sum();
                const double e = yb(0, j) - exact(w);
                out.strong[l] += std::abs(e);
                out.meanError[l] += e;
                out.strongOther[l] += std::abs(yb(0, j) - other(w));
            }
        }
    }
    for (std::size_t l = 0; l < levels; ++l) {
        out.strong[l] /= paths;
        out.meanError[l] /= paths;
        out.strongOther[l] /= paths;
    }
    return out;
}

QString describe(const Sweep& s, const std::vector<double>& error) {
    QString text;
    for (std::size_t i = 0; i < s.dt.size(); ++i)
        text += QStringLiteral("dt=%1 err=%2; ").arg(s.dt[i]).arg(error[i], 0, 'g', 4);
    return text;
}

}  // namespace

class TestSdeConvergence : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void eulerMaruyamaStrongOrderOnGbm();
    void eulerMaruyamaWeakOrderOnGbm();
    void stochasticHeunStrongOrderOnStratonovichGbm();
    void calculusDecidesTheLimit();
    void stepperMetadata();
};

void TestSdeConvergence::eulerMaruyamaStrongOrderOnGbm() {
    const double mu = 1.0, sigma = 0.8, x0 = 1.0, T = 1.0;
    const CompiledEquation gbm(gbmSpec(mu, sigma, x0));
    const auto ito = [&](double w) {
        return x0 * std::exp((mu - 0.5 * sigma * sigma) * T + sigma * w);
    };
    const Sweep s =
        sweep(gbm, EulerMaruyamaStepper(), 20000, 12, {256, 128, 64, 32, 16}, T, ito, ito, 11);
    const double order = logLogSlope(s.dt, s.strong);
    qInfo("EM strong order on GBM: %.3f (%s)", order, qPrintable(describe(s, s.strong)));
    const double expected =
        driftlab::test::measuredStrongOrder("euler_maruyama", NoiseType::Diagonal);
    QVERIFY2(std::abs(order - expected) <= 0.1, qPrintable(QString::number(order)));
}

void TestSdeConvergence::eulerMaruyamaWeakOrderOnGbm() {
    // Weak error |E X_N - x0 e^{mu T}|. The exact solution on the same Brownian path serves as
    // a control variate with known mean x0 e^{mu T}: mean(X_N) - mean(X(T)) + x0 e^{mu T}
    // - x0 e^{mu T} = mean(X_N - X(T)), whose Monte-Carlo noise scales with the strong error
    // (~sqrt(dt)) rather than with the spread of X_T, so the O(dt) bias stands out cleanly.
    const double mu = 1.0, sigma = 0.5, x0 = 1.0, T = 1.0;
    const CompiledEquation gbm(gbmSpec(mu, sigma, x0));
    const auto ito = [&](double w) {
        return x0 * std::exp((mu - 0.5 * sigma * sigma) * T + sigma * w);
    };
    const Sweep s =
        sweep(gbm, EulerMaruyamaStepper(), 40000, 10, {64, 32, 16, 8, 4}, T, ito, ito, 12);
    const double order = logLogSlope(s.dt, s.meanError);
    qInfo("EM weak order on GBM: %.3f (%s)", order, qPrintable(describe(s, s.meanError)));
    // EM underestimates the GBM mean ((1 + mu dt)^N < e^{mu T}): the sign must be right too.
    for (double e : s.meanError) QVERIFY(e < 0.0);
    QVERIFY2(std::abs(order - 1.0) <= 0.1, qPrintable(QString::number(order)));
}

void TestSdeConvergence::stochasticHeunStrongOrderOnStratonovichGbm() {
    const double mu = 1.0, sigma = 0.8, x0 = 1.0, T = 1.0;
    const CompiledEquation gbm(gbmSpec(mu, sigma, x0));
    const auto strat = [&](double w) { return x0 * std::exp(mu * T + sigma * w); };
    const Sweep s =
        sweep(gbm, StochasticHeunStepper(), 20000, 12, {256, 128, 64, 32, 16}, T, strat, strat, 13);
    const double order = logLogSlope(s.dt, s.strong);
    qInfo("Heun strong order on Stratonovich GBM: %.3f (%s)", order,
          qPrintable(describe(s, s.strong)));
    const double expected =
        driftlab::test::measuredStrongOrder("stochastic_heun", NoiseType::Diagonal);
    QVERIFY2(std::abs(order - expected) <= 0.15, qPrintable(QString::number(order)));
}

void TestSdeConvergence::calculusDecidesTheLimit() {
    // The same typed equation dX = mu X dt + sigma X dW read by an Itô scheme converges to the
    // Itô solution, by a Stratonovich scheme to the Stratonovich one; each stays a fixed
    // distance (the sigma^2/2 drift correction) from the other.
    const double mu = 0.5, sigma = 0.8, x0 = 1.0, T = 1.0;
    const CompiledEquation gbm(gbmSpec(mu, sigma, x0));
    const auto ito = [&](double w) {
        return x0 * std::exp((mu - 0.5 * sigma * sigma) * T + sigma * w);
    };
    const auto strat = [&](double w) { return x0 * std::exp(mu * T + sigma * w); };
    const std::vector<int> factors{256, 64, 16, 4};
    const Sweep em = sweep(gbm, EulerMaruyamaStepper(), 4000, 12, factors, T, ito, strat, 14);
    const Sweep heun = sweep(gbm, StochasticHeunStepper(), 4000, 12, factors, T, strat, ito, 14);
    qInfo("EM vs Itô: %s", qPrintable(describe(em, em.strong)));
    qInfo("EM vs Stratonovich: %s", qPrintable(describe(em, em.strongOther)));
    qInfo("Heun vs Stratonovich: %s", qPrintable(describe(heun, heun.strong)));
    qInfo("Heun vs Itô: %s", qPrintable(describe(heun, heun.strongOther)));
    // The gap between the two solutions: E|e^{sigma W}| e^{mu T}|1 - e^{-sigma^2 T / 2}|.
    const double gap = x0 * std::exp(mu * T + 0.5 * sigma * sigma * T) *
                       (1.0 - std::exp(-0.5 * sigma * sigma * T));
    QVERIFY(em.strong.back() < 0.1 * gap);
    QVERIFY(heun.strong.back() < 0.02 * gap);
    QVERIFY(em.strong.back() < 0.5 * em.strong.front());
    // Against the other calculus the error does not vanish: it tends to the gap.
    QVERIFY(std::abs(em.strongOther.back() - gap) < 0.15 * gap);
    QVERIFY(std::abs(heun.strongOther.back() - gap) < 0.15 * gap);
}

void TestSdeConvergence::stepperMetadata() {
    const auto em = makeSdeStepper("euler_maruyama");
    const auto heun = makeSdeStepper("stochastic_heun");
    QVERIFY(em->calculus() == Calculus::Ito);
    QVERIFY(heun->calculus() == Calculus::Stratonovich);
    QCOMPARE(em->strongOrder(NoiseType::Diagonal), 0.5);
    QCOMPARE(em->strongOrder(NoiseType::Additive), 1.0);
    QCOMPARE(em->weakOrder(), 1.0);
    QCOMPARE(heun->strongOrder(NoiseType::Diagonal), 1.0);
    QCOMPARE(em->evaluationsPerStep(false).drift, 1);
    QCOMPARE(heun->evaluationsPerStep(false).diffusion, 2);
    QCOMPARE(heun->evaluationsPerStep(true).diffusion, 0);
    QVERIFY(em->supports(NoiseType::General));
    QVERIFY(heun->supports(NoiseType::General));
    try {
        makeSdeStepper("sra1")->requireSupport(NoiseType::General);
        QFAIL("general noise accepted");
    } catch (const driftlab::SolverError& e) {
        const QString message = QString::fromStdString(e.what());
        QVERIFY2(message.contains("SRA1") && message.contains("general"), e.what());
    }
    try {
        makeSdeStepper("milstein_typo");
        QFAIL("unknown id accepted");
    } catch (const driftlab::ConfigError& e) {
        const QString message = QString::fromStdString(e.what());
        QVERIFY2(message.contains("milstein_typo") && message.contains("euler_maruyama") &&
                     message.contains("stochastic_heun"),
                 e.what());
    }
    const auto list = sdeSolvers();
    QVERIFY(list.size() >= std::size_t(2));
    QCOMPARE(QString::fromStdString(list[0]->id), QStringLiteral("euler_maruyama"));
}

QTEST_GUILESS_MAIN(TestSdeConvergence)
#include "test_sde_convergence.moc"
