#include "core/models/neural_ode.h"

#include "core/common/error.h"

namespace driftlab::core::models {

namespace {
const nn::MlpConfig& checked(const nn::MlpConfig& config) {
    if (config.inputDim != config.outputDim)
        throw ConfigError("neural ODE: the network must map dim -> dim (it maps " +
                          std::to_string(config.inputDim) + " -> " +
                          std::to_string(config.outputDim) + ")");
    return config;
}
}  // namespace

NeuralOde::NeuralOde(const nn::MlpConfig& config, Eigen::Index batch)
    : net_(checked(config)), batch_(batch) {
    if (batch < 1) throw ConfigError("neural ODE: the batch needs at least one state");
}

const Eigen::MatrixXd& NeuralOde::forward(double t, const Eigen::VectorXd& y) const {
    const Eigen::Map<const Eigen::MatrixXd> states(y.data(), net_.inputDim(), batch_);
    return net_.timeEmbedding().enabled() ? net_.forward(states, t, ws_)
                                          : net_.forward(states, ws_);
}

void NeuralOde::rhs(double t, const Eigen::VectorXd& y, Eigen::VectorXd& dydt) const {
    const auto& out = forward(t, y);
    dydt = Eigen::Map<const Eigen::VectorXd>(out.data(), out.size());
}

void NeuralOde::vjp(double t, const Eigen::VectorXd& y, const Eigen::VectorXd& v,
                    Eigen::VectorXd& dy, Eigen::VectorXd& dtheta, Eigen::VectorXd* value) const {
    const auto& out = forward(t, y);
    if (value) *value = Eigen::Map<const Eigen::VectorXd>(out.data(), out.size());
    const Eigen::Map<const Eigen::MatrixXd> cotangent(v.data(), net_.outputDim(), batch_);
    const auto& dx = net_.backward(cotangent, ws_, dtheta.data(), true);
    dy += Eigen::Map<const Eigen::VectorXd>(dx.data(), dx.size());
}

}  // namespace driftlab::core::models
