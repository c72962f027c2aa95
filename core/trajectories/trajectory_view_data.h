#pragma once
// Everything the Trajectories views show for one run, computed on the worker thread so the
// GUI thread only indexes into it when the time cursor moves, and the job that computes it.
#include "core/experiment/run.h"
#include "core/stats/path_statistics.h"
#include "core/trajectories/trajectory_run.h"
#include "core/trajectories/trajectory_snapshot.h"

#include <atomic>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

namespace driftlab::core {

struct TrajectoryViewData : Snapshot {
    std::shared_ptr<const TrajectorySnapshot> snapshot;
    // histograms[c][k]: component c at saved time k.
    std::vector<std::vector<Histogram>> histograms;
    // analyticCurves[k]: (x, density) of component 0 at saved time k; empty when the
    // equation has no closed form (or at t0, where the density is a point mass).
    std::vector<std::vector<std::pair<double, double>>> analyticCurves;
    SolverDiagnostics diagnostics;
};

// Runs the whole experiment: compile, simulate, summarise. Throws driftlab::Error.
std::shared_ptr<const TrajectoryViewData> computeTrajectoryViewData(
    const TrajectoryConfig& config, const std::atomic<bool>* cancel,
    const std::function<void(double)>& progress);

// One simulation as a RunJob: a single step that is the whole run (it sees cancel through
// the context), progress in path·steps. snapshot() is null until the step is done.
std::unique_ptr<RunJob> makeTrajectoryJob(TrajectoryConfig config);

}  // namespace driftlab::core
