// Field solvers against exact solutions: heat (periodic 1-D / 2-D, Dirichlet and Neumann
// walls), advection (exact shift), viscous Burgers against Cole-Hopf; mass conservation,
// transform counts, blow-up reporting and refused set-ups.
#include "core/common/error.h"
#include "core/fields/standard_problems.h"
#include "fields_test_support.h"

#include <QtTest>

#include <cmath>
#include <numbers>

using namespace driftlab::test;

namespace {

constexpr double kPi = std::numbers::pi;

}  // namespace

class TestFieldsSolvers : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void periodicHeatIsExact_data() {
        QTest::addColumn<int>("ny");
        QTest::newRow("1-D") << 0;
        QTest::newRow("2-D") << 24;
    }
    void periodicHeatIsExact() {
        QFETCH(int, ny);
        const double nu = 0.3, t1 = 1.0;
        auto grid = testGrid(32, ny, 2 * kPi);
        auto solver = makeSolver(makeHeatProblem(grid, nu), FieldScheme::Etdrk4, 0.1);
        auto u0 = sampleGrid(*grid, [](double x, double y) {
            return std::sin(x) * std::cos(2 * y) + 0.5 * std::cos(3 * x);
        });
        solver.setField(0, u0.data());
        solver.advanceTo(t1);
        QCOMPARE(solver.stats().steps, 10LL);
        const double k2 = ny > 0 ? 5.0 : 1.0;
        auto exact = sampleGrid(*grid, [&](double x, double y) {
            return std::exp(-nu * k2 * t1) * std::sin(x) * std::cos(2 * y) +
                   0.5 * std::exp(-9 * nu * t1) * std::cos(3 * x);
        });
        const double err = maxAbsDiff(gridValues(solver), exact);
        QVERIFY2(err < 1e-14, qPrintable(QString::number(err)));
    }

    void advectionShiftsExactly() {
        const double c = 1.3, t1 = 2.0;
        auto grid = testGrid(64, 0, 2 * kPi);
        auto solver = makeSolver(makeAdvectionProblem(grid, c), FieldScheme::Etdrk4, 0.05);
        auto f = [](double x) { return std::exp(std::sin(x)); };
        auto u0 = sampleGrid(*grid, [&](double x, double) { return f(x); });
        solver.setField(0, u0.data());
        solver.advanceTo(t1);
        auto exact = sampleGrid(*grid, [&](double x, double) { return f(x - c * t1); });
        const double err = maxAbsDiff(gridValues(solver), exact);
        QVERIFY2(err < 1e-13, qPrintable(QString::number(err)));
    }

    void wallHeatMatchesSeparableSolutions_data() {
        QTest::addColumn<int>("boundary");
        QTest::addColumn<int>("ny");
        QTest::addColumn<int>("scheme");
        QTest::newRow("Dirichlet 1-D ETDRK4")
            << int(Boundary::Dirichlet) << 0 << int(FieldScheme::Etdrk4);
        QTest::newRow("Neumann 1-D ETDRK4")
            << int(Boundary::Neumann) << 0 << int(FieldScheme::Etdrk4);
        QTest::newRow("Dirichlet 2-D ETDRK4")
            << int(Boundary::Dirichlet) << 12 << int(FieldScheme::Etdrk4);
        QTest::newRow("Neumann 2-D ETDRK4")
            << int(Boundary::Neumann) << 12 << int(FieldScheme::Etdrk4);
        QTest::newRow("Dirichlet 1-D RK4")
            << int(Boundary::Dirichlet) << 0 << int(FieldScheme::Rk4);
    }
    void wallHeatMatchesSeparableSolutions() {
        QFETCH(int, boundary);
        QFETCH(int, ny);
        QFETCH(int, scheme);
        const double nu = 0.2, lx = 2.0, ly = 3.0, t1 = 0.5;
        const bool dir = Boundary(boundary) == Boundary::Dirichlet;
        auto grid = testGrid(20, ny, lx, ly, Boundary(boundary));
        const double dt = FieldScheme(scheme) == FieldScheme::Rk4 ? 1e-3 : 0.05;
        auto solver = makeSolver(makeHeatProblem(grid, nu), FieldScheme(scheme), dt);
        auto phi = [dir](double k, double x) { return dir ? std::sin(k * x) : std::cos(k * x); };
        const double k1 = kPi / lx, k3 = 3 * kPi / lx, ky = ny > 0 ? 2 * kPi / ly : 0.0;
        auto u = [&](double x, double y, double t) {
            const double fy = ny > 0 ? phi(ky, y) : 1.0;
            return std::exp(-nu * (k1 * k1 + ky * ky) * t) * phi(k1, x) * fy +
                   0.4 * std::exp(-nu * (k3 * k3 + ky * ky) * t) * phi(k3, x) * fy;
        };
        auto u0 = sampleGrid(*grid, [&](double x, double y) { return u(x, y, 0.0); });
        solver.setField(0, u0.data());
        solver.advanceTo(t1);
        const auto exact = sampleGrid(*grid, [&](double x, double y) { return u(x, y, t1); });
        const double err = maxAbsDiff(gridValues(solver), exact);
        // RK4's time error at h nu k^2 ~ 5e-3 is ~1e-12 here; ETDRK4 is exact for a linear L.
        QVERIFY2(err < (FieldScheme(scheme) == FieldScheme::Rk4 ? 1e-11 : 1e-14),
                 qPrintable(QString::number(err)));
    }

    void shiftedDomainsKeepTheirCoordinates() {
        // [-1, 1] with Dirichlet walls: cos(pi x / 2) is the first sine mode of x - x0.
        GridSpec spec;
        spec.nx = 16;
        spec.lx = 2.0;
        spec.x0 = -1.0;
        spec.boundary = Boundary::Dirichlet;
        spec.fft.rigor = PlanRigor::Estimate;
        auto walls = std::make_shared<SpectralGrid>(spec);
        QCOMPARE(walls->x().front(), -1.0);
        QCOMPARE(walls->x().back(), 1.0);
        const double nu = 0.1, k = kPi / 2;
        auto heat = makeSolver(makeHeatProblem(walls, nu), FieldScheme::Etdrk4, 0.1);
        auto u0 = sampleGrid(*walls, [k](double x, double) { return std::cos(k * x); });
        heat.setField(0, u0.data());
        heat.advanceTo(1.0);
        auto exact = sampleGrid(
            *walls, [&](double x, double) { return std::exp(-nu * k * k) * std::cos(k * x); });
        QVERIFY(maxAbsDiff(gridValues(heat), exact) < 1e-14);
        // Periodic [-1, 1): advection of exp(sin(pi x)) by half a period.
        spec.boundary = Boundary::Periodic;
        spec.nx = 48;
        auto ring = std::make_shared<SpectralGrid>(spec);
        auto adv = makeSolver(makeAdvectionProblem(ring, 1.0), FieldScheme::Etdrk4, 0.05);
        auto f = [](double x) { return std::exp(std::sin(kPi * x)); };
        auto v0 = sampleGrid(*ring, [&](double x, double) { return f(x); });
        adv.setField(0, v0.data());
        adv.advanceTo(1.0);
        auto shifted = sampleGrid(*ring, [&](double x, double) { return f(x - 1.0); });
        QVERIFY(maxAbsDiff(gridValues(adv), shifted) < 1e-13);
    }

    void burgersMatchesColeHopf_data() {
        QTest::addColumn<int>("scheme");
        QTest::addColumn<double>("dt");
        QTest::addColumn<double>("tolerance");
        QTest::newRow("ETDRK4") << int(FieldScheme::Etdrk4) << 0.01 << 1e-10;
        QTest::newRow("RK4") << int(FieldScheme::Rk4) << 0.005 << 1e-10;
        QTest::newRow("IMEX SBDF2") << int(FieldScheme::ImexSbdf2) << 0.002 << 1e-5;
    }
    void burgersMatchesColeHopf() {
        QFETCH(int, scheme);
        QFETCH(double, dt);
        QFETCH(double, tolerance);
        // u = -2 nu phi_x / phi with phi = a + e^{-nu t} cos x solving the heat equation.
        const double nu = 0.1, a = 1.2, t1 = 1.0;
        auto exact = [&](double x, double t) {
            const double e = std::exp(-nu * t);
            return 2 * nu * e * std::sin(x) / (a + e * std::cos(x));
        };
        auto grid = testGrid(128, 0, 2 * kPi);
        auto solver = makeSolver(makeBurgersProblem(grid, nu), FieldScheme(scheme), dt);
        auto u0 = sampleGrid(*grid, [&](double x, double) { return exact(x, 0.0); });
        solver.setField(0, u0.data());
        solver.advanceTo(t1);
        const auto ref = sampleGrid(*grid, [&](double x, double) { return exact(x, t1); });
        const double err = maxAbsDiff(gridValues(solver), ref);
        qInfo("%s: max error %.3g", fieldSchemeName(FieldScheme(scheme)).c_str(), err);
        QVERIFY2(err < tolerance, qPrintable(QString::number(err)));
        QVERIFY(maxAbs(ref) > 0.2);  // the nonlinear term matters at this amplitude
    }

    void massIsConservedToRoundOff_data() {
        QTest::addColumn<int>("scheme");
        QTest::newRow("ETDRK4") << int(FieldScheme::Etdrk4);
        QTest::newRow("IMEX SBDF2") << int(FieldScheme::ImexSbdf2);
        QTest::newRow("RK4") << int(FieldScheme::Rk4);
    }
    void massIsConservedToRoundOff() {
        QFETCH(int, scheme);
        // Kuramoto-Sivashinsky: L(0) = 0 and N = -(u^2/2)_x has no mean, so the mean stays.
        auto grid = testGrid(64, 0, 32 * kPi);
        auto solver = makeSolver(makeKuramotoSivashinskyProblem(grid), FieldScheme(scheme),
                                 FieldScheme(scheme) == FieldScheme::Rk4 ? 0.02 : 0.05);
        auto u0 = sampleGrid(*grid, [](double x, double) {
            return 0.3 + std::cos(x / 16) * (1 + std::sin(x / 16));
        });
        solver.setField(0, u0.data());
        const double mass0 = solver.state()[0][0].real();
        solver.advanceTo(10.0);
        QVERIFY(std::abs(mass0 - 0.3) < 1e-14);
        QVERIFY2(std::abs(solver.state()[0][0].real() - mass0) < 1e-14,
                 qPrintable(QString::number(solver.state()[0][0].real() - mass0)));
        // Neumann heat: the cosine mean coefficient is untouched by L.
        auto walls = testGrid(16, 0, 1.0, 0.0, Boundary::Neumann);
        auto heat = makeSolver(makeHeatProblem(walls, 1.0), FieldScheme(scheme), 1e-3);
        auto v0 = sampleGrid(*walls,
                             [](double x, double) { return x * x * (1 - x) * (1 - x) + 0.1 * x; });
        heat.setField(0, v0.data());
        const double m0 = heat.state()[0][0].real();
        heat.advance(200);
        QVERIFY(std::abs(heat.state()[0][0].real() - m0) < 1e-15);
    }

    void transformsPerStepAreCounted() {
        auto ks = makeSolver(makeKuramotoSivashinskyProblem(testGrid(64, 0, 32 * kPi)),
                             FieldScheme::Etdrk4, 0.25);
        ks.advance(10);
        QCOMPARE(ks.stats().transformsPerStep(), 8.0);  // 4 stages x (1 backward + 1 forward)
        QCOMPARE(ks.stats().nonlinearEvaluations, 40LL);
        auto ns = makeSolver(makeVorticityProblem(testGrid(16, 16, 2 * kPi), 1e-3),
                             FieldScheme::Rk4, 2e-3);
        ns.advance(3);
        QCOMPARE(ns.stats().transformsPerStep(), 20.0);
        auto imex = makeSolver(makeBurgersProblem(testGrid(32, 0, 2 * kPi), 0.1),
                               FieldScheme::ImexSbdf2, 0.01);
        imex.advance(5);
        QCOMPARE(imex.stats().transformsPerStep(), 2.0);
    }

    void blowUpNamesFieldTimeAndStep() {
        // RK4 on u_t = u_xx with h k_max^2 = 0.05 * 32^2 ~ 51, far beyond the explicit limit.
        auto grid = testGrid(64, 0, 2 * kPi);
        auto solver = makeSolver(makeHeatProblem(grid, 1.0), FieldScheme::Rk4, 0.05);
        auto u0 = sampleGrid(
            *grid, [](double x, double) { return std::sin(x) + 1e-3 * std::sin(30 * x); });
        solver.setField(0, u0.data());
        QString message;
        try {
            solver.advance(10000);
        } catch (const driftlab::SolverError& e) {
            message = e.what();
        }
        QVERIFY2(message.startsWith("u became non-finite at t = "), qPrintable(message));
        QVERIFY2(message.contains(QString(", step %1").arg(solver.stats().steps + 1)),
                 qPrintable(message));
        QVERIFY(message.contains("stiff scheme"));
        QVERIFY(solver.stats().steps > 10 && solver.stats().steps < 10000);
        // The last finite state is kept.
        const auto kept = gridValues(solver);
        for (double v : kept) QVERIFY(std::isfinite(v));
    }

    void wallsRefuseOddLinearTerms() {
        auto walls = testGrid(16, 0, 1.0, 0.0, Boundary::Dirichlet);
        QString message;
        try {
            makeAdvectionProblem(walls, 1.0);
        } catch (const driftlab::ConfigError& e) {
            message = e.what();
        }
        QVERIFY2(message.contains("cannot be used with Dirichlet walls"), qPrintable(message));
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError,
                                 makeKuramotoSivashinskyProblem(testGrid(8, 8, 1.0)));
    }
};

QTEST_GUILESS_MAIN(TestFieldsSolvers)
#include "test_fields_solvers.moc"
