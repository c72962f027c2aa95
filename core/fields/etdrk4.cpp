#include "core/fields/etdrk4.h"

#include <cmath>
#include <numbers>

#include "core/common/error.h"

namespace driftlab::core::fields {

Etdrk4Stepper::Etdrk4Stepper(int contourPoints) : contourPoints_(contourPoints)
{
    if (contourPoints < 4)
        throw ConfigError("ETDRK4 needs at least 4 contour points (got " +
                          std::to_string(contourPoints) + ")");
}

Etdrk4Stepper::Coefficients Etdrk4Stepper::coefficients(const AlignedArray<Complex>& linear,
                                                        double h, int contourPoints,
                                                        bool realLinear)
{
    const std::size_t n = linear.size();
    Coefficients c{AlignedArray<Complex>(n), AlignedArray<Complex>(n), AlignedArray<Complex>(n),
                   AlignedArray<Complex>(n), AlignedArray<Complex>(n), AlignedArray<Complex>(n)};
    const int M = contourPoints;
    const double pi = std::numbers::pi;
    std::vector<Complex> roots(M);
    // kursiv.m: r = exp(1i*pi*((1:M)-.5)/M), the upper half circle, then real(mean(...)).
    for (int j = 0; j < M; ++j)
        roots[j] = std::exp(Complex(0.0, (realLinear ? pi : 2.0 * pi) * (j + 0.5) / M));
    for (std::size_t m = 0; m < n; ++m) {
        const Complex hl = h * linear[m];
        c.e[m] = std::exp(hl);
        c.e2[m] = std::exp(0.5 * hl);
        Complex q = 0.0, f1 = 0.0, f2 = 0.0, f3 = 0.0;
        for (int j = 0; j < M; ++j) {
            const Complex z = hl + roots[j];
            const Complex ez = std::exp(z), z3 = z * z * z;
            q += (std::exp(0.5 * z) - 1.0) / z;
            f1 += (-4.0 - z + ez * (4.0 - 3.0 * z + z * z)) / z3;
            f2 += (2.0 + z + ez * (z - 2.0)) / z3;
            f3 += (-4.0 - 3.0 * z - z * z + ez * (4.0 - z)) / z3;
        }
        auto finish = [&](Complex sum) {
            const Complex mean = sum / double(M);
            return h * (realLinear ? Complex(mean.real(), 0.0) : mean);
        };
        c.q[m] = finish(q);
        c.f1[m] = finish(f1);
        c.f2[m] = finish(f2);
        c.f3[m] = finish(f3);
    }
    return c;
}

void Etdrk4Stepper::prepare(const SemilinearProblem& problem, double h)
{
    if (&problem == problem_ && h == h_) return;
    if (&problem != problem_) {
        for (SpectralState* s : {&nv_, &na_, &nb_, &nc_, &a_, &b_, &c_}) *s = problem.makeState();
        problem_ = &problem;
    }
    coeffs_.clear();
    for (int f = 0; f < problem.fieldCount(); ++f)
        coeffs_.push_back(coefficients(problem.linear(f), h, contourPoints_, problem.linearIsReal()));
    h_ = h;
}

void Etdrk4Stepper::step(SemilinearProblem& problem, const SpectralState& u, double t, double h,
                         SpectralState& out)
{
    prepare(problem, h);
    const int nf = problem.fieldCount();
    const std::size_t n = problem.grid().modeCount();
    problem.nonlinear(u, t, nv_);
    for (int f = 0; f < nf; ++f) {
        const Coefficients& k = coeffs_[f];
        const Complex *v = u[f].data(), *nv = nv_[f].data();
        Complex* a = a_[f].data();
        for (std::size_t m = 0; m < n; ++m) a[m] = k.e2[m] * v[m] + k.q[m] * nv[m];
    }
    problem.nonlinear(a_, t + 0.5 * h, na_);
    for (int f = 0; f < nf; ++f) {
        const Coefficients& k = coeffs_[f];
        const Complex *v = u[f].data(), *na = na_[f].data();
        Complex* b = b_[f].data();
        for (std::size_t m = 0; m < n; ++m) b[m] = k.e2[m] * v[m] + k.q[m] * na[m];
    }
    problem.nonlinear(b_, t + 0.5 * h, nb_);
    for (int f = 0; f < nf; ++f) {
        const Coefficients& k = coeffs_[f];
        const Complex *a = a_[f].data(), *nv = nv_[f].data(), *nb = nb_[f].data();
        Complex* c = c_[f].data();
        for (std::size_t m = 0; m < n; ++m) c[m] = k.e2[m] * a[m] + k.q[m] * (2.0 * nb[m] - nv[m]);
    }
    problem.nonlinear(c_, t + h, nc_);
    for (int f = 0; f < nf; ++f) {
        const Coefficients& k = coeffs_[f];
        const Complex *v = u[f].data(), *nv = nv_[f].data(), *na = na_[f].data(),
                      *nb = nb_[f].data(), *nc = nc_[f].data();
        Complex* o = out[f].data();
        for (std::size_t m = 0; m < n; ++m)
            o[m] = k.e[m] * v[m] + k.f1[m] * nv[m] + 2.0 * k.f2[m] * (na[m] + nb[m]) +
                   k.f3[m] * nc[m];
    }
}

}  // namespace driftlab::core::fields
