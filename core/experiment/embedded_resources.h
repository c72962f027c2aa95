#pragma once
// The files under resources/ that the engine needs without Qt's resource system (presets,
// the real data sets), compiled in by driftlab_embed_resources() in core/CMakeLists.txt.
// Each is keyed by its path under resources/, e.g. "presets/trajectories/ou.json", so a
// family finds its files by folder and a new file needs no code.
#include <string>
#include <string_view>
#include <vector>

namespace driftlab::core {

struct EmbeddedResource {
    std::string_view path;  // under resources/, '/'-separated
    std::string_view text;
};

// The resources whose path starts with prefix (all for an empty prefix), sorted by path.
std::vector<EmbeddedResource> embeddedResources(std::string_view prefix = {});

// The file name without folder and extension: "presets/trajectories/ou.json" -> "ou".
std::string resourceStem(std::string_view path);

namespace detail {
// The generated table (every embedded file once, sorted by path).
const std::vector<EmbeddedResource>& embeddedResourceTable();
}  // namespace detail

}  // namespace driftlab::core
