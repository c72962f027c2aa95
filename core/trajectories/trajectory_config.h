#pragma once
// The Trajectories experiment as data: a typed equation plus simulation settings, read from
// and written to JSON. File format:
//   { "experiment": "trajectories",
//     "equation": { "name", "description", "variables": [..], "drift": [..],
//                   "diffusion": [..], "parameters": [{"name","value","min","max","help"}],
//                   "initial": [..], "analytic": "none|brownian_motion|
//                   ornstein_uhlenbeck|geometric_brownian_motion" },
//     "simulation": { keys of simulationSchema() } }
#include "core/equations/equation_spec.h"
#include "core/experiment/schema.h"
#include "core/solvers/simulation.h"

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace driftlab::core {

struct TrajectoryConfig {
    EquationSpec equation;
    SimulationSettings simulation;
};

const Schema& simulationSchema();

// Throws ConfigError (malformed JSON, unknown keys, bad ranges, mismatched component
// counts, sizes beyond the machine's memory) or ExpressionError (bad expressions).
// context names the source in messages, e.g. the file name.
TrajectoryConfig trajectoryConfigFromJson(const nlohmann::json& json, const std::string& context);
TrajectoryConfig parseTrajectoryConfig(const std::string& text, const std::string& context);
TrajectoryConfig loadTrajectoryConfig(const std::string& path);
nlohmann::json toJson(const TrajectoryConfig& config);
std::string toJsonText(const TrajectoryConfig& config);  // pretty-printed

// The presets shipped in resources/presets/trajectories, embedded at build time (core stays
// Qt-free).
// The first is the default experiment (Ornstein-Uhlenbeck, 1,000 paths).
const std::vector<TrajectoryConfig>& builtinPresets();
// Looks up by preset file stem ("ou") or equation name, case-insensitive; nullptr if none.
const TrajectoryConfig* findPreset(const std::string& nameOrId);
std::vector<std::string> presetIds();
// A path to an existing file is loaded; anything else must name a preset (ConfigError listing
// the preset ids otherwise).
TrajectoryConfig resolveTrajectoryConfig(const std::string& fileOrPreset);

}  // namespace driftlab::core
