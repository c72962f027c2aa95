#pragma once
// The data of one diffusion experiment, built by one function for the window and the
// headless run alike, so one config and seed give the same training set, the same held-out
// set and therefore the same metrics in both. The rule (documented in diffusion_headless.h):
// the user's own points (a data_file, or points drawn or imported in the window) are split,
// a fifth held out; a generated data set trains on all its points and is scored against a
// fresh draw of metric_points from the same generator (and a second fresh draw, the floor).
#include "core/diffusion/diffusion_config.h"
#include "core/diffusion/toy_datasets.h"

#include <optional>
#include <string>

namespace driftlab::core {

struct DiffusionData {
    bool customData = false;  // the user's points instead of the configured generator
    // Training happens in standardised coordinates; the views show the user's own.
    diffusion::Standardizer standardizer;
    diffusion::Points train;    // standardised
    diffusion::Points heldOut;  // standardised, for the metrics
    diffusion::Points fresh;    // standardised second draw (generated data only), the floor
    // The data law when it is a known Gaussian mixture (user coordinates), for the true score.
    std::optional<diffusion::GaussianMixture2D> mixture;

    diffusion::Points toUser(const diffusion::Points& standardised) const {
        return standardizer.invert(standardised);
    }
};

// The default size of the fresh held-out draw (headless.metric_points).
constexpr diffusion::Index kDefaultMetricPoints = 10000;
// Fewest user points: a fifth is held out, and both parts must be usable.
constexpr diffusion::Index kMinimumUserPoints = 10;

// customPoints (user coordinates) replace the configured generator when given; customName
// names them in errors ("points.csv"), empty for points drawn in the window. ConfigError for
// an empty, too small or degenerate data set, before any training.
DiffusionData prepareDiffusionData(const DiffusionConfig& config, diffusion::Index metricPoints,
                                   const diffusion::Points* customPoints = nullptr,
                                   const std::string& customName = {});

}  // namespace driftlab::core
