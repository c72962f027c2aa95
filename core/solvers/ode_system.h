#pragma once
// The contract between an ODE y' = f(t, y) and the ODE solvers. The state is one
// Eigen::VectorXd; a batch of trajectories is one long vector, so the solver controls the
// whole batch with one step size (that is what neural-ODE training wants).
#include <Eigen/Core>
#include <functional>
#include <utility>

namespace driftlab::core {

class OdeSystem {
public:
    virtual ~OdeSystem() = default;
    virtual int dimension() const = 0;
    // dydt = f(t, y); dydt is already sized to dimension().
    virtual void rhs(double t, const Eigen::VectorXd& y, Eigen::VectorXd& dydt) const = 0;

    // An analytic Jacobian saves the stiff solvers dimension() evaluations per Jacobian and
    // the truncation error of finite differences.
    virtual bool hasJacobian() const { return false; }
    // J = df/dy at (t, y); J is already sized dimension() x dimension().
    virtual void jacobian(double /*t*/, const Eigen::VectorXd& /*y*/,
                          Eigen::MatrixXd& /*J*/) const {}

    // Autonomous systems let Rosenbrock methods skip the df/dt evaluation.
    virtual bool isAutonomous() const { return false; }
};

// Wraps lambdas, for tests and small typed problems.
class FunctionOdeSystem final : public OdeSystem {
public:
    using Rhs = std::function<void(double, const Eigen::VectorXd&, Eigen::VectorXd&)>;
    using Jacobian = std::function<void(double, const Eigen::VectorXd&, Eigen::MatrixXd&)>;

    FunctionOdeSystem(int dimension, Rhs rhs, Jacobian jacobian = {}, bool autonomous = false)
        : dimension_(dimension),
          rhs_(std::move(rhs)),
          jacobian_(std::move(jacobian)),
          autonomous_(autonomous) {}

    int dimension() const override { return dimension_; }
    void rhs(double t, const Eigen::VectorXd& y, Eigen::VectorXd& dydt) const override {
        rhs_(t, y, dydt);
    }
    bool hasJacobian() const override { return static_cast<bool>(jacobian_); }
    void jacobian(double t, const Eigen::VectorXd& y, Eigen::MatrixXd& J) const override {
        jacobian_(t, y, J);
    }
    bool isAutonomous() const override { return autonomous_; }

private:
    int dimension_;
    Rhs rhs_;
    Jacobian jacobian_;
    bool autonomous_;
};

}  // namespace driftlab::core
