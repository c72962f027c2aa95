#include "core/nn/activation.h"

#include <cmath>
#include <type_traits>

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

namespace {

// Both branches are evaluated on every lane and blended, so a packet costs one exp and one
// division whatever mix of small and large |x| it holds.
//  |x| <  0.625: Cephes' minimax forms. Double: tanh x = x (Q + z P) / Q with z = x^2
//                (x + x z P/Q written over one denominator, so both branches share the
//                division); float: x (1 + z p(z)), no division. Relative error stays a few
//                ulp down to denormals: no 1 - (...) cancellation near 0.
//  |x| >= 0.625: (e - 1) / (e + 1) with e = exp(2|x|) >= 3.49, so e - 1 loses at most a
//                bit; |x| is clamped at 20 (double) / 9 (float), past which tanh rounds
//                to 1 anyway, which keeps e finite and maps +-inf to +-1.
// NaN compares false, so it takes the polynomial branch and propagates.
template <typename Scalar, typename Packet>
EIGEN_STRONG_INLINE Packet tanhPacket(const Packet& x) {
    using namespace Eigen::internal;
    constexpr bool isDouble = std::is_same_v<Scalar, double>;
    const Packet one = pset1<Packet>(Scalar(1));
    const Packet ax = pabs(x);
    const Packet z = pmul(x, x);
    const Packet large = pcmp_le(pset1<Packet>(Scalar(0.625)), ax);
    const Packet clamped = pmin(ax, pset1<Packet>(Scalar(isDouble ? 20 : 9)));
    const Packet e = pexp(padd(clamped, clamped));
    const Packet eMinusOne = psub(e, one);
    const Packet numLarge = pselect(pcmp_lt(x, pzero(x)), pnegate(eMinusOne), eMinusOne);
    Packet numSmall, denSmall;
    if constexpr (isDouble) {
        Packet p = pset1<Packet>(-9.64399179425052238628e-1);
        p = padd(pmul(p, z), pset1<Packet>(-9.92877231001918586564e1));
        p = padd(pmul(p, z), pset1<Packet>(-1.61468768441708447952e3));
        Packet q = padd(z, pset1<Packet>(1.12811678491632931402e2));
        q = padd(pmul(q, z), pset1<Packet>(2.23548839060100448583e3));
        q = padd(pmul(q, z), pset1<Packet>(4.84406305325125486048e3));
        numSmall = pmul(x, padd(q, pmul(z, p)));
        denSmall = q;
    } else {
        Packet p = pset1<Packet>(-5.70498872745e-3f);
        p = padd(pmul(p, z), pset1<Packet>(2.06390887954e-2f));
        p = padd(pmul(p, z), pset1<Packet>(-5.37397155531e-2f));
        p = padd(pmul(p, z), pset1<Packet>(1.33314422036e-1f));
        p = padd(pmul(p, z), pset1<Packet>(-3.33332819422e-1f));
        numSmall = pmul(x, padd(one, pmul(z, p)));  // x (1 + z p), not x + x z p: keeps -0
        denSmall = one;
    }
    return pdiv(pselect(large, numLarge, numSmall), pselect(large, padd(e, one), denSmall));
}

}  // namespace

template <typename Scalar>
void fastTanh(const Scalar* in, Scalar* out, Index n) {
    using namespace Eigen::internal;
    using Packet = typename packet_traits<Scalar>::type;
    constexpr Index width = packet_traits<Scalar>::size;
    Index i = 0;
    for (; i + width <= n; i += width)
        pstoreu(out + i, tanhPacket<Scalar>(ploadu<Packet>(in + i)));
    if (i < n) {
        // The tail goes through the same packet code, so a value's tanh does not depend on
        // where it sits in the batch.
        Scalar tail[width] = {};
        for (Index k = i; k < n; ++k) tail[k - i] = in[k];
        pstoreu(tail, tanhPacket<Scalar>(ploadu<Packet>(tail)));
        for (Index k = i; k < n; ++k) out[k] = tail[k - i];
    }
}

template <typename Scalar>
void activationForward(Activation activation, const Matrix<Scalar>& z, Matrix<Scalar>& a) {
    const Scalar one(1), zero(0);
    a.resize(z.rows(), z.cols());
    auto za = z.array();
    switch (activation) {
    case Activation::Identity: a = z; break;
    case Activation::Tanh: fastTanh(z.data(), a.data(), z.size()); break;
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

template void fastTanh<double>(const double*, double*, Index);
template void fastTanh<float>(const float*, float*, Index);
template void activationForward<double>(Activation, const Matrix<double>&, Matrix<double>&);
template void activationForward<float>(Activation, const Matrix<float>&, Matrix<float>&);
template void activationBackward<double>(Activation, const Matrix<double>&, const Matrix<double>&,
                                         Matrix<double>&);
template void activationBackward<float>(Activation, const Matrix<float>&, const Matrix<float>&,
                                        Matrix<float>&);

}  // namespace driftlab::core::nn
