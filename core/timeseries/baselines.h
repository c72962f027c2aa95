#pragma once
// Honest reference predictors for the held-out cells of a task, from the context cells only:
//  - persistence: the last context value of the channel at or before the target time (the
//    first one after it when there is none before);
//  - linear interpolation between the context values of the channel around the target time,
//    constant beyond the first and last (so for forecasting it equals persistence).
// Scores are the mean squared error over all target cells of the chosen series.
#include <vector>

#include "core/models/series_dataset.h"

namespace driftlab::core::timeseries {

enum class BaselineKind { Persistence, LinearInterpolation };

struct BaselineScore {
    double mse = 0.0;
    long cells = 0;  // target cells scored (cells with no context value in their channel skip)
};

// Predictions at every time of series s, channels x times (NaN where the channel has no
// context value at all).
Eigen::MatrixXd baselinePredict(BaselineKind kind, const Series& s, const Mask& context);

BaselineScore baselineMse(BaselineKind kind, const TimeSeriesDataset& data,
                          const std::vector<SeriesTask>& tasks,
                          const std::vector<std::size_t>& seriesIndices);

}  // namespace driftlab::core::timeseries
