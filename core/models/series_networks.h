#pragma once
// Network shapes and the encoder input shared by every time-series model family (the
// fixed-step latent models and the adaptive latent ODE), so that both read a series the
// same way and a config means the same networks in both.
#include <cstdint>
#include <string>

#include "core/models/series_model.h"
#include "core/nn/mlp.h"

namespace driftlab::core::models {

// Encoder: encoderObservations x [values, mask, time since start] -> latentDim.
nn::MlpConfig seriesEncoderConfig(const SeriesModelConfig& c, std::uint64_t seed);
// Latent drift: [z; X(t) when withControl] -> latentDim, with a sinusoidal time embedding
// when driftSeesTime.
nn::MlpConfig seriesDriftConfig(const SeriesModelConfig& c, bool withControl, std::uint64_t seed);
// One affine layer in -> max(out, 1) (readouts and heads).
nn::MlpConfig linearLayerConfig(nn::Index in, nn::Index out, std::uint64_t seed);

// Values (0 where unseen), mask and time since the series start of the first
// encoderObservations context observations, zero padded when there are fewer.
Eigen::VectorXd seriesEncoderFeatures(const SeriesModelConfig& c, const timeseries::Series& s,
                                      const timeseries::Mask& context);

// The observation-space (latent = false) initial state: each channel's first context value,
// 0 for a channel the context never observes.
Eigen::VectorXd seriesInitialObservation(const timeseries::Series& s,
                                         const timeseries::Mask& context);
// Throws ConfigError (prefixed by who) unless c is latent or its latentDim equals channels.
void checkStateSpace(const SeriesModelConfig& c, const std::string& who);

}  // namespace driftlab::core::models
