#include "app/workspace_registry.h"

#include "app/workspaces/diffusion/diffusion_workspace.h"
#include "app/workspaces/timeseries/timeseries_workspace.h"
#include "app/workspaces/trajectories/trajectories_workspace.h"
#include "core/experiment/family_registry.h"

#include <stdexcept>

namespace driftlab::app {

namespace {

// A workspace is the window onto one core experiment family: it takes that family's id (the
// --workspace value, also what --headless dispatches on) and title from the core registry, so
// the two cannot drift apart (tests/app/test_workspace_registry.cpp checks both directions).
WorkspaceFactory forFamily(const char* id, std::function<Workspace*(QObject*)> create) {
    const core::ExperimentFamily* family = core::findExperimentFamily(id);
    if (!family) throw std::logic_error(std::string("no core experiment family \"") + id + "\"");
    return {QString::fromStdString(family->id), QString::fromStdString(family->title),
            std::move(create)};
}

}  // namespace

const std::vector<WorkspaceFactory>& workspaceFactories() {
    static const std::vector<WorkspaceFactory> factories = {
        forFamily("trajectories",
                  [](QObject* parent) -> Workspace* { return new TrajectoriesWorkspace(parent); }),
        forFamily("diffusion",
                  [](QObject* parent) -> Workspace* { return new DiffusionWorkspace(parent); }),
        forFamily("timeseries",
                  [](QObject* parent) -> Workspace* { return new TimeseriesWorkspace(parent); }),
    };
    return factories;
}

}  // namespace driftlab::app
