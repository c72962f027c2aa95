#include "app/workspace_registry.h"

#include "app/workspaces/diffusion/diffusion_workspace.h"
#include "app/workspaces/timeseries/timeseries_workspace.h"
#include "app/workspaces/trajectories/trajectories_workspace.h"

namespace driftlab::app {

const std::vector<WorkspaceFactory>& workspaceFactories() {
    static const std::vector<WorkspaceFactory> factories = {
        {"trajectories", "Trajectories",
         [](QObject* parent) -> Workspace* { return new TrajectoriesWorkspace(parent); }},
        {"diffusion", "Diffusion",
         [](QObject* parent) -> Workspace* { return new DiffusionWorkspace(parent); }},
        {"timeseries", "Time series",
         [](QObject* parent) -> Workspace* { return new TimeseriesWorkspace(parent); }},
    };
    return factories;
}

}  // namespace driftlab::app
