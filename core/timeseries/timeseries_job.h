#pragma once
// Time-series training as a core::RunJob: the one training loop the window (on a core::Run's
// worker) and `driftlab --headless` (stepping it on the calling thread) both run, so the two
// cannot train differently. A step is one TimeSeriesTrainer iteration; the job is Finished
// after the configured iterations and Diverged when the trainer stopped itself (the restored
// parameters are evaluated at once, so the test metrics describe the model that is kept).
// Learning-rate changes and added iterations reach a running job as Run::post commands
// (setLearningRateCommand, addIterationsCommand), applied between iterations.
#include "core/experiment/run.h"
#include "core/timeseries/timeseries_training.h"

#include <functional>
#include <memory>
#include <string>

namespace driftlab::core {

class TimeSeriesJob : public RunJob {
public:
    // Builds the data and the model (on the Run's worker when made by its factory). Throws
    // ConfigError.
    explicit TimeSeriesJob(TimeSeriesConfig config);

    void step(RunContext& context) override;
    Status status() const override;
    std::string message() const override { return trainer_.message(); }
    std::shared_ptr<const Snapshot> snapshot(bool full) override;
    std::string workUnit() const override { return "it"; }

    // full: with the displayed series' forecasts and the drift field recomputed.
    std::shared_ptr<const TimeSeriesSnapshot> timeSeriesSnapshot(bool full) {
        return trainer_.snapshot(full);
    }
    TimeSeriesTrainer& trainer() { return trainer_; }
    const TimeSeriesTrainer& trainer() const { return trainer_; }

private:
    TimeSeriesTrainer trainer_;
};

std::unique_ptr<RunJob> makeTimeSeriesJob(TimeSeriesConfig config);

// Commands for Run::post. A new learning rate also clears a divergence stop (the job goes on
// from the last finite parameters); more iterations extend a run, also a finished one.
// Both throw ConfigError (reported as the run's message) for a job that is not a
// TimeSeriesJob or a learning rate that is not a positive number.
std::function<void(RunJob&)> setLearningRateCommand(double learningRate);
std::function<void(RunJob&)> addIterationsCommand(long more);

}  // namespace driftlab::core
