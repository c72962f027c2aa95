#include "core/trajectories/trajectory_snapshot.h"

#include <algorithm>

namespace driftlab::core {

namespace {

bool pathIsFinite(const SimulationResult& result, int path) {
    for (const Eigen::MatrixXd& states : result.states)
        if (!states.row(path).allFinite()) return false;
    return true;
}

}  // namespace

std::shared_ptr<const TrajectorySnapshot> makeTrajectorySnapshot(
    TrajectoryConfig config, std::shared_ptr<const SimulationResult> result) {
    auto snapshot = std::make_shared<TrajectorySnapshot>();
    if (result) {
        snapshot->bands = computeQuantileBands(*result);
        std::vector<int> finite;
        finite.reserve(result->paths);
        for (int p = 0; p < result->paths; ++p)
            if (pathIsFinite(*result, p)) finite.push_back(p);
        const int wanted = std::min({std::max(config.simulation.drawnPaths, 0), result->paths,
                                     static_cast<int>(finite.size())});
        // Evenly spread over the finite paths, so the drawn set is a fair sample of the
        // ensemble and not the first few paths of the first block.
        snapshot->drawnPathIndices.reserve(wanted);
        for (int i = 0; i < wanted; ++i) {
            const std::size_t index = static_cast<std::size_t>(i) * finite.size() / wanted;
            snapshot->drawnPathIndices.push_back(finite[index]);
        }
    }
    snapshot->config = std::move(config);
    snapshot->result = std::move(result);
    return snapshot;
}

}  // namespace driftlab::core
