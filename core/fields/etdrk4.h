#pragma once
// ETDRK4 of Cox & Matthews (2002) with the coefficients computed as in Kassam & Trefethen,
// "Fourth-order time-stepping for stiff PDEs" (SIAM J. Sci. Comput. 26, 2005, and their
// kursiv.m): phi-type functions of z = hL are averaged over M points on a circle of radius 1
// around z, which avoids the cancellation of the direct formulas for small |z|. A real L
// uses the upper half circle and the real part (the function is real on the real axis); a
// complex L (advection, dispersion) the full circle.
#include <array>
#include <vector>

#include "core/fields/field_stepper.h"

namespace driftlab::core::fields {

class Etdrk4Stepper : public FieldStepper {
public:
    explicit Etdrk4Stepper(int contourPoints = 32);
    FieldScheme scheme() const override { return FieldScheme::Etdrk4; }
    int order() const override { return 4; }
    bool stiff() const override { return true; }
    int nonlinearEvaluationsPerStep() const override { return 4; }
    void step(SemilinearProblem& problem, const SpectralState& u, double t, double h,
              SpectralState& out) override;

    // The coefficients for one field (h included, as in kursiv.m): e = e^{hL},
    // e2 = e^{hL/2}, q = h (e^{z/2} - 1)/z, f1..f3 the Cox-Matthews weights. Exposed for tests.
    struct Coefficients {
        AlignedArray<Complex> e, e2, q, f1, f2, f3;
    };
    static Coefficients coefficients(const AlignedArray<Complex>& linear, double h,
                                     int contourPoints, bool realLinear);

private:
    void prepare(const SemilinearProblem& problem, double h);

    int contourPoints_;
    double h_ = 0.0;
    std::uint64_t problem_ = 0;  // id of the problem the work arrays are for
    std::vector<Coefficients> coeffs_;
    std::vector<std::array<AlignedArray<double>, 6>> realCoeffs_;  // when L is real
    SpectralState nv_, na_, nb_, nc_, a_, b_, c_;
};

}  // namespace driftlab::core::fields
