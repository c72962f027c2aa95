#pragma once
// `driftlab --headless CONFIG_OR_PRESET --workspace diffusion --out DIR`: the Diffusion
// workspace's experiment without a window. It trains the score network (or, with model =
// interpolant, the interpolant's velocity network), samples with the configured sampler (the
// interpolant ODE, or its SDE when epsilon > 0), scores the samples against held-out data and
// runs the sampler shoot-out, writing to DIR:
//   config.json    the validated settings (schema values + the headless section)
//   loss.csv       iteration, mean loss since the last row, seconds, loss per time bucket
//   samples.csv    x,y of the samples in the data's own coordinates
//   metrics.json   SW2 and MMD^2 of the samples against held-out data (standardised
//                  coordinates), the same for two data sets (the floor), bits/dim of held-out
//                  data under the probability-flow ODE (an interpolant: its ODE), training
//                  and sampling times, NFE
//   shootout.csv   every sampler x NFE budget: NFE, SW2, MMD^2, wall time (diffusion_shootout.h)
// A config is a JSON file or the id of a preset in resources/presets/diffusion:
//   { "experiment": "diffusion", "name": "...", "description": "...",
//     "diffusion": { keys of diffusionSchema() },
//     "headless": { "budgets": [5, 10, 20, 50, 100, 1000], "metric_points": 10000,
//                   "mmd_points": 2000, "directions": 1000, "likelihood_points": 1000,
//                   "adaptive_tolerances": [1e-2, 1e-3, 1e-5], "shootout": true,
//                   "data_file": "points.csv" } }
// (a bare object of schema keys is read as "diffusion"). With data_file (relative to the
// config file) the model learns the user's points and a fifth of them is held out; otherwise
// the held-out set is a fresh draw of metric_points from the generator.
#include "core/diffusion/diffusion_config.h"
#include "core/diffusion/diffusion_shootout.h"
#include "core/experiment/headless_options.h"

#include <nlohmann/json.hpp>

#include <iosfwd>
#include <string>
#include <vector>

namespace driftlab::core {

struct DiffusionPlan {
    std::string name;
    std::string description;
    DiffusionConfig config;
    nlohmann::json values;    // the validated schema values
    nlohmann::json headless;  // the headless section with defaults filled in
    std::string dataFile;     // empty: the generated data set
    diffusion::Index metricPoints = 10000;
    diffusion::Index likelihoodPoints = 1000;
    bool shootout = true;
    ShootoutOptions shootoutOptions;
};

// ConfigError naming the key for unknown or ill-typed keys, budgets outside [1, 1e6],
// non-positive sizes, and everything diffusionConfigFromJson refuses. baseDir resolves a
// relative data_file.
DiffusionPlan diffusionPlanFromJson(const nlohmann::json& document, const std::string& context,
                                    const std::string& baseDir = {});
// A path to an existing file, else a preset id (ConfigError listing the presets).
DiffusionPlan loadDiffusionPlan(const std::string& fileOrPreset);

// The shipped presets (resources/presets/diffusion/*.json, embedded at build time), by id.
std::vector<std::string> diffusionPresetIds();
// ConfigError for an unknown id.
DiffusionPlan diffusionPreset(const std::string& id);

// Returns the process exit code; an error is one line on err ("driftlab: error: ...").
// Whatever was computed before a failure (config.json, loss.csv) stays written.
int runDiffusionHeadless(const DiffusionPlan& plan, const HeadlessOptions& options,
                         std::ostream& progress, std::ostream& err);
int runDiffusionHeadless(const std::string& fileOrPreset, const HeadlessOptions& options,
                         std::ostream& progress, std::ostream& err);

}  // namespace driftlab::core
