#include "core/nn/time_embedding.h"

#include <cmath>
#include <numbers>

#include "core/common/error.h"
#include "core/common/random.h"

namespace driftlab::core::nn {

std::string timeEmbeddingKindName(TimeEmbeddingConfig::Kind kind) {
    switch (kind) {
        case TimeEmbeddingConfig::Kind::None:
            return "none";
        case TimeEmbeddingConfig::Kind::Sinusoidal:
            return "sinusoidal";
        case TimeEmbeddingConfig::Kind::Fourier:
            return "fourier";
    }
    return "unknown";
}

template <typename Scalar>
TimeEmbedding<Scalar>::TimeEmbedding(const TimeEmbeddingConfig& config) : config_(config) {
    using Kind = TimeEmbeddingConfig::Kind;
    if (config.kind == Kind::None) return;
    const std::string what = timeEmbeddingKindName(config.kind) + " time embedding";
    if (config.dim <= 0 || config.dim % 2 != 0)
        throw ConfigError(what +
                          ": dimension must be a positive even number (sin and cos "
                          "pairs), got " +
                          std::to_string(config.dim));
    const Index half = config.dim / 2;
    frequencies_.resize(half);
    if (config.kind == Kind::Sinusoidal) {
        if (!(config.maxPeriod > 1.0)) throw ConfigError(what + ": maximum period must exceed 1");
        const double logPeriod = std::log(config.maxPeriod);
        for (Index k = 0; k < half; ++k)
            frequencies_[k] = static_cast<Scalar>(
                std::exp(-logPeriod * static_cast<double>(k) / static_cast<double>(half)));
    } else {
        if (!(config.scale > 0.0)) throw ConfigError(what + ": scale must be positive");
        // Stream 0x7e (not 0) so the frequencies never coincide with a layer's init draws.
        RandomStream random(config.seed, 0x7e);
        for (Index k = 0; k < half; ++k)
            frequencies_[k] =
                static_cast<Scalar>(2.0 * std::numbers::pi * config.scale * random.normal());
    }
}

template <typename Scalar>
void TimeEmbedding<Scalar>::embed(const Eigen::Ref<const RowVector<Scalar>>& t,
                                  Eigen::Ref<Matrix<Scalar>> out) const {
    const Index half = frequencies_.size();
    // sin and cos are evaluated into a contiguous matrix and then copied: written straight
    // into out's row blocks, Eigen peels each column's unaligned head and tail one value at
    // a time through libm, which was most of them for 16-row columns (1.5 ns per value).
    const Matrix<Scalar> phase = frequencies_ * t;
    Matrix<Scalar> values = phase.array().sin().matrix();
    out.topRows(half) = values;
    values = phase.array().cos().matrix();
    out.bottomRows(half) = values;
}

template <typename Scalar>
void TimeEmbedding<Scalar>::embed(Scalar t, Eigen::Ref<Matrix<Scalar>> out) const {
    const Index half = frequencies_.size();
    for (Index k = 0; k < half; ++k) {
        const Scalar phase = frequencies_[k] * t;
        out.row(k).setConstant(std::sin(phase));
        out.row(half + k).setConstant(std::cos(phase));
    }
}

template <typename Scalar>
void TimeEmbedding<Scalar>::timeVjp(const MatrixCRef<Scalar>& emb,
                                    const MatrixCRef<Scalar>& embGrad,
                                    RowVector<Scalar>& timeGrad) const {
    // d sin(w t)/dt = w cos(w t), d cos(w t)/dt = -w sin(w t).
    const Index half = frequencies_.size();
    timeGrad.resize(emb.cols());
    timeGrad.noalias() =
        frequencies_.transpose() * (emb.bottomRows(half).cwiseProduct(embGrad.topRows(half)) -
                                    emb.topRows(half).cwiseProduct(embGrad.bottomRows(half)));
}

template class TimeEmbedding<double>;
template class TimeEmbedding<float>;

}  // namespace driftlab::core::nn
