// driftlab [CONFIG]                      open the window on CONFIG (file or preset id)
// driftlab --headless CONFIG --out DIR   run without a window, write CSV/JSON
// driftlab --screenshot FILE [CONFIG]    open, run to completion, save a PNG, exit
#include "app/command_line.h"

int main(int argc, char** argv) { return driftlab::app::runCommandLine(argc, argv); }
