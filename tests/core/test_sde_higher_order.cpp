// Strong orders of Milstein, Euler–Heun, reversible Heun and SRA1, measured on exact
// solutions driven by the same Brownian paths; reversible Heun's exact reconstruction;
// SRA1's error estimate; refusals for unsupported noise.
#include "core/common/error.h"
#include "core/common/random.h"
#include "core/equations/compiled_equation.h"
#include "core/solvers/brownian_path.h"
#include "core/solvers/sde_steppers.h"
#include "core/solvers/sde_steppers_higher.h"
#include "core/solvers/solver_registry.h"
#include "sde_measured_orders.h"
#include "sde_test_support.h"

#include <QtTest>

#include <cmath>
#include <functional>

using namespace driftlab::core;
using namespace driftlab::test;

namespace {

QString describe(const std::vector<double>& dt, const std::vector<double>& error) {
    QString text;
    for (std::size_t i = 0; i < dt.size(); ++i)
        text += QStringLiteral("dt=%1 err=%2; ").arg(dt[i]).arg(error[i], 0, 'g', 4);
    return text;
}

// Strong error E|X_N - X(T)| of `stepper` on a 1-d equation whose exact solution is a
// function of W(T), with increments summed from a fine Brownian path per sample.
std::vector<double> gbmSweep(const CompiledEquation& equation, const SdeStepper& stepper, int paths,
                             int fineLog2, const std::vector<int>& factors, double T,
                             const std::function<double(double)>& exact, std::uint64_t seed) {
    const int fine = 1 << fineLog2;
    const double fineDt = T / fine;
    auto worker = equation.makeWorker();
    StepScratch scratch;
    std::vector<double> error(factors.size(), 0.0);
    const int batch = 256;
    Eigen::MatrixXd increments(fine, batch), y(1, batch), dW(1, batch);
    for (int p0 = 0; p0 < paths; p0 += batch) {
        const int n = std::min(batch, paths - p0);
        for (int j = 0; j < n; ++j) {
            RandomStream rng(seed, static_cast<std::uint64_t>(p0 + j));
            for (int i = 0; i < fine; ++i) increments(i, j) = std::sqrt(fineDt) * rng.normal();
        }
        for (std::size_t l = 0; l < factors.size(); ++l) {
            const int r = factors[l];
            const double dt = r * fineDt;
            auto yb = y.leftCols(n);
            auto db = dW.leftCols(n);
            yb.setConstant(equation.spec().initial[0]);
            stepper.begin(*worker, 0.0, yb, scratch);
            for (int k = 0; k < fine / r; ++k) {
                db = increments.block(k * r, 0, r, n).colwise().sum();
                stepper.step(*worker, k * dt, dt, yb, db, scratch);
            }
            for (int j = 0; j < n; ++j)
                error[l] += std::abs(yb(0, j) - exact(increments.col(j).sum()));
        }
    }
    for (double& e : error) e /= paths;
    return error;
}

// Strong errors on Brownian trees, one per sample path; coarse steps query the tree
// directly. The reference is either the exact Ornstein–Uhlenbeck recursion for
// dX = -theta X dt + sigma dW on the fine grid, X <- e^{-theta d} X + sigma (dW - theta
// I_(1,0)) (neglected term O(d^2.5) per step), or `referenceStepper` on the fine grid.
struct TreeSweep {
    std::vector<double> dt, strong, meanAbsErrorEstimate;
};

constexpr double ouTheta = 2.0, ouSigma = 1.0;

CompiledEquation ornsteinUhlenbeck() {
    return CompiledEquation(
        spec1d("-theta*x", "sigma", {param("theta", ouTheta), param("sigma", ouSigma)}, 1.0));
}

TreeSweep treeSweep(const CompiledEquation& equation, const SdeStepper& stepper, int paths,
                    int fineLog2, const std::vector<int>& factors, std::uint64_t seed,
                    const SdeStepper* referenceStepper = nullptr) {
    const double T = 1.0, x0 = equation.spec().initial[0];
    auto worker = equation.makeWorker();
    StepScratch scratch;
    const int fine = 1 << fineLog2;
    const double d = T / fine;
    TreeSweep out;
    out.strong.assign(factors.size(), 0.0);
    out.meanAbsErrorEstimate.assign(factors.size(), 0.0);
    for (int r : factors) out.dt.push_back(r * d);
    const int batch = 128;
    Eigen::MatrixXd y(1, batch), dW(1, batch), H(1, batch);
    Eigen::VectorXd w(1), h(1);
    std::vector<BrownianPath> trees;
    const auto solve = [&](const SdeStepper& s, double dt, int steps, int n) {
        auto yb = y.leftCols(n);
        yb.setConstant(x0);
        s.begin(*worker, 0.0, yb, scratch);
        double estimate = 0.0;
        for (int k = 0; k < steps; ++k) {
            for (int j = 0; j < n; ++j) {
                trees[j].increment(k * dt, (k + 1) * dt, w, h);
                dW(0, j) = w(0);
                H(0, j) = h(0);
            }
            s.stepWithArea(*worker, k * dt, dt, yb, dW.leftCols(n), H.leftCols(n), scratch);
            if (s.hasErrorEstimate()) estimate += scratch.error.cwiseAbs().sum();
        }
        return estimate;
    };
    Eigen::VectorXd reference(batch);
    for (int p0 = 0; p0 < paths; p0 += batch) {
        const int n = std::min(batch, paths - p0);
        trees.clear();
        for (int j = 0; j < n; ++j) trees.emplace_back(0.0, T, 1, seed + p0 + j, d / 4);
        if (referenceStepper) {
            solve(*referenceStepper, d, fine, n);
            reference.head(n) = y.leftCols(n).row(0).transpose();
        } else {
            for (int j = 0; j < n; ++j) {
                double x = x0;
                for (int i = 0; i < fine; ++i) {
                    trees[j].increment(i * d, (i + 1) * d, w, h);
                    const double i10 = d * (0.5 * w(0) + h(0));
                    x = std::exp(-ouTheta * d) * x + ouSigma * (w(0) - ouTheta * i10);
                }
                reference(j) = x;
            }
        }
        for (std::size_t l = 0; l < factors.size(); ++l) {
            out.meanAbsErrorEstimate[l] += solve(stepper, out.dt[l], fine / factors[l], n);
            for (int j = 0; j < n; ++j) out.strong[l] += std::abs(y(0, j) - reference(j));
        }
    }
    for (std::size_t l = 0; l < factors.size(); ++l) {
        out.strong[l] /= paths;
        out.meanAbsErrorEstimate[l] /= static_cast<double>(paths) * (fine / factors[l]);
    }
    return out;
}

}  // namespace

class TestSdeHigherOrder : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void milsteinItoStrongOrderOnGbm();
    void stratonovichSchemesStrongOrderOnGbm();
    void reversibleHeunReconstructsExactly();
    void reversibleHeunStrongOrderOnAdditiveNoise();
    void sra1StrongOrderOnOrnsteinUhlenbeck();
    void sra1StrongOrderOnNonlinearAdditiveNoise();
    void sra1ErrorEstimateScales();
    void refusalsAndMetadata();
};

void TestSdeHigherOrder::milsteinItoStrongOrderOnGbm() {
    const double mu = 1.0, sigma = 0.8, x0 = 1.0, T = 1.0;
    const CompiledEquation gbm(
        spec1d("mu*x", "sigma*x", {param("mu", mu), param("sigma", sigma)}, x0));
    const auto ito = [&](double w) {
        return x0 * std::exp((mu - 0.5 * sigma * sigma) * T + sigma * w);
    };
    const std::vector<int> factors{256, 128, 64, 32, 16};
    std::vector<double> dt;
    for (int r : factors) dt.push_back(r * T / 4096);
    const auto error = gbmSweep(gbm, MilsteinStepper(Calculus::Ito), 4000, 12, factors, T, ito, 21);
    const double order = logLogSlope(dt, error);
    qInfo("Milstein (Itô) strong order on GBM: %.3f (%s)", order, qPrintable(describe(dt, error)));
    const double expected = driftlab::test::measuredStrongOrder("milstein", NoiseType::Diagonal);
    QVERIFY2(std::abs(order - expected) <= 0.15, qPrintable(QString::number(order)));
}

void TestSdeHigherOrder::stratonovichSchemesStrongOrderOnGbm() {
    const double mu = 1.0, sigma = 0.8, x0 = 1.0, T = 1.0;
    const CompiledEquation gbm(
        spec1d("mu*x", "sigma*x", {param("mu", mu), param("sigma", sigma)}, x0));
    const auto strat = [&](double w) { return x0 * std::exp(mu * T + sigma * w); };
    const std::vector<int> factors{256, 128, 64, 32, 16};
    std::vector<double> dt;
    for (int r : factors) dt.push_back(r * T / 4096);
    const auto milstein =
        gbmSweep(gbm, MilsteinStepper(Calculus::Stratonovich), 4000, 12, factors, T, strat, 22);
    const auto eulerHeun = gbmSweep(gbm, EulerHeunStepper(), 4000, 12, factors, T, strat, 22);
    const double om = logLogSlope(dt, milstein), oe = logLogSlope(dt, eulerHeun);
    qInfo("Milstein (Stratonovich) strong order on GBM: %.3f (%s)", om,
          qPrintable(describe(dt, milstein)));
    qInfo("Euler–Heun strong order on GBM: %.3f (%s)", oe, qPrintable(describe(dt, eulerHeun)));
    using driftlab::test::measuredStrongOrder;
    QVERIFY2(
        std::abs(om - measuredStrongOrder("milstein_stratonovich", NoiseType::Diagonal)) <= 0.15,
        qPrintable(QString::number(om)));
    QVERIFY2(std::abs(oe - measuredStrongOrder("euler_heun", NoiseType::Diagonal)) <= 0.15,
             qPrintable(QString::number(oe)));
}

void TestSdeHigherOrder::reversibleHeunReconstructsExactly() {
    // Nonlinear drift and multiplicative noise: reconstruction must not rely on linearity.
    const CompiledEquation eq(spec1d("mu*x - 0.3*x^3", "sigma*sin(x) + 0.2",
                                     {param("mu", 1.0), param("sigma", 0.7)}, 0.5));
    auto worker = eq.makeWorker();
    const ReversibleHeunStepper heun;
    StepScratch scratch;
    const int n = 64, steps = 500;
    const double dt = 2.0 / steps;
    std::vector<BrownianPath> trees;
    for (int j = 0; j < n; ++j) trees.emplace_back(0.0, 2.0, 1, 300 + j);
    Eigen::MatrixXd y = Eigen::MatrixXd::Constant(1, n, 0.5);
    Eigen::MatrixXd dW(1, n);
    std::vector<Eigen::MatrixXd> forward{y};
    const auto fill = [&](int k) {
        for (int j = 0; j < n; ++j) dW(0, j) = trees[j].increment(k * dt, (k + 1) * dt)(0);
    };
    heun.begin(*worker, 0.0, y, scratch);
    for (int k = 0; k < steps; ++k) {
        fill(k);
        heun.step(*worker, k * dt, dt, y, dW, scratch);
        forward.push_back(y);
    }
    double worst = 0.0;
    for (int k = steps - 1; k >= 0; --k) {
        fill(k);  // the backward pass re-queries the tree, in reverse order
        heun.stepBack(*worker, k * dt, dt, y, dW, scratch);
        worst = std::max(worst, (y - forward[k]).cwiseAbs().maxCoeff());
    }
    qInfo("reversible Heun: largest reconstruction error over %d steps back: %.3g", steps, worst);
    QVERIFY2(worst < 1e-10, qPrintable(QString::number(worst)));
    QVERIFY((scratch.z - forward[0]).cwiseAbs().maxCoeff() < 1e-10);
}

void TestSdeHigherOrder::reversibleHeunStrongOrderOnAdditiveNoise() {
    const std::vector<int> factors{64, 32, 16, 8, 4};
    const TreeSweep s =
        treeSweep(ornsteinUhlenbeck(), ReversibleHeunStepper(), 1000, 10, factors, 31);
    const double order = logLogSlope(s.dt, s.strong);
    qInfo("reversible Heun strong order on OU: %.3f (%s)", order,
          qPrintable(describe(s.dt, s.strong)));
    const double expected =
        driftlab::test::measuredStrongOrder("reversible_heun", NoiseType::Additive);
    QVERIFY2(std::abs(order - expected) <= 0.15, qPrintable(QString::number(order)));
}

void TestSdeHigherOrder::sra1StrongOrderOnOrnsteinUhlenbeck() {
    // Exact reference. For linear drift and constant noise the terms that limit SRA1 to 1.5
    // (f'' g^2 and g'(t)) vanish and it converges at order 2; order >= 1.5 is what matters
    // here, with the limit being the true solution.
    const std::vector<int> factors{64, 32, 16, 8, 4};
    const TreeSweep s = treeSweep(ornsteinUhlenbeck(), Sra1Stepper(), 1000, 10, factors, 41);
    const double order = logLogSlope(s.dt, s.strong);
    qInfo("SRA1 strong order on OU (exact reference): %.3f (%s)", order,
          qPrintable(describe(s.dt, s.strong)));
    QVERIFY2(order >= 1.35, qPrintable(QString::number(order)));
    const TreeSweep euler =
        treeSweep(ornsteinUhlenbeck(), EulerMaruyamaStepper(), 1000, 10, factors, 41);
    QVERIFY(s.strong.back() < 0.05 * euler.strong.back());
}

void TestSdeHigherOrder::sra1StrongOrderOnNonlinearAdditiveNoise() {
    // Nonlinear drift and time-dependent noise, against SRA1 itself 16 times finer on the
    // same trees: the generic order 1.5 shows.
    const CompiledEquation eq(spec1d("sin(2*x) - x", "sigma*(1 + t)", {param("sigma", 0.8)}, 0.3));
    const std::vector<int> factors{256, 128, 64, 32, 16};
    const Sra1Stepper sra1;
    const TreeSweep s = treeSweep(eq, sra1, 400, 12, factors, 61, &sra1);
    const double order = logLogSlope(s.dt, s.strong);
    qInfo("SRA1 strong order, nonlinear additive problem: %.3f (%s)", order,
          qPrintable(describe(s.dt, s.strong)));
    const double expected = driftlab::test::measuredStrongOrder("sra1", NoiseType::Additive);
    QVERIFY2(std::abs(order - expected) <= 0.15, qPrintable(QString::number(order)));
}

void TestSdeHigherOrder::sra1ErrorEstimateScales() {
    const std::vector<int> factors{64, 32, 16, 8, 4};
    const TreeSweep s = treeSweep(ornsteinUhlenbeck(), Sra1Stepper(), 400, 10, factors, 51);
    const double order = logLogSlope(s.dt, s.meanAbsErrorEstimate);
    qInfo("SRA1 per-step error estimate: slope %.3f (%s)", order,
          qPrintable(describe(s.dt, s.meanAbsErrorEstimate)));
    // The embedded scheme has strong order 1: local error ~ dt^1.5.
    QVERIFY2(std::abs(order - 1.5) <= 0.15, qPrintable(QString::number(order)));
}

void TestSdeHigherOrder::refusalsAndMetadata() {
    const auto sra1 = makeSdeStepper("sra1");
    QVERIFY(sra1->hasErrorEstimate());
    QVERIFY(sra1->needsSpaceTimeArea());
    QCOMPARE(sra1->strongOrder(NoiseType::Additive), 1.5);
    try {
        sra1->requireSupport(NoiseType::Diagonal);
        QFAIL("SRA1 accepted diagonal noise");
    } catch (const driftlab::SolverError& e) {
        QVERIFY2(QString::fromStdString(e.what()).startsWith(
                     "SRA1 handles additive noise only; this system has diagonal noise"),
                 e.what());
    }
    // SRA1 without the area would silently lose order: refused.
    const CompiledEquation ou(spec1d("-x", "1", {}, 1.0));
    auto worker = ou.makeWorker();
    StepScratch scratch;
    Eigen::MatrixXd y = Eigen::MatrixXd::Ones(1, 4), dW = Eigen::MatrixXd::Zero(1, 4);
    QVERIFY_THROWS_EXCEPTION(driftlab::SolverError, sra1->step(*worker, 0.0, 0.1, y, dW, scratch));
    // Reversible Heun refuses to step without begin().
    const auto rev = makeSdeStepper("reversible_heun");
    StepScratch fresh;
    QVERIFY_THROWS_EXCEPTION(driftlab::SolverError, rev->step(*worker, 0.0, 0.1, y, dW, fresh));
    for (const auto& info : solverRegistry()) {
        if (info.isOde()) continue;
        const auto s = makeSdeStepper(info.id);
        QCOMPARE(QString::fromStdString(s->id()), QString::fromStdString(info.id));
        QVERIFY(s->supports(NoiseType::Additive));
        QVERIFY(s->strongOrder(NoiseType::Additive) >= 1.0);
        QVERIFY(s->evaluationsPerStep(false).drift >= 1);
    }
    QVERIFY(makeSdeStepper("milstein")->calculus() == Calculus::Ito);
    QVERIFY(makeSdeStepper("milstein_stratonovich")->calculus() == Calculus::Stratonovich);
    QCOMPARE(makeSdeStepper("euler_heun")->evaluationsPerStep(false).drift, 1);
    QCOMPARE(makeSdeStepper("reversible_heun")->evaluationsPerStep(false).diffusion, 1);
    QVERIFY(!makeSdeStepper("milstein")->supports(NoiseType::General));
}

QTEST_GUILESS_MAIN(TestSdeHigherOrder)
#include "test_sde_higher_order.moc"
