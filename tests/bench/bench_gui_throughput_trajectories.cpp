// Simulation throughput of the Trajectories workspace in a live window against the headless
// path, on the same config: the default preset (Ornstein–Uhlenbeck) with more paths so one
// run lasts long enough to time. The GUI side runs the workspace in a shown MainWindow and
// times Run from the click to the finished picture (simulation, summaries, drawing); the
// headless side times core::computeTrajectoryViewData, the job both run. Prints one JSON
// line per side (path·steps/s, median of 3, rounds alternating) and one with the ratio.
// Run under xvfb: xvfb-run -a -s "-screen 0 1600x1000x24" ...
//   bench_gui_throughput_trajectories [paths]   (default 20000; 1000 steps each)
#include "app/main_window.h"
#include "app/workspaces/trajectories/trajectories_workspace.h"
#include "core/trajectories/trajectory_config.h"
#include "core/trajectories/trajectory_view_data.h"
#include "tests/bench/bench_gui_support.h"
#include "widgets/panels/schema_form.h"
#include "widgets/vtk/surface_format.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QWindow>

#include <omp.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include <unistd.h>

using namespace driftlab;

namespace {

void printLine(const char* workload, double pathSteps, const std::vector<double>& rates) {
    std::printf(
        "{\"workload\": \"%s\", \"path_steps\": %.0f, \"threads\": %d, "
        "\"omp_wait_policy\": \"%s\", \"path_steps_per_second\": %.4g, "
        "\"runs\": [%.4g, %.4g, %.4g]}\n",
        workload, pathSteps, omp_get_max_threads(), std::getenv("OMP_WAIT_POLICY"),
        bench::median(rates), rates[0], rates[1], rates[2]);
    std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
    bench::useTheAppsOpenMpWaitPolicy(argv);
    widgets::setDefaultSurfaceFormat();
    QApplication application(argc, argv);
    const long paths = argc > 1 ? std::atol(argv[1]) : 20000;

    app::MainWindow window;
    bench::showExposed(window);
    auto* workspace = qobject_cast<app::TrajectoriesWorkspace*>(window.currentWorkspace());
    nlohmann::json values = workspace->settingsForm()->values();
    values["paths"] = paths;
    workspace->settingsForm()->setValues(values);
    core::TrajectoryConfig config = workspace->loadedConfig();
    config.simulation.paths = static_cast<int>(paths);
    const double pathSteps = double(paths) * double(config.simulation.steps);

    std::vector<double> headless, gui;
    for (int round = 0; round < 3; ++round) {
        const auto start = std::chrono::steady_clock::now();
        const auto data = core::computeTrajectoryViewData(config, nullptr, {});
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (!data) return 1;
        headless.push_back(pathSteps / seconds);

        int outcome = -1;  // -1 running, 0 failed, 1 done
        const auto connection = QObject::connect(&window, &app::MainWindow::runFinished,
                                                 [&](bool ok, const QString&) { outcome = ok; });
        QElapsedTimer clock;
        clock.start();
        workspace->run();
        while (outcome < 0) {
            QApplication::processEvents(QEventLoop::WaitForMoreEvents, 5);
            if (clock.elapsed() > 600000) return 1;
        }
        QObject::disconnect(connection);
        if (outcome == 0) return 1;
        gui.push_back(pathSteps / (clock.nsecsElapsed() * 1e-9));
    }
    printLine("trajectories_simulation_headless", pathSteps, headless);
    printLine("trajectories_simulation_gui", pathSteps, gui);
    std::printf("{\"workload\": \"trajectories_simulation_gui_vs_headless\", \"ratio\": %.3f}\n",
                bench::median(gui) / bench::median(headless));
    return 0;
}
