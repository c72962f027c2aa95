#pragma once
// Shared set-up for the field-solver tests: grids without FFTW measuring (tests make many
// small grids) and a solver built from a problem, a scheme and a step.
#include <cmath>
#include <functional>
#include <memory>
#include <vector>

#include "core/fields/field_solver.h"
#include "core/fields/spectral_grid.h"

namespace driftlab::test {

using namespace driftlab::core::fields;

inline std::shared_ptr<SpectralGrid> testGrid(int nx, int ny, double lx, double ly = 0.0,
                                              Boundary boundary = Boundary::Periodic) {
    GridSpec spec;
    spec.nx = nx;
    spec.ny = ny;
    spec.lx = lx;
    spec.ly = ly > 0.0 ? ly : lx;
    spec.boundary = boundary;
    spec.fft.rigor = PlanRigor::Estimate;
    return std::make_shared<SpectralGrid>(spec);
}

inline std::vector<double> sampleGrid(const SpectralGrid& g,
                                      const std::function<double(double, double)>& f) {
    std::vector<double> v(g.pointCount());
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = f(g.x()[i], g.y()[i]);
    return v;
}

inline FieldSolver makeSolver(std::shared_ptr<SemilinearProblem> problem, FieldScheme scheme,
                              double dt, int contourPoints = 32) {
    FieldStepperOptions options;
    options.contourPoints = contourPoints;
    return FieldSolver(std::move(problem), makeFieldStepper(scheme, options), dt);
}

inline std::vector<double> gridValues(const FieldSolver& s, int field = 0) {
    std::vector<double> v(s.problem().grid().pointCount());
    s.fieldOnGrid(field, v.data());
    return v;
}

inline double maxAbsDiff(const std::vector<double>& a, const std::vector<double>& b) {
    double e = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) e = std::max(e, std::abs(a[i] - b[i]));
    return e;
}

inline double maxAbs(const std::vector<double>& a) {
    double e = 0.0;
    for (double x : a) e = std::max(e, std::abs(x));
    return e;
}

}  // namespace driftlab::test
