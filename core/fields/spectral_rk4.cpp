#include "core/fields/spectral_rk4.h"

#include "core/fields/complex_math.h"

namespace driftlab::core::fields {

void SpectralRk4Stepper::step(SemilinearProblem& problem, const SpectralState& u, double t,
                              double h, SpectralState& out) {
    if (problem.id() != problem_) {
        k_ = problem.makeState();
        tmp_ = problem.makeState();
        problem_ = problem.id();
    }
    const int nf = problem.fieldCount();
    const std::size_t n = problem.grid().modeCount();
    // Stage s: k = L x + N(x, t_s) with x = u (s = 0) or tmp; out accumulates the weighted
    // stages and tmp becomes the next stage's argument, all in one pass per stage.
    const double weights[4] = {h / 6.0, h / 3.0, h / 3.0, h / 6.0};
    const double next[3] = {0.5 * h, 0.5 * h, h};
    const double times[4] = {t, t + 0.5 * h, t + 0.5 * h, t + h};
    for (int s = 0; s < 4; ++s) {
        const SpectralState& x = s == 0 ? u : tmp_;
        problem.nonlinear(x, times[s], k_);
        for (int f = 0; f < nf; ++f) {
            const Complex *l = problem.linear(f).data(), *v = u[f].data();
            Complex *k = k_[f].data(), *xt = tmp_[f].data(), *o = out[f].data();
            const Complex* xs = x[f].data();
            const double w = weights[s];
            if (s == 0) {
                for (std::size_t m = 0; m < n; ++m) {
                    const Complex kk = k[m] + mul(l[m], xs[m]);
                    o[m] = v[m] + w * kk;
                    xt[m] = v[m] + next[0] * kk;
                }
            } else if (s < 3) {
                const double c = next[s];
                for (std::size_t m = 0; m < n; ++m) {
                    const Complex kk = k[m] + mul(l[m], xs[m]);
                    o[m] += w * kk;
                    xt[m] = v[m] + c * kk;
                }
            } else {
                for (std::size_t m = 0; m < n; ++m) o[m] += w * (k[m] + mul(l[m], xs[m]));
            }
        }
    }
}

}  // namespace driftlab::core::fields
