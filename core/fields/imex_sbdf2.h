#pragma once
// IMEX SBDF2 (semi-implicit BDF2; Ascher, Ruuth & Wetton 1995): L implicit, N extrapolated,
//   (3 u^{n+1} - 4 u^n + u^{n-1}) / (2h) = L u^{n+1} + 2 N^n - N^{n-1},
// diagonal in spectral space, so each step is a division per mode. The first step (and the
// first after a reset or a change of h) is IMEX Euler, u^1 = (u^0 + h N^0) / (1 - h L), whose
// O(h^2) local error keeps the global order 2.
#include "core/fields/field_stepper.h"

namespace driftlab::core::fields {

class ImexSbdf2Stepper : public FieldStepper {
public:
    FieldScheme scheme() const override { return FieldScheme::ImexSbdf2; }
    int order() const override { return 2; }
    bool stiff() const override { return true; }
    int nonlinearEvaluationsPerStep() const override { return 1; }
    void step(SemilinearProblem& problem, const SpectralState& u, double t, double h,
              SpectralState& out) override;
    void reset() override { haveHistory_ = false; }

private:
    void prepare(const SemilinearProblem& problem, double h);

    bool haveHistory_ = false;
    double tablesH_ = 0.0;
    std::vector<AlignedArray<Complex>> euler_, bdf_;  // 1/(1 - hL), 1/(3 - 2hL) per field
    double h_ = 0.0, nextT_ = 0.0;
    std::uint64_t problem_ = 0;  // id of the problem the work arrays are for
    SpectralState prevU_, prevN_, n_;
};

}  // namespace driftlab::core::fields
