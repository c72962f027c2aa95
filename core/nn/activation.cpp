#include "core/nn/activation.h"

#include <cmath>

#include "core/common/error.h"

namespace driftlab::core::nn {

namespace {
struct NamedActivation {
    Activation activation;
    const char* name;
};
constexpr NamedActivation kNames[] = {
    {Activation::Identity, "identity"}, {Activation::Tanh, "tanh"},
    {Activation::Relu, "relu"},         {Activation::Silu, "silu"},
    {Activation::Softplus, "softplus"}, {Activation::Sigmoid, "sigmoid"},
    {Activation::Sine, "sine"},
};
}  // namespace

std::string activationName(Activation activation) {
    for (const auto& entry : kNames)
        if (entry.activation == activation) return entry.name;
    return "unknown";
}

Activation activationFromName(const std::string& name) {
    for (const auto& entry : kNames)
        if (name == entry.name) return entry.activation;
    std::string known;
    for (const auto& entry : kNames) known += std::string(known.empty() ? "" : ", ") + entry.name;
    throw ConfigError("unknown activation \"" + name + "\"; expected one of " + known);
}

bool isRectifier(Activation activation) {
    return activation == Activation::Relu || activation == Activation::Silu ||
           activation == Activation::Softplus;
}

template <typename Scalar>
void activationForward(Activation activation, const Matrix<Scalar>& z, Matrix<Scalar>& a) {
    const Scalar one(1), zero(0);
    a.resize(z.rows(), z.cols());
    auto za = z.array();
    switch (activation) {
    case Activation::Identity: a = z; break;
    case Activation::Tanh: a.array() = za.tanh(); break;
    case Activation::Relu: a.array() = za.max(zero); break;
    case Activation::Silu: a.array() = za / (one + (-za).exp()); break;
    // max(z, 0) + log1p(exp(-|z|)) never overflows, unlike log(1 + exp(z)).
    case Activation::Softplus: a.array() = za.max(zero) + (-za.abs()).exp().log1p(); break;
    case Activation::Sigmoid: a.array() = one / (one + (-za).exp()); break;
    case Activation::Sine: a.array() = za.sin(); break;
    }
}

template <typename Scalar>
void activationBackward(Activation activation, const Matrix<Scalar>& z, const Matrix<Scalar>& a,
                        Matrix<Scalar>& g) {
    const Scalar one(1), zero(0);
    auto ga = g.array();
    auto za = z.array();
    auto aa = a.array();
    switch (activation) {
    case Activation::Identity: break;
    case Activation::Tanh: ga *= one - aa.square(); break;
    case Activation::Relu: ga = (za > zero).select(ga, zero); break;
    case Activation::Silu: {
        // d/dz z s(z) = s (1 + z (1 - s)); s is recomputed rather than stored, since the
        // forward pass of the far more common tanh should not pay for an extra buffer.
        const auto s = one / (one + (-za).exp());
        ga *= s * (one + za * (one - s));
        break;
    }
    case Activation::Softplus: ga *= one / (one + (-za).exp()); break;
    case Activation::Sigmoid: ga *= aa * (one - aa); break;
    case Activation::Sine: ga *= za.cos(); break;
    }
}

template void activationForward<double>(Activation, const Matrix<double>&, Matrix<double>&);
template void activationForward<float>(Activation, const Matrix<float>&, Matrix<float>&);
template void activationBackward<double>(Activation, const Matrix<double>&, const Matrix<double>&,
                                         Matrix<double>&);
template void activationBackward<float>(Activation, const Matrix<float>&, const Matrix<float>&,
                                        Matrix<float>&);

}  // namespace driftlab::core::nn
