#pragma once
// Synthetic irregular, incomplete time series from five stochastic systems. Each path is
// simulated by Euler–Maruyama on a fine internal grid that also steps exactly onto every
// observation time (so sampling needs no interpolation), then observation noise is added
// and cells are dropped at random.
//
// Series i uses only the random stream (seed, i): a dataset of n series is the first n
// series of a larger one with the same options.
#include <cstdint>
#include <string>

#include "core/models/series_dataset.h"

namespace driftlab::core::timeseries {

enum class GeneratorKind { OrnsteinUhlenbeck, DoubleWell, LotkaVolterra, VanDerPol, Spirals };

std::string generatorName(GeneratorKind kind);
// Accepts the names generatorName gives ("ou", "double_well", ...); throws ConfigError.
GeneratorKind generatorFromName(const std::string& name);
Eigen::Index generatorChannels(GeneratorKind kind);

struct GeneratorOptions {
    std::uint64_t seed = 0;
    int seriesCount = 64;
    double length = 10.0;           // time span of each series, starting at 0
    int observations = 50;          // per series, before any are dropped
    double observationNoise = 0.0;  // standard deviation added to every observed value
    bool irregular = true;          // uniform random times (sorted) instead of an even grid
    double missingRate = 0.0;       // in [0, 0.9]: each cell dropped with this probability
    double fineDt = 0.01;           // internal Euler–Maruyama step
};

// Throws ConfigError for out-of-range options. Times where every channel was dropped are
// removed from the series (they carry nothing), so lengths vary between series. The series
// label is the generator's index, except spirals: 0 counter-clockwise, 1 clockwise.
TimeSeriesDataset generate(GeneratorKind kind, const GeneratorOptions& options);

}  // namespace driftlab::core::timeseries
