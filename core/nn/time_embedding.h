#pragma once
// Embeddings of the time t that a network takes beside its state, concatenated below the
// input rows: [x; emb(t)]. Both kinds are [sin(w t); cos(w t)] with fixed frequencies w
// (no trainable parameters):
//  - Sinusoidal (transformer/diffusion style): w_k = maxPeriod^(-k/half), k = 0..half-1,
//    a geometric ladder from 1 down to 1/maxPeriod.
//  - Fourier features (Tancik et al.): w_k = 2 pi * scale * N(0,1), drawn once from seed, so
//    the same seed is the same function (the seed is part of the architecture).
#include <cstdint>
#include <string>

#include "core/nn/types.h"

namespace driftlab::core::nn {

struct TimeEmbeddingConfig {
    enum class Kind { None, Sinusoidal, Fourier };
    Kind kind = Kind::None;
    Index dim = 0;               // number of rows added; even
    double maxPeriod = 10000.0;  // sinusoidal only
    double scale = 1.0;          // Fourier only: standard deviation of the frequencies / 2 pi
    std::uint64_t seed = 0;      // Fourier only
};

template <typename Scalar>
class TimeEmbedding {
public:
    // Throws ConfigError for an odd or negative dimension or a non-positive period/scale.
    explicit TimeEmbedding(const TimeEmbeddingConfig& config);

    Index dim() const { return enabled() ? 2 * frequencies_.size() : 0; }
    bool enabled() const { return config_.kind != TimeEmbeddingConfig::Kind::None; }
    const TimeEmbeddingConfig& config() const { return config_; }
    const Vector<Scalar>& frequencies() const { return frequencies_; }

    // out must be dim() x batch (typically the bottom rows of the network's input buffer).
    void embed(const Eigen::Ref<const RowVector<Scalar>>& t, Eigen::Ref<Matrix<Scalar>> out) const;
    // One time for the whole batch, the common case in a solver step: computed once and
    // broadcast.
    void embed(Scalar t, Eigen::Ref<Matrix<Scalar>> out) const;

    // dL/dt per sample, from the embedding emb (as written by embed) and dL/demb.
    void timeVjp(const MatrixCRef<Scalar>& emb, const MatrixCRef<Scalar>& embGrad,
                 RowVector<Scalar>& timeGrad) const;

private:
    TimeEmbeddingConfig config_;
    Vector<Scalar> frequencies_;
};

std::string timeEmbeddingKindName(TimeEmbeddingConfig::Kind kind);

extern template class TimeEmbedding<double>;
extern template class TimeEmbedding<float>;

}  // namespace driftlab::core::nn
