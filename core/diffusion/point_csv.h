#pragma once
// The user's own 2-D points from a CSV file: "x,y" per line; an optional first header line
// (any line whose first field is not a number) is skipped, as are blank lines. Anything else
// that is not two finite numbers is refused with a ConfigError naming the source, the 1-based
// line and the reason, so a bad file never reaches training half-read.
#include <string>

#include <Eigen/Core>

namespace driftlab::core::diffusion {

// ConfigError "<source>, line N: <reason>" or "<source>: no points".
Eigen::Matrix2Xd parsePointsCsv(const std::string& text, const std::string& sourceName = "CSV");
// The same for a file; ConfigError when it cannot be opened.
Eigen::Matrix2Xd readPointsCsv(const std::string& path);

}  // namespace driftlab::core::diffusion
