// The semilinear-problem interface: N in spectral space equals N on the grid, coupled fields,
// x and t reaching N, the 2/3 rule removing exactly the aliased mode, odd output operators on
// wall grids (Burgers with Dirichlet walls against Cole-Hopf), and refused set-ups.
#include "core/common/error.h"
#include "core/fields/standard_problems.h"
#include "fields_test_support.h"

#include <QtTest>

#include <cmath>
#include <numbers>

using namespace driftlab::test;

namespace {

constexpr double kPi = std::numbers::pi;

std::vector<FieldDefinition> ksFields() {
    return {{"u", [](double k, double) { return Complex(k * k - k * k * k * k); }}};
}

}  // namespace

class TestFieldsSemilinear : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void spectralOutputMatchesGridOutput() {
        auto grid = testGrid(64, 0, 32 * kPi);
        // N = -(u^2/2)_x computed by the callback itself in spectral space.
        Nonlinearity n;
        n.inputs = {{0, {}}};
        n.output = Nonlinearity::Output::Spectral;
        std::vector<double> square(grid->pointCount());
        n.evaluate = [&square](const NonlinearArguments& a, const NonlinearResults& r) {
            const SpectralGrid& g = a.grid;
            for (std::size_t i = 0; i < g.pointCount(); ++i)
                square[i] = a.inputs[0][i] * a.inputs[0][i];
            g.forward(square.data(), r.spectral[0]);
            for (std::size_t m = 0; m < g.modeCount(); ++m)
                r.spectral[0][m] *= Complex(0.0, -0.5 * g.kx()[m]);
        };
        auto spectral = std::make_shared<SemilinearProblem>(grid, ksFields(), std::move(n), true);
        auto reference = makeKuramotoSivashinskyProblem(grid, true);
        auto a = makeSolver(spectral, FieldScheme::Etdrk4, 0.25);
        auto b = makeSolver(reference, FieldScheme::Etdrk4, 0.25);
        auto u0 = sampleGrid(
            *grid, [](double x, double) { return std::cos(x / 16) * (1 + std::sin(x / 16)); });
        a.setField(0, u0.data());
        b.setField(0, u0.data());
        a.advance(40);
        b.advance(40);
        const double err = maxAbsDiff(gridValues(a), gridValues(b));
        QVERIFY2(err < 1e-12, qPrintable(QString::number(err)));
        QVERIFY(maxAbsDiff(gridValues(a), u0) > 0.1);
    }

    void coupledFieldsRotate() {
        // u_t = D u_xx + v, v_t = D v_xx - u: each mode rotates while it decays;
        // u0 = cos x, v0 = 0 gives u = e^{-Dt} cos t cos x, v = -e^{-Dt} sin t cos x.
        const double d = 0.1, t1 = 2.0;
        auto grid = testGrid(16, 0, 2 * kPi);
        auto heat = [d](double k, double) { return Complex(-d * k * k); };
        Nonlinearity n;
        n.inputs = {{0, {}}, {1, {}}};
        n.evaluate = [](const NonlinearArguments& a, const NonlinearResults& r) {
            for (std::size_t i = 0; i < a.grid.pointCount(); ++i) {
                r.grid[0][i] = a.inputs[1][i];
                r.grid[1][i] = -a.inputs[0][i];
            }
        };
        auto problem = std::make_shared<SemilinearProblem>(
            grid, std::vector<FieldDefinition>{{"u", heat}, {"v", heat}}, std::move(n), false);
        for (FieldScheme scheme : {FieldScheme::Etdrk4, FieldScheme::Rk4}) {
            auto solver = makeSolver(problem, scheme, 0.01);
            auto u0 = sampleGrid(*grid, [](double x, double) { return std::cos(x); });
            std::vector<double> v0(grid->pointCount(), 0.0);
            solver.setField(0, u0.data());
            solver.setField(1, v0.data());
            solver.advanceTo(t1);
            const double e = std::exp(-d * t1);
            auto ue =
                sampleGrid(*grid, [&](double x, double) { return e * std::cos(t1) * std::cos(x); });
            auto ve = sampleGrid(*grid,
                                 [&](double x, double) { return -e * std::sin(t1) * std::cos(x); });
            const double err = std::max(maxAbsDiff(gridValues(solver, 0), ue),
                                        maxAbsDiff(gridValues(solver, 1), ve));
            qInfo("%s: coupled error %.3g", fieldSchemeName(scheme).c_str(), err);
            // Fourth order at h = 0.01 over t = 2: ETDRK4 1.2e-10, RK4 below it.
            QVERIFY2(err < 5e-10, (fieldSchemeName(scheme) + ": " + std::to_string(err)).c_str());
        }
    }

    void positionAndTimeReachN() {
        // u_t = cos(t) sin(x): u = u0 + sin(t) sin(x).
        auto grid = testGrid(16, 0, 2 * kPi);
        Nonlinearity n;
        n.evaluate = [](const NonlinearArguments& a, const NonlinearResults& r) {
            for (std::size_t i = 0; i < a.grid.pointCount(); ++i)
                r.grid[0][i] = std::cos(a.t) * std::sin(a.x[i]);
        };
        auto problem = std::make_shared<SemilinearProblem>(
            grid, std::vector<FieldDefinition>{{"u", {}}}, std::move(n), false);
        for (FieldScheme scheme : {FieldScheme::Etdrk4, FieldScheme::Rk4, FieldScheme::ImexSbdf2}) {
            auto solver = makeSolver(problem, scheme, 0.01);
            std::vector<double> u0(grid->pointCount(), 0.5);
            solver.setField(0, u0.data());
            solver.advanceTo(1.5);
            auto exact = sampleGrid(
                *grid, [](double x, double) { return 0.5 + std::sin(1.5) * std::sin(x); });
            const double err = maxAbsDiff(gridValues(solver), exact);
            QVERIFY2(err < (scheme == FieldScheme::ImexSbdf2 ? 1e-4 : 1e-10),
                     (fieldSchemeName(scheme) + ": " + std::to_string(err)).c_str());
        }
    }

    void twoThirdsRuleRemovesTheAliasedMode() {
        // On 32 points cos(10x)^2 = (1 + cos 20x)/2, and cos 20x aliases onto mode 12. The mask
        // keeps |m| <= 10, so de-aliased N has no mode 12; without the mask it does.
        auto grid = testGrid(32, 0, 2 * kPi);
        auto u0 = sampleGrid(*grid, [](double x, double) { return std::cos(10 * x); });
        for (bool dealias : {true, false}) {
            auto problem = makeBurgersProblem(grid, 0.0, dealias);
            SpectralState u = problem->makeState(), n = problem->makeState();
            problem->toSpectral(u0.data(), u[0]);
            problem->nonlinear(u, 0.0, n);
            // On the grid u^2 = 1/2 + cos(12 x)/2, whose half-spectrum coefficient at m = 12 is
            // 1/4; -(1/2) d/dx makes it -(1/2)(12 i)(1/4), of modulus 1.5.
            const double aliased = std::abs(n[0][12]);
            if (dealias)
                QVERIFY(aliased < 1e-15);
            else
                QVERIFY2(std::abs(aliased - 1.5) < 1e-13, qPrintable(QString::number(aliased)));
        }
    }

    void dirichletBurgersMatchesColeHopf() {
        // The Cole-Hopf solution u = 2 nu e^{-nu t} sin x / (a + e^{-nu t} cos x) vanishes at
        // x = 0 and pi: it solves Burgers on [0, pi] with Dirichlet walls, where N = -(u^2/2)_x
        // takes u^2 through a cosine transform and back to the sine basis.
        const double nu = 0.1, a = 1.5, t1 = 1.0;
        auto exact = [&](double x, double t) {
            const double e = std::exp(-nu * t);
            return 2 * nu * e * std::sin(x) / (a + e * std::cos(x));
        };
        auto grid = testGrid(64, 0, kPi, 0.0, Boundary::Dirichlet);
        auto solver = makeSolver(makeBurgersProblem(grid, nu), FieldScheme::Etdrk4, 0.01);
        auto u0 = sampleGrid(*grid, [&](double x, double) { return exact(x, 0.0); });
        solver.setField(0, u0.data());
        solver.advanceTo(t1);
        const auto ref = sampleGrid(*grid, [&](double x, double) { return exact(x, t1); });
        const double err = maxAbsDiff(gridValues(solver), ref);
        QVERIFY2(err < 1e-9, qPrintable(QString::number(err)));
    }

    void badProblemsAreRefused() {
        auto grid = testGrid(16, 0, 1.0);
        auto field = FieldDefinition{"u", {}};
        auto make = [&](std::vector<FieldDefinition> fields, Nonlinearity n) {
            SemilinearProblem p(grid, std::move(fields), std::move(n));
        };
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError, make({field, field, field, field}, {}));
        Nonlinearity readsV;
        readsV.inputs = {{1, {}}};
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError, make({field}, readsV));
        Nonlinearity yOn1D;
        yOn1D.inputs = {{0, {0, 1, 0, 1.0}}};
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError, make({field}, yOn1D));
        auto nan =
            FieldDefinition{"u", [](double k, double) { return Complex(std::log(k - 1e9)); }};
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError, make({nan}, {}));
    }
};

QTEST_GUILESS_MAIN(TestFieldsSemilinear)
#include "test_fields_semilinear.moc"
