// The Diffusion family's row of the registry (core/experiment/family_registry.h).
#include "core/diffusion/diffusion_config.h"
#include "core/diffusion/diffusion_headless.h"
#include "core/experiment/embedded_resources.h"
#include "core/experiment/family_registry.h"

namespace driftlab::core {

ExperimentFamily diffusionFamily() {
    ExperimentFamily family;
    family.id = "diffusion";
    family.title = "Diffusion";
    family.schemas = {&diffusionSchema()};
    family.presetIds = [] { return diffusionPresetIds(); };
    family.presetText = [](const std::string& id) -> std::optional<std::string> {
        // The shipped file as it is: its "headless" section (budgets, metric sizes) is part of
        // what the preset runs, and its name and description tell what it shows.
        const std::string path = "presets/diffusion/" + id + ".json";
        for (const auto& resource : embeddedResources(path))
            if (resource.path == path) return std::string(resource.text);
        return std::nullopt;
    };
    family.headless = [](const std::string& config, const HeadlessOptions& options,
                         std::ostream& progress, std::ostream& err) {
        return runDiffusionHeadless(config, options, progress, err);
    };
    return family;
}

}  // namespace driftlab::core
