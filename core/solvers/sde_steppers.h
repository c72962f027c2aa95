#pragma once
// Fixed-step SDE steppers on batches (dim x n, one column per path). A stepper is stateless
// and shared by all threads; everything that changes lives in the worker and the scratch.
// Each stepper says what it is (calculus, orders, cost, noise it handles) so the GUI can
// show it and simulate() can refuse a combination that would silently be wrong.
#include "core/solvers/sde_system.h"

#include <Eigen/Core>
#include <memory>
#include <string>
#include <vector>

namespace driftlab::core {

// Per-thread work arrays, sized on first use and reused: no allocation in the step loop.
struct StepScratch {
    Eigen::MatrixXd f0, g0, f1, g1, predictor;
    // Local error estimate of the last step (dim x n), written by steppers whose
    // hasErrorEstimate() is true.
    Eigen::MatrixXd error;
    // Carried from step to step by multistep-like schemes (reversible Heun's z, f(z), g(z)),
    // set up by SdeStepper::begin.
    Eigen::MatrixXd z, fz, gz;
    // g dW of the stages (dim x n) when the noise is a matrix: its diffusion evaluations
    // (g0, g1, gz) then hold dim*m rows per path and cannot be combined with dW entrywise.
    Eigen::MatrixXd noise0, noise1;
    // More stage values for schemes with more than two stages (SRIW1).
    Eigen::MatrixXd g2, g3;
    bool started = false;
    void resize(Eigen::Index dim, Eigen::Index n);
};

// Evaluations one step costs per path.
struct StepCost {
    int drift = 0;
    int diffusion = 0;
};

class SdeStepper {
public:
    virtual ~SdeStepper() = default;
    virtual std::string id() const = 0;    // "euler_maruyama"
    virtual std::string name() const = 0;  // "Euler–Maruyama"
    virtual Calculus calculus() const = 0;
    // Strong order for this noise type (schemes gain order for additive noise).
    virtual double strongOrder(NoiseType noise) const = 0;
    virtual double weakOrder() const = 0;
    virtual StepCost evaluationsPerStep(bool deterministic) const = 0;
    // The cost with general noise of m Brownian motions (a Milstein step then differentiates
    // g along each column); evaluationsPerStep(false) unless a scheme says otherwise.
    virtual StepCost evaluationsPerStepWithMatrixNoise(int /*matrixNoiseColumns*/) const {
        return evaluationsPerStep(false);
    }
    virtual bool supports(NoiseType noise) const = 0;
    // General noise whose columns commute (SdeSystem::hasCommutativeNoise): schemes that
    // refuse general noise but only need products of increments (Milstein) take it.
    virtual bool supportsCommutativeNoise() const { return supports(NoiseType::General); }
    // Schemes whose order rests on commuting noise for every noise type they take (Milstein's
    // correction, SRIW1's stages): they refuse diagonal noise whose g_i reads another
    // component x_k, which does not commute (SdeSystem::hasCommutativeNoise).
    virtual bool needsCommutativeNoise() const { return false; }
    // supports() for this system: its noise type and, where the scheme needs it, the
    // noise's commutativity.
    bool handles(const SdeSystem& system) const;
    // Throws SolverError naming the stepper, the noise types it handles and the system's.
    void requireSupport(NoiseType noise) const;
    void requireSupport(const SdeSystem& system) const;
    // True when step() leaves a local error estimate in StepScratch::error.
    virtual bool hasErrorEstimate() const { return false; }
    // True when the scheme needs the space-time Lévy area of each step (stepWithArea).
    virtual bool needsSpaceTimeArea() const { return false; }

    // Called once per batch of paths before the first step at t0; schemes that carry state
    // between steps (reversible Heun) set it up here. Default: nothing to do.
    virtual void begin(SdeWorker& worker, double t0, const Eigen::Ref<const Eigen::MatrixXd>& y0,
                       StepScratch& scratch) const;

    // Advances y (dim x n) in place from t to t + dt using the Brownian increments dW
    // (m x n, already scaled: each entry ~ N(0, dt); m = dim except for general noise). A dW with
    // no columns means the system is deterministic: diffusion is not evaluated and the scheme is
    // its ODE form.
    virtual void step(SdeWorker& worker, double t, double dt, Eigen::Ref<Eigen::MatrixXd> y,
                      const Eigen::Ref<const Eigen::MatrixXd>& dW, StepScratch& scratch) const = 0;
    // As step(), also given the space-time Lévy areas H (dim x n, each ~ N(0, dt/12),
    // independent of dW; I_(1,0) = dt (dW/2 + H)). Schemes that do not use H ignore it.
    virtual void stepWithArea(SdeWorker& worker, double t, double dt, Eigen::Ref<Eigen::MatrixXd> y,
                              const Eigen::Ref<const Eigen::MatrixXd>& dW,
                              const Eigen::Ref<const Eigen::MatrixXd>& H,
                              StepScratch& scratch) const;
};

// Euler–Maruyama: Itô; strong order 0.5 (1.0 for additive noise), weak order 1; any noise.
class EulerMaruyamaStepper final : public SdeStepper {
public:
    std::string id() const override { return "euler_maruyama"; }
    std::string name() const override { return "Euler–Maruyama"; }
    Calculus calculus() const override { return Calculus::Ito; }
    double strongOrder(NoiseType noise) const override;
    double weakOrder() const override { return 1.0; }
    StepCost evaluationsPerStep(bool deterministic) const override;
    bool supports(NoiseType noise) const override;
    void step(SdeWorker& worker, double t, double dt, Eigen::Ref<Eigen::MatrixXd> y,
              const Eigen::Ref<const Eigen::MatrixXd>& dW, StepScratch& scratch) const override;
};

// Stochastic Heun (predictor-corrector trapezoid): Stratonovich; strong order 1 for
// commutative noise (diagonal, scalar, additive), 0.5 for general noise, weak order 1.
class StochasticHeunStepper final : public SdeStepper {
public:
    std::string id() const override { return "stochastic_heun"; }
    std::string name() const override { return "Stochastic Heun"; }
    Calculus calculus() const override { return Calculus::Stratonovich; }
    double strongOrder(NoiseType noise) const override;
    double weakOrder() const override { return 1.0; }
    StepCost evaluationsPerStep(bool deterministic) const override;
    bool supports(NoiseType noise) const override;
    void step(SdeWorker& worker, double t, double dt, Eigen::Ref<Eigen::MatrixXd> y,
              const Eigen::Ref<const Eigen::MatrixXd>& dW, StepScratch& scratch) const override;
};

// The stepper of a registered SDE solver (solver_registry.h, which defines it from the
// row). Throws ConfigError listing the valid ids for an unknown id or an ODE method.
std::unique_ptr<SdeStepper> makeSdeStepper(const std::string& id);

}  // namespace driftlab::core
