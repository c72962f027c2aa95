// Quantile bands, histograms and closed-form densities, and the trajectory snapshot built
// from them.
#include "core/equations/compiled_equation.h"
#include "core/stats/path_statistics.h"
#include "core/trajectories/trajectory_snapshot.h"

#include <QtTest>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

using namespace driftlab::core;

namespace {

constexpr double NaN = std::numeric_limits<double>::quiet_NaN();

Parameter param(const char* name, double value) {
    Parameter p;
    p.name = name;
    p.value = value;
    return p;
}

SimulationResult resultFromColumns(const std::vector<std::vector<double>>& columns) {
    SimulationResult r;
    r.dimension = 1;
    r.paths = int(columns.front().size());
    Eigen::MatrixXd states(r.paths, columns.size());
    for (std::size_t k = 0; k < columns.size(); ++k) {
        r.times.push_back(double(k));
        for (int p = 0; p < r.paths; ++p) states(p, k) = columns[k][p];
    }
    r.states = {states};
    return r;
}

EquationSpec ouSpec(double theta, double mu, double sigma, double x0) {
    EquationSpec spec;
    spec.variables = {"x"};
    spec.drift = {"theta*(mu-x)"};
    spec.diffusion = {"sigma"};
    spec.parameters = {param("theta", theta), param("mu", mu), param("sigma", sigma)};
    spec.initial = {x0};
    spec.analytic = AnalyticKind::OrnsteinUhlenbeck;
    return spec;
}

double integrate(const std::function<double(double)>& f, double lo, double hi, int n) {
    const double h = (hi - lo) / n;
    double sum = 0.5 * (f(lo) + f(hi));
    for (int i = 1; i < n; ++i) sum += f(lo + i * h);
    return sum * h;
}

}  // namespace

class TestPathStatistics : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void quantilesOfKnownData();
    void histogramNormalisation();
    void analyticDensitiesIntegrateToOne();
    void ouHistogramMatchesDensity();
    void gbmHistogramMatchesLognormal();
    void snapshotDrawsFinitePathsEvenly();
};

void TestPathStatistics::quantilesOfKnownData() {
    std::vector<double> hundred(101);
    for (int i = 0; i <= 100; ++i) hundred[i] = i;
    std::shuffle(hundred.begin(), hundred.end(), std::mt19937(3));
    std::vector<double> withNan = hundred;  // 101 values + NaN/Inf that must be ignored
    withNan.push_back(NaN);
    withNan.push_back(std::numeric_limits<double>::infinity());
    hundred.push_back(50);
    hundred.push_back(50);
    const std::vector<double> four{4, 1, 3, 2, NaN, NaN, NaN, NaN, NaN, NaN, NaN, NaN, NaN};
    std::vector<double> allNan(103, NaN);
    std::vector<double> fourPadded = four;
    fourPadded.resize(103, NaN);
    const QuantileBands bands =
        computeQuantileBands(resultFromColumns({withNan, fourPadded, allNan}));
    const Eigen::MatrixXd& b = bands.perComponent.at(0);
    QCOMPARE(b.rows(), Eigen::Index(QuantileBands::RowCount));
    QCOMPARE(b(QuantileBands::Mean, 0), 50.0);
    QCOMPARE(b(QuantileBands::Q05, 0), 5.0);
    QCOMPARE(b(QuantileBands::Q25, 0), 25.0);
    QCOMPARE(b(QuantileBands::Q50, 0), 50.0);
    QCOMPARE(b(QuantileBands::Q75, 0), 75.0);
    QCOMPARE(b(QuantileBands::Q95, 0), 95.0);
    // Linear interpolation between order statistics: {1,2,3,4} at 5 % is 1.15, at 25 % 1.75.
    QCOMPARE(b(QuantileBands::Mean, 1), 2.5);
    QVERIFY(std::abs(b(QuantileBands::Q05, 1) - 1.15) < 1e-12);
    QVERIFY(std::abs(b(QuantileBands::Q25, 1) - 1.75) < 1e-12);
    QVERIFY(std::abs(b(QuantileBands::Q50, 1) - 2.5) < 1e-12);
    QVERIFY(std::abs(b(QuantileBands::Q95, 1) - 3.85) < 1e-12);
    QVERIFY(b.col(2).array().isNaN().all());
}

void TestPathStatistics::histogramNormalisation() {
    std::mt19937_64 gen(5);
    std::normal_distribution<double> normal;
    std::vector<double> values(100000);
    for (double& v : values) v = normal(gen);
    std::vector<double> halfNan = values;
    for (std::size_t i = 0; i < halfNan.size(); i += 2) halfNan[i] = NaN;
    const SimulationResult r = resultFromColumns({values, halfNan});
    const Histogram h = computeHistogram(r, 0, 0, 50);
    QCOMPARE(int(h.density.size()), 50);
    // Range is the 0.5..99.5 % quantiles: about +-2.576 for a standard normal.
    QVERIFY(std::abs(h.lo + 2.576) < 0.05 && std::abs(h.hi - 2.576) < 0.05);
    double mass = 0;
    for (double d : h.density) mass += d * h.binWidth();
    QVERIFY2(std::abs(mass - 0.99) < 1e-3, qPrintable(QString::number(mass)));
    const Histogram half = computeHistogram(r, 0, 1, 50);
    double halfMass = 0;
    for (double d : half.density) halfMass += d * half.binWidth();
    QVERIFY2(std::abs(halfMass - 0.495) < 1e-3, qPrintable(QString::number(halfMass)));
    // A constant column still yields a usable (non-empty range) histogram.
    const Histogram spike =
        computeHistogram(resultFromColumns({std::vector<double>(10, 2.0)}), 0, 0, 4);
    QVERIFY(spike.hi > spike.lo);
    double spikeMass = 0;
    for (double d : spike.density) spikeMass += d * spike.binWidth();
    QVERIFY(std::abs(spikeMass - 1.0) < 1e-12);
    QVERIFY(computeHistogram(r, 3, 0, 10).density.empty());  // no such component
}

void TestPathStatistics::analyticDensitiesIntegrateToOne() {
    EquationSpec bm;
    bm.variables = {"x"};
    bm.parameters = {param("mu", 0.7), param("sigma", 1.3)};
    bm.initial = {-1.0};
    bm.analytic = AnalyticKind::BrownianMotion;
    EquationSpec ou = ouSpec(2.0, 1.0, 0.5, 3.0);
    EquationSpec gbm = bm;
    gbm.parameters = {param("mu", 0.3), param("sigma", 0.4)};
    gbm.initial = {2.0};
    gbm.analytic = AnalyticKind::GeometricBrownianMotion;
    for (const EquationSpec* spec : {&bm, &ou, &gbm}) {
        QVERIFY(!analyticDensity(*spec, 0.0, 0.0, spec->initial[0]).has_value());
        const auto f = [&](double x) { return analyticDensity(*spec, 0.5, 1.5, x).value(); };
        const double mass = integrate(f, -30, 30, 200000);
        QVERIFY2(std::abs(mass - 1.0) < 1e-6, qPrintable(QString::number(mass)));
        const double mean = integrate([&](double x) { return x * f(x); }, -30, 30, 200000);
        double expected = 0;
        if (spec == &bm)
            expected = -1.0 + 0.7;
        else if (spec == &ou)
            expected = 1.0 + 2.0 * std::exp(-2.0);
        else
            expected = 2.0 * std::exp(0.3);
        QVERIFY2(std::abs(mean - expected) < 1e-6, qPrintable(QString::number(mean)));
    }
    EquationSpec none = bm;
    none.analytic = AnalyticKind::None;
    QVERIFY(!analyticDensity(none, 0, 1, 0).has_value());
    // An edited equation without theta has no closed form. (A fresh parameter rather than a
    // renamed one: GCC 12 warns falsely, -Wrestrict, on assigning a short literal here.)
    EquationSpec renamed = ou;
    renamed.parameters = {param("k", 2.0), param("mu", 1.0), param("sigma", 0.5)};
    QVERIFY(!analyticDensity(renamed, 0, 1, 0).has_value());
}

void TestPathStatistics::ouHistogramMatchesDensity() {
    const EquationSpec spec = ouSpec(1.0, 0.0, 1.0, 1.0);
    const CompiledEquation ou(spec);
    SimulationSettings s;
    s.paths = 20000;
    s.steps = 1000;
    s.savedTimes = 11;
    s.seed = 77;
    const SimulationResult r = simulate(ou, spec.initial, s);
    const int bins = 40;
    const Histogram h = computeHistogram(r, 0, 10, bins);
    const auto maxDiff = [&](double t) {
        double worst = 0;
        for (int i = 0; i < bins; ++i) {
            const double x = h.lo + (i + 0.5) * h.binWidth();
            worst = std::max(worst, std::abs(h.density[i] - *analyticDensity(spec, 0.0, t, x)));
        }
        return worst;
    };
    // Peak density ~0.61; its bin's standard error is sqrt(f / (N w)) ~ 0.019. 4.5 of them
    // bound the worst of 40 bins with margin; the density at a different time fails it.
    const double tolerance = 4.5 * std::sqrt(0.61 / (s.paths * h.binWidth()));
    const double diff = maxDiff(1.0);
    qInfo("OU t=1: max |histogram - density| = %.4f (tolerance %.4f)", diff, tolerance);
    QVERIFY(diff < tolerance);
    QVERIFY(maxDiff(0.5) > tolerance);
}

void TestPathStatistics::gbmHistogramMatchesLognormal() {
    EquationSpec spec;
    spec.variables = {"x"};
    spec.drift = {"mu*x"};
    spec.diffusion = {"sigma*x"};
    spec.parameters = {param("mu", 0.2), param("sigma", 0.5)};
    spec.initial = {1.0};
    spec.analytic = AnalyticKind::GeometricBrownianMotion;
    const CompiledEquation gbm(spec);
    SimulationSettings s;
    s.paths = 20000;
    s.steps = 1000;
    s.savedTimes = 2;
    const SimulationResult r = simulate(gbm, spec.initial, s);
    const Histogram h = computeHistogram(r, 0, 1, 30);
    double worst = 0, peak = 0;
    for (int i = 0; i < 30; ++i) {
        const double x = h.lo + (i + 0.5) * h.binWidth();
        const double f = *analyticDensity(spec, 0.0, 1.0, x);
        peak = std::max(peak, f);
        worst = std::max(worst, std::abs(h.density[i] - f));
    }
    const double tolerance = 4.5 * std::sqrt(peak / (s.paths * h.binWidth()));
    qInfo("GBM t=1: max |histogram - lognormal| = %.4f (tolerance %.4f)", worst, tolerance);
    QVERIFY(worst < tolerance);
}

void TestPathStatistics::snapshotDrawsFinitePathsEvenly() {
    std::vector<double> t0(10), t1(10);
    for (int p = 0; p < 10; ++p) {
        t0[p] = p;
        t1[p] = (p == 2 || p == 5) ? NaN : p;
    }
    auto result = std::make_shared<SimulationResult>(resultFromColumns({t0, t1}));
    TrajectoryConfig config;
    config.simulation.drawnPaths = 4;
    auto snap = makeTrajectorySnapshot(config, result);
    QCOMPARE(snap->drawnPathIndices, std::vector<int>({0, 3, 6, 8}));
    QCOMPARE(snap->bands.perComponent.size(), std::size_t(1));
    QCOMPARE(snap->bands.perComponent[0](QuantileBands::Mean, 1), 38.0 / 8);  // NaNs skipped
    QCOMPARE(snap->result.get(), result.get());
    config.simulation.drawnPaths = 200;  // capped at the finite paths
    snap = makeTrajectorySnapshot(config, result);
    QCOMPARE(snap->drawnPathIndices, std::vector<int>({0, 1, 3, 4, 6, 7, 8, 9}));
}

QTEST_GUILESS_MAIN(TestPathStatistics)
#include "test_path_statistics.moc"
