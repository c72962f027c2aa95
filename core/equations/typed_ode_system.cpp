#include "core/equations/typed_ode_system.h"

#include "core/common/error.h"

namespace driftlab::core {

TypedOdeSystem::TypedOdeSystem(const CompiledEquation& equation)
    : dimension_(equation.dimension()), worker_(equation.makeWorker()) {
    if (!equation.isDeterministic()) {
        throw ConfigError("ODE solvers need zero diffusion, but \"" + equation.spec().name +
                          "\" has noise; choose an SDE solver (e.g. euler_maruyama)");
    }
}

TypedOdeSystem::~TypedOdeSystem() = default;

int TypedOdeSystem::dimension() const { return dimension_; }

void TypedOdeSystem::rhs(double t, const Eigen::VectorXd& y, Eigen::VectorXd& dydt) const {
    // A one-column batch: the worker's interface is dim x n.
    Eigen::Map<const Eigen::MatrixXd> in(y.data(), dimension_, 1);
    Eigen::Map<Eigen::MatrixXd> out(dydt.data(), dimension_, 1);
    worker_->drift(t, in, out);
}

}  // namespace driftlab::core
