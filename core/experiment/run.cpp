#include "core/experiment/run.h"

#include <algorithm>
#include <exception>
#include <stdexcept>

namespace driftlab::core {

namespace {
using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}
}  // namespace

void RunContext::setProgress(double fraction, double work) {
    fraction_.store(fraction, std::memory_order_relaxed);
    work_.store(work, std::memory_order_relaxed);
}

std::string runStateName(RunState state) {
    switch (state) {
        case RunState::Preparing:
            return "preparing";
        case RunState::Idle:
            return "idle";
        case RunState::Running:
            return "running";
        case RunState::Paused:
            return "paused";
        case RunState::Finished:
            return "finished";
        case RunState::Diverged:
            return "diverged";
        case RunState::Failed:
            return "failed";
        case RunState::Cancelled:
            return "cancelled";
    }
    return "?";
}

bool isSettled(RunState state) {
    return state != RunState::Preparing && state != RunState::Running;
}

Run::Run(JobFactory factory, RunOptions options) : factory_(std::move(factory)), options_(options) {
    runRequested_.store(options_.startImmediately);
    worker_ = std::thread([this] { workerLoop(); });
}

Run::~Run() {
    command([this] {
        context_.stop_.store(true);
        quit_.store(true);
    });
    if (worker_.joinable()) worker_.join();
}

// Taking the mutex between the store and the notify means a worker that just tested its wait
// condition cannot miss the wake-up.
template <class Set>
void Run::command(Set set) {
    set();
    { std::lock_guard lock(mutex_); }
    wake_.notify_all();
}

void Run::start() {
    command([this] {
        context_.pause_.store(false);
        pauseRequested_.store(false);
        runRequested_.store(true);
    });
}

void Run::pause() {
    if (!steppable_.load()) return;
    command([this] {
        runRequested_.store(false);
        stepsRequested_.store(0);
        context_.pause_.store(true);
        pauseRequested_.store(true);
    });
}

void Run::stepOnce() {
    if (!steppable_.load()) return;
    command([this] {
        context_.pause_.store(false);
        runRequested_.store(false);
        stepsRequested_.fetch_add(1);
    });
}

void Run::cancel() {
    command([this] {
        context_.stop_.store(true);
        quit_.store(true);
    });
}

void Run::reset() {
    command([this] {
        runRequested_.store(false);
        stepsRequested_.store(0);
        resetRequested_.store(true);
    });
}

void Run::post(std::function<void(RunJob&)> command) {
    {
        std::lock_guard lock(mutex_);
        commands_.push_back(std::move(command));
    }
    wake_.notify_all();
}

std::string Run::message() const {
    std::lock_guard lock(mutex_);
    return message_;
}

std::string Run::workUnit() const {
    std::lock_guard lock(mutex_);
    return unit_;
}

RunProgress Run::progress() const {
    RunProgress p;
    p.fraction = context_.fraction_.load(std::memory_order_relaxed);
    p.work = context_.work_.load(std::memory_order_relaxed);
    p.runningSeconds = runningSeconds_.load(std::memory_order_relaxed);
    const double since = stepStartedAt_.load(std::memory_order_relaxed);
    if (since >= 0.0) {
        const double now = std::chrono::duration<double>(Clock::now().time_since_epoch()).count();
        p.runningSeconds += std::max(0.0, now - since);
    }
    return p;
}

std::shared_ptr<const Snapshot> Run::latest() const {
    std::lock_guard lock(mutex_);
    return snapshot_;
}

long Run::waitForChange(long seen, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, timeout, [&] { return version_.load() != seen; });
    return version_.load();
}

void Run::setState(RunState state) {
    {
        std::lock_guard lock(mutex_);
        state_.store(state);
        version_.fetch_add(1);
    }
    changed_.notify_all();
}

void Run::publish(bool full) {
    auto snapshot = job_->snapshot(full);
    {
        std::lock_guard lock(mutex_);
        snapshot_ = std::move(snapshot);
        version_.fetch_add(1);
    }
    changed_.notify_all();
}

void Run::build() {
    setState(RunState::Preparing);
    job_.reset();
    context_.setProgress(0.0);
    runningSeconds_.store(0.0);
    try {
        job_ = factory_(context_);
        if (!job_) throw std::runtime_error("the experiment could not be built");
        {
            std::lock_guard lock(mutex_);
            message_.clear();
            unit_ = job_->workUnit();
        }
        steppable_.store(job_->steppable());
        publish(true);
        setState(RunState::Idle);
    } catch (const std::exception& e) {
        job_.reset();
        {
            std::lock_guard lock(mutex_);
            message_ = e.what();
        }
        setState(RunState::Failed);
    }
}

// Every state change follows the publication of the snapshot it describes, so a poller that
// sees Paused, Finished or Diverged finds that state's snapshot already in latest().
void Run::workerLoop() {
    build();
    auto lastPublish = Clock::now(), lastFull = Clock::now();
    const auto publishNow = [&](bool full) {
        publish(full);
        lastPublish = Clock::now();
        if (full) lastFull = lastPublish;
    };
    const auto fail = [&](const std::string& text) {
        runRequested_.store(false);
        stepsRequested_.store(0);
        {
            std::lock_guard lock(mutex_);
            message_ = text;
        }
        setState(RunState::Failed);
    };

    while (!quit_.load()) {
        std::vector<std::function<void(RunJob&)>> commands;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] {
                return quit_.load() || resetRequested_.load() || pauseRequested_.load() ||
                       !commands_.empty() ||
                       (job_ && (runRequested_.load() || stepsRequested_.load() > 0));
            });
            commands.swap(commands_);
        }
        if (quit_.load()) break;
        if (resetRequested_.exchange(false)) {
            pauseRequested_.store(false);
            context_.pause_.store(false);
            build();
            continue;
        }
        if (!job_) {  // failed to build: only a reset can help
            pauseRequested_.store(false);
            runRequested_.store(false);
            stepsRequested_.store(0);
            continue;
        }
        const RunState before = state_.load();
        if (before == RunState::Failed) {  // a step threw: only a reset can help
            pauseRequested_.store(false);
            runRequested_.store(false);
            stepsRequested_.store(0);
            continue;
        }
        bool changed = false;
        for (auto& apply : commands) {
            try {
                apply(*job_);
            } catch (const std::exception& e) {
                std::lock_guard lock(mutex_);
                message_ = e.what();
            }
            changed = true;
        }
        if (changed && (before == RunState::Finished || before == RunState::Diverged) &&
            job_->status() == RunJob::Status::More) {
            {
                std::lock_guard lock(mutex_);
                message_.clear();
            }
            publishNow(true);
            setState(RunState::Paused);
            changed = false;
        }
        if (pauseRequested_.exchange(false)) {
            runRequested_.store(false);
            stepsRequested_.store(0);
            publishNow(true);
            if (state_.load() == RunState::Running || state_.load() == RunState::Idle)
                setState(RunState::Paused);
            continue;
        }
        const bool single = !runRequested_.load() && stepsRequested_.load() > 0;
        if (!runRequested_.load() && !single) {
            if (changed) publishNow(false);
            continue;
        }
        if (const auto status = job_->status(); status != RunJob::Status::More) {
            runRequested_.store(false);
            stepsRequested_.store(0);
            publishNow(true);
            setState(status == RunJob::Status::Finished ? RunState::Finished : RunState::Diverged);
            continue;
        }
        if (single) stepsRequested_.fetch_sub(1);
        if (state_.load() != RunState::Running) setState(RunState::Running);
        const auto started = Clock::now();
        stepStartedAt_.store(std::chrono::duration<double>(started.time_since_epoch()).count());
        const auto stepEnded = [&] {
            runningSeconds_.store(runningSeconds_.load() + secondsSince(started));
            stepStartedAt_.store(-1.0);
        };
        try {
            job_->step(context_);
        } catch (const std::exception& e) {
            stepEnded();
            fail(e.what());
            continue;
        }
        stepEnded();
        if (context_.stopRequested()) break;
        const auto status = job_->status();
        if (status == RunJob::Status::Diverged) {
            runRequested_.store(false);
            stepsRequested_.store(0);
            {
                std::lock_guard lock(mutex_);
                message_ = job_->message();
            }
            publishNow(true);
            setState(RunState::Diverged);
        } else if (status == RunJob::Status::Finished) {
            runRequested_.store(false);
            stepsRequested_.store(0);
            publishNow(true);
            setState(RunState::Finished);
        } else if (single && stepsRequested_.load() == 0 && !runRequested_.load()) {
            publishNow(true);
            setState(RunState::Paused);
        } else if (secondsSince(lastPublish) >= options_.publishSeconds) {
            publishNow(secondsSince(lastFull) >= options_.fullPublishSeconds);
        }
    }
    const RunState last = state_.load();
    if (context_.stopRequested() &&
        !(last == RunState::Finished || last == RunState::Failed || last == RunState::Diverged)) {
        if (job_) {
            try {
                publish(true);
            } catch (const std::exception&) {
            }
        }
        setState(RunState::Cancelled);
    }
    workerDone_.store(true);
    {
        std::lock_guard lock(mutex_);
        version_.fetch_add(1);
    }
    changed_.notify_all();
}

}  // namespace driftlab::core
