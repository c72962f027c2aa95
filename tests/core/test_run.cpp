// core::Run, the one worker mechanism: state machine, latest-wins snapshots, pause / step /
// cancel / reset / post answered between steps, failures reported with their message.
#include "core/common/error.h"
#include "core/experiment/run.h"

#include <QtTest>

#include <atomic>
#include <chrono>
#include <thread>

using namespace driftlab::core;
using namespace std::chrono_literals;

namespace {

struct CountSnapshot : Snapshot {
    double value = 0.0;
};

// Counts to `total`; each step takes about stepTime (a stand-in for a training iteration).
class CountingJob : public RunJob {
public:
    CountingJob(long total, std::chrono::microseconds stepTime, long divergeAt = -1)
        : total_(total), stepTime_(stepTime), divergeAt_(divergeAt) {}
    void step(RunContext& context) override {
        if (stepTime_.count() > 0) std::this_thread::sleep_for(stepTime_);
        ++count_;
        context.setProgress(double(count_) / double(total_), double(count_));
        if (count_ == divergeAt_) diverged_ = true;
    }
    Status status() const override {
        if (diverged_) return Status::Diverged;
        return count_ >= total_ ? Status::Finished : Status::More;
    }
    std::string message() const override { return diverged_ ? "diverged at 3" : ""; }
    std::shared_ptr<const Snapshot> snapshot(bool full) override {
        auto s = std::make_shared<CountSnapshot>();
        s->iteration = count_;
        s->totalIterations = total_;
        s->value = full ? 1.0 : 0.0;
        ++snapshots_;
        return s;
    }
    void clearDivergence() { diverged_ = false; }
    void extend(long more) { total_ += more; }
    long snapshots() const { return snapshots_; }

private:
    long total_;
    std::chrono::microseconds stepTime_;
    long divergeAt_;
    long count_ = 0;
    long snapshots_ = 0;
    bool diverged_ = false;
};

// A single long step that only ends when cancelled (a simulation that sees the flag).
class LongJob : public RunJob {
public:
    void step(RunContext& context) override {
        while (!context.stopRequested()) std::this_thread::sleep_for(1ms);
        stopped_ = true;
    }
    Status status() const override { return stopped_ ? Status::Finished : Status::More; }
    std::shared_ptr<const Snapshot> snapshot(bool) override { return std::make_shared<Snapshot>(); }
    bool steppable() const override { return false; }

private:
    bool stopped_ = false;
};

class ThrowingJob : public CountingJob {
public:
    ThrowingJob() : CountingJob(10, 0us) {}
    void step(RunContext& context) override {
        CountingJob::step(context);
        throw driftlab::SolverError("drift produced NaN at t = 0.42");
    }
};

// Waits (blocking on the Run's change notification, no polling loop) until done() holds.
template <class Done>
bool waitUntil(const Run& run, Done done, std::chrono::milliseconds timeout = 20000ms) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    long seen = run.version();
    while (!done()) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return false;
        seen = run.waitForChange(seen, std::min(left, 50ms));
    }
    return true;
}

long iterationOf(const Run& run) {
    const auto s = run.latest();
    return s ? s->iteration : -1;
}

}  // namespace

class TestRun : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void runsToCompletionWithFullFinalSnapshot();
    void latestWinsDoesNotQueue();
    void pauseHoldsAndStepAdvancesByOne();
    void idleRunWaitsForStart();
    void cancelStopsALongStep();
    void failedFactoryAndThrowingStepReportTheirMessage();
    void divergedRunResumesAfterAPostedFix();
    void resetBuildsAFreshJob();
    void destroyingABusyRunJoinsPromptly();
};

void TestRun::runsToCompletionWithFullFinalSnapshot() {
    Run run([](RunContext&) { return std::make_unique<CountingJob>(50, 0us); });
    QVERIFY(waitUntil(run, [&] { return run.state() == RunState::Finished; }));
    const auto s = run.latestAs<CountSnapshot>();
    QVERIFY(s);
    QCOMPARE(s->iteration, 50L);
    QCOMPARE(s->totalIterations, 50L);
    QCOMPARE(s->value, 1.0);  // the state change publishes a full snapshot
    QCOMPARE(run.progress().fraction, 1.0);
    QCOMPARE(run.progress().work, 50.0);
    QVERIFY(run.message().empty());
    QCOMPARE(run.workUnit(), std::string("it"));
}

void TestRun::latestWinsDoesNotQueue() {
    CountingJob* job = nullptr;
    RunOptions options;
    options.publishSeconds = 0.05;
    Run run(
        [&job](RunContext&) {
            auto j = std::make_unique<CountingJob>(20000, 0us);
            job = j.get();
            return j;
        },
        options);
    QVERIFY(waitUntil(run, [&] { return run.state() == RunState::Finished; }));
    QCOMPARE(iterationOf(run), 20000L);
    // 20,000 fast steps publish a handful of throttled snapshots, not one per step.
    QVERIFY2(job->snapshots() < 2000, std::to_string(job->snapshots()).c_str());
}

void TestRun::pauseHoldsAndStepAdvancesByOne() {
    Run run([](RunContext&) { return std::make_unique<CountingJob>(100000, 200us); });
    QVERIFY(waitUntil(run, [&] { return iterationOf(run) >= 3; }));
    run.pause();
    QVERIFY(waitUntil(
        run, [&] { return run.state() == RunState::Paused; }, 2000ms));
    const long held = iterationOf(run);
    QVERIFY(held >= 3);
    QVERIFY(run.progress().work == double(held));  // the paused snapshot is the last step's
    run.stepOnce();
    QVERIFY(waitUntil(
        run, [&] { return iterationOf(run) == held + 1 && run.state() == RunState::Paused; }));
    run.stepOnce();
    run.stepOnce();
    QVERIFY(waitUntil(
        run, [&] { return iterationOf(run) == held + 3 && run.state() == RunState::Paused; }));
    run.start();
    QVERIFY(waitUntil(run, [&] { return iterationOf(run) > held + 10; }));
    QCOMPARE(run.state(), RunState::Running);
}

void TestRun::idleRunWaitsForStart() {
    RunOptions options;
    options.startImmediately = false;
    Run run([](RunContext&) { return std::make_unique<CountingJob>(5, 0us); }, options);
    QVERIFY(waitUntil(run, [&] { return run.state() == RunState::Idle; }));
    QCOMPARE(iterationOf(run), 0L);
    run.stepOnce();
    QVERIFY(waitUntil(run, [&] { return run.state() == RunState::Paused; }));
    QCOMPARE(iterationOf(run), 1L);
    run.start();
    QVERIFY(waitUntil(run, [&] { return run.state() == RunState::Finished; }));
    QCOMPARE(iterationOf(run), 5L);
}

void TestRun::cancelStopsALongStep() {
    Run run([](RunContext&) { return std::make_unique<LongJob>(); });
    QVERIFY(waitUntil(run, [&] { return run.state() == RunState::Running; }));
    QVERIFY(!run.steppable());
    run.pause();  // meaningless for a one-shot job: ignored
    run.cancel();
    QVERIFY(waitUntil(
        run, [&] { return run.workerDone(); }, 5000ms));
    QCOMPARE(run.state(), RunState::Cancelled);
}

void TestRun::failedFactoryAndThrowingStepReportTheirMessage() {
    Run bad([](RunContext&) -> std::unique_ptr<RunJob> {
        throw driftlab::ConfigError("paths = 0 is out of range [1, 1000000]");
    });
    QVERIFY(waitUntil(bad, [&] { return bad.state() == RunState::Failed; }));
    QCOMPARE(bad.message(), std::string("paths = 0 is out of range [1, 1000000]"));
    QVERIFY(!bad.latest());

    Run throwing([](RunContext&) { return std::make_unique<ThrowingJob>(); });
    QVERIFY(waitUntil(throwing, [&] { return throwing.state() == RunState::Failed; }));
    QCOMPARE(throwing.message(), std::string("drift produced NaN at t = 0.42"));
    throwing.start();  // a failed run does not run again without a reset
    QVERIFY(!waitUntil(
        throwing, [&] { return throwing.state() != RunState::Failed; }, 200ms));
}

void TestRun::divergedRunResumesAfterAPostedFix() {
    Run run([](RunContext&) { return std::make_unique<CountingJob>(6, 0us, 3); });
    QVERIFY(waitUntil(run, [&] { return run.state() == RunState::Diverged; }));
    QCOMPARE(iterationOf(run), 3L);
    QCOMPARE(run.message(), std::string("diverged at 3"));
    run.post([](RunJob& job) { static_cast<CountingJob&>(job).clearDivergence(); });
    QVERIFY(waitUntil(run, [&] { return run.state() == RunState::Paused; }));
    QVERIFY(run.message().empty());
    run.start();
    QVERIFY(waitUntil(run, [&] { return run.state() == RunState::Finished; }));
    QCOMPARE(iterationOf(run), 6L);
    run.post([](RunJob& job) { static_cast<CountingJob&>(job).extend(4); });
    QVERIFY(waitUntil(run, [&] { return run.state() == RunState::Paused; }));
    run.start();
    QVERIFY(waitUntil(run,
                      [&] { return run.state() == RunState::Finished && iterationOf(run) == 10; }));
}

void TestRun::resetBuildsAFreshJob() {
    std::atomic<int> builds{0};
    Run run([&](RunContext&) {
        ++builds;
        return std::make_unique<CountingJob>(4, 0us);
    });
    QVERIFY(waitUntil(run, [&] { return run.state() == RunState::Finished; }));
    run.reset();
    QVERIFY(waitUntil(run, [&] { return run.state() == RunState::Idle; }));
    QCOMPARE(builds.load(), 2);
    QCOMPARE(iterationOf(run), 0L);
    QCOMPARE(run.progress().fraction, 0.0);
}

void TestRun::destroyingABusyRunJoinsPromptly() {
    const auto started = std::chrono::steady_clock::now();
    {
        Run run([](RunContext&) { return std::make_unique<LongJob>(); });
        QVERIFY(waitUntil(run, [&] { return run.state() == RunState::Running; }));
    }
    // The long step sees the stop flag within a millisecond; generous bound for a loaded box.
    QVERIFY(std::chrono::steady_clock::now() - started < 10s);
}

QTEST_GUILESS_MAIN(TestRun)
#include "test_run.moc"
