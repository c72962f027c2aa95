#include "core/experiment/embedded_resources.h"

namespace driftlab::core {

std::vector<EmbeddedResource> embeddedResources(std::string_view prefix) {
    std::vector<EmbeddedResource> out;
    for (const auto& resource : detail::embeddedResourceTable()) {
        if (resource.path.substr(0, prefix.size()) == prefix) out.push_back(resource);
    }
    return out;
}

std::string resourceStem(std::string_view path) {
    const auto slash = path.rfind('/');
    if (slash != std::string_view::npos) path.remove_prefix(slash + 1);
    const auto dot = path.rfind('.');
    if (dot != std::string_view::npos && dot > 0) path = path.substr(0, dot);
    return std::string(path);
}

}  // namespace driftlab::core
