#include "core/fields/imex_sbdf2.h"

#include <cmath>

namespace driftlab::core::fields {

void ImexSbdf2Stepper::step(SemilinearProblem& problem, const SpectralState& u, double t,
                            double h, SpectralState& out)
{
    if (&problem != problem_) {
        prevU_ = problem.makeState();
        prevN_ = problem.makeState();
        n_ = problem.makeState();
        problem_ = &problem;
        haveHistory_ = false;
    }
    // The history is only valid for the next step of the same size.
    if (haveHistory_ && (h != h_ || std::abs(t - nextT_) > 1e-12 * (1.0 + std::abs(t))))
        haveHistory_ = false;
    const int nf = problem.fieldCount();
    const std::size_t n = problem.grid().modeCount();
    problem.nonlinear(u, t, n_);
    for (int f = 0; f < nf; ++f) {
        const Complex *l = problem.linear(f).data(), *v = u[f].data(), *nn = n_[f].data();
        Complex* o = out[f].data();
        if (!haveHistory_) {
            for (std::size_t m = 0; m < n; ++m) o[m] = (v[m] + h * nn[m]) / (1.0 - h * l[m]);
        } else {
            const Complex *vp = prevU_[f].data(), *np = prevN_[f].data();
            for (std::size_t m = 0; m < n; ++m)
                o[m] = (4.0 * v[m] - vp[m] + 2.0 * h * (2.0 * nn[m] - np[m])) / (3.0 - 2.0 * h * l[m]);
        }
        std::copy(v, v + n, prevU_[f].data());
    }
    std::swap(prevN_, n_);
    haveHistory_ = true;
    h_ = h;
    nextT_ = t + h;
}

}  // namespace driftlab::core::fields
