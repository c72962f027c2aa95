// The data side of the time-series experiment: synthetic series, or a real series cut into
// windows, then the split and the tasks.
#include "core/common/error.h"
#include "core/common/random.h"
#include "core/timeseries/csv_import.h"
#include "core/timeseries/timeseries_config.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace driftlab::core {

namespace {

using timeseries::GeneratorKind;
using timeseries::Mask;
using timeseries::Series;
using timeseries::TimeSeriesDataset;

// Stream ids for the random choices made here, apart from the generators' own streams.
constexpr std::uint64_t kSplitStream = 0x5911;
constexpr std::uint64_t kTaskStream = 0x7a5c;
constexpr std::uint64_t kDropStream = 0xd409;

// Classification: the systems a series may come from. Spirals separate by their direction
// (the generator labels them); the others are told apart from the generators with the same
// number of channels, so the model sees series of one shape.
std::vector<GeneratorKind> classificationSystems(GeneratorKind kind) {
    if (kind == GeneratorKind::Spirals) return {kind};
    std::vector<GeneratorKind> systems;
    for (auto other : {GeneratorKind::OrnsteinUhlenbeck, GeneratorKind::DoubleWell,
                       GeneratorKind::LotkaVolterra, GeneratorKind::VanDerPol})
        if (timeseries::generatorChannels(other) == timeseries::generatorChannels(kind))
            systems.push_back(other);
    return systems;
}

TimeSeriesData generated(const TimeSeriesConfig& config) {
    TimeSeriesData out;
    const auto& options = config.data.generatorOptions;
    if (config.task.task != TimeSeriesTask::Classification) {
        out.dataset = timeseries::generate(config.data.generator, options);
        return out;
    }
    const auto systems = classificationSystems(config.data.generator);
    if (systems.size() == 1) {
        out.dataset = timeseries::generate(config.data.generator, options);
        out.classes = 2;  // spirals: counter-clockwise and clockwise
        return out;
    }
    std::vector<TimeSeriesDataset> parts;
    std::string name;
    for (std::size_t k = 0; k < systems.size(); ++k) {
        auto share = options;
        share.seriesCount = std::max(1, options.seriesCount / int(systems.size()));
        share.seed = options.seed + 1000003ull * k;  // systems do not share noise
        parts.push_back(timeseries::generate(systems[k], share));
        if (!name.empty()) name += '+';
        name += timeseries::generatorName(systems[k]);
    }
    out.dataset = TimeSeriesDataset(name, parts.front().channelNames());
    // Interleaved, so any prefix of the dataset holds every class.
    for (std::size_t i = 0; i < parts.front().size(); ++i)
        for (std::size_t k = 0; k < parts.size(); ++k) {
            Series s = parts[k][i];
            s.label = int(k);
            out.dataset.add(std::move(s));
        }
    out.classes = int(systems.size());
    return out;
}

// Windows of consecutive rows of one long series, each shifted to start at 0 and rescaled to
// span `length`, so real data shares the model's time scale with the synthetic sets.
TimeSeriesData windowed(const TimeSeriesConfig& config) {
    const auto& d = config.data;
    TimeSeriesDataset source =
        d.source == TimeSeriesSource::Csv
            ? timeseries::importCsvFile(d.csvPath)
            : timeseries::importCsv(builtinSeriesCsv(d.builtin), {std::string(), d.builtin});
    if (source.empty()) throw ConfigError(source.name() + ": no series to train on");
    const Series& whole = source[0];
    const Eigen::Index channels = whole.channels();
    TimeSeriesData out;
    out.offset = Eigen::VectorXd::Zero(channels);
    out.scale = Eigen::VectorXd::Ones(channels);
    if (d.standardize) {
        for (Eigen::Index c = 0; c < channels; ++c) {
            double sum = 0.0, sumSq = 0.0;
            long n = 0;
            for (Eigen::Index j = 0; j < whole.length(); ++j)
                if (whole.observed(c, j)) {
                    sum += whole.values(c, j);
                    sumSq += whole.values(c, j) * whole.values(c, j);
                    ++n;
                }
            if (n < 2) continue;
            const double mean = sum / double(n);
            const double variance = std::max(0.0, sumSq / double(n) - mean * mean);
            out.offset(c) = mean;
            if (variance > 0.0) out.scale(c) = std::sqrt(variance);
        }
    }

    const Eigen::Index rows = d.windowObservations;
    if (whole.length() < rows)
        throw ConfigError(source.name() + " has " + std::to_string(whole.length()) +
                          " rows, fewer than window_observations = " + std::to_string(rows));
    const double length = d.generatorOptions.length;
    const double missing = d.generatorOptions.missingRate;
    out.dataset = TimeSeriesDataset(source.name(), source.channelNames());
    const double nan = std::numeric_limits<double>::quiet_NaN();
    std::uint64_t windowIndex = 0;
    for (Eigen::Index start = 0; start + rows <= whole.length(); start += d.windowStride) {
        RandomStream rng(d.generatorOptions.seed ^ kDropStream, windowIndex++);
        const double t0 = whole.times[std::size_t(start)];
        const double t1 = whole.times[std::size_t(start + rows - 1)];
        Series s;
        s.values.resize(channels, rows);
        s.observed.resize(channels, rows);
        Eigen::Index kept = 0;
        for (Eigen::Index j = start; j < start + rows; ++j) {
            bool any = false;
            for (Eigen::Index c = 0; c < channels; ++c) {
                const bool seen = whole.observed(c, j) && !(rng.uniform() < missing);
                s.observed(c, kept) = seen;
                s.values(c, kept) =
                    seen ? (whole.values(c, j) - out.offset(c)) / out.scale(c) : nan;
                any = any || seen;
            }
            if (!any) continue;  // a time with nothing observed carries nothing
            s.times.push_back((whole.times[std::size_t(j)] - t0) / (t1 - t0) * length);
            ++kept;
        }
        if (kept < 3) continue;
        s.values.conservativeResize(channels, kept);
        s.observed.conservativeResize(channels, kept);
        out.dataset.add(std::move(s));
    }
    return out;
}

}  // namespace

TimeSeriesData buildTimeSeriesData(const TimeSeriesConfig& config) {
    TimeSeriesData out =
        config.data.source == TimeSeriesSource::Generator ? generated(config) : windowed(config);
    const auto& dataset = out.dataset;
    if (dataset.size() < 3)
        throw ConfigError(dataset.name() + " gives " + std::to_string(dataset.size()) +
                          " series; train, validation and test need at least 3 (more windows: "
                          "lower window_observations or window_stride)");
    if (out.offset.size() == 0) {
        out.offset = Eigen::VectorXd::Zero(dataset.channels());
        out.scale = Eigen::VectorXd::Ones(dataset.channels());
    }
    const auto seed = config.data.generatorOptions.seed;
    out.split = timeseries::splitBySeries(dataset.size(), config.task.trainFraction,
                                          config.task.validationFraction, seed ^ kSplitStream);
    timeseries::TaskOptions task;
    task.kind = config.task.task == TimeSeriesTask::Interpolation
                    ? timeseries::TaskKind::Interpolation
                    : timeseries::TaskKind::Forecasting;
    task.holdOut = config.task.holdOut;
    task.seed = seed ^ kTaskStream;
    if (config.task.task == TimeSeriesTask::Classification) {
        // The whole observed series is evidence; the label is the target.
        for (const auto& s : dataset.series())
            out.tasks.push_back({s.observed, Mask::Constant(s.channels(), s.length(), false)});
    } else {
        out.tasks = timeseries::makeTasks(dataset, task);
    }
    out.windowStart = std::numeric_limits<double>::infinity();
    out.windowEnd = -std::numeric_limits<double>::infinity();
    for (const auto& s : dataset.series()) {
        out.windowStart = std::min(out.windowStart, s.times.front());
        out.windowEnd = std::max(out.windowEnd, s.times.back());
    }
    return out;
}

models::SeriesModelConfig modelConfigFor(const TimeSeriesConfig& config,
                                         const TimeSeriesData& data) {
    models::SeriesModelConfig model = config.model;
    model.channels = data.dataset.channels();
    model.classes = data.classes;
    // An observation-space model's state is the channels; latent_dim only shapes latent ones.
    if (!model.latent) model.latentDim = model.channels;
    return model;
}

}  // namespace driftlab::core
