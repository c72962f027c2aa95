#include "core/timeseries/timeseries_job.h"

#include "core/common/error.h"

namespace driftlab::core {

namespace {

TimeSeriesJob& asTimeSeriesJob(RunJob& job) {
    auto* series = dynamic_cast<TimeSeriesJob*>(&job);
    if (!series) throw ConfigError("this command is for a time-series training run");
    return *series;
}

void reportProgress(RunContext& context, const TimeSeriesTrainer& trainer) {
    const long total = trainer.totalIterations();
    context.setProgress(total > 0 ? double(trainer.iteration()) / double(total) : 0.0,
                        double(trainer.iteration()));
}

}  // namespace

TimeSeriesJob::TimeSeriesJob(TimeSeriesConfig config) : trainer_(std::move(config)) {}

void TimeSeriesJob::step(RunContext& context) {
    if (trainer_.step() == TimeSeriesTrainer::StepResult::Diverged) {
        // The metrics then describe the restored (last finite) parameters, the model a
        // diverged run keeps, in the window as in the headless metrics.json.
        trainer_.evaluate();
    }
    reportProgress(context, trainer_);
}

RunJob::Status TimeSeriesJob::status() const {
    if (trainer_.diverged()) return Status::Diverged;
    return trainer_.finished() ? Status::Finished : Status::More;
}

std::shared_ptr<const Snapshot> TimeSeriesJob::snapshot(bool full) {
    return trainer_.snapshot(full);
}

std::unique_ptr<RunJob> makeTimeSeriesJob(TimeSeriesConfig config) {
    return std::make_unique<TimeSeriesJob>(std::move(config));
}

std::function<void(RunJob&)> setLearningRateCommand(double learningRate) {
    return [learningRate](RunJob& job) {
        asTimeSeriesJob(job).trainer().setLearningRate(learningRate);
    };
}

std::function<void(RunJob&)> addIterationsCommand(long more) {
    return [more](RunJob& job) {
        auto& trainer = asTimeSeriesJob(job).trainer();
        trainer.setTotalIterations(trainer.totalIterations() + more);
    };
}

}  // namespace driftlab::core
