#pragma once
// Fixed-step time steppers for a SemilinearProblem. Each declares its order and cost, and
// steps out of place (u at t -> out at t + h), so the caller keeps the last state when a
// step goes non-finite.
#include <memory>
#include <string>

#include "core/fields/semilinear.h"

namespace driftlab::core::fields {

enum class FieldScheme {
    Etdrk4,     // exponential time differencing RK4 (Cox & Matthews; Kassam & Trefethen)
    ImexSbdf2,  // implicit L, extrapolated N, 2nd-order backward differences
    Rk4,        // classical RK4 on the full right-hand side L u + N (explicit)
};

std::string fieldSchemeName(FieldScheme scheme);

class FieldStepper {
public:
    virtual ~FieldStepper() = default;
    virtual FieldScheme scheme() const = 0;
    std::string name() const { return fieldSchemeName(scheme()); }
    virtual int order() const = 0;
    // L is treated exactly or implicitly (no explicit stability limit from L).
    virtual bool stiff() const = 0;
    virtual int nonlinearEvaluationsPerStep() const = 0;
    // out = u(t + h) from u(t); out must not alias u.
    virtual void step(SemilinearProblem& problem, const SpectralState& u, double t, double h,
                      SpectralState& out) = 0;
    // Forget any history (multistep schemes restart), e.g. after the state was edited.
    virtual void reset() {}
};

struct FieldStepperOptions {
    int contourPoints = 32;  // ETDRK4: points M on the Kassam-Trefethen contour
};

std::unique_ptr<FieldStepper> makeFieldStepper(FieldScheme scheme,
                                               const FieldStepperOptions& options = {});

}  // namespace driftlab::core::fields
