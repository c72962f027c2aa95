#pragma once
// What the Diffusion workspace's worker threads compute and hand to the GUI: training
// snapshots (published latest-wins while training runs), sample sets with the particle
// paths of the reverse SDE and the probability-flow ODE, the learned score as arrows, and
// shoot-out rows. Qt-free, so the heavy work never touches a widget.
#include "core/experiment/diffusion_config.h"

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace driftlab::app {

using core::diffusion::Index;
using core::diffusion::Points;

// One trained (or training) model with its data. A worker owns it while a task runs; the
// GUI touches it only between tasks, as the model must not be driven by two threads.
struct DiffusionSession {
    core::DiffusionConfig config;
    Points train;    // standardised
    Points heldOut;  // standardised, for the metrics
    std::unique_ptr<core::diffusion::DiffusionProcess> process;
    std::unique_ptr<core::diffusion::DiffusionModel> model;
    std::vector<double> lossIterations, losses;  // one entry per report
    double trainSeconds = 0.0;
};

// Throws ConfigError (e.g. an empty or degenerate data set) before any training.
std::shared_ptr<DiffusionSession> makeDiffusionSession(const core::DiffusionConfig& config);

struct TrainingSnapshot {
    long iteration = 0;
    long totalIterations = 0;
    double seconds = 0.0;
    std::vector<double> lossIterations, losses;  // the whole curve so far
    std::vector<double> bucketLoss;              // per time bucket, last report
    Points preview;                              // a few current samples (standardised)
};

// A one-slot mailbox: the worker overwrites, the GUI takes the newest; no queue can grow.
class SnapshotSlot {
public:
    void publish(std::shared_ptr<const TrainingSnapshot> snapshot) {
        std::lock_guard lock(mutex_);
        latest_ = std::move(snapshot);
    }
    std::shared_ptr<const TrainingSnapshot> take() {
        std::lock_guard lock(mutex_);
        return std::move(latest_);
    }

private:
    std::mutex mutex_;
    std::shared_ptr<const TrainingSnapshot> latest_;
};

struct FieldArrows {
    Points positions;
    Points vectors;  // the learned score, scaled for display
    double time = 0.5;
};

struct SampleViewData {
    Points samples;
    std::string sampler;
    long nfe = 0;
    double seconds = 0.0;
    double sw2 = 0.0;
    double mmd2 = 0.0;
    bool pathsRecorded = false;
    std::vector<Points> sdePaths;  // one 2 x steps polyline per particle
    std::vector<Points> odePaths;
};

struct ShootoutRow {
    std::string sampler;
    int budget = 0;
    long nfe = 0;
    double sw2 = 0.0;
    double mmd2 = 0.0;
    double seconds = 0.0;
    std::string error;
};

// What one worker task returns; the parts it did not compute stay empty.
struct DiffusionTaskResult {
    std::shared_ptr<DiffusionSession> session;
    bool trained = false;
    bool cancelled = false;
    std::shared_ptr<const SampleViewData> sample;
    std::shared_ptr<const FieldArrows> field;
    std::vector<ShootoutRow> shootout;
};

// Trains session's model for config.iterations, publishing a snapshot at every report.
// Returns false when cancelled.
bool trainDiffusionSession(DiffusionSession& session, const std::atomic<bool>& cancel,
                           SnapshotSlot& slot, const std::function<void(double)>& progress);

// Samples with the configured sampler and, from the same initial noise, records `particles`
// paths through the reverse SDE and the probability-flow ODE.
std::shared_ptr<const SampleViewData> sampleDiffusionSession(const DiffusionSession& session,
                                                             int particles = 50);

// The learned score on a grid x grid lattice over [-extent, extent]^2 at time t.
std::shared_ptr<const FieldArrows> learnedScoreArrows(const DiffusionSession& session, double t,
                                                      int grid = 21, double extent = 3.0);

// Every sampler at each budget (adaptive Dopri5 once, at its tolerance); stops early on cancel.
std::vector<ShootoutRow> runShootout(const DiffusionSession& session,
                                     const std::vector<int>& budgets,
                                     const std::atomic<bool>& cancel,
                                     const std::function<void(double)>& progress);

}  // namespace driftlab::app
