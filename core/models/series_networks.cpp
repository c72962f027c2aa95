#include "core/models/series_networks.h"

#include <algorithm>

#include "core/common/error.h"

namespace driftlab::core::models {

nn::MlpConfig seriesEncoderConfig(const SeriesModelConfig& c, std::uint64_t seed) {
    nn::MlpConfig m;
    m.inputDim = c.encoderObservations * (2 * c.channels + 1);
    m.hiddenWidths = c.encoderWidths;
    m.outputDim = c.latentDim;
    m.seed = seed;
    return m;
}

nn::MlpConfig seriesDriftConfig(const SeriesModelConfig& c, bool withControl, std::uint64_t seed) {
    nn::MlpConfig m;
    m.inputDim = c.latentDim + (withControl ? c.channels : 0);
    m.hiddenWidths = c.driftWidths;
    m.outputDim = c.latentDim;
    if (c.driftSeesTime) {
        m.timeEmbedding.kind = nn::TimeEmbeddingConfig::Kind::Sinusoidal;
        m.timeEmbedding.dim = 8;
        m.timeEmbedding.maxPeriod = 100.0;
    }
    m.seed = seed;
    return m;
}

nn::MlpConfig linearLayerConfig(nn::Index in, nn::Index out, std::uint64_t seed) {
    nn::MlpConfig m;
    m.inputDim = in;
    m.outputDim = std::max<nn::Index>(out, 1);
    m.seed = seed;
    return m;
}

Eigen::VectorXd seriesEncoderFeatures(const SeriesModelConfig& c, const timeseries::Series& s,
                                      const timeseries::Mask& context) {
    const nn::Index ch = c.channels;
    Eigen::VectorXd features = Eigen::VectorXd::Zero(c.encoderObservations * (2 * ch + 1));
    for (nn::Index j = 0, k = 0; j < s.length() && k < c.encoderObservations; ++j) {
        if (!context.col(j).any()) continue;
        const nn::Index base = k * (2 * ch + 1);
        for (nn::Index i = 0; i < ch; ++i) {
            features(base + i) = context(i, j) ? s.values(i, j) : 0.0;
            features(base + ch + i) = context(i, j) ? 1.0 : 0.0;
        }
        features(base + 2 * ch) = s.times[std::size_t(j)] - s.times.front();
        ++k;
    }
    return features;
}

Eigen::VectorXd seriesInitialObservation(const timeseries::Series& s,
                                         const timeseries::Mask& context) {
    Eigen::VectorXd z0 = Eigen::VectorXd::Zero(s.channels());
    for (nn::Index i = 0; i < s.channels(); ++i)
        for (nn::Index j = 0; j < s.length(); ++j)
            if (context(i, j)) {
                z0(i) = s.values(i, j);
                break;
            }
    return z0;
}

void checkStateSpace(const SeriesModelConfig& c, const std::string& who) {
    if (!c.latent && c.latentDim != c.channels)
        throw ConfigError(who +
                          "a non-latent model (latent = false) runs in observation space, "
                          "so its latent dimension must equal the channel count (" +
                          std::to_string(c.channels) + "), not " + std::to_string(c.latentDim));
}

}  // namespace driftlab::core::models
