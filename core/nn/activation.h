#pragma once
// Element-wise activations. They are fused into Dense (bias + activation in one pass after
// the GEMM), but also usable on their own, e.g. for a standalone activation layer or tests.
#include <string>

#include "core/nn/types.h"

namespace driftlab::core::nn {

std::string activationName(Activation activation);
// Accepts the names activationName produces ("tanh", "relu", ...); throws ConfigError.
Activation activationFromName(const std::string& name);

// a = act(z). a and z may not alias (SiLU/softplus/sine backward need z afterwards).
template <typename Scalar>
void activationForward(Activation activation, const Matrix<Scalar>& z, Matrix<Scalar>& a);

// In place: g <- g * act'(z), with a = act(z) from the forward pass (tanh and sigmoid
// derivatives come cheaper from a than from z).
template <typename Scalar>
void activationBackward(Activation activation, const Matrix<Scalar>& z, const Matrix<Scalar>& a,
                        Matrix<Scalar>& g);

// tanh over n contiguous values, vectorised for float and double alike (Eigen 3.4 evaluates
// double tanh one element at a time through libm, which made it the dominant cost of a
// 64-wide tanh layer). Accurate to a few ulp of std::tanh: <= 1.5e-15 relative in double
// (measured 4.1 ulp with FMA, 4.6 without), <= 4e-7 in float (Eigen's own float tanh, about 2.7
// ulp), for all x, no cancellation at tiny |x|, -0 stays -0, NaN propagates. The result for an
// element does not depend on its position in the array. in and out may alias.
template <typename Scalar>
void fastTanh(const Scalar* in, Scalar* out, Index n);

// Whether activationBackward reads z. tanh, sigmoid and identity differentiate from their
// output a alone, so a layer need not keep z for them (see Dense::forward).
bool needsPreactivation(Activation activation);

// a <- act(a) for the activations that do not need z afterwards.
template <typename Scalar>
void activationInPlace(Activation activation, Matrix<Scalar>& a);

// Rectifier family (ReLU, SiLU, softplus): halves the variance it passes on, so Init::Auto
// uses He initialisation for it and Xavier otherwise.
bool isRectifier(Activation activation);

}  // namespace driftlab::core::nn
