#pragma once
// Classical RK4 on the full right-hand side F(u, t) = L u + N(u, t) in spectral space: no
// special treatment of L, so the explicit stability limit (|h L| below about 2.8 on the real
// axis) applies, which is the point of offering it next to the stiff schemes.
#include "core/fields/field_stepper.h"

namespace driftlab::core::fields {

class SpectralRk4Stepper : public FieldStepper {
public:
    FieldScheme scheme() const override { return FieldScheme::Rk4; }
    int order() const override { return 4; }
    bool stiff() const override { return false; }
    int nonlinearEvaluationsPerStep() const override { return 4; }
    void step(SemilinearProblem& problem, const SpectralState& u, double t, double h,
              SpectralState& out) override;

private:
    std::uint64_t problem_ = 0;  // id of the problem the work arrays are for
    SpectralState k_, tmp_;
};

}  // namespace driftlab::core::fields
