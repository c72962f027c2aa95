#pragma once
// What every family's headless entry takes: where to write and whether to draw a progress
// bar. Generic, so the families share it without including one another.
#include <string>

namespace driftlab::core {

struct HeadlessOptions {
    std::string outDir;
    bool progressBar = true;  // a one-line text progress bar on the progress stream
};

}  // namespace driftlab::core
