#pragma once
// The adaptive (latent or observation-space) neural ODE of the time-series workspace: Dopri5 on
// each series' own observation times, gradients by discretise-then-optimise through the accepted
// steps, and the ERNODE solver-heuristic regularisers (global, or local at randomly drawn times).
#include <memory>
#include <vector>

#include "core/models/series_model.h"

namespace driftlab::core::models {

// config.kind must be NeuralOde and config.adaptive true; throws ConfigError otherwise and
// for settings this model cannot honour (Elbo objective, non-positive tolerances, ...).
std::unique_ptr<SeriesModel> makeAdaptiveSeriesOde(const SeriesModelConfig& config);

// For gradient checks: solve every series of the batch once and, until unfreeze, replace
// the adaptive solves of those series by a replay of the accepted steps found now. The
// gradient is exact for this fixed-grid replay (step sizes are constants, as in torchdiffeq
// and diffrax), so central differences of the frozen loss must agree with it to round-off.
// Throws ConfigError for other models.
void freezeStepGrids(SeriesModel& model, const std::vector<SeriesItem>& batch);
void unfreezeStepGrids(SeriesModel& model);

}  // namespace driftlab::core::models
