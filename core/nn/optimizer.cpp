#include "core/nn/optimizer.h"

#include <cmath>
#include <string>

#include "core/common/error.h"

namespace driftlab::core::nn {

template <typename Scalar>
void Optimizer<Scalar>::checkSizes(Index parameters, Index gradient, Index state) const {
    if (parameters != gradient || (state != 0 && state != parameters))
        throw Error("optimizer: parameter vector has " + std::to_string(parameters) +
                    " entries, gradient " + std::to_string(gradient) + ", optimizer state " +
                    std::to_string(state));
}

template <typename Scalar>
Sgd<Scalar>::Sgd(const SgdOptions& options)
    : Optimizer<Scalar>(options.learningRate), options_(options) {
    if (options.momentum < 0.0) throw ConfigError("SGD: momentum must not be negative");
    if (options.nesterov && options.momentum <= 0.0)
        throw ConfigError("SGD: Nesterov momentum needs a positive momentum");
}

template <typename Scalar>
void Sgd<Scalar>::reset() {
    Optimizer<Scalar>::reset();
    velocity_.resize(0);
}

template <typename Scalar>
void Sgd<Scalar>::step(VectorRef<Scalar> p, const VectorCRef<Scalar>& g) {
    this->checkSizes(p.size(), g.size(), velocity_.size());
    const auto lr = static_cast<Scalar>(this->learningRate_);
    const auto mu = static_cast<Scalar>(options_.momentum);
    const auto wd = static_cast<Scalar>(options_.weightDecay);
    ++this->steps_;
    if (options_.momentum == 0.0) {
        p.array() -= lr * (g.array() + wd * p.array());
        return;
    }
    if (velocity_.size() == 0) velocity_ = Vector<Scalar>::Zero(p.size());
    velocity_.array() = mu * velocity_.array() + g.array() + wd * p.array();
    if (options_.nesterov)
        p.array() -= lr * (g.array() + wd * p.array() + mu * velocity_.array());
    else
        p.array() -= lr * velocity_.array();
}

template <typename Scalar>
Adam<Scalar>::Adam(const AdamOptions& options)
    : Optimizer<Scalar>(options.learningRate), options_(options) {
    if (!(options.beta1 >= 0.0 && options.beta1 < 1.0 && options.beta2 >= 0.0 &&
          options.beta2 < 1.0))
        throw ConfigError("Adam: beta1 and beta2 must lie in [0, 1)");
    if (!(options.epsilon > 0.0)) throw ConfigError("Adam: epsilon must be positive");
}

template <typename Scalar>
void Adam<Scalar>::reset() {
    Optimizer<Scalar>::reset();
    m_.resize(0);
    v_.resize(0);
}

template <typename Scalar>
void Adam<Scalar>::step(VectorRef<Scalar> p, const VectorCRef<Scalar>& g) {
    this->checkSizes(p.size(), g.size(), m_.size());
    if (m_.size() == 0) {
        m_ = Vector<Scalar>::Zero(p.size());
        v_ = Vector<Scalar>::Zero(p.size());
    }
    const std::int64_t t = ++this->steps_;
    const double lr = this->learningRate_;
    const auto b1 = static_cast<Scalar>(options_.beta1);
    const auto b2 = static_cast<Scalar>(options_.beta2);
    const auto eps = static_cast<Scalar>(options_.epsilon);
    const auto wd = static_cast<Scalar>(options_.weightDecay);
    if (options_.decoupledWeightDecay) {
        if (options_.weightDecay != 0.0) p *= static_cast<Scalar>(1.0 - lr * options_.weightDecay);
        m_.array() = b1 * m_.array() + (Scalar(1) - b1) * g.array();
        v_.array() = b2 * v_.array() + (Scalar(1) - b2) * g.array().square();
    } else {
        // L2 decay enters the moments; written out twice so no temporary is needed.
        m_.array() = b1 * m_.array() + (Scalar(1) - b1) * (g.array() + wd * p.array());
        v_.array() = b2 * v_.array() + (Scalar(1) - b2) * (g.array() + wd * p.array()).square();
    }
    // Bias corrections in double: 1 - b2^t is tiny for small t and float would lose it.
    const double c1 = 1.0 - std::pow(options_.beta1, static_cast<double>(t));
    const double c2 = 1.0 - std::pow(options_.beta2, static_cast<double>(t));
    const auto stepSize = static_cast<Scalar>(lr / c1);
    const auto rootC2 = static_cast<Scalar>(std::sqrt(c2));
    p.array() -= stepSize * m_.array() / (v_.array().sqrt() / rootC2 + eps);
}

template <typename Scalar>
AdamW<Scalar>::AdamW(AdamOptions options)
    : Adam<Scalar>([&] {
          options.decoupledWeightDecay = true;
          return options;
      }()) {}

template <typename Scalar>
Scalar clipGradientNorm(VectorRef<Scalar> gradient, Scalar maxNorm) {
    if (!(maxNorm > Scalar(0)))
        throw ConfigError("gradient clipping: maximum norm must be positive");
    const Scalar norm = gradient.norm();
    if (std::isfinite(norm) && norm > maxNorm) gradient *= maxNorm / norm;
    return norm;
}

template <typename Scalar>
ParameterEma<Scalar>::ParameterEma(double decay) : decay_(decay) {
    if (!(decay >= 0.0 && decay < 1.0)) throw ConfigError("EMA: decay must lie in [0, 1)");
}

template <typename Scalar>
void ParameterEma<Scalar>::update(const VectorCRef<Scalar>& parameters) {
    if (updates_ == 0 || average_.size() != parameters.size()) {
        average_ = parameters;
    } else {
        const auto d = static_cast<Scalar>(decay_);
        average_ = d * average_ + (Scalar(1) - d) * parameters;
    }
    ++updates_;
}

template class Optimizer<double>;
template class Optimizer<float>;
template class Sgd<double>;
template class Sgd<float>;
template class Adam<double>;
template class Adam<float>;
template class AdamW<double>;
template class AdamW<float>;
template double clipGradientNorm<double>(VectorRef<double>, double);
template float clipGradientNorm<float>(VectorRef<float>, float);
template class ParameterEma<double>;
template class ParameterEma<float>;

}  // namespace driftlab::core::nn
