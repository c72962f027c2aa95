#pragma once
// Irregularly sampled, possibly incomplete multichannel time series. Every series carries its
// own observation times (no grid is shared across a dataset: that is the point of the
// neural SDE workspace), its values and a mask of which cells were actually observed.
//
// Tasks do not copy data: they are pairs of masks over a series' cells, a context the model
// may read and a target it is scored on, so the same dataset serves interpolation and
// forecasting and a split never duplicates values.
#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>

namespace driftlab::core::timeseries {

// channels x observations; true where the cell was observed.
using Mask = Eigen::Array<bool, Eigen::Dynamic, Eigen::Dynamic>;

struct Series {
    std::vector<double> times;  // strictly increasing
    Eigen::MatrixXd values;     // channels x times.size(); NaN where not observed
    Mask observed;              // channels x times.size()
    int label = -1;             // e.g. the generating system, for classification

    Eigen::Index channels() const { return values.rows(); }
    Eigen::Index length() const { return static_cast<Eigen::Index>(times.size()); }
    long observedCount() const { return static_cast<long>(observed.count()); }
};

class TimeSeriesDataset {
public:
    TimeSeriesDataset() = default;
    TimeSeriesDataset(std::string name, std::vector<std::string> channelNames)
        : name_(std::move(name)), channelNames_(std::move(channelNames)) {}

    const std::string& name() const { return name_; }
    const std::vector<std::string>& channelNames() const { return channelNames_; }
    Eigen::Index channels() const { return static_cast<Eigen::Index>(channelNames_.size()); }
    std::size_t size() const { return series_.size(); }
    bool empty() const { return series_.empty(); }
    const Series& operator[](std::size_t i) const { return series_[i]; }
    const std::vector<Series>& series() const { return series_; }

    // Checks the series (shape, increasing finite times, finite observed values, NaN in the
    // unobserved cells) and appends it; throws ConfigError naming the problem.
    void add(Series series);

    // Fraction of all cells (times x channels) that are not observed.
    double missingFraction() const;

private:
    std::string name_;
    std::vector<std::string> channelNames_;
    std::vector<Series> series_;
};

// Validation used by add(); exposed for code that builds series by hand.
void validateSeries(const Series& series, Eigen::Index channels);

// Disjoint series indices. The remainder after train and validation goes to test.
struct DatasetSplit {
    std::vector<std::size_t> train, validation, test;
};
// Shuffled by seed; each part gets at least one series when the dataset has three or more.
DatasetSplit splitBySeries(std::size_t seriesCount, double trainFraction, double validationFraction,
                           std::uint64_t seed);

enum class TaskKind { Interpolation, Forecasting };

struct TaskOptions {
    TaskKind kind = TaskKind::Forecasting;
    // Forecasting: the last holdOut fraction of each series' time window is the target.
    // Interpolation: this fraction of the observed cells strictly inside the window (first
    // and last time excluded) is drawn at random as the target.
    double holdOut = 0.3;
    std::uint64_t seed = 0;  // interpolation only
};

// Which cells of one series the model sees (context) and is scored on (target); disjoint,
// both within the series' observed mask.
struct SeriesTask {
    Mask context, target;
};

std::vector<SeriesTask> makeTasks(const TimeSeriesDataset& dataset, const TaskOptions& options);

}  // namespace driftlab::core::timeseries
