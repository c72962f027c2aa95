#pragma once
// The one worker mechanism of every workspace, GUI and headless alike.
//
// A RunJob is an experiment's work cut into steps (a training iteration, or a whole
// simulation when the work does not divide): step() runs one on the worker thread,
// snapshot() copies what the views need into an immutable Snapshot. A Run owns one job on
// its own thread: it builds the job there (so preparing data never blocks the caller),
// steps it while running, and publishes snapshots latest-wins (one shared_ptr swapped under a
// mutex; nothing queues). Every command (start, pause, stepOnce, cancel, reset, post) only
// sets a flag and wakes the worker, so it is safe from the GUI thread and never waits for a
// step. The worker sleeps on a condition variable when there is nothing to do (no polling),
// answers between steps, and a long step sees cancel through RunContext::stopRequested().
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace driftlab::core {

// What every snapshot carries; each family's snapshot derives from it and adds its own.
struct Snapshot {
    virtual ~Snapshot() = default;
    long iteration = 0;        // steps done so far (iterations; 1 for a finished one-shot job)
    long totalIterations = 0;  // of the configured run; 0 when the job has no such count
};

// Handed to the job on the worker thread.
class RunContext {
public:
    // Cancel (or the Run's destruction) was asked for: a long step returns early.
    bool stopRequested() const { return stop_.load(std::memory_order_relaxed); }
    const std::atomic<bool>& stopFlag() const { return stop_; }
    // A pause was asked for: a long step that can stop half-way and resume may do so.
    bool pauseRequested() const { return pause_.load(std::memory_order_relaxed); }
    // fraction of the whole job in [0, 1]; work done in the job's own unit (paths·steps,
    // iterations), NaN when it has none; both may be called from any thread.
    void setProgress(double fraction, double work = std::numeric_limits<double>::quiet_NaN());

private:
    friend class Run;
    std::atomic<bool> stop_{false};
    std::atomic<bool> pause_{false};
    std::atomic<double> fraction_{0.0};
    std::atomic<double> work_{std::numeric_limits<double>::quiet_NaN()};
};

class RunJob {
public:
    enum class Status { More, Finished, Diverged };
    virtual ~RunJob() = default;

    // One step on the worker thread. Throws driftlab::Error (or any std::exception) to fail
    // the run with that message.
    virtual void step(RunContext& context) = 0;
    // More: step() has work left; Finished: the configured work is done; Diverged: the job
    // stopped itself (message() says why) until a posted command lets it go on.
    virtual Status status() const = 0;
    virtual std::string message() const { return {}; }
    // full: include the costly parts (forecasts, previews); a light snapshot may reuse the
    // last ones. Always full when the run changes state.
    virtual std::shared_ptr<const Snapshot> snapshot(bool full) = 0;
    // Whether pause and single steps mean anything (training does; a one-shot simulation
    // does not, and its Run ignores them).
    virtual bool steppable() const { return true; }
    // The unit setProgress's work is counted in, for the rate read-out ("it", "path·steps").
    virtual std::string workUnit() const { return "it"; }
};

enum class RunState { Preparing, Idle, Running, Paused, Finished, Diverged, Failed, Cancelled };
std::string runStateName(RunState state);
// The worker has nothing more to do unless told (everything but Preparing and Running).
bool isSettled(RunState state);

struct RunOptions {
    bool startImmediately = true;     // run as soon as the job is built (else wait in Idle)
    double publishSeconds = 0.1;      // light snapshots at most this often while running
    double fullPublishSeconds = 0.5;  // and full ones at most this often
};

struct RunProgress {
    double fraction = 0.0;
    double work = std::numeric_limits<double>::quiet_NaN();
    double runningSeconds = 0.0;  // time spent in Running (pauses excluded)
};

class Run {
public:
    // Builds the job on the worker (factory may throw: state Failed with its message).
    using JobFactory = std::function<std::unique_ptr<RunJob>(RunContext&)>;
    explicit Run(JobFactory factory, RunOptions options = {});
    // Cancels and joins: waits for the current step, which sees the cancel flag. The GUI
    // never destroys a busy Run (RunDriver retires it until its worker is done).
    ~Run();
    Run(const Run&) = delete;
    Run& operator=(const Run&) = delete;

    void start();     // run (or resume) until the job is finished
    void pause();     // stop after the current step (Paused, with a full snapshot)
    void stepOnce();  // one step, then Paused
    void cancel();    // stop after the current step for good (Cancelled); the worker ends
    void reset();     // a fresh job from the factory (Preparing, then Idle)
    // Runs on the worker between steps, e.g. a learning-rate change; a job that stopped
    // (Finished, Diverged) and has work again afterwards goes to Paused.
    void post(std::function<void(RunJob&)> command);

    RunState state() const { return state_.load(); }
    bool steppable() const { return steppable_.load(); }
    std::string message() const;
    std::string workUnit() const;
    RunProgress progress() const;
    // The latest snapshot (null until the job is built). A state change is made after the
    // snapshot it belongs to is published: after seeing Paused, Finished or Diverged,
    // latest() is that state's snapshot.
    std::shared_ptr<const Snapshot> latest() const;
    template <class T>
    std::shared_ptr<const T> latestAs() const {
        return std::static_pointer_cast<const T>(latest());
    }
    // Bumped at every publication and state change, so a poller can skip unchanged ones.
    long version() const { return version_.load(); }
    // The worker thread has returned (after cancel, or a failure to build is not enough:
    // a failed Run still waits for reset). Only then is destroying the Run free.
    bool workerDone() const { return workerDone_.load(); }
    // Blocks until version() differs from seen or timeout passes; returns version(). For
    // headless drivers and tests: the GUI polls instead.
    long waitForChange(long seen, std::chrono::milliseconds timeout) const;

private:
    void workerLoop();
    void build();
    void publish(bool full);
    void setState(RunState state);
    template <class Set>
    void command(Set set);

    JobFactory factory_;
    RunOptions options_;
    RunContext context_;
    std::unique_ptr<RunJob> job_;
    std::atomic<RunState> state_{RunState::Preparing};
    std::atomic<bool> steppable_{true};
    std::atomic<bool> quit_{false}, runRequested_{false}, pauseRequested_{false},
        resetRequested_{false};
    std::atomic<int> stepsRequested_{0};
    std::atomic<long> version_{0};
    std::atomic<bool> workerDone_{false};
    std::atomic<double> runningSeconds_{0.0};
    std::atomic<double> stepStartedAt_{-1.0};  // steady-clock seconds; -1 between steps
    mutable std::mutex mutex_;  // guards snapshot_, message_, unit_, commands_, the wake-ups
    mutable std::condition_variable wake_, changed_;
    std::shared_ptr<const Snapshot> snapshot_;
    std::string message_, unit_;
    std::vector<std::function<void(RunJob&)>> commands_;
    std::thread worker_;
};

}  // namespace driftlab::core
