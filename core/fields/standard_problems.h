#pragma once
// Ready-made semilinear problems the tests, benchmarks and (later) presets share. Each returns
// a problem on the given grid; initial conditions are set through FieldSolver.
#include <cstdint>
#include <memory>
#include <vector>

#include "core/fields/semilinear.h"

namespace driftlab::core::fields {

// u_t = nu lap u.
std::shared_ptr<SemilinearProblem> makeHeatProblem(std::shared_ptr<const SpectralGrid> grid,
                                                   double nu);
// u_t = -c u_x (periodic only: L is odd in k).
std::shared_ptr<SemilinearProblem> makeAdvectionProblem(std::shared_ptr<const SpectralGrid> grid,
                                                        double c);
// u_t = -u u_x + nu u_xx, N in conservative form -(u^2 / 2)_x.
std::shared_ptr<SemilinearProblem> makeBurgersProblem(std::shared_ptr<const SpectralGrid> grid,
                                                      double nu, bool dealias = true);
// Kuramoto-Sivashinsky u_t = -u u_x - u_xx - u_xxxx (1-D, periodic), as in kursiv.m.
std::shared_ptr<SemilinearProblem> makeKuramotoSivashinskyProblem(
    std::shared_ptr<const SpectralGrid> grid, bool dealias = false);
// 2-D incompressible Navier-Stokes in vorticity form on a periodic grid:
//   omega_t = -(u omega_x + v omega_y) + nu lap omega,  lap psi = -omega, (u, v) = (psi_y, -psi_x)
// N reads omega_x, omega_y, u, v (4 backward transforms) and returns one grid field (1 forward):
// 5 real FFTs per evaluation, 20 per RK4 step. kolmogorov > 0 adds the forcing
// kolmogorov * sin(n y) (n = kolmogorovWavenumber) to N.
std::shared_ptr<SemilinearProblem> makeVorticityProblem(std::shared_ptr<const SpectralGrid> grid,
                                                        double nu, bool dealias = true,
                                                        double kolmogorov = 0.0,
                                                        int kolmogorovWavenumber = 4);

// A random vorticity with energy only in the shell kMin <= |k| <= kMax (integer wavenumbers
// of a 2 pi box, scaled to the grid's box), scaled to max |omega| = maxAbs; seeded.
std::vector<double> randomBandLimitedField(const SpectralGrid& grid, double kMin, double kMax,
                                           double maxAbs, std::uint64_t seed);

}  // namespace driftlab::core::fields
