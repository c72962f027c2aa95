#include "core/nn/activation.h"

#include <array>
#include <cmath>
#include <cstdint>
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

bool needsPreactivation(Activation activation) {
    return activation != Activation::Identity && activation != Activation::Tanh &&
           activation != Activation::Sigmoid;
}

bool isRectifier(Activation activation) {
    return activation == Activation::Relu || activation == Activation::Silu ||
           activation == Activation::Softplus;
}

namespace {

using namespace Eigen::internal;

// Double: tanh x = x P(x^2) / Q(x^2), the odd [19/18] rational minimax approximation on
// [-18.72, 18.72] that Eigen's development branch ships as ptanh_double (coefficients from
// rminimax; Eigen 3.4, which Debian has, evaluates double tanh through libm one element at
// a time). x is clamped where the approximation reaches exactly 1, so |x| beyond it and
// +-inf give +-1; the numerator is x + x^3 N(x^2), which keeps tiny |x| (and -0) exact;
// NaN is passed through.
// Measured against long double on the test grid: 4.1 ulp with FMA, 4.6 without. An
// expm1-based form with full-range reduction was 1.4 ulp but 35 % slower; the FMA units are
// the bottleneck here, and this form needs fewer operations per value.
//
// Lanes packets are evaluated together, step by step: one packet's Horner chain is a
// sequence of dependent FMAs, and interleaving four independent chains is what keeps the
// FMA units busy (measured on the W1 machine: 2.1 ns per double for the one-packet expm1
// form, 1.16 interleaved, 0.85 for this rational interleaved).
constexpr double kTanhNumerator[] = {  // N, highest power first
    2.6158007860482230e-23, 7.6534862268749319e-19, 3.1309488231386680e-15,
    4.2303918148209176e-12, 2.4618379131293676e-09, 6.8644367682497074e-07,
    9.3839087674268880e-05, 5.9809711724441161e-03, 1.5184719640284322e-01};
constexpr double kTanhDenominator[] = {  // Q, highest first
    6.463747022670968018e-21, 5.782506856739003571e-17,
    1.293019623712687916e-13, 1.123643448069621992e-10,
    4.492975677839633985e-08, 8.785185266237658698e-06,
    8.295161192716231542e-04, 3.437448108450402717e-02,
    4.851805297361760360e-01, 1.0};
#if defined(EIGEN_VECTORIZE_FMA)
constexpr double kTanhClamp = 17.6610191624600077;
#else
constexpr double kTanhClamp = 17.714196154005176;  // rounding without FMA reaches 1 later
#endif

template <int Lanes, typename Packet>
EIGEN_STRONG_INLINE void tanhDouble(const Packet* x, Packet* out) {
    constexpr int numeratorTerms = sizeof(kTanhNumerator) / sizeof(double);
    constexpr int denominatorTerms = sizeof(kTanhDenominator) / sizeof(double);
    Packet clamped[Lanes], square[Lanes], p[Lanes], q[Lanes];
    for (int j = 0; j < Lanes; ++j) {
        clamped[j] = pmax(pmin(x[j], pset1<Packet>(kTanhClamp)), pset1<Packet>(-kTanhClamp));
        square[j] = pmul(clamped[j], clamped[j]);
        p[j] = pset1<Packet>(kTanhNumerator[0]);
        q[j] = pset1<Packet>(kTanhDenominator[0]);
    }
    for (int k = 1; k < denominatorTerms; ++k)
        for (int j = 0; j < Lanes; ++j) {
            if (k < numeratorTerms) p[j] = pmadd(p[j], square[j], pset1<Packet>(kTanhNumerator[k]));
            q[j] = pmadd(q[j], square[j], pset1<Packet>(kTanhDenominator[k]));
        }
    for (int j = 0; j < Lanes; ++j) {
        const Packet numerator = pmadd(pmul(square[j], clamped[j]), p[j], clamped[j]);
        out[j] = pselect(pcmp_eq(x[j], x[j]), pdiv(numerator, q[j]), x[j]);
    }
}

// Float: Eigen's own vectorised tanh (a clamped rational minimax, <= 2.7 ulp on the test
// grid, NaN propagates through its clamps), cheaper than any exp-based form.
template <typename Packet>
EIGEN_STRONG_INLINE Packet tanhFloat(const Packet& x) {
    return ptanh(x);
}

template <typename Scalar, int Lanes, typename Packet>
EIGEN_STRONG_INLINE void tanhPackets(const Packet* x, Packet* out) {
    if constexpr (std::is_same_v<Scalar, double>) {
        tanhDouble<Lanes>(x, out);
    } else {
        for (int j = 0; j < Lanes; ++j) out[j] = tanhFloat(x[j]);
    }
}

}  // namespace

template <typename Scalar>
void fastTanh(const Scalar* in, Scalar* out, Index n) {
    using namespace Eigen::internal;
    using Packet = typename packet_traits<Scalar>::type;
    constexpr Index width = packet_traits<Scalar>::size;
    constexpr int lanes = 4;
    Packet x[lanes], y[lanes];
    Index i = 0;
    for (; i + lanes * width <= n; i += lanes * width) {
        for (int j = 0; j < lanes; ++j) x[j] = ploadu<Packet>(in + i + j * width);
        tanhPackets<Scalar, lanes>(x, y);
        for (int j = 0; j < lanes; ++j) pstoreu(out + i + j * width, y[j]);
    }
    for (; i + width <= n; i += width) {
        x[0] = ploadu<Packet>(in + i);
        tanhPackets<Scalar, 1>(x, y);
        pstoreu(out + i, y[0]);
    }
    if (i < n) {
        // The tail goes through the same packet code (every lane does the same arithmetic
        // however many packets run together), so a value's tanh does not depend on where
        // it sits in the batch.
        Scalar tail[width] = {};
        for (Index k = i; k < n; ++k) tail[k - i] = in[k];
        x[0] = ploadu<Packet>(tail);
        tanhPackets<Scalar, 1>(x, y);
        pstoreu(tail, y[0]);
        for (Index k = i; k < n; ++k) out[k] = tail[k - i];
    }
}

template <typename Scalar>
void activationForward(Activation activation, const Matrix<Scalar>& z, Matrix<Scalar>& a) {
    const Scalar one(1), zero(0);
    a.resize(z.rows(), z.cols());
    auto za = z.array();
    switch (activation) {
        // Dense runs these in place on its product; here on a copy of z, through the same code.
        case Activation::Identity:
        case Activation::Tanh:
        case Activation::Sigmoid:
            a = z;
            activationInPlace(activation, a);
            break;
        case Activation::Relu:
            a.array() = za.max(zero);
            break;
        case Activation::Silu:
            a.array() = za / (one + (-za).exp());
            break;
        // max(z, 0) + log1p(exp(-|z|)) never overflows, unlike log(1 + exp(z)).
        case Activation::Softplus:
            a.array() = za.max(zero) + (-za.abs()).exp().log1p();
            break;
        case Activation::Sine:
            a.array() = za.sin();
            break;
    }
}

template <typename Scalar>
void activationInPlace(Activation activation, Matrix<Scalar>& a) {
    switch (activation) {
        case Activation::Identity:
            break;
        case Activation::Tanh:
            fastTanh(a.data(), a.data(), a.size());
            break;
        case Activation::Sigmoid:
            a.array() = Scalar(1) / (Scalar(1) + (-a.array()).exp());
            break;
        default:
            throw Error("activationInPlace: " + activationName(activation) + " needs z kept");
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
        case Activation::Identity:
            break;
        case Activation::Tanh:
            ga *= one - aa.square();
            break;
        case Activation::Relu:
            ga = (za > zero).select(ga, zero);
            break;
        case Activation::Silu: {
            // d/dz z s(z) = s (1 + z (1 - s)); s is recomputed rather than stored, since the
            // forward pass of the far more common tanh should not pay for an extra buffer.
            const auto s = one / (one + (-za).exp());
            ga *= s * (one + za * (one - s));
            break;
        }
        case Activation::Softplus:
            ga *= one / (one + (-za).exp());
            break;
        case Activation::Sigmoid:
            ga *= aa * (one - aa);
            break;
        case Activation::Sine:
            ga *= za.cos();
            break;
    }
}

template void fastTanh<double>(const double*, double*, Index);
template void fastTanh<float>(const float*, float*, Index);
template void activationForward<double>(Activation, const Matrix<double>&, Matrix<double>&);
template void activationForward<float>(Activation, const Matrix<float>&, Matrix<float>&);
template void activationInPlace<double>(Activation, Matrix<double>&);
template void activationInPlace<float>(Activation, Matrix<float>&);
template void activationBackward<double>(Activation, const Matrix<double>&, const Matrix<double>&,
                                         Matrix<double>&);
template void activationBackward<float>(Activation, const Matrix<float>&, const Matrix<float>&,
                                        Matrix<float>&);

}  // namespace driftlab::core::nn
