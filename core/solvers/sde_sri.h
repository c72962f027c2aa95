#pragma once
// An SRI-type stochastic Runge–Kutta scheme of strong order 1.5 for diagonal noise, so that
// adaptive stepping works beyond additive noise (SRA1 covers that).
#include "core/solvers/sde_steppers_higher.h"

namespace driftlab::core {

// SRIW1 (Rößler 2010, SIAM J. Numer. Anal. 48(3), the SRIW1 tableau as DifferentialEquations.jl
// ships it): Itô, strong order 1.5 for diagonal noise whose g_i depends on x_i only, weak
// order 2; two drift and four diffusion evaluations per step. Besides dW it needs the
// iterated integrals I_(1,1) = (dW^2 - dt)/2, I_(1,1,1) = (dW^3 - 3 dt dW)/6 and
// I_(1,0) = dt (dW/2 + H), H the space-time Lévy area (stepWithArea).
// Error estimate: the terms that lift the scheme from order 1 to 1.5 - the I_(1,0) and
// I_(1,1,1) diffusion terms and the drift's second stage, (2/3) dt (f(H0) - f(y)) - i.e. the
// difference to the embedded strong-order-1 scheme, as SRA1's estimate is built.
class SriW1Stepper final : public AreaSrkStepper {
public:
    std::string id() const override { return "sriw1"; }
    std::string name() const override { return "SRIW1"; }
    Calculus calculus() const override { return Calculus::Ito; }
    StepCost evaluationsPerStep(bool deterministic) const override;
    bool supports(NoiseType noise) const override {
        return noise == NoiseType::Diagonal || noise == NoiseType::Additive;
    }
    // The order-1.5 stages assume each g_i reads only x_i (measured in
    // test_sde_commutativity: with g_x(y), g_y(x) the strong order falls from 1.50 to 0.49).
    bool needsCommutativeNoise() const override { return true; }
    void stepWithArea(SdeWorker& worker, double t, double dt, Eigen::Ref<Eigen::MatrixXd> y,
                      const Eigen::Ref<const Eigen::MatrixXd>& dW,
                      const Eigen::Ref<const Eigen::MatrixXd>& H,
                      StepScratch& scratch) const override;
};

}  // namespace driftlab::core
