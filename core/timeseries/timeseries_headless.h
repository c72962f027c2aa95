#pragma once
// `driftlab --headless CONFIG --workspace timeseries --out DIR`: trains the time-series
// experiment without a window and writes to DIR:
//   metrics.json        test MSE, NLL, accuracy, NFE, wall time, iterations/s, and the
//                       persistence and linear-interpolation baselines on the same split
//   model.bin           the trained parameters (core/nn/serialization format)
//   loss.csv            per iteration: loss, each loss term, NFE, seconds, gradient norm
//   validation.csv      per evaluation: validation loss and MSE
//   forecasts.csv       the displayed series: times, mean, 5/95 % quantiles (dense grid) and,
//                       at the observation times, value, role (context/target/missing), mean,
//                       std and the baselines
//   error_heatmap.csv   the solver's error estimate over (iteration, time bin)
//   config.json         the validated config with defaults filled in
// CONFIG is a JSON file or a time-series preset id.
#include "core/experiment/headless_options.h"

#include <iosfwd>
#include <string>

namespace driftlab::core {

// Returns the process exit code (0 done, 1 bad config / I/O failure, 3 training diverged;
// the files are still written for a diverged run, from the last finite parameters). Errors
// are one line on err.
int runTimeSeriesHeadless(const std::string& configFileOrPreset, const HeadlessOptions& options,
                          std::ostream& progress, std::ostream& err);

}  // namespace driftlab::core
