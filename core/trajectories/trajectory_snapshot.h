#pragma once
// What the Trajectories views draw: an immutable result of one simulation plus the
// summaries computed from it on the worker thread. Views hold shared_ptr<const ...>.
#include "core/solvers/simulation.h"
#include "core/stats/path_statistics.h"
#include "core/trajectories/trajectory_config.h"

#include <memory>
#include <vector>

namespace driftlab::core {

struct TrajectorySnapshot {
    TrajectoryConfig config;
    std::shared_ptr<const SimulationResult> result;
    QuantileBands bands;
    std::vector<int> drawnPathIndices;  // the user-set subset drawn individually
};

// Computes bands and picks evenly spread drawn paths (skipping non-finite ones).
std::shared_ptr<const TrajectorySnapshot> makeTrajectorySnapshot(
    TrajectoryConfig config, std::shared_ptr<const SimulationResult> result);

}  // namespace driftlab::core
