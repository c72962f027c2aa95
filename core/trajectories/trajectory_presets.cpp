// The shipped presets: resources/presets/trajectories/*.json, embedded by core/CMakeLists.txt.
#include "core/common/error.h"
#include "core/experiment/embedded_resources.h"
#include "core/trajectories/trajectory_config.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <string_view>
#include <utility>

namespace driftlab::core {

namespace {

constexpr std::string_view kPresetFolder = "presets/trajectories/";

// A teaching order: the default (OU) first, then the simplest process, then multiplicative
// noise, then nonlinear drift, then 2-D and 3-D systems. Presets not named here follow in
// file-name order, so adding a JSON file is enough to ship it.
constexpr std::string_view kTeachingOrder[] = {
    "ou", "brownian_motion", "gbm", "double_well", "van_der_pol", "lotka_volterra", "lorenz",
};

struct PresetTable {
    std::vector<std::string> ids;
    std::vector<TrajectoryConfig> configs;
};

int rank(std::string_view id) {
    const auto* begin = std::begin(kTeachingOrder);
    const auto* end = std::end(kTeachingOrder);
    const auto* it = std::find(begin, end, id);
    return static_cast<int>(it - begin);  // unlisted ones share the last rank
}

PresetTable loadPresets() {
    std::vector<std::pair<std::string, EmbeddedResource>> files;
    for (const auto& resource : embeddedResources(kPresetFolder)) {
        if (resource.path.size() > 5 && resource.path.substr(resource.path.size() - 5) == ".json")
            files.emplace_back(resourceStem(resource.path), resource);
    }
    std::stable_sort(files.begin(), files.end(),
                     [](const auto& a, const auto& b) { return rank(a.first) < rank(b.first); });
    PresetTable table;
    for (const auto& [id, resource] : files) {
        // A broken preset is a build defect; the message names the file so it is found fast.
        table.ids.push_back(id);
        table.configs.push_back(parseTrajectoryConfig(std::string(resource.text),
                                                      "resources/" + std::string(resource.path)));
    }
    return table;
}

const PresetTable& presetTable() {
    static const PresetTable table = loadPresets();
    return table;
}

std::string lowered(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

}  // namespace

const std::vector<TrajectoryConfig>& builtinPresets() { return presetTable().configs; }

std::vector<std::string> presetIds() { return presetTable().ids; }

const TrajectoryConfig* findPreset(const std::string& nameOrId) {
    const PresetTable& table = presetTable();
    const std::string wanted = lowered(nameOrId);
    for (std::size_t i = 0; i < table.ids.size(); ++i) {
        if (lowered(table.ids[i]) == wanted) return &table.configs[i];
    }
    for (const auto& config : table.configs) {
        if (lowered(config.equation.name) == wanted) return &config;
    }
    return nullptr;
}

TrajectoryConfig resolveTrajectoryConfig(const std::string& fileOrPreset) {
    if (std::filesystem::exists(fileOrPreset)) return loadTrajectoryConfig(fileOrPreset);
    if (const auto* preset = findPreset(fileOrPreset)) return *preset;
    std::string ids;
    for (const auto& id : presetIds()) ids += (ids.empty() ? "" : ", ") + id;
    throw ConfigError("\"" + fileOrPreset + "\" is neither a file nor a preset (presets: " + ids +
                      ")");
}

}  // namespace driftlab::core
