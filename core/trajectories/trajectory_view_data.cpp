#include "core/trajectories/trajectory_view_data.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace driftlab::core {
namespace {

// About 2 n^(1/3) bins (Rice's rule): 20 for 1,000 paths, 43 for 10,000, so bars are not
// dominated by sampling noise.
int histogramBins(int paths) {
    return std::clamp(static_cast<int>(std::lround(2.0 * std::cbrt(paths))), 8, 80);
}
constexpr int kAnalyticPoints = 200;

}  // namespace

std::shared_ptr<const TrajectoryViewData> computeTrajectoryViewData(
    const TrajectoryConfig& config, const std::atomic<bool>* cancel,
    const std::function<void(double)>& progress) {
    // Simulation is ~95 % of the time; the summaries below get the last few per cent.
    TrajectoryRun run = runTrajectory(config, cancel, [&](double f) {
        if (progress) progress(0.95 * f);
    });
    if (!run.result) return nullptr;
    const auto& result = run.result;

    auto data = std::make_shared<TrajectoryViewData>();
    data->diagnostics = std::move(run.diagnostics);
    data->snapshot = makeTrajectorySnapshot(config, result);
    data->iteration = data->totalIterations = 1;
    const int times = static_cast<int>(result->times.size());
    data->histograms.resize(result->dimension);
    for (int c = 0; c < result->dimension; ++c) {
        data->histograms[c].reserve(times);
        for (int k = 0; k < times; ++k) {
            data->histograms[c].push_back(
                computeHistogram(*result, c, k, histogramBins(result->paths)));
        }
        if (cancel && cancel->load()) return nullptr;
    }
    data->analyticCurves.resize(times);
    if (config.equation.analytic != AnalyticKind::None) {
        for (int k = 0; k < times; ++k) {
            const Histogram& h = data->histograms[0][k];
            // Extend a little beyond the histogram so the curve's tails are visible.
            const double pad = 0.1 * (h.hi - h.lo);
            const double lo = h.lo - pad, hi = h.hi + pad;
            auto& curve = data->analyticCurves[k];
            for (int i = 0; i < kAnalyticPoints; ++i) {
                const double x = lo + (hi - lo) * i / (kAnalyticPoints - 1);
                const auto density =
                    analyticDensity(config.equation, config.simulation.t0, result->times[k], x);
                if (!density) break;
                curve.emplace_back(x, *density);
            }
        }
    }
    if (progress) progress(1.0);
    return data;
}

}  // namespace driftlab::core

namespace driftlab::core {
namespace {

class TrajectoryJob : public RunJob {
public:
    explicit TrajectoryJob(TrajectoryConfig config)
        : config_(std::move(config)),
          work_(double(config_.simulation.paths) * double(config_.simulation.steps)) {}

    void step(RunContext& context) override {
        auto data = computeTrajectoryViewData(config_, &context.stopFlag(),
                                              [&](double f) { context.setProgress(f, f * work_); });
        done_ = true;
        if (data) context.setProgress(1.0, work_);
        data_ = std::move(data);  // null when cancelled
    }
    Status status() const override { return done_ ? Status::Finished : Status::More; }
    std::shared_ptr<const Snapshot> snapshot(bool) override { return data_; }
    bool steppable() const override { return false; }
    std::string workUnit() const override { return "path\u00b7steps"; }

private:
    TrajectoryConfig config_;
    double work_;
    bool done_ = false;
    std::shared_ptr<const TrajectoryViewData> data_;
};

}  // namespace

std::unique_ptr<RunJob> makeTrajectoryJob(TrajectoryConfig config) {
    return std::make_unique<TrajectoryJob>(std::move(config));
}

}  // namespace driftlab::core
