#pragma once
// An ODE whose right-hand side depends on parameters theta and offers vector-Jacobian
// products: what backprop through a solve and the continuous adjoint need.
#include "core/solvers/ode_system.h"

namespace driftlab::core {

class DifferentiableOdeSystem : public OdeSystem {
public:
    virtual Eigen::Index parameterCount() const = 0;
    // At (t, y): dy += (df/dy)^T v and dtheta += (df/dtheta)^T v (sized dimension() and
    // parameterCount()). When value is non-null it receives f(t, y) from the same forward
    // pass, which saves the continuous adjoint a second evaluation.
    virtual void vjp(double t, const Eigen::VectorXd& y, const Eigen::VectorXd& v,
                     Eigen::VectorXd& dy, Eigen::VectorXd& dtheta,
                     Eigen::VectorXd* value = nullptr) const = 0;
};

}  // namespace driftlab::core
