// TimeSeriesTrainingRunner: the trainer on a worker thread, driven by flags.
#include "core/timeseries/timeseries_training.h"

#include <chrono>

namespace driftlab::core {

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

}  // namespace

std::string trainingRunStateName(TrainingRunState state) {
    switch (state) {
        case TrainingRunState::Preparing:
            return "preparing";
        case TrainingRunState::Idle:
            return "idle";
        case TrainingRunState::Running:
            return "running";
        case TrainingRunState::Paused:
            return "paused";
        case TrainingRunState::Finished:
            return "finished";
        case TrainingRunState::Diverged:
            return "diverged";
        case TrainingRunState::Failed:
            return "failed";
    }
    return "?";
}

TimeSeriesTrainingRunner::TimeSeriesTrainingRunner(TimeSeriesConfig config, double publishSeconds)
    : config_(std::move(config)), publishSeconds_(publishSeconds) {
    worker_ = std::thread([this] { workerLoop(); });
}

TimeSeriesTrainingRunner::~TimeSeriesTrainingRunner() {
    quit_.store(true);
    { std::lock_guard lock(mutex_); }
    wake_.notify_all();
    if (worker_.joinable()) worker_.join();
}

namespace {

// Sets a flag and wakes the worker; taking the mutex between the store and the notify means
// a worker that just tested its wait condition cannot miss the wake-up.
template <typename Set>
void command(std::mutex& mutex, std::condition_variable& wake, Set set) {
    set();
    { std::lock_guard lock(mutex); }
    wake.notify_all();
}

}  // namespace

void TimeSeriesTrainingRunner::train() {
    command(mutex_, wake_, [this] {
        pauseRequested_.store(false);
        runRequested_.store(true);
    });
}

void TimeSeriesTrainingRunner::pause() {
    command(mutex_, wake_, [this] {
        runRequested_.store(false);
        pauseRequested_.store(true);
    });
}

void TimeSeriesTrainingRunner::stepOnce() {
    command(mutex_, wake_, [this] {
        runRequested_.store(false);
        stepsRequested_.store(1);
    });
}

void TimeSeriesTrainingRunner::reset() {
    command(mutex_, wake_, [this] {
        runRequested_.store(false);
        stepsRequested_.store(0);
        resetRequested_.store(true);
    });
}

void TimeSeriesTrainingRunner::setLearningRate(double learningRate) {
    command(mutex_, wake_, [&] { pendingLearningRate_.store(learningRate); });
}

void TimeSeriesTrainingRunner::addIterations(long more) {
    command(mutex_, wake_, [&] { extraIterations_.fetch_add(more); });
}

std::string TimeSeriesTrainingRunner::message() const {
    std::lock_guard lock(mutex_);
    return message_;
}

std::shared_ptr<const TimeSeriesSnapshot> TimeSeriesTrainingRunner::latest() const {
    std::lock_guard lock(mutex_);
    return snapshot_;
}

// Every state change follows the publication of the snapshot it describes, so a poller that
// sees Paused, Finished or Diverged finds that state's snapshot already in latest().
void TimeSeriesTrainingRunner::workerLoop() {
    std::unique_ptr<TimeSeriesTrainer> trainer;
    auto lastPublish = Clock::now(), lastForecast = Clock::now();
    const auto setMessage = [&](std::string text) {
        std::lock_guard lock(mutex_);
        message_ = std::move(text);
    };
    const auto publishFrom = [&](bool forecasts) {
        auto snap = trainer->snapshot(forecasts);
        {
            std::lock_guard lock(mutex_);
            snapshot_ = std::move(snap);
        }
        publications_.fetch_add(1);
        lastPublish = Clock::now();
        if (forecasts) lastForecast = lastPublish;
    };
    const auto build = [&] {
        state_.store(TrainingRunState::Preparing);
        trainer.reset();
        try {
            trainer = std::make_unique<TimeSeriesTrainer>(config_);
            setMessage({});
            publishFrom(true);
            state_.store(TrainingRunState::Idle);
        } catch (const std::exception& e) {
            trainer.reset();
            setMessage(e.what());
            state_.store(TrainingRunState::Failed);
        }
    };
    build();

    while (!quit_.load()) {
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] {
                return quit_.load() || resetRequested_.load() || pauseRequested_.load() ||
                       pendingLearningRate_.load() > 0.0 || extraIterations_.load() != 0 ||
                       (trainer && (runRequested_.load() || stepsRequested_.load() > 0));
            });
        }
        if (quit_.load()) break;
        if (resetRequested_.exchange(false)) {
            pauseRequested_.store(false);
            build();
            continue;
        }
        if (!trainer) {  // failed to build: only a reset can help
            pauseRequested_.store(false);
            pendingLearningRate_.store(0.0);
            extraIterations_.store(0);
            runRequested_.store(false);
            stepsRequested_.store(0);
            continue;
        }
        bool changed = false;
        if (const double rate = pendingLearningRate_.exchange(0.0); rate > 0.0) {
            try {
                trainer->setLearningRate(rate);
                setMessage({});
                if (state_.load() == TrainingRunState::Diverged)
                    state_.store(TrainingRunState::Paused);
            } catch (const std::exception& e) {
                setMessage(e.what());
            }
            changed = true;
        }
        if (const long more = extraIterations_.exchange(0); more != 0) {
            trainer->setTotalIterations(trainer->totalIterations() + more);
            if (state_.load() == TrainingRunState::Finished) state_.store(TrainingRunState::Paused);
            changed = true;
        }
        if (pauseRequested_.exchange(false)) {
            runRequested_.store(false);
            publishFrom(true);
            if (state_.load() == TrainingRunState::Running) state_.store(TrainingRunState::Paused);
            continue;
        }
        const bool single = !runRequested_.load() && stepsRequested_.load() > 0;
        if (!runRequested_.load() && !single) {
            if (changed) publishFrom(false);
            continue;
        }
        if (single) stepsRequested_.fetch_sub(1);
        state_.store(TrainingRunState::Running);
        const auto result = trainer->step();
        if (result == TimeSeriesTrainer::StepResult::Diverged) {
            runRequested_.store(false);
            stepsRequested_.store(0);
            setMessage(trainer->message());
            publishFrom(true);
            state_.store(TrainingRunState::Diverged);
        } else if (trainer->finished()) {
            runRequested_.store(false);
            stepsRequested_.store(0);
            publishFrom(true);
            state_.store(TrainingRunState::Finished);
        } else if (single && stepsRequested_.load() == 0 && !runRequested_.load()) {
            publishFrom(true);
            state_.store(TrainingRunState::Paused);
        } else if (secondsSince(lastPublish) >= publishSeconds_) {
            // Forecasts cost several model solves: refresh them less often than the curves.
            publishFrom(secondsSince(lastForecast) >= 3.0 * publishSeconds_);
        }
    }
}

}  // namespace driftlab::core
