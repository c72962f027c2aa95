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

// Rectifier family (ReLU, SiLU, softplus): halves the variance it passes on, so Init::Auto
// uses He initialisation for it and Xavier otherwise.
bool isRectifier(Activation activation);

}  // namespace driftlab::core::nn
