#pragma once
// Everything the Trajectories views show for one run, computed on the worker thread so the
// GUI thread only indexes into it when the time cursor moves.
#include "core/trajectories/trajectory_run.h"
#include "core/trajectories/trajectory_snapshot.h"
#include "core/stats/path_statistics.h"

#include <atomic>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

namespace driftlab::app {

struct TrajectoryViewData {
    std::shared_ptr<const core::TrajectorySnapshot> snapshot;
    // histograms[c][k]: component c at saved time k.
    std::vector<std::vector<core::Histogram>> histograms;
    // analyticCurves[k]: (x, density) of component 0 at saved time k; empty when the
    // equation has no closed form (or at t0, where the density is a point mass).
    std::vector<std::vector<std::pair<double, double>>> analyticCurves;
    core::SolverDiagnostics diagnostics;
};

// Runs the whole experiment: compile, simulate, summarise. Throws driftlab::Error.
std::shared_ptr<const TrajectoryViewData> computeTrajectoryViewData(
    const core::TrajectoryConfig& config, const std::atomic<bool>* cancel,
    const std::function<void(double)>& progress);

}  // namespace driftlab::app
