#pragma once
// What the Diffusion workspace's worker threads compute and hand to the GUI: training
// snapshots (published latest-wins while training runs), sample sets with the particle
// paths of the two dynamics, the learned field as arrows, and shoot-out rows. Qt-free, so
// the heavy work never touches a widget. The scrubber frames and density maps are in
// diffusion_analysis.h.
#include "core/diffusion/diffusion_config.h"
#include "core/diffusion/diffusion_shootout.h"

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace driftlab::app {

using core::diffusion::Index;
using core::diffusion::Points;

// One trained (or training) model with its data. A worker owns it while a task runs; the
// GUI touches it only between tasks, as the model must not be driven by two threads.
struct DiffusionSession {
    core::DiffusionConfig config;  // the model family too (model, interpolant, gamma, epsilon)
    bool customData = false;  // drawn or imported points instead of the configured set
    // Training happens in standardised coordinates; the views show the user's own.
    core::diffusion::Standardizer standardizer;
    Points train;    // standardised
    Points heldOut;  // standardised, for the metrics
    // The data law when it is a known Gaussian mixture (user coordinates), for the true score.
    std::optional<core::diffusion::GaussianMixture2D> mixture;
    std::unique_ptr<core::diffusion::DiffusionProcess> process;
    std::unique_ptr<core::diffusion::DiffusionModel> model;              // ScoreSde
    std::unique_ptr<core::diffusion::InterpolantModel> interpolantModel;  // Interpolant
    std::vector<double> lossIterations, losses;  // one entry per report
    double trainSeconds = 0.0;

    core::diffusion::NeuralModel& network() const;
    bool isInterpolant() const { return config.family == core::DiffusionModelFamily::Interpolant; }
    // Samples go standardised -> user coordinates for display.
    Points toUser(const Points& standardised) const { return standardizer.invert(standardised); }
};

// Throws ConfigError before any training for an empty, too small or degenerate data set.
// customPoints (user coordinates) replaces the configured data set when given.
std::shared_ptr<DiffusionSession> makeDiffusionSession(const core::DiffusionConfig& config,
                                                       const Points* customPoints = nullptr);

struct TrainingSnapshot {
    long iteration = 0;
    long totalIterations = 0;
    double seconds = 0.0;
    bool paused = false;
    std::vector<double> lossIterations, losses;  // the whole curve so far
    std::vector<double> bucketLoss;              // per time bucket, last report
    Points preview;                              // a few current samples (user coordinates)
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

// Pause / step / resume of a training run, set by the GUI and obeyed by the worker between
// iterations. interrupt stops the engine's train() after the current iteration; it is raised
// on pause and on cancel, and lowered only by resume.
struct TrainingControl {
    std::atomic<bool> interrupt{false};
    std::atomic<bool> paused{false};
    std::atomic<int> stepsRequested{0};

    void pause() {
        paused = true;
        interrupt = true;
    }
    void resume() {
        paused = false;
        interrupt = false;
    }
    void step() { ++stepsRequested; }
};

struct FieldArrows {
    Points positions;  // user coordinates
    Points vectors;    // the learned score or velocity, scaled for display
    double time = 0.5;
};

struct SampleViewData {
    Points samples;  // standardised (the metrics' frame)
    std::string sampler;
    long nfe = 0;
    double seconds = 0.0;
    double sw2 = 0.0;
    double mmd2 = 0.0;
    bool pathsRecorded = false;
    std::string stochasticName, deterministicName;  // the two dynamics of the paths
    std::vector<Points> sdePaths;  // one 2 x steps polyline per particle (user coordinates)
    std::vector<Points> odePaths;
};

// The shoot-out is core's (core/diffusion/diffusion_shootout.h), so the GUI and the
// headless run measure the same thing.
using core::ShootoutRow;

// The training data's box in user coordinates with a margin: where the arrows, the density
// grid and the drawing canvas live. Order: x0, x1, y0, y1.
struct Box {
    double x0 = -3.0, x1 = 3.0, y0 = -3.0, y1 = 3.0;
};
Box displayBox(const DiffusionSession& session);
// grid x grid points over the box, x varying fastest (column k = (k % grid, k / grid)).
Points gridPoints(const Box& box, int grid);
// Standardised-space vectors as user-space displacements, the lengths clipped at `reference`
// (pass <= 0 to use the 90th percentile of the lengths) and scaled so `reference` spans
// `cell`; returns the reference used, so a second field can be drawn to the same scale.
double scaleArrows(const DiffusionSession& session, const Points& field, double cell,
                   Points& vectors, double reference = 0.0);

// The samplers a session can run: the diffusion samplers for a score model, the interpolant
// ODE and SDE for an interpolant.
std::vector<std::string> sessionSamplerNames(const DiffusionSession& session);

// Trains session's model for config.iterations, publishing a snapshot at every report and
// whenever it pauses or steps. Returns false when cancelled.
bool trainDiffusionSession(DiffusionSession& session, const std::atomic<bool>& cancel,
                           TrainingControl& control, SnapshotSlot& slot,
                           const std::function<void(double)>& progress);

// Samples with the configured sampler (an interpolant: its ODE, or its SDE when epsilon > 0)
// and, from the same initial noise, records `particles` paths through the stochastic and the
// deterministic dynamics.
std::shared_ptr<const SampleViewData> sampleDiffusionSession(const DiffusionSession& session,
                                                             int particles = 50);

// The learned score (or interpolant velocity) at diffusion time t (1 is noise; interpolants
// run the other way and are evaluated at 1 - t) on a grid x grid lattice over the data's
// box, arrows scaled so the 90th percentile of their lengths spans one grid cell.
std::shared_ptr<const FieldArrows> learnedFieldArrows(const DiffusionSession& session, double t,
                                                      int grid = 21);

// core::runShootout (or runInterpolantShootout) on the session's model, prior noise and
// held-out data: every sampler at each budget, adaptive Dopri5 once at the tolerance Sample
// uses; stops early on cancel.
std::vector<ShootoutRow> runSessionShootout(const DiffusionSession& session,
                                            const std::vector<int>& budgets,
                                            const std::atomic<bool>& cancel,
                                            const std::function<void(double)>& progress);

}  // namespace driftlab::app
