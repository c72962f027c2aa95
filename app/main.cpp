// driftlab [CONFIG]                      open the window on CONFIG (file or preset id)
// driftlab --headless CONFIG --out DIR   run without a window, write CSV/JSON
// driftlab --screenshot FILE [CONFIG]    open, run to completion, save a PNG, exit
#include "app/command_line.h"

#include <unistd.h>
#include <cstdlib>

int main(int argc, char** argv) {
    // OpenMP's default wait policy keeps a team's threads spinning between parallel regions,
    // so the renderer (and, on a shared machine, every other process) fights them for the
    // cores: diffusion training measured 0.26 x headless in the window with spinning threads
    // and 0.93 x with passive ones (tests/bench/bench_gui_throughput). libgomp reads the
    // policy once, when it is loaded, so the process re-executes itself with it set; a policy
    // the user chose is kept, and a failed exec just carries on with the default.
    if (!std::getenv("OMP_WAIT_POLICY")) {
        setenv("OMP_WAIT_POLICY", "passive", 1);
        execv("/proc/self/exe", argv);
    }
    return driftlab::app::runCommandLine(argc, argv);
}
