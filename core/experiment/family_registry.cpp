#include "core/experiment/family_registry.h"

namespace driftlab::core {

// Each defined in its family's folder (core/<family>/*_family.cpp). Listed here, once, rather
// than self-registered from static initialisers: the linker drops an object file of a static
// library that nothing references, and its registration with it.
ExperimentFamily trajectoriesFamily();
ExperimentFamily timeSeriesFamily();
ExperimentFamily diffusionFamily();

const std::vector<ExperimentFamily>& experimentFamilies() {
    static const std::vector<ExperimentFamily> families = {
        trajectoriesFamily(),
        diffusionFamily(),
        timeSeriesFamily(),
    };
    return families;
}

const ExperimentFamily* findExperimentFamily(const std::string& id) {
    for (const auto& family : experimentFamilies())
        if (family.id == id) return &family;
    return nullptr;
}

std::string experimentFamilyIds() {
    std::string ids;
    for (const auto& family : experimentFamilies()) ids += (ids.empty() ? "" : ", ") + family.id;
    return ids;
}

}  // namespace driftlab::core
