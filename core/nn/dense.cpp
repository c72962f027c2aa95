#include "core/nn/dense.h"

#include <cmath>

#include "core/common/random.h"
#include "core/nn/activation.h"

namespace driftlab::core::nn {

template <typename Scalar>
Dense<Scalar>::Dense(Index inputs, Index outputs, Activation activation, Index offset)
    : inputs_(inputs), outputs_(outputs), activation_(activation), offset_(offset) {}

template <typename Scalar>
void Dense<Scalar>::initialize(Scalar* params, RandomStream& random, Init init) const {
    if (init == Init::Auto) init = isRectifier(activation_) ? Init::He : Init::Xavier;
    auto w = weights(params);
    // Draws are made in double and rounded, so a float model starts from the same numbers
    // as its double twin (up to rounding) for the same seed.
    if (init == Init::Xavier) {
        const double limit = std::sqrt(6.0 / static_cast<double>(inputs_ + outputs_));
        for (Index k = 0; k < w.size(); ++k)
            w.data()[k] = static_cast<Scalar>(limit * (2.0 * random.uniform() - 1.0));
    } else {
        const double sigma = std::sqrt(2.0 / static_cast<double>(inputs_));
        for (Index k = 0; k < w.size(); ++k)
            w.data()[k] = static_cast<Scalar>(sigma * random.normal());
    }
    bias(params).setZero();
}

template <typename Scalar>
void Dense<Scalar>::forward(const Scalar* params, const MatrixCRef<Scalar>& x, Matrix<Scalar>& z,
                            Matrix<Scalar>& a, GemmBuffers<Scalar>& buffers) const {
    const Index batch = x.cols();
    const Scalar* w = params + offset_;
    const Scalar* b = w + outputs_ * inputs_;
    // The product starts from the bias (one pass over the output fewer than adding it
    // afterwards). tanh, sigmoid and identity differentiate from a alone, so for them z is
    // not kept: the product lands in a and the activation runs in place. That halves what a
    // tape of every step's activations holds (W2's tape then stays in the L3 cache).
    const bool keepZ = needsPreactivation(activation_);
    if (!keepZ) z.resize(0, 0);
    Matrix<Scalar>& product = keepZ ? z : a;
    product.resize(outputs_, batch);
    gemm<Scalar>(outputs_, batch, inputs_, Scalar(1), w, outputs_, false, x.data(), x.outerStride(),
                 false, product.data(), outputs_, false, buffers, b);
    if (keepZ)
        activationForward(activation_, z, a);
    else
        activationInPlace(activation_, a);
}

template <typename Scalar>
void Dense<Scalar>::backward(const Scalar* params, const MatrixCRef<Scalar>& x,
                             const Matrix<Scalar>& z, const Matrix<Scalar>& a, Matrix<Scalar>& g,
                             Scalar* gradient, Matrix<Scalar>* inputGrad,
                             GemmBuffers<Scalar>& buffers) const {
    activationBackward(activation_, z, a, g);
    const Index batch = g.cols();
    if (gradient) {
        // dW += dL/dz x^T
        gemm<Scalar>(outputs_, inputs_, batch, Scalar(1), g.data(), outputs_, false, x.data(),
                     x.outerStride(), true, gradient + offset_, outputs_, true, buffers);
        bias(gradient).noalias() += g.rowwise().sum();
    }
    if (inputGrad) {
        // dL/dx = W^T dL/dz
        inputGrad->resize(inputs_, batch);
        gemm<Scalar>(inputs_, batch, outputs_, Scalar(1), params + offset_, outputs_, true,
                     g.data(), outputs_, false, inputGrad->data(), inputs_, false, buffers);
    }
}

template class Dense<double>;
template class Dense<float>;

}  // namespace driftlab::core::nn
