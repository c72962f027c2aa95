#pragma once
// Steppers beyond Euler–Maruyama and stochastic Heun: Milstein (Itô and Stratonovich),
// Euler–Heun, reversible Heun and SRA1. Same contract as sde_steppers.h: stateless objects,
// batches dim x n, everything that changes in the worker and the scratch.
//
// "Diagonal" noise here means what the Milstein correction needs: g_i depends on x_i only
// (commutative noise). A diagonal g whose entries read other components is non-commutative
// and these schemes drop to strong order 0.5 on it (measured in test_sde_commutativity), so
// Milstein refuses systems that report such noise (needsCommutativeNoise); the Heun schemes
// take it at their lower order.
#include "core/solvers/sde_steppers.h"

namespace driftlab::core {

// Milstein: Euler–Maruyama plus 1/2 g g' (dW^2 - dt) (Itô) or 1/2 g g' dW^2 (Stratonovich).
// g g' is the derivative of g along g by a forward difference (one extra diffusion
// evaluation), which for scalar noise is exactly the (g . grad) g that scheme needs.
// General noise only when the system declares commuting columns (then m extra diffusion
// evaluations, one derivative along each column). Strong order 1, weak order 1.
class MilsteinStepper final : public SdeStepper {
public:
    explicit MilsteinStepper(Calculus calculus) : calculus_(calculus) {}
    std::string id() const override;
    std::string name() const override;
    Calculus calculus() const override { return calculus_; }
    double strongOrder(NoiseType) const override { return 1.0; }
    double weakOrder() const override { return 1.0; }
    StepCost evaluationsPerStep(bool deterministic) const override;
    StepCost evaluationsPerStepWithMatrixNoise(int matrixNoiseColumns) const override;
    bool supports(NoiseType noise) const override { return noise != NoiseType::General; }
    bool supportsCommutativeNoise() const override { return true; }
    bool needsCommutativeNoise() const override { return true; }
    void step(SdeWorker& worker, double t, double dt, Eigen::Ref<Eigen::MatrixXd> y,
              const Eigen::Ref<const Eigen::MatrixXd>& dW, StepScratch& scratch) const override;

private:
    void stepCommutativeMatrixNoise(SdeWorker& worker, double t, double dt,
                                    Eigen::Ref<Eigen::MatrixXd> y,
                                    const Eigen::Ref<const Eigen::MatrixXd>& dW,
                                    StepScratch& scratch) const;
    Calculus calculus_;
};

// Euler–Heun: Euler drift, Heun-averaged noise (g(y) + g(y + g dW)) / 2 - the cheapest
// Stratonovich scheme (one drift evaluation). Strong order 1 for commutative noise, 0.5 for
// general noise.
class EulerHeunStepper final : public SdeStepper {
public:
    std::string id() const override { return "euler_heun"; }
    std::string name() const override { return "Euler–Heun"; }
    Calculus calculus() const override { return Calculus::Stratonovich; }
    double strongOrder(NoiseType noise) const override;
    double weakOrder() const override { return 1.0; }
    StepCost evaluationsPerStep(bool deterministic) const override;
    bool supports(NoiseType) const override { return true; }
    void step(SdeWorker& worker, double t, double dt, Eigen::Ref<Eigen::MatrixXd> y,
              const Eigen::Ref<const Eigen::MatrixXd>& dW, StepScratch& scratch) const override;
};

// Reversible Heun (Kidger, Foster, Li & Lyons 2021): carries a second state z with f(z),
// g(z) and is algebraically reversible, so a backward pass reconstructs every forward state
// from the last one (stepBack) instead of storing them - the basis of the constant-memory
// SDE adjoint. Stratonovich; strong order 0.5 in general, 1 for additive noise; one drift
// and one diffusion evaluation per step; any noise (with general noise the carried g(z) is
// the dim x m matrix). begin() must be called before the first step.
class ReversibleHeunStepper final : public SdeStepper {
public:
    std::string id() const override { return "reversible_heun"; }
    std::string name() const override { return "Reversible Heun"; }
    Calculus calculus() const override { return Calculus::Stratonovich; }
    double strongOrder(NoiseType noise) const override;
    // Not established in the literature; the strong order is a lower bound.
    double weakOrder() const override { return 0.5; }
    StepCost evaluationsPerStep(bool deterministic) const override;
    bool supports(NoiseType) const override { return true; }
    void begin(SdeWorker& worker, double t0, const Eigen::Ref<const Eigen::MatrixXd>& y0,
               StepScratch& scratch) const override;
    void step(SdeWorker& worker, double t, double dt, Eigen::Ref<Eigen::MatrixXd> y,
              const Eigen::Ref<const Eigen::MatrixXd>& dW, StepScratch& scratch) const override;
    // Undoes step(worker, t, dt, y, dW, scratch): y and the scratch state go from t + dt back
    // to t, exactly up to rounding. Same t, dt and dW as the forward step.
    void stepBack(SdeWorker& worker, double t, double dt, Eigen::Ref<Eigen::MatrixXd> y,
                  const Eigen::Ref<const Eigen::MatrixXd>& dW, StepScratch& scratch) const;
};

// The stochastic Runge–Kutta methods of strong order 1.5 (SRA1, SRIW1): they read the
// space-time Lévy area besides dW, so only stepWithArea() steps with noise; step() takes the
// deterministic form (no dW columns) and refuses noise with a SolverError.
class AreaSrkStepper : public SdeStepper {
public:
    double strongOrder(NoiseType) const override { return 1.5; }
    double weakOrder() const override { return 2.0; }
    bool hasErrorEstimate() const override { return true; }
    bool needsSpaceTimeArea() const override { return true; }
    void step(SdeWorker& worker, double t, double dt, Eigen::Ref<Eigen::MatrixXd> y,
              const Eigen::Ref<const Eigen::MatrixXd>& dW, StepScratch& scratch) const final;
};

// SRA1 (Rößler 2010, SIAM J. Numer. Anal. 48(3)): two-stage stochastic Runge–Kutta for
// additive noise, strong order 1.5, weak order 2; needs I_(1,0), i.e. the space-time Lévy
// area (stepWithArea). Its error estimate is the difference to the embedded strong-order-1
// scheme y + dt f(y) + g(t) dW, a local error of order dt^1.5 (dt^2 without noise).
class Sra1Stepper final : public AreaSrkStepper {
public:
    std::string id() const override { return "sra1"; }
    std::string name() const override { return "SRA1"; }
    Calculus calculus() const override { return Calculus::Ito; }  // = Stratonovich here
    StepCost evaluationsPerStep(bool deterministic) const override;
    bool supports(NoiseType noise) const override { return noise == NoiseType::Additive; }
    void stepWithArea(SdeWorker& worker, double t, double dt, Eigen::Ref<Eigen::MatrixXd> y,
                      const Eigen::Ref<const Eigen::MatrixXd>& dW,
                      const Eigen::Ref<const Eigen::MatrixXd>& H,
                      StepScratch& scratch) const override;
};

}  // namespace driftlab::core
