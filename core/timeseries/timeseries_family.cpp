// The Time-series family's row of the registry (core/experiment/family_registry.h).
#include "core/experiment/family_registry.h"
#include "core/timeseries/timeseries_config.h"
#include "core/timeseries/timeseries_headless.h"

namespace driftlab::core {

ExperimentFamily timeSeriesFamily() {
    ExperimentFamily family;
    family.id = "timeseries";
    family.title = "Time series";
    family.schemas = {&timeSeriesSchema()};
    family.presetIds = [] { return timeSeriesPresetIds(); };
    family.presetText = [](const std::string& id) -> std::optional<std::string> {
        const TimeSeriesConfig* preset = findTimeSeriesPreset(id);
        if (!preset) return std::nullopt;
        return toJsonText(*preset);
    };
    family.headless = [](const std::string& config, const HeadlessOptions& options,
                         std::ostream& progress, std::ostream& err) {
        return runTimeSeriesHeadless(config, options, progress, err);
    };
    return family;
}

}  // namespace driftlab::core
