// The Trajectories family's row of the registry (core/experiment/family_registry.h).
#include "core/experiment/family_registry.h"
#include "core/trajectories/trajectory_config.h"
#include "core/trajectories/trajectory_headless.h"

#include <algorithm>

namespace driftlab::core {

ExperimentFamily trajectoriesFamily() {
    ExperimentFamily family;
    family.id = "trajectories";
    family.title = "Trajectories";
    family.schemas = {&simulationSchema()};
    family.presetIds = [] { return presetIds(); };
    family.presetText = [](const std::string& id) -> std::optional<std::string> {
        // Only ids: findPreset also matches equation names, which are no preset ids.
        const auto ids = presetIds();
        if (std::find(ids.begin(), ids.end(), id) == ids.end()) return std::nullopt;
        return toJsonText(*findPreset(id));
    };
    family.headless = [](const std::string& config, const HeadlessOptions& options,
                         std::ostream& progress,
                         std::ostream& err) { return runHeadless(config, options, progress, err); };
    return family;
}

}  // namespace driftlab::core
