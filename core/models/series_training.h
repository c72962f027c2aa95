#pragma once
// A plain Adam loop for any SeriesModel, for tests, benchmarks and scripts that need a
// trained model without the workspace's trainer (core/timeseries/timeseries_training.h),
// which adds snapshots, validation and the views' data on top.
#include <cstdint>
#include <string>
#include <vector>

#include "core/models/series_model.h"

namespace driftlab::core::models {

struct SeriesTrainOptions {
    int iterations = 200;
    int batchSize = 16;
    int paths = 8;
    double learningRate = 1e-2;
    double gradientClip = 10.0;
    std::uint64_t seed = 0;  // batches and Brownian increments
};

struct SeriesTrainReport {
    std::vector<double> loss;  // per iteration (the batch objective)
    long nfe = 0;              // over all iterations
    bool diverged = false;
    std::string message;  // names the iteration and the quantity when diverged
};

// Adam on batches drawn from the given series. Without tasks each series is trained whole
// (context = target = observed); with tasks (one per series of data) on its task's masks,
// which is what a control-path model needs so it never reads its own targets. A non-finite
// loss or gradient, or a failed solve, stops training and keeps the last finite parameters.
SeriesTrainReport trainSeriesModel(SeriesModel& model, const timeseries::TimeSeriesDataset& data,
                                   const std::vector<std::size_t>& indices,
                                   const SeriesTrainOptions& options,
                                   const std::vector<timeseries::SeriesTask>* tasks = nullptr);

// The objective and its terms (e.g. "mse") on the tasks' target cells of the given series,
// the models reading the tasks' contexts.
SeriesLossResult evaluateSeriesModel(const SeriesModel& model,
                                     const timeseries::TimeSeriesDataset& data,
                                     const std::vector<timeseries::SeriesTask>& tasks,
                                     const std::vector<std::size_t>& indices, int paths,
                                     std::uint64_t noiseSeed);

// The named term of a result; throws driftlab::Error when absent.
double lossTerm(const SeriesLossResult& result, const std::string& name);

}  // namespace driftlab::core::models
