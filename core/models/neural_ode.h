#pragma once
// Neural ODE y' = f_theta(t, y) as a DifferentiableOdeSystem. The ODE state is a flattened
// batch (dim x batch, column-major), so one adaptive solve steps the whole batch with one step
// size and every right-hand side is one GEMM per layer. f sees t only when the MLP config has
// a time embedding. One workspace is shared by rhs and vjp: a NeuralOde belongs to one solve on
// one thread.
#include "core/nn/mlp.h"
#include "core/solvers/differentiable_ode.h"

namespace driftlab::core::models {

class NeuralOde final : public DifferentiableOdeSystem {
public:
    // config.inputDim must equal config.outputDim (ConfigError otherwise).
    NeuralOde(const nn::MlpConfig& config, Eigen::Index batch);

    nn::Mlp<double>& net() { return net_; }
    const nn::Mlp<double>& net() const { return net_; }
    Eigen::Index stateDim() const { return net_.inputDim(); }
    Eigen::Index batch() const { return batch_; }

    int dimension() const override { return static_cast<int>(net_.inputDim() * batch_); }
    void rhs(double t, const Eigen::VectorXd& y, Eigen::VectorXd& dydt) const override;
    bool isAutonomous() const override { return !net_.timeEmbedding().enabled(); }

    Eigen::Index parameterCount() const override { return net_.parameterCount(); }
    void vjp(double t, const Eigen::VectorXd& y, const Eigen::VectorXd& v, Eigen::VectorXd& dy,
             Eigen::VectorXd& dtheta, Eigen::VectorXd* value = nullptr) const override;

private:
    const Eigen::MatrixXd& forward(double t, const Eigen::VectorXd& y) const;

    nn::Mlp<double> net_;
    Eigen::Index batch_;
    mutable nn::MlpWorkspace<double> ws_;
};

}  // namespace driftlab::core::models
