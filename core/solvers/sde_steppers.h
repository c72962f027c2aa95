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
    virtual bool supports(NoiseType noise) const = 0;
    // Throws SolverError naming the stepper and the noise type when unsupported.
    void requireSupport(NoiseType noise) const;

    // Advances y (dim x n) in place from t to t + dt using the Brownian increments dW
    // (dim x n, already scaled: each entry ~ N(0, dt)). A dW with no columns means the
    // system is deterministic: diffusion is not evaluated and the scheme is its ODE form.
    virtual void step(SdeWorker& worker, double t, double dt, Eigen::Ref<Eigen::MatrixXd> y,
                      const Eigen::Ref<const Eigen::MatrixXd>& dW,
                      StepScratch& scratch) const = 0;
};

// Euler–Maruyama: Itô; strong order 0.5 (1.0 for additive noise), weak order 1.
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
// commutative noise (diagonal, scalar, additive), weak order 1.
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

struct SdeStepperInfo {
    std::string id;
    std::string displayName;
};

// For GUI combos and config validation, in display order.
std::vector<SdeStepperInfo> availableSdeSteppers();

// Throws ConfigError listing the valid ids for an unknown id.
std::unique_ptr<SdeStepper> makeSdeStepper(const std::string& id);

}  // namespace driftlab::core
