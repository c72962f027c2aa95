#pragma once
// A typed equation with zero diffusion seen as an ODE, so the adaptive and stiff ODE solvers
// can run it. Holds one evaluator: use from one thread at a time (integrate() is serial).
#include "core/equations/compiled_equation.h"
#include "core/solvers/ode_system.h"

#include <memory>

namespace driftlab::core {

class TypedOdeSystem final : public OdeSystem {
public:
    // Throws ConfigError when the equation has noise: an ODE solver would silently drop it.
    explicit TypedOdeSystem(const CompiledEquation& equation);
    ~TypedOdeSystem() override;

    int dimension() const override;
    void rhs(double t, const Eigen::VectorXd& y, Eigen::VectorXd& dydt) const override;

private:
    int dimension_;
    std::unique_ptr<SdeWorker> worker_;  // muparser evaluators carry state, hence mutable use
};

}  // namespace driftlab::core
