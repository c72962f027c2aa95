#include "core/nn/loss.h"

#include <cmath>
#include <numbers>
#include <string>

#include "core/common/error.h"

namespace driftlab::core::nn {

namespace {

template <typename Scalar>
void requireSameShape(const char* loss, const MatrixCRef<Scalar>& a, const MatrixCRef<Scalar>& b) {
    if (a.rows() != b.rows() || a.cols() != b.cols())
        throw Error(std::string(loss) + ": shapes differ (" + std::to_string(a.rows()) + " x " +
                    std::to_string(a.cols()) + " vs " + std::to_string(b.rows()) + " x " +
                    std::to_string(b.cols()) + ")");
}

// log(sum exp(z)) per column, shifted by the column maximum so it cannot overflow; also
// leaves softmax(z) in probabilities.
template <typename Scalar>
RowVector<Scalar> logSumExp(const MatrixCRef<Scalar>& z, Matrix<Scalar>& probabilities) {
    const RowVector<Scalar> shift = z.colwise().maxCoeff();
    probabilities = (z.rowwise() - shift).array().exp().matrix();
    const RowVector<Scalar> sums = probabilities.colwise().sum();
    probabilities.array().rowwise() /= sums.array();
    return shift.array() + sums.array().log();
}

}  // namespace

template <typename Scalar>
Scalar mseLoss(const MatrixCRef<Scalar>& prediction, const MatrixCRef<Scalar>& target,
               Matrix<Scalar>* gradient) {
    requireSameShape("MSE loss", prediction, target);
    const auto n = static_cast<Scalar>(prediction.size());
    if (gradient) {
        gradient->resize(prediction.rows(), prediction.cols());
        *gradient = (prediction - target) * (Scalar(2) / n);
    }
    return (prediction - target).squaredNorm() / n;
}

template <typename Scalar>
Scalar gaussianNllLoss(const MatrixCRef<Scalar>& mean, const MatrixCRef<Scalar>& logVariance,
                       const MatrixCRef<Scalar>& target, Matrix<Scalar>* gradMean,
                       Matrix<Scalar>* gradLogVariance) {
    requireSameShape("Gaussian NLL loss", mean, target);
    requireSameShape("Gaussian NLL loss", logVariance, target);
    const auto n = static_cast<Scalar>(mean.size());
    const auto r = (target - mean).array();
    const auto precision = (-logVariance.array()).exp();
    if (gradMean) {
        gradMean->resize(mean.rows(), mean.cols());
        gradMean->array() = -r * precision / n;
    }
    if (gradLogVariance) {
        gradLogVariance->resize(mean.rows(), mean.cols());
        gradLogVariance->array() = Scalar(0.5) * (Scalar(1) - r.square() * precision) / n;
    }
    const Scalar log2pi = static_cast<Scalar>(std::log(2.0 * std::numbers::pi));
    return Scalar(0.5) * (logVariance.array() + r.square() * precision + log2pi).sum() / n;
}

template <typename Scalar>
Scalar bceWithLogitsLoss(const MatrixCRef<Scalar>& logits, const MatrixCRef<Scalar>& target,
                         Matrix<Scalar>* gradient) {
    requireSameShape("BCE loss", logits, target);
    const auto n = static_cast<Scalar>(logits.size());
    const auto z = logits.array();
    if (gradient) {
        gradient->resize(logits.rows(), logits.cols());
        gradient->array() = (Scalar(1) / (Scalar(1) + (-z).exp()) - target.array()) / n;
    }
    const auto softplus = z.max(Scalar(0)) + (-z.abs()).exp().log1p();
    return (softplus - target.array() * z).sum() / n;
}

template <typename Scalar>
Scalar softmaxCrossEntropyLoss(const MatrixCRef<Scalar>& logits, const std::vector<int>& labels,
                               Matrix<Scalar>* gradient) {
    if (static_cast<Index>(labels.size()) != logits.cols())
        throw Error("cross-entropy loss: " + std::to_string(labels.size()) + " labels for " +
                    std::to_string(logits.cols()) + " samples");
    Matrix<Scalar> probabilities;
    const RowVector<Scalar> lse = logSumExp<Scalar>(logits, probabilities);
    Scalar total = 0;
    for (Index j = 0; j < logits.cols(); ++j) {
        const int label = labels[static_cast<std::size_t>(j)];
        if (label < 0 || label >= logits.rows())
            throw Error("cross-entropy loss: label " + std::to_string(label) + " of sample " +
                        std::to_string(j) + " is not a class in 0.." +
                        std::to_string(logits.rows() - 1));
        total += lse[j] - logits(label, j);
        probabilities(label, j) -= Scalar(1);
    }
    const auto n = static_cast<Scalar>(logits.cols());
    if (gradient) *gradient = probabilities / n;
    return total / n;
}

template <typename Scalar>
Scalar softmaxCrossEntropyLoss(const MatrixCRef<Scalar>& logits,
                               const MatrixCRef<Scalar>& targetProbabilities,
                               Matrix<Scalar>* gradient) {
    requireSameShape("cross-entropy loss", logits, targetProbabilities);
    Matrix<Scalar> probabilities;
    const RowVector<Scalar> lse = logSumExp<Scalar>(logits, probabilities);
    const auto n = static_cast<Scalar>(logits.cols());
    // sum_k p_k (lse - z_k) = lse sum_k p_k - p . z per column.
    const Scalar total = (lse.cwiseProduct(targetProbabilities.colwise().sum())).sum() -
                         targetProbabilities.cwiseProduct(logits).sum();
    if (gradient) {
        // d/dz = softmax(z) * sum_k p_k - p; sum_k p_k is 1 for proper targets.
        *gradient = (probabilities.array().rowwise() * targetProbabilities.colwise().sum().array() -
                     targetProbabilities.array())
                        .matrix() /
                    n;
    }
    return total / n;
}

#define DRIFTLAB_NN_LOSSES(S)                                                                \
    template S mseLoss<S>(const MatrixCRef<S>&, const MatrixCRef<S>&, Matrix<S>*);           \
    template S gaussianNllLoss<S>(const MatrixCRef<S>&, const MatrixCRef<S>&,                \
                                  const MatrixCRef<S>&, Matrix<S>*, Matrix<S>*);             \
    template S bceWithLogitsLoss<S>(const MatrixCRef<S>&, const MatrixCRef<S>&, Matrix<S>*); \
    template S softmaxCrossEntropyLoss<S>(const MatrixCRef<S>&, const std::vector<int>&,     \
                                          Matrix<S>*);                                       \
    template S softmaxCrossEntropyLoss<S>(const MatrixCRef<S>&, const MatrixCRef<S>&, Matrix<S>*);
DRIFTLAB_NN_LOSSES(double)
DRIFTLAB_NN_LOSSES(float)
#undef DRIFTLAB_NN_LOSSES

}  // namespace driftlab::core::nn
