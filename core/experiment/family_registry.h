#pragma once
// The experiment families the engine knows (trajectories, timeseries, diffusion, ...), one row
// each: what the command line needs to list a family's presets and run it headless, and the
// ids the app's workspaces are registered under (app/workspace_registry.cpp uses the same).
// Each family builds its row in its own folder (e.g. core/trajectories/trajectory_family.cpp);
// family_registry.cpp lists the row functions in one table, because static-initialiser
// self-registration is dropped by the linker from a static library.
#include "core/experiment/headless_options.h"

#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace driftlab::core {

class Schema;

// Returns the process exit code (0 done, 1 bad config or I/O failure, other codes as the
// family documents); an error is one line on err ("driftlab: error: ...").
using HeadlessEntry =
    std::function<int(const std::string& configFileOrPreset, const HeadlessOptions& options,
                      std::ostream& progress, std::ostream& err)>;

struct ExperimentFamily {
    std::string id;     // --workspace ID; the "experiment" value of its config files
    std::string title;  // shown in the workspace selector
    std::vector<const Schema*> schemas;  // the schema(s) its config files are read with
    std::function<std::vector<std::string>()> presetIds;  // built-in presets, in menu order
    // The built-in preset as the config file it stands for (what --headless ID runs);
    // nullopt for an unknown id.
    std::function<std::optional<std::string>(const std::string& id)> presetText;
    HeadlessEntry headless;
};

// Every family, in the app's workspace order; the first is the default.
const std::vector<ExperimentFamily>& experimentFamilies();
// nullptr when no family has that id.
const ExperimentFamily* findExperimentFamily(const std::string& id);
// "trajectories, timeseries, diffusion": for messages naming the known ids.
std::string experimentFamilyIds();

}  // namespace driftlab::core
