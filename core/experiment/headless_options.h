#pragma once
// What every family's headless entry takes besides its config (`driftlab --headless CONFIG
// --workspace ID --out DIR`).
#include <string>

namespace driftlab::core {

struct HeadlessOptions {
    std::string outDir;       // created if missing; "" writes to the current directory
    bool progressBar = true;  // the one-line text progress bar (progress_bar.h) on progress
};

}  // namespace driftlab::core
