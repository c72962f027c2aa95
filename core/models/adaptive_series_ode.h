#pragma once
// The adaptive latent neural ODE of the time-series workspace: Dopri5 on each series' own
// observation times, gradients by discretise-then-optimise through the accepted steps, and
// the ERNODE solver-heuristic regularisers (global, or local at randomly drawn times).
#include <memory>

#include "core/models/series_model.h"

namespace driftlab::core::models {

// config.kind must be NeuralOde and config.adaptive true; throws ConfigError otherwise and
// for settings this model cannot honour (Elbo objective, non-positive tolerances, ...).
std::unique_ptr<SeriesModel> makeAdaptiveSeriesOde(const SeriesModelConfig& config);

}  // namespace driftlab::core::models
