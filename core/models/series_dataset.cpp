#include "core/models/series_dataset.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/common/error.h"
#include "core/common/random.h"

namespace driftlab::core::timeseries {

void validateSeries(const Series& s, Eigen::Index channels) {
    const Eigen::Index n = s.length();
    if (s.values.rows() != channels || s.values.cols() != n || s.observed.rows() != channels ||
        s.observed.cols() != n)
        throw ConfigError("time series: values and mask must be " + std::to_string(channels) +
                          " x " + std::to_string(n) + " (channels x times)");
    for (Eigen::Index j = 0; j < n; ++j) {
        const double t = s.times[static_cast<std::size_t>(j)];
        if (!std::isfinite(t))
            throw ConfigError("time series: time " + std::to_string(j) + " is not finite");
        if (j > 0 && !(t > s.times[static_cast<std::size_t>(j - 1)]))
            throw ConfigError("time series: times must increase strictly (index " +
                              std::to_string(j) + ")");
        for (Eigen::Index c = 0; c < channels; ++c) {
            const double v = s.values(c, j);
            if (s.observed(c, j) && !std::isfinite(v))
                throw ConfigError("time series: observed value at index " + std::to_string(j) +
                                  " is not finite");
            if (!s.observed(c, j) && !std::isnan(v))
                throw ConfigError("time series: unobserved cell at index " + std::to_string(j) +
                                  " must hold NaN");
        }
    }
}

void TimeSeriesDataset::add(Series series) {
    validateSeries(series, channels());
    series_.push_back(std::move(series));
}

double TimeSeriesDataset::missingFraction() const {
    double cells = 0, observed = 0;
    for (const auto& s : series_) {
        cells += static_cast<double>(s.observed.size());
        observed += static_cast<double>(s.observedCount());
    }
    return cells > 0 ? 1.0 - observed / cells : 0.0;
}

DatasetSplit splitBySeries(std::size_t count, double trainFraction, double validationFraction,
                           std::uint64_t seed) {
    if (!(trainFraction > 0.0) || !(validationFraction >= 0.0) ||
        !(trainFraction + validationFraction < 1.0))
        throw ConfigError("split: need train > 0, validation >= 0 and train + validation < 1");
    std::vector<std::size_t> order(count);
    std::iota(order.begin(), order.end(), std::size_t{0});
    RandomStream rng(seed, 0x5717);
    for (std::size_t i = count; i > 1; --i)  // Fisher–Yates
        std::swap(order[i - 1], order[static_cast<std::size_t>(rng.uniform() * double(i))]);
    auto nTrain = static_cast<std::size_t>(std::lround(trainFraction * double(count)));
    auto nVal = static_cast<std::size_t>(std::lround(validationFraction * double(count)));
    if (count >= 3) {
        nTrain = std::clamp<std::size_t>(nTrain, 1, count - 2);
        nVal = std::clamp<std::size_t>(nVal, validationFraction > 0 ? 1 : 0, count - 1 - nTrain);
    } else {
        nTrain = std::min(nTrain, count);
        nVal = std::min(nVal, count - nTrain);
    }
    DatasetSplit split;
    split.train.assign(order.begin(), order.begin() + long(nTrain));
    split.validation.assign(order.begin() + long(nTrain), order.begin() + long(nTrain + nVal));
    split.test.assign(order.begin() + long(nTrain + nVal), order.end());
    // Sorted so the same split reads the same whatever the shuffle order was.
    for (auto* part : {&split.train, &split.validation, &split.test})
        std::sort(part->begin(), part->end());
    return split;
}

std::vector<SeriesTask> makeTasks(const TimeSeriesDataset& dataset, const TaskOptions& options) {
    if (!(options.holdOut > 0.0 && options.holdOut < 1.0))
        throw ConfigError("task: the held-out fraction must lie in (0, 1)");
    std::vector<SeriesTask> tasks;
    tasks.reserve(dataset.size());
    for (std::size_t i = 0; i < dataset.size(); ++i) {
        const Series& s = dataset[i];
        SeriesTask task{s.observed, Mask::Constant(s.channels(), s.length(), false)};
        const Eigen::Index n = s.length();
        if (n >= 2 && options.kind == TaskKind::Forecasting) {
            const double t0 = s.times.front(), t1 = s.times.back();
            const double cut = t1 - options.holdOut * (t1 - t0);
            for (Eigen::Index j = 0; j < n; ++j)
                if (s.times[std::size_t(j)] > cut) {
                    task.target.col(j) = s.observed.col(j);
                    task.context.col(j).setConstant(false);
                }
        } else if (n >= 3) {
            // Per series stream: the task of series i does not depend on the others.
            RandomStream rng(options.seed, i);
            for (Eigen::Index j = 1; j + 1 < n; ++j)
                for (Eigen::Index c = 0; c < s.channels(); ++c)
                    if (s.observed(c, j) && rng.uniform() < options.holdOut) {
                        task.target(c, j) = true;
                        task.context(c, j) = false;
                    }
        }
        tasks.push_back(std::move(task));
    }
    return tasks;
}

}  // namespace driftlab::core::timeseries
