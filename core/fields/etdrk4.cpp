#include "core/fields/etdrk4.h"

#include <cmath>
#include <numbers>

#include "core/common/error.h"
#include "core/fields/complex_math.h"

namespace driftlab::core::fields {

Etdrk4Stepper::Etdrk4Stepper(int contourPoints) : contourPoints_(contourPoints) {
    if (contourPoints < 4)
        throw ConfigError("ETDRK4 needs at least 4 contour points (got " +
                          std::to_string(contourPoints) + ")");
}

Etdrk4Stepper::Coefficients Etdrk4Stepper::coefficients(const AlignedArray<Complex>& linear,
                                                        double h, int contourPoints,
                                                        bool realLinear) {
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

void Etdrk4Stepper::prepare(const SemilinearProblem& problem, double h) {
    if (problem.id() == problem_ && h == h_) return;
    if (problem.id() != problem_) {
        for (SpectralState* s : {&nv_, &na_, &nb_, &nc_, &a_, &b_, &c_}) *s = problem.makeState();
        problem_ = problem.id();
    }
    coeffs_.clear();
    realCoeffs_.clear();
    for (int f = 0; f < problem.fieldCount(); ++f) {
        coeffs_.push_back(
            coefficients(problem.linear(f), h, contourPoints_, problem.linearIsReal()));
        if (!problem.linearIsReal()) continue;
        // A real L gives real coefficients: real-times-complex products in the stage loops.
        const Coefficients& c = coeffs_.back();
        std::array<AlignedArray<double>, 6> r;
        const AlignedArray<Complex>* src[6] = {&c.e, &c.e2, &c.q, &c.f1, &c.f2, &c.f3};
        for (int i = 0; i < 6; ++i) {
            r[i] = AlignedArray<double>(src[i]->size());
            for (std::size_t m = 0; m < r[i].size(); ++m) r[i][m] = (*src[i])[m].real();
        }
        realCoeffs_.push_back(std::move(r));
    }
    h_ = h;
}

namespace {

template <class C>
struct CoefficientView {
    const C *e, *e2, *q, *f1, *f2, *f3;
};

// The four stages of kursiv.m's loop, for coefficients of type C (double or Complex).
template <class C>
void etdStages(SemilinearProblem& problem, const CoefficientView<C>* k, const SpectralState& u,
               double t, double h, SpectralState& out, SpectralState& nv_, SpectralState& na_,
               SpectralState& nb_, SpectralState& nc_, SpectralState& a_, SpectralState& b_,
               SpectralState& c_) {
    const int nf = problem.fieldCount();
    const std::size_t n = problem.grid().modeCount();
    problem.nonlinear(u, t, nv_);
    for (int f = 0; f < nf; ++f) {
        const Complex *v = u[f].data(), *nv = nv_[f].data();
        Complex* a = a_[f].data();
        for (std::size_t m = 0; m < n; ++m) a[m] = mul(k[f].e2[m], v[m]) + mul(k[f].q[m], nv[m]);
    }
    problem.nonlinear(a_, t + 0.5 * h, na_);
    for (int f = 0; f < nf; ++f) {
        const Complex *v = u[f].data(), *na = na_[f].data();
        Complex* b = b_[f].data();
        for (std::size_t m = 0; m < n; ++m) b[m] = mul(k[f].e2[m], v[m]) + mul(k[f].q[m], na[m]);
    }
    problem.nonlinear(b_, t + 0.5 * h, nb_);
    for (int f = 0; f < nf; ++f) {
        const Complex *a = a_[f].data(), *nv = nv_[f].data(), *nb = nb_[f].data();
        Complex* c = c_[f].data();
        for (std::size_t m = 0; m < n; ++m)
            c[m] = mul(k[f].e2[m], a[m]) + mul(k[f].q[m], 2.0 * nb[m] - nv[m]);
    }
    problem.nonlinear(c_, t + h, nc_);
    for (int f = 0; f < nf; ++f) {
        const Complex *v = u[f].data(), *nv = nv_[f].data(), *na = na_[f].data(),
                      *nb = nb_[f].data(), *nc = nc_[f].data();
        Complex* o = out[f].data();
        for (std::size_t m = 0; m < n; ++m)
            o[m] = mul(k[f].e[m], v[m]) + mul(k[f].f1[m], nv[m]) +
                   mul(k[f].f2[m], 2.0 * (na[m] + nb[m])) + mul(k[f].f3[m], nc[m]);
    }
}

}  // namespace

void Etdrk4Stepper::step(SemilinearProblem& problem, const SpectralState& u, double t, double h,
                         SpectralState& out) {
    prepare(problem, h);
    if (problem.linearIsReal()) {
        std::array<CoefficientView<double>, 3> k{};  // at most 3 fields; no allocation per step
        for (std::size_t f = 0; f < realCoeffs_.size(); ++f) {
            const auto& r = realCoeffs_[f];
            k[f] = {r[0].data(), r[1].data(), r[2].data(), r[3].data(), r[4].data(), r[5].data()};
        }
        etdStages(problem, k.data(), u, t, h, out, nv_, na_, nb_, nc_, a_, b_, c_);
    } else {
        std::array<CoefficientView<Complex>, 3> k{};
        for (std::size_t f = 0; f < coeffs_.size(); ++f) {
            const auto& c = coeffs_[f];
            k[f] = {c.e.data(), c.e2.data(), c.q.data(), c.f1.data(), c.f2.data(), c.f3.data()};
        }
        etdStages(problem, k.data(), u, t, h, out, nv_, na_, nb_, nc_, a_, b_, c_);
    }
}

}  // namespace driftlab::core::fields
