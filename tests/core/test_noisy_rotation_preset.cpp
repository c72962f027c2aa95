// The claim the general-noise preset teaches, checked with its own matrix: noise that only
// turns the point (column (-sr*y, sr*x), perpendicular to the state) leaves x^2 + y^2
// without noise, yet the Itô reading grows it at rate sr^2 - 2a while the Stratonovich
// reading decays it at -2a as if there were no noise.
#include "core/trajectories/trajectory_config.h"
#include "core/trajectories/trajectory_run.h"

#include <QtTest>

#include <cmath>

using namespace driftlab::core;

namespace {

constexpr double kT1 = 2.0;

// The preset with the shear and the common kick switched off: rotation noise alone.
TrajectoryConfig rotationOnly(const std::string& solver) {
    const TrajectoryConfig* preset = findPreset("noisy_rotation");
    if (!preset) throw std::runtime_error("noisy_rotation preset missing");
    TrajectoryConfig config = *preset;
    for (auto& p : config.equation.parameters)
        if (p.name == "sh" || p.name == "eps") p.value = 0.0;
    config.simulation.paths = 2000;
    config.simulation.steps = 1000;
    config.simulation.t1 = kT1;
    config.simulation.savedTimes = 2;
    config.simulation.solver = solver;
    return config;
}

double parameter(const TrajectoryConfig& config, const std::string& name) {
    for (const auto& p : config.equation.parameters)
        if (p.name == name) return p.value;
    throw std::runtime_error("no parameter " + name);
}

struct RadiusSquared {
    double mean = 0.0;
    double relativeSpread = 0.0;  // standard deviation / mean across paths
};

RadiusSquared radiusSquaredAtEnd(const TrajectoryConfig& config) {
    const TrajectoryRun run = runTrajectory(config, nullptr, {});
    const SimulationResult& result = *run.result;
    if (result.stats.nonFinitePaths != 0) throw std::runtime_error("non-finite paths");
    const Eigen::Index last = Eigen::Index(result.times.size()) - 1;
    const Eigen::ArrayXd r2 =
        result.states[0].col(last).array().square() + result.states[1].col(last).array().square();
    RadiusSquared out;
    out.mean = r2.mean();
    out.relativeSpread = std::sqrt((r2 - out.mean).square().mean()) / out.mean;
    return out;
}

}  // namespace

class TestNoisyRotationPreset : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void presetHasThreeNonCommutingMotions() {
        const TrajectoryConfig* preset = findPreset("noisy_rotation");
        QVERIFY(preset);
        QCOMPARE(preset->equation.noiseMatrix.size(), std::size_t(2));
        QCOMPARE(preset->equation.noiseMatrix[0].size(), std::size_t(3));
    }

    void itoRotationNoisePumpsEnergy() {
        const TrajectoryConfig config = rotationOnly("euler_maruyama");
        const double a = parameter(config, "a"), sr = parameter(config, "sr");
        const double r0sq = 1.5 * 1.5;
        const RadiusSquared r2 = radiusSquaredAtEnd(config);
        const double expected = r0sq * std::exp((sr * sr - 2 * a) * kT1);
        qInfo("Ito (Euler-Maruyama): E r^2(%g) = %.4f, formula %.4f", kT1, r2.mean, expected);
        QVERIFY2(std::abs(r2.mean / expected - 1) < 0.02,
                 qPrintable(QString("E r^2 = %1, Ito formula %2").arg(r2.mean).arg(expected)));
        // Far from what the same noise read as Stratonovich gives: the difference is real.
        QVERIFY(r2.mean > 1.5 * r0sq * std::exp(-2 * a * kT1));
    }

    void stratonovichRotationNoiseOnlyTurns() {
        const TrajectoryConfig config = rotationOnly("stochastic_heun");
        const double a = parameter(config, "a");
        const RadiusSquared r2 = radiusSquaredAtEnd(config);
        const double expected = 1.5 * 1.5 * std::exp(-2 * a * kT1);
        qInfo("Stratonovich (stochastic Heun): E r^2(%g) = %.4f, noise-free %.4f, spread %.4f", kT1,
              r2.mean, expected, r2.relativeSpread);
        QVERIFY2(std::abs(r2.mean / expected - 1) < 0.02,
                 qPrintable(QString("E r^2 = %1, noise-free decay %2").arg(r2.mean).arg(expected)));
        // Path by path, not only on average: the radius hardly varies between paths.
        QVERIFY2(r2.relativeSpread < 0.05, qPrintable(QString::number(r2.relativeSpread)));
    }
};

QTEST_MAIN(TestNoisyRotationPreset)
#include "test_noisy_rotation_preset.moc"
