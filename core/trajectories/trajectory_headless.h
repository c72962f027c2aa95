#pragma once
// `driftlab --headless`: the same experiment as the GUI, without a window. Writes to outDir:
//   paths.csv      the drawn paths at the saved times (time, path, component values)
//   quantiles.csv  per saved time and component: mean, q05, q25, q50, q75, q95
//   summary.json   settings, seed, timings, statistics, final-state summary; for ODEs the
//                  final state and the solver's statistics (steps, NFE)
//   config.json    the validated config with defaults filled in
#include "core/experiment/headless_options.h"
#include "core/trajectories/trajectory_config.h"

#include <iosfwd>
#include <string>

namespace driftlab::core {

// Returns the process exit code; errors are written to err as one clear line.
int runHeadless(const TrajectoryConfig& config, const HeadlessOptions& options,
                std::ostream& progress, std::ostream& err);
// The family's headless entry: CONFIG is a .json file or a preset id (resolveTrajectoryConfig).
int runHeadless(const std::string& configFileOrPreset, const HeadlessOptions& options,
                std::ostream& progress, std::ostream& err);

}  // namespace driftlab::core
