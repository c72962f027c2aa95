#pragma once
// The Time-series experiment as data: where the series come from (a synthetic generator, a
// built-in real series cut into windows, or a CSV file), the task (forecasting,
// interpolation, classification) and split, the model (every SeriesModelConfig field) and the
// training settings. One flat schema, timeSeriesSchema(), drives the GUI form, JSON files and
// validation; timeSeriesConfigFromJson adds the checks spanning several keys (a dt that would
// take too many steps per window, ELBO with an ODE, regularisation without an adaptive solve,
// classification of unlabelled data, ...), each message naming the key.
//
// File format: {"experiment": "timeseries", "timeseries": {keys of timeSeriesSchema()}}; a
// flat object of schema keys is accepted too (what the GUI form holds).
#include "core/experiment/schema.h"
#include "core/models/series_dataset.h"
#include "core/models/series_model.h"
#include "core/timeseries/generators.h"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace driftlab::core {

enum class TimeSeriesSource { Generator, Builtin, Csv };
enum class TimeSeriesTask { Forecasting, Interpolation, Classification };
std::string timeSeriesTaskName(TimeSeriesTask task);  // the schema's "task" value

struct TimeSeriesDataConfig {
    TimeSeriesSource source = TimeSeriesSource::Generator;
    timeseries::GeneratorKind generator = timeseries::GeneratorKind::OrnsteinUhlenbeck;
    // seed, seriesCount, length, observations, observationNoise, irregular, missingRate.
    // length is also the time span every real/CSV window is rescaled to (model time units),
    // and missingRate drops that fraction of a real series' cells as well (robustness study).
    timeseries::GeneratorOptions generatorOptions;
    std::string builtin;          // "sunspots" or "co2" (source Builtin)
    std::string csvPath;          // source Csv
    int windowObservations = 40;  // real/CSV: observation times per window
    int windowStride = 20;        // real/CSV: start-to-start distance of windows, in rows
    bool standardize = true;      // real/CSV: values to zero mean, unit variance per channel
};

struct TimeSeriesTaskConfig {
    TimeSeriesTask task = TimeSeriesTask::Forecasting;
    double holdOut = 0.3;  // forecasting: end fraction of the window; interpolation: cells
    double trainFraction = 0.7;
    double validationFraction = 0.15;  // the rest is the test set
};

struct TimeSeriesTrainingConfig {
    long iterations = 300;
    int batchSize = 16;  // series per iteration (capped at the training set's size)
    int paths = 8;       // sample paths per series (SDE kinds; 1 is used for ode)
    double learningRate = 1e-2;
    double gradientClip = 10.0;  // max gradient norm; 0: no clipping
    std::uint64_t seed = 1;      // batches and noise
    int validateEvery = 25;      // iterations between validation/test evaluations
    int displaySeries = 4;       // series shown in the fan chart (half train, half test)
    int forecastPaths = 32;      // sample paths per displayed series
};

struct TimeSeriesConfig {
    TimeSeriesDataConfig data;
    TimeSeriesTaskConfig task;
    models::SeriesModelConfig model;  // channels and classes are filled from the data
    TimeSeriesTrainingConfig training;
};

const Schema& timeSeriesSchema();
// Values of the schema's "dataset" choice: the generator names, "sunspots", "co2", "csv".
const std::vector<std::string>& timeSeriesDatasetIds();

// object: keys of timeSeriesSchema() (flat or under "timeseries"); missing keys take defaults.
// Throws ConfigError naming the key and the problem; context prefixes messages (a file name).
TimeSeriesConfig timeSeriesConfigFromJson(const nlohmann::json& object, const std::string& context);
TimeSeriesConfig parseTimeSeriesConfig(const std::string& text, const std::string& context);
TimeSeriesConfig loadTimeSeriesConfig(const std::string& path);
// The flat schema values of config (round-trips through timeSeriesConfigFromJson).
nlohmann::json timeSeriesValues(const TimeSeriesConfig& config);
// The file form {"experiment": "timeseries", "timeseries": values}.
nlohmann::json toJson(const TimeSeriesConfig& config);
std::string toJsonText(const TimeSeriesConfig& config);
// Atomic (temporary file, fsync, rename): a failed save leaves the old file whole.
void saveTimeSeriesConfig(const std::string& path, const TimeSeriesConfig& config);

// Built-in time-series presets (resources/presets/timeseries/*.json, embedded at build time).
std::vector<std::string> timeSeriesPresetIds();
// nullptr when there is no preset of that id.
const TimeSeriesConfig* findTimeSeriesPreset(const std::string& id);
// A path to an existing file is loaded, otherwise a preset id; ConfigError naming both.
TimeSeriesConfig resolveTimeSeriesConfig(const std::string& fileOrPreset);

// The text of a built-in real series CSV ("sunspots", "co2"), embedded from
// resources/datasets; ConfigError for an unknown name.
const std::string& builtinSeriesCsv(const std::string& name);

// The data an experiment trains on, built from the config on the calling (worker) thread.
struct TimeSeriesData {
    timeseries::TimeSeriesDataset dataset;
    timeseries::DatasetSplit split;
    std::vector<timeseries::SeriesTask> tasks;  // one per series
    int classes = 0;  // classification: distinct labels (0..classes-1); 0 otherwise
    // Real/CSV with standardize: value = standardized * scale + offset, per channel.
    Eigen::VectorXd offset, scale;
    double windowStart = 0.0, windowEnd = 0.0;  // the common time window of the series
};

// Generates or loads and windows the series, splits them and makes the tasks. Classification
// with a generator draws an equal share of series from every generator with the same number
// of channels (spirals: its two directions) and labels them by system. Throws ConfigError
// (a CSV that does not load, too few series for a split, ...).
TimeSeriesData buildTimeSeriesData(const TimeSeriesConfig& config);

// The model config for the data: channels and classes filled in, and latentDim = channels
// for a non-latent model.
models::SeriesModelConfig modelConfigFor(const TimeSeriesConfig& config,
                                         const TimeSeriesData& data);

}  // namespace driftlab::core
