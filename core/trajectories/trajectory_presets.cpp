// The shipped presets: resources/presets/*.json, embedded by core/CMakeLists.txt.
#include "core/common/error.h"
#include "core/trajectories/trajectory_config.h"

#include <algorithm>
#include <cctype>
#include <string_view>
#include <utility>

namespace driftlab::core {

// Generated from embedded_presets.cpp.in: (file stem, JSON text), sorted by file name.
const std::vector<std::pair<std::string_view, std::string_view>>& embeddedPresetTexts();

namespace {

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
    std::vector<std::pair<std::string_view, std::string_view>> texts = embeddedPresetTexts();
    std::stable_sort(texts.begin(), texts.end(),
                     [](const auto& a, const auto& b) { return rank(a.first) < rank(b.first); });
    PresetTable table;
    for (const auto& [id, text] : texts) {
        // A broken preset is a build defect; the message names the file so it is found fast.
        table.ids.emplace_back(id);
        table.configs.push_back(parseTrajectoryConfig(
            std::string(text), "resources/presets/" + std::string(id) + ".json"));
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

}  // namespace driftlab::core
