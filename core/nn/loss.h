#pragma once
// Losses over a batch (one column per sample). Each returns the value and, when the gradient
// pointer is non-null, writes dLoss/dinput there (resized to match). Normalisation:
//  - mse, gaussianNll, bceWithLogits: mean over all entries (rows x batch);
//  - softmaxCrossEntropy: rows are classes, mean over the batch (columns).
#include <vector>

#include "core/nn/types.h"

namespace driftlab::core::nn {

// mean((prediction - target)^2)
template <typename Scalar>
Scalar mseLoss(const MatrixCRef<Scalar>& prediction, const MatrixCRef<Scalar>& target,
               Matrix<Scalar>* gradient);

// Negative log-likelihood of target under N(mean, exp(logVariance)), including the
// 0.5 log(2 pi) constant: mean(0.5 (logVar + (target - mean)^2 exp(-logVar) + log 2 pi)).
// Predicting the log-variance keeps the variance positive without a constraint.
template <typename Scalar>
Scalar gaussianNllLoss(const MatrixCRef<Scalar>& mean, const MatrixCRef<Scalar>& logVariance,
                       const MatrixCRef<Scalar>& target, Matrix<Scalar>* gradMean,
                       Matrix<Scalar>* gradLogVariance);

// Binary cross-entropy on logits z with targets in [0, 1]: mean(softplus(z) - y z), which is
// -y log s(z) - (1 - y) log(1 - s(z)) written so it never takes the log of 0.
template <typename Scalar>
Scalar bceWithLogitsLoss(const MatrixCRef<Scalar>& logits, const MatrixCRef<Scalar>& target,
                         Matrix<Scalar>* gradient);

// Softmax cross-entropy with integer class labels (one per column).
template <typename Scalar>
Scalar softmaxCrossEntropyLoss(const MatrixCRef<Scalar>& logits, const std::vector<int>& labels,
                               Matrix<Scalar>* gradient);
// The same with target probabilities (each column sums to 1; soft labels).
template <typename Scalar>
Scalar softmaxCrossEntropyLoss(const MatrixCRef<Scalar>& logits,
                               const MatrixCRef<Scalar>& targetProbabilities,
                               Matrix<Scalar>* gradient);

}  // namespace driftlab::core::nn
