// 2-D Navier-Stokes in vorticity form: Taylor-Green's exact decay with RK4 (the W5 set-up on
// a small grid), and, without viscosity, the energy and enstrophy the 2/3-truncated system
// conserves (which a wrong velocity would break: u = (psi_y, -psi_x) must be divergence-free).
#include "core/fields/standard_problems.h"
#include "fields_test_support.h"

#include <QtTest>

#include <cmath>
#include <numbers>

using namespace driftlab::test;

namespace {

constexpr double kPi = std::numbers::pi;

// Energy 1/2 sum |u_k|^2 = 1/2 sum |omega_k|^2 / |k|^2 and enstrophy 1/2 sum |omega_k|^2.
std::pair<double, double> energyAndEnstrophy(const FieldSolver& s) {
    const SpectralGrid& g = s.problem().grid();
    double e = 0.0, z = 0.0;
    for (std::size_t m = 0; m < g.modeCount(); ++m) {
        const double k2 = g.kx()[m] * g.kx()[m] + g.ky()[m] * g.ky()[m];
        const double w2 = std::norm(s.state()[0][m]) * g.modeWeight()[m];
        z += 0.5 * w2;
        if (k2 > 0) e += 0.5 * w2 / k2;
    }
    return {e, z};
}

}  // namespace

class TestFieldsNavierStokes : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void taylorGreenDecaysExactly_data() {
        QTest::addColumn<int>("n");
        QTest::addColumn<int>("threads");
        QTest::newRow("64^2") << 64 << 1;
        QTest::newRow("48x40") << 48 << 1;
    }
    void taylorGreenDecaysExactly() {
        QFETCH(int, n);
        QFETCH(int, threads);
        const double nu = 1e-3, dt = 2e-3;
        GridSpec spec;
        spec.nx = n;
        spec.ny = n == 48 ? 40 : n;
        spec.lx = spec.ly = 2 * kPi;
        spec.fft = {threads, PlanRigor::Estimate};
        auto grid = std::make_shared<SpectralGrid>(spec);
        auto solver = makeSolver(makeVorticityProblem(grid, nu), FieldScheme::Rk4, dt);
        // omega = 2 sin x sin y (u = sin x cos y, v = -cos x sin y): N vanishes identically,
        // omega(t) = omega(0) e^{-2 nu t}, but only if u, v, omega_x, omega_y all come out right.
        auto omega = [](double x, double y) { return 2 * std::sin(x) * std::sin(y); };
        auto w0 = sampleGrid(*grid, omega);
        solver.setField(0, w0.data());
        solver.advance(200);
        const double t = solver.time();
        QVERIFY(std::abs(t - 0.4) < 1e-12);
        auto exact = sampleGrid(
            *grid, [&](double x, double y) { return omega(x, y) * std::exp(-2 * nu * t); });
        const double rel = maxAbsDiff(gridValues(solver), exact) / maxAbs(exact);
        qInfo("Taylor-Green relative max error after 200 RK4 steps: %.3e", rel);
        QVERIFY2(rel <= 1e-10, qPrintable(QString::number(rel)));
        QCOMPARE(solver.stats().transformsPerStep(), 20.0);
    }

    void inviscidTruncationConservesEnergyAndEnstrophy() {
        auto grid = testGrid(32, 32, 2 * kPi);
        auto solver = makeSolver(makeVorticityProblem(grid, 0.0), FieldScheme::Rk4, 2e-3);
        auto w0 = randomBandLimitedField(*grid, 1.0, 8.0, 1.0, 7);
        QVERIFY(std::abs(maxAbs(w0) - 1.0) < 1e-14);
        solver.setField(0, w0.data());
        const auto [e0, z0] = energyAndEnstrophy(solver);
        const double mean0 = solver.state()[0][0].real();
        solver.advance(250);
        const auto [e1, z1] = energyAndEnstrophy(solver);
        qInfo("relative energy change %.2e, enstrophy change %.2e", e1 / e0 - 1, z1 / z0 - 1);
        QVERIFY(std::abs(e1 / e0 - 1) < 1e-9);
        QVERIFY(std::abs(z1 / z0 - 1) < 1e-9);
        QVERIFY(std::abs(solver.state()[0][0].real() - mean0) < 1e-15);
        // The flow did evolve (the test would pass trivially on a steady state).
        QVERIFY(maxAbsDiff(gridValues(solver), w0) > 1e-2);
    }

    void viscosityDissipatesEnstrophyAtTheExactRate() {
        // d/dt (1/2 sum |w_k|^2) = -nu sum |k|^2 |w_k|^2: check the ratio over one small step.
        const double nu = 0.05, dt = 1e-4;
        auto grid = testGrid(32, 32, 2 * kPi);
        auto solver = makeSolver(makeVorticityProblem(grid, nu), FieldScheme::Rk4, dt);
        auto w0 = randomBandLimitedField(*grid, 1.0, 6.0, 1.0, 11);
        solver.setField(0, w0.data());
        double palin = 0.0;
        const SpectralGrid& g = *grid;
        for (std::size_t m = 0; m < g.modeCount(); ++m)
            palin += std::norm(solver.state()[0][m]) * g.modeWeight()[m] *
                     (g.kx()[m] * g.kx()[m] + g.ky()[m] * g.ky()[m]);
        const double z0 = energyAndEnstrophy(solver).second;
        solver.advance(1);
        const double z1 = energyAndEnstrophy(solver).second;
        const double rate = (z1 - z0) / dt, expected = -nu * palin;
        QVERIFY2(std::abs(rate / expected - 1) < 1e-3,
                 qPrintable(QString("%1 vs %2").arg(rate).arg(expected)));
    }
};

QTEST_GUILESS_MAIN(TestFieldsNavierStokes)
#include "test_fields_navier_stokes.moc"
