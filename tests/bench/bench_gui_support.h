#pragma once
// What the bench_gui_* benchmarks share: the app's OpenMP wait policy, a shown and exposed
// main window, and the median they report.
#include "app/main_window.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QWindow>

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <vector>

#include <unistd.h>

namespace driftlab::bench {

// The policy app/main.cpp runs with (passive unless the environment says otherwise), so the
// numbers are the app's; libgomp reads it only when loaded, hence the re-execution.
inline void useTheAppsOpenMpWaitPolicy(char** argv) {
    if (!std::getenv("OMP_WAIT_POLICY")) {
        setenv("OMP_WAIT_POLICY", "passive", 1);
        execv("/proc/self/exe", argv);
    }
}

// Shows the window at a fixed size and returns once it is on screen (or after 10 s).
inline void showExposed(app::MainWindow& window) {
    window.resize(1400, 900);
    window.show();
    QElapsedTimer exposing;
    exposing.start();
    while (!(window.windowHandle() && window.windowHandle()->isExposed()) &&
           exposing.elapsed() < 10000)
        QApplication::processEvents(QEventLoop::AllEvents, 10);
}

inline double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n == 0 ? 0.0 : (n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]));
}

}  // namespace driftlab::bench
