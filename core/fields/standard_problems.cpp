#include "core/fields/standard_problems.h"

#include <cmath>
#include <numbers>

#include "core/common/error.h"
#include "core/common/random.h"

namespace driftlab::core::fields {

namespace {

// N = -(u^2 / 2)_x: the grid output is u^2, the output operator -1/2 d/dx.
Nonlinearity conservativeQuadratic() {
    Nonlinearity n;
    n.inputs = {{0, {}}};
    n.outputOperators = {{1, 0, 0, -0.5}};
    n.evaluate = [](const NonlinearArguments& a, const NonlinearResults& r) {
        const double* u = a.inputs[0];
        double* out = r.grid[0];
        for (std::size_t i = 0; i < a.grid.pointCount(); ++i) out[i] = u[i] * u[i];
    };
    return n;
}

}  // namespace

std::shared_ptr<SemilinearProblem> makeHeatProblem(std::shared_ptr<const SpectralGrid> grid,
                                                   double nu) {
    return std::make_shared<SemilinearProblem>(
        std::move(grid),
        std::vector<FieldDefinition>{
            {"u", [nu](double kx, double ky) { return Complex(-nu * (kx * kx + ky * ky)); }}},
        Nonlinearity{}, false);
}

std::shared_ptr<SemilinearProblem> makeAdvectionProblem(std::shared_ptr<const SpectralGrid> grid,
                                                        double c) {
    return std::make_shared<SemilinearProblem>(
        std::move(grid),
        std::vector<FieldDefinition>{
            {"u", [c](double kx, double) { return Complex(0.0, -c * kx); }}},
        Nonlinearity{}, false);
}

std::shared_ptr<SemilinearProblem> makeBurgersProblem(std::shared_ptr<const SpectralGrid> grid,
                                                      double nu, bool dealias) {
    return std::make_shared<SemilinearProblem>(
        std::move(grid),
        std::vector<FieldDefinition>{
            {"u", [nu](double kx, double) { return Complex(-nu * kx * kx); }}},
        conservativeQuadratic(), dealias);
}

std::shared_ptr<SemilinearProblem> makeKuramotoSivashinskyProblem(
    std::shared_ptr<const SpectralGrid> grid, bool dealias) {
    if (grid->dimension() != 1 || !grid->periodic())
        throw ConfigError("the Kuramoto-Sivashinsky problem is set up on a 1-D periodic grid");
    return std::make_shared<SemilinearProblem>(
        std::move(grid),
        std::vector<FieldDefinition>{
            {"u", [](double kx, double) { return Complex(kx * kx - kx * kx * kx * kx); }}},
        conservativeQuadratic(), dealias);
}

std::shared_ptr<SemilinearProblem> makeVorticityProblem(std::shared_ptr<const SpectralGrid> grid,
                                                        double nu, bool dealias, double kolmogorov,
                                                        int kolmogorovWavenumber) {
    if (grid->dimension() != 2 || !grid->periodic())
        throw ConfigError("the vorticity equation is set up on a 2-D periodic grid");
    Nonlinearity n;
    // psi = -lap^{-1} omega: u = psi_y = -(d/dy lap^{-1}) omega, v = -psi_x = (d/dx lap^{-1})
    // omega.
    n.inputs = {
        {0, {1, 0, 0, 1.0}}, {0, {0, 1, 0, 1.0}}, {0, {0, 1, -1, -1.0}}, {0, {1, 0, -1, 1.0}}};
    const double ky = 2.0 * std::numbers::pi * kolmogorovWavenumber / grid->spec().ly;
    n.evaluate = [kolmogorov, ky](const NonlinearArguments& a, const NonlinearResults& r) {
        const double *wx = a.inputs[0], *wy = a.inputs[1], *u = a.inputs[2], *v = a.inputs[3];
        double* out = r.grid[0];
        const std::size_t n = a.grid.pointCount();
        for (std::size_t i = 0; i < n; ++i) out[i] = -(u[i] * wx[i] + v[i] * wy[i]);
        if (kolmogorov != 0.0)
            for (std::size_t i = 0; i < n; ++i) out[i] += kolmogorov * std::sin(ky * a.y[i]);
    };
    return std::make_shared<SemilinearProblem>(
        std::move(grid),
        std::vector<FieldDefinition>{
            {"omega",
             [nu](double kx, double ky2) { return Complex(-nu * (kx * kx + ky2 * ky2)); }}},
        std::move(n), dealias);
}

std::vector<double> randomBandLimitedField(const SpectralGrid& grid, double kMin, double kMax,
                                           double maxAbs, std::uint64_t seed) {
    if (!grid.periodic())
        throw ConfigError("random band-limited fields are made on periodic grids");
    RandomStream rng(seed, 0);
    AlignedArray<Complex> coeffs(grid.modeCount());
    const double sx = grid.spec().lx / (2.0 * std::numbers::pi);
    const double sy = grid.dimension() == 2 ? grid.spec().ly / (2.0 * std::numbers::pi) : 1.0;
    for (std::size_t m = 0; m < grid.modeCount(); ++m) {
        // Integer wavenumbers of the equivalent 2 pi box.
        const double k = std::hypot(grid.kx()[m] * sx, grid.ky()[m] * sy);
        const double amplitude = rng.normal(), phase = 2.0 * std::numbers::pi * rng.uniform();
        if (k >= kMin - 1e-12 && k <= kMax + 1e-12) coeffs[m] = std::polar(amplitude, phase);
    }
    std::vector<double> values(grid.pointCount());
    grid.backward(coeffs.data(), values.data());
    double peak = 0.0;
    for (double v : values) peak = std::max(peak, std::abs(v));
    if (peak > 0.0)
        for (double& v : values) v *= maxAbs / peak;
    return values;
}

}  // namespace driftlab::core::fields
