#pragma once
// Data sets shared by the time-series model tests.
#include "core/models/series_dataset.h"
#include "core/timeseries/generators.h"

#include <vector>

namespace driftlab::test {

// 64 OU series of 30 irregular observations over [0, 6] (noise 0.05, 30 % missing, seed
// 21), split 3:1 by series, forecasting the second half of each window.
struct OuForecast {
    core::timeseries::TimeSeriesDataset data;
    core::timeseries::DatasetSplit split;
    std::vector<core::timeseries::SeriesTask> tasks;
    OuForecast() {
        using namespace core::timeseries;
        GeneratorOptions o;
        o.seed = 21;
        o.seriesCount = 64;
        o.length = 6.0;
        o.observations = 30;
        o.observationNoise = 0.05;
        o.missingRate = 0.3;
        data = generate(GeneratorKind::OrnsteinUhlenbeck, o);
        split = splitBySeries(data.size(), 0.75, 0.0, 4);
        tasks = makeTasks(data, {TaskKind::Forecasting, 0.5, 0});
    }
};

}  // namespace driftlab::test
