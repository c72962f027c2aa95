// Markov-approximate fractional Brownian motion: the optimal weights, the approximation's
// variance against type II fBM, the sign of the increments' correlation in simulated paths,
// exact Brownian behaviour at H = 0.5, validation of H, reproducibility.
#include "core/common/error.h"
#include "core/common/random.h"
#include "core/equations/compiled_equation.h"
#include "core/solvers/fractional_noise.h"
#include "core/solvers/simulation.h"
#include "core/trajectories/trajectory_config.h"
#include "sde_test_support.h"

#include <QtTest>

#include <cmath>
#include <cstring>

using namespace driftlab::core;
using namespace driftlab::test;

namespace {

// dx = dB^H: the path is the driving noise itself.
EquationSpec noiseSpec() {
    EquationSpec spec;
    spec.name = "noise";
    spec.variables = {"x"};
    spec.drift = {"0"};
    spec.diffusion = {"1"};
    spec.initial = {0.0};
    return spec;
}

double sampleVariance(const Eigen::VectorXd& x) {
    const double m = x.mean();
    return (x.array() - m).square().sum() / static_cast<double>(x.size() - 1);
}

}  // namespace

class TestFractionalNoise : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void incompleteGammaKnownValues();
    void weightsGiveTypeTwoVariance_data();
    void weightsGiveTypeTwoVariance();
    void simulatedVarianceAndIncrementCorrelation_data();
    void simulatedVarianceAndIncrementCorrelation();
    void halfIsBrownianBitForBit();
    void badHurstIsRefused();
    void reproducibleWithSeedAndThreads();
};

void TestFractionalNoise::incompleteGammaKnownValues() {
    // P(1, x) = 1 - e^-x; P(1/2, x) = erf(sqrt x); both branches (series, continued fraction).
    for (double x : {0.01, 0.5, 1.9, 2.5, 10.0, 40.0}) {
        QVERIFY(std::abs(regularizedLowerGamma(1.0, x) + std::expm1(-x)) < 1e-14);
        QVERIFY(std::abs(regularizedLowerGamma(0.5, x) - std::erf(std::sqrt(x))) < 1e-14);
    }
    QCOMPARE(regularizedLowerGamma(0.7, 0.0), 0.0);
}

void TestFractionalNoise::weightsGiveTypeTwoVariance_data() {
    QTest::addColumn<double>("hurst");
    QTest::addColumn<double>("horizon");
    QTest::addColumn<double>("tolerance");
    QTest::newRow("H=0.3") << 0.3 << 1.0 << 0.01;
    QTest::newRow("H=0.7") << 0.7 << 1.0 << 0.01;
    QTest::newRow("H=0.3, T=5") << 0.3 << 5.0 << 0.01;
    QTest::newRow("H=0.7, T=0.2") << 0.7 << 0.2 << 0.01;
    QTest::newRow("H=0.9") << 0.9 << 1.0 << 0.01;
    QTest::newRow("H=0.8") << 0.8 << 1.0 << 0.01;
    QTest::newRow("H=0.2") << 0.2 << 1.0 << 0.01;
    // Very rough noise is the hard case: the kernel's singularity needs ever faster processes.
    QTest::newRow("H=0.1") << 0.1 << 1.0 << 0.06;
}

void TestFractionalNoise::weightsGiveTypeTwoVariance() {
    QFETCH(double, hurst);
    QFETCH(double, horizon);
    QFETCH(double, tolerance);
    const Eigen::VectorXd gamma = maFbmSpeeds(kDefaultFbmProcesses, horizon);
    const Eigen::VectorXd omega = maFbmWeights(gamma, hurst, horizon);
    QVERIFY(omega.allFinite());
    // Type II fBM: Var B^H(t) = t^(2H) / (2H Gamma(H+1/2)^2), not t^(2H) (see fractional_noise.h).
    double worst = 0.0;
    for (double f : {0.05, 0.1, 0.25, 0.5, 0.75, 1.0}) {
        const double t = f * horizon;
        const double approx = maFbmVariance(gamma, omega, t);
        const double exact = typeTwoFbmVariance(hurst, t);
        worst = std::max(worst, std::abs(approx / exact - 1.0));
    }
    qInfo("H=%.1f T=%.1f: largest relative variance error over [T/20, T] = %.4f", hurst, horizon,
          worst);
    QVERIFY2(worst < tolerance, qPrintable(QString::number(worst)));
}

void TestFractionalNoise::simulatedVarianceAndIncrementCorrelation_data() {
    QTest::addColumn<double>("hurst");
    QTest::newRow("H=0.3") << 0.3;
    QTest::newRow("H=0.7") << 0.7;
}

void TestFractionalNoise::simulatedVarianceAndIncrementCorrelation() {
    QFETCH(double, hurst);
    const CompiledEquation eq(noiseSpec());
    SimulationSettings s;
    s.paths = 20000;
    s.steps = 100;
    s.t1 = 1.0;
    s.savedTimes = 101;
    s.seed = 7;
    s.hurst = hurst;
    const SimulationResult r = simulate(eq, {0.0}, s);
    const Eigen::MatrixXd& x = r.states[0];

    // The OU bank is sampled exactly, so the variance at the grid times is the MA-fBM's.
    const FractionalNoise noise(hurst, 1.0, 0.01);
    for (int k : {25, 50, 100}) {
        const double t = r.times[k];
        const double v = sampleVariance(x.col(k));
        const double expected = maFbmVariance(noise.speeds(), noise.weights(), t);
        qInfo("H=%.1f t=%.2f: simulated variance %.4f, MA-fBM %.4f, type II fBM %.4f", hurst, t, v,
              expected, typeTwoFbmVariance(hurst, t));
        // 4 standard errors of a Gaussian sample variance.
        QVERIFY2(std::abs(v / expected - 1.0) < 4.0 * std::sqrt(2.0 / (s.paths - 1)),
                 qPrintable(QStringLiteral("t=%1: %2 vs %3").arg(t).arg(v).arg(expected)));
    }

    // Lag-1 correlation of consecutive increments, pooled over the second half of the
    // interval (type II increments are only asymptotically stationary). fBM has
    // 2^(2H-1) - 1: negative (anti-persistent) for H < 1/2, positive for H > 1/2.
    double sxy = 0, sxx = 0, syy = 0;
    for (int k = 50; k < 99; ++k) {
        const Eigen::ArrayXd a = (x.col(k + 1) - x.col(k)).array();
        const Eigen::ArrayXd b = (x.col(k + 2) - x.col(k + 1)).array();
        sxy += (a * b).sum();
        sxx += a.square().sum();
        syy += b.square().sum();
    }
    const double rho = sxy / std::sqrt(sxx * syy);
    const double fbmRho = std::pow(2.0, 2.0 * hurst - 1.0) - 1.0;
    qInfo("H=%.1f: lag-1 increment correlation %.4f (exact fBM %.4f)", hurst, rho, fbmRho);
    QVERIFY2(rho * fbmRho > 0.0, qPrintable(QString::number(rho)));
    // Standard error of pooled rho is ~1/sqrt(20000 * 49) = 0.001: the sign is unambiguous.
    QVERIFY2(std::abs(rho) > 0.05, qPrintable(QString::number(rho)));
}

void TestFractionalNoise::halfIsBrownianBitForBit() {
    const CompiledEquation eq(noiseSpec());
    SimulationSettings s;
    s.paths = 300;
    s.steps = 50;
    s.savedTimes = 51;
    s.seed = 11;
    const SimulationResult brownian = simulate(eq, {0.0}, s);
    s.hurst = 0.5;
    QVERIFY(sameStates(brownian, simulate(eq, {0.0}, s)));
    // The run without the feature, written out: path p sums sqrt(dt) N(0,1) draws from the
    // stream (seed, p). If simulate()'s draws change, this reference changes with them.
    const double sqrtDt = std::sqrt((s.t1 - s.t0) / s.steps);
    const ZigguratTables& tables = zigguratTables();
    for (int p = 0; p < s.paths; ++p) {
        RandomStream rng(s.seed, static_cast<std::uint64_t>(p));
        double x = 0.0;
        for (int k = 1; k <= s.steps; ++k) {
            x = x + 0.0 * 0.0 + 1.0 * (sqrtDt * rng.normal(tables));
            // Same draws, same order; only the last bits may differ where the compiler
            // fuses multiply-adds differently in the two loops (FMA). A different draw
            // would differ by O(sqrt(dt)).
            if (std::abs(x - brownian.states[0](p, k)) > 1e-13 * (1.0 + std::abs(x)))
                QFAIL(qPrintable(QStringLiteral("path %1 step %2 differs").arg(p).arg(k)));
        }
    }
    s.hurst = 0.7;
    QVERIFY(!sameStates(brownian, simulate(eq, {0.0}, s)));
}

void TestFractionalNoise::badHurstIsRefused() {
    const CompiledEquation eq(noiseSpec());
    for (double h : {0.0, 1.0, -0.2, 1.5, std::nan("")}) {
        SimulationSettings s;
        s.paths = 1;
        s.steps = 1;
        s.hurst = h;
        try {
            simulate(eq, {0.0}, s);
            QFAIL(qPrintable(QStringLiteral("hurst %1 accepted").arg(h)));
        } catch (const driftlab::ConfigError& e) {
            QVERIFY2(QString::fromStdString(e.what()).contains("hurst"), e.what());
        }
    }
    QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError, FractionalNoise(1.0, 1.0, 0.1));
    // Schemes built on Brownian increment moments refuse fractional noise, naming hurst.
    for (const char* solver : {"milstein", "sra1"}) {
        SimulationSettings s;
        s.paths = 1;
        s.steps = 1;
        s.hurst = 0.3;
        s.solver = solver;
        try {
            simulate(eq, {0.0}, s);
            QFAIL(qPrintable(QStringLiteral("%1 accepted fractional noise").arg(solver)));
        } catch (const driftlab::ConfigError& e) {
            const QString message = QString::fromStdString(e.what());
            QVERIFY2(message.contains("hurst") && message.contains(solver), e.what());
        }
    }

    // The config file: the schema bounds H to [0.01, 0.99] and names the key.
    const auto configWith = [](const char* hurst) {
        return std::string(R"({"experiment": "trajectories", "equation": {"variables": ["x"],
            "drift": ["0"], "diffusion": ["1"], "initial": [0]},
            "simulation": {"hurst": )") +
               hurst + "}}";
    };
    try {
        parseTrajectoryConfig(configWith("1.2"), "test");
        QFAIL("hurst 1.2 accepted in a config");
    } catch (const driftlab::ConfigError& e) {
        QVERIFY2(QString::fromStdString(e.what()).contains("hurst"), e.what());
    }
    const TrajectoryConfig ok = parseTrajectoryConfig(configWith("0.3"), "test");
    QCOMPARE(ok.simulation.hurst, 0.3);
    const TrajectoryConfig back = parseTrajectoryConfig(toJsonText(ok), "round trip");
    QCOMPARE(back.simulation.hurst, 0.3);
}

void TestFractionalNoise::reproducibleWithSeedAndThreads() {
    EquationSpec spec;
    spec.variables = {"x", "y"};
    spec.drift = {"-x", "x-y"};
    spec.diffusion = {"0.5", "0.2*y"};  // each g_i reads its own x_i: Milstein takes it
    spec.initial = {1.0, 0.0};
    const CompiledEquation eq(spec);
    SimulationSettings s;
    s.paths = 1000;  // 8 blocks, so threads really split the work
    s.steps = 200;
    s.savedTimes = 21;
    s.seed = 5;
    s.hurst = 0.3;
    for (const char* solver : {"euler_maruyama", "stochastic_heun", "milstein_stratonovich",
                               "euler_heun", "reversible_heun"}) {
        s.solver = solver;
        s.threads = 1;
        const SimulationResult one = simulate(eq, spec.initial, s);
        QCOMPARE(one.stats.nonFinitePaths, 0);
        s.threads = 2;
        const SimulationResult two = simulate(eq, spec.initial, s);
        QVERIFY(sameStates(one, two));
        QVERIFY(sameStates(two, simulate(eq, spec.initial, s)));
        s.seed = 6;
        QVERIFY(!sameStates(one, simulate(eq, spec.initial, s)));
        s.seed = 5;
        SimulationSettings fewer = s;
        fewer.paths = 300;
        const SimulationResult part = simulate(eq, spec.initial, fewer);
        for (int c = 0; c < 2; ++c) QVERIFY(part.states[c] == one.states[c].topRows(300));
    }
}

QTEST_GUILESS_MAIN(TestFractionalNoise)
#include "test_fractional_noise.moc"
