#include "core/fields/imex_sbdf2.h"

#include <cmath>

#include "core/fields/complex_math.h"

namespace driftlab::core::fields {

void ImexSbdf2Stepper::prepare(const SemilinearProblem& problem, double h) {
    if (problem.id() != problem_) {
        prevU_ = problem.makeState();
        prevN_ = problem.makeState();
        n_ = problem.makeState();
        problem_ = problem.id();
        haveHistory_ = false;
        tablesH_ = 0.0;
    }
    if (h == tablesH_) return;
    // The implicit solves are divisions per mode; their reciprocals are kept per step size.
    euler_.clear();
    bdf_.clear();
    for (int f = 0; f < problem.fieldCount(); ++f) {
        const AlignedArray<Complex>& l = problem.linear(f);
        AlignedArray<Complex> e(l.size()), b(l.size());
        for (std::size_t m = 0; m < l.size(); ++m) {
            e[m] = 1.0 / (1.0 - h * l[m]);
            b[m] = 1.0 / (3.0 - 2.0 * h * l[m]);
        }
        euler_.push_back(std::move(e));
        bdf_.push_back(std::move(b));
    }
    tablesH_ = h;
}

void ImexSbdf2Stepper::step(SemilinearProblem& problem, const SpectralState& u, double t, double h,
                            SpectralState& out) {
    prepare(problem, h);
    // The history is only valid for the next step of the same size.
    if (haveHistory_ && (h != h_ || std::abs(t - nextT_) > 1e-12 * (1.0 + std::abs(t))))
        haveHistory_ = false;
    const int nf = problem.fieldCount();
    const std::size_t n = problem.grid().modeCount();
    problem.nonlinear(u, t, n_);
    for (int f = 0; f < nf; ++f) {
        const Complex *v = u[f].data(), *nn = n_[f].data();
        Complex* o = out[f].data();
        if (!haveHistory_) {
            const Complex* e = euler_[f].data();
            for (std::size_t m = 0; m < n; ++m) o[m] = mul(e[m], v[m] + h * nn[m]);
        } else {
            const Complex *vp = prevU_[f].data(), *np = prevN_[f].data(), *b = bdf_[f].data();
            for (std::size_t m = 0; m < n; ++m)
                o[m] = mul(b[m], 4.0 * v[m] - vp[m] + 2.0 * h * (2.0 * nn[m] - np[m]));
        }
        std::copy(v, v + n, prevU_[f].data());
    }
    std::swap(prevN_, n_);
    haveHistory_ = true;
    h_ = h;
    nextT_ = t + h;
}

}  // namespace driftlab::core::fields
