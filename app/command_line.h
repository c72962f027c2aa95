#pragma once

namespace driftlab::app {

// Parses the command line and runs the GUI, a headless run or a screenshot; returns the
// process exit code. Headless runs never create a QApplication, so they need no display.
int runCommandLine(int argc, char** argv);

}  // namespace driftlab::app
