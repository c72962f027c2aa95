#pragma once
// ODE steppers: one attempted step at a time, with what the step cost and what it learned
// (error estimate, dense output, stiffness estimate). Step-size control, saving and failure
// handling live in integrate() (ode_solve.h), so every stepper gets the same controllers.
// A stepper keeps the stages of its last step for interpolation, so it belongs to one solve
// on one thread.
#include "core/solvers/ode_system.h"
#include "core/solvers/ode_tableaus.h"

#include <Eigen/Core>
#include <Eigen/LU>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

namespace driftlab::core {

enum class OdeMethod {
    Euler,
    Midpoint,
    Heun,
    Rk4,
    BogackiShampine3,
    DormandPrince5,
    Tsitouras5,
    Rosenbrock23,
    Rodas4,
};

class OdeStepper {
public:
    virtual ~OdeStepper() = default;
    virtual std::string id() const = 0;    // "dp5"
    virtual std::string name() const = 0;  // "Dormand–Prince 5(4)"
    virtual int order() const = 0;
    virtual int embeddedOrder() const = 0;  // 0 without error estimate
    virtual bool hasErrorEstimate() const = 0;
    virtual bool hasDenseOutput() const = 0;
    virtual bool isImplicit() const = 0;
    // |h lambda| beyond which the method is unstable on the negative real axis; 0 when it
    // gives no stiffness estimate of its own.
    virtual double stabilityBoundary() const = 0;

    // Sizes the scratch for this system; call before the first step of a solve.
    virtual void prepare(const OdeSystem& system) = 0;

    // One attempt from (t, y) with signed step h, given f0 = f(t, y). Writes y_new and, for
    // methods with an error estimate, the local error estimate (same units as y).
    virtual void step(const OdeSystem& system, double t, double h, const Eigen::VectorXd& y,
                      const Eigen::VectorXd& f0, Eigen::VectorXd& yNew, Eigen::VectorXd& error) = 0;
    // f(t + h, y_new) when the last step computed it anyway (FSAL), else nullptr.
    virtual const Eigen::VectorXd* endDerivative() const = 0;
    // y(t + theta h) for theta in [0, 1] over the last step (needs hasDenseOutput()).
    virtual void interpolate(double theta, Eigen::VectorXd& out) const = 0;
    // h * (dominant |eigenvalue| of df/dy) seen by the last step; NaN when unknown.
    virtual double stiffnessEstimate() const = 0;

    long evaluations() const { return evaluations_; }
    long jacobianEvaluations() const { return jacobianEvaluations_; }
    long factorizations() const { return factorizations_; }

protected:
    void evaluate(const OdeSystem& system, double t, const Eigen::VectorXd& y,
                  Eigen::VectorXd& out) {
        ++evaluations_;
        system.rhs(t, y, out);
    }
    long evaluations_ = 0;
    long jacobianEvaluations_ = 0;
    long factorizations_ = 0;
};

// Runs any explicit Butcher tableau. For FSAL tableaus the last two stages sit at the same
// time (or close), which gives Hairer's stiffness estimate h*|k_s - k_{s-1}| / |g_s - g_{s-1}|
// for free.
class ExplicitRkStepper final : public OdeStepper {
public:
    explicit ExplicitRkStepper(ButcherTableau tableau);
    const ButcherTableau& tableau() const { return tableau_; }

    std::string id() const override { return tableau_.id; }
    std::string name() const override { return tableau_.name; }
    int order() const override { return tableau_.order; }
    int embeddedOrder() const override { return tableau_.embeddedOrder; }
    bool hasErrorEstimate() const override { return tableau_.hasErrorEstimate(); }
    bool hasDenseOutput() const override { return tableau_.hasDenseOutput(); }
    bool isImplicit() const override { return false; }
    double stabilityBoundary() const override { return tableau_.stabilityBoundary; }

    void prepare(const OdeSystem& system) override;
    void step(const OdeSystem& system, double t, double h, const Eigen::VectorXd& y,
              const Eigen::VectorXd& f0, Eigen::VectorXd& yNew, Eigen::VectorXd& error) override;
    const Eigen::VectorXd* endDerivative() const override;
    void interpolate(double theta, Eigen::VectorXd& out) const override;
    double stiffnessEstimate() const override { return stiffness_; }

private:
    ButcherTableau tableau_;
    std::vector<Eigen::VectorXd> k_;
    Eigen::VectorXd stageInput_, previousStageInput_, yStart_;
    mutable Eigen::VectorXd weights_;
    double h_ = 0.0;
    double stiffness_ = 0.0;
};

// What the Rosenbrock methods share: the Jacobian from the system when it has one, else from
// forward differences (and df/dt for non-autonomous systems), computed once per step start
// and reused when a step is rejected; the LU of I - h gamma J, refactored only when h changes.
class RosenbrockStepper : public OdeStepper {
public:
    RosenbrockStepper(bool forceFiniteDifferenceJacobian, double gamma);

    bool hasErrorEstimate() const override { return true; }
    bool hasDenseOutput() const override { return true; }
    bool isImplicit() const override { return true; }
    double stabilityBoundary() const override { return 0.0; }
    // h times the spectral radius of the Jacobian (power iteration): what an explicit
    // method would face with this step, used to decide when to switch back.
    double stiffnessEstimate() const override { return std::abs(h_) * spectralRadius_; }

protected:
    // Sizes the Jacobian and the work vectors; call from prepare().
    void prepareJacobian(const OdeSystem& system);
    // J and df/dt at (t, y) unless already there, then the LU of I - h gamma J unless h is
    // the one already factorised.
    void factorize(const OdeSystem& system, double t, double h, const Eigen::VectorXd& y,
                   const Eigen::VectorXd& f0);

    Eigen::PartialPivLU<Eigen::MatrixXd> lu_;
    Eigen::VectorXd dfdt_, work_;
    double h_ = 0.0;

private:
    void refreshJacobian(const OdeSystem& system, double t, const Eigen::VectorXd& y,
                         const Eigen::VectorXd& f0);

    bool forceFiniteDifference_;
    double gamma_;
    Eigen::MatrixXd jacobian_, w_;
    Eigen::VectorXd perturbed_, jacobianY_;
    double jacobianT_ = 0.0;
    bool jacobianValid_ = false;
    double factorizedH_ = 0.0;
    double spectralRadius_ = 0.0;
};

// Shampine & Reichelt's Rosenbrock 2(3) (MATLAB ode23s, SIAM J. Sci. Comput. 18, 1997):
// L-stable, second order with a third-order error estimate, FSAL, its own dense output.
class Rosenbrock23Stepper final : public RosenbrockStepper {
public:
    explicit Rosenbrock23Stepper(bool forceFiniteDifferenceJacobian = false);

    std::string id() const override { return "rosenbrock23"; }
    std::string name() const override { return "Rosenbrock 2(3) (Shampine)"; }
    int order() const override { return 2; }
    int embeddedOrder() const override { return 3; }

    void prepare(const OdeSystem& system) override;
    void step(const OdeSystem& system, double t, double h, const Eigen::VectorXd& y,
              const Eigen::VectorXd& f0, Eigen::VectorXd& yNew, Eigen::VectorXd& error) override;
    const Eigen::VectorXd* endDerivative() const override { return &f2_; }
    void interpolate(double theta, Eigen::VectorXd& out) const override;

private:
    Eigen::VectorXd k1_, k2_, k3_, f1_, f2_, yStart_;
};

// Hairer & Wanner's RODAS4 (Solving ODEs II, IV.7; coefficients of rodas.f): six stages,
// order 4 with an embedded order-3 estimate, L-stable and stiffly accurate (the last two
// stages end at y_new, so the estimate is the last stage's increment), with Hairer's
// order-3 continuous extension. Six right-hand sides and one LU per step.
class Rodas4Stepper final : public RosenbrockStepper {
public:
    explicit Rodas4Stepper(bool forceFiniteDifferenceJacobian = false);

    std::string id() const override { return "rodas4"; }
    std::string name() const override { return "Rodas4 (Hairer–Wanner)"; }
    int order() const override { return 4; }
    int embeddedOrder() const override { return 3; }

    void prepare(const OdeSystem& system) override;
    void step(const OdeSystem& system, double t, double h, const Eigen::VectorXd& y,
              const Eigen::VectorXd& f0, Eigen::VectorXd& yNew, Eigen::VectorXd& error) override;
    const Eigen::VectorXd* endDerivative() const override { return nullptr; }
    void interpolate(double theta, Eigen::VectorXd& out) const override;

private:
    Eigen::VectorXd k_[6], stage_, f_, yStart_, yEnd_, dense1_, dense2_;
};

// The registered methods (solver_registry.h defines these from its rows). makeOdeStepper
// builds the method's own row, never a switching strategy built on it.
std::unique_ptr<OdeStepper> makeOdeStepper(OdeMethod method,
                                           bool forceFiniteDifferenceJacobian = false);
std::string toString(OdeMethod method);  // the id, "dp5"
// Throws ConfigError listing the valid ids for an unknown id.
OdeMethod odeMethodFromId(const std::string& id);

}  // namespace driftlab::core
