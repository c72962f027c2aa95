// Training throughput of the Diffusion workspace in a live window against the headless
// training loop, on the same config (the workspace's default: the reference 128 x 3 network,
// batch 512) and machine. The GUI side runs the workspace object in a shown MainWindow (views
// live: loss chart, preview cloud and status bar update from the snapshots) and times Train
// from the click to the trained model; the headless side times DiffusionTrainer::train, the
// loop `driftlab --headless` runs. Prints one JSON line per side (iterations/s, median of 3)
// and one with the ratio, under the app's OpenMP wait policy (passive, app/main.cpp). Run
// under xvfb: xvfb-run -a -s "-screen 0 1600x1000x24" ...
//   bench_gui_throughput [iterations]   (default 1500)
#include "app/main_window.h"
#include "app/workspaces/diffusion/diffusion_workspace.h"
#include "core/diffusion/diffusion_session.h"
#include "core/diffusion/diffusion_trainer.h"
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

void printLine(const char* workload, long iterations, const std::vector<double>& rates) {
    std::printf(
        "{\"workload\": \"%s\", \"iterations\": %ld, \"threads\": %d, "
        "\"omp_wait_policy\": \"%s\", \"iterations_per_second\": %.1f, "
        "\"runs\": [%.1f, %.1f, %.1f]}\n",
        workload, iterations, omp_get_max_threads(), std::getenv("OMP_WAIT_POLICY"),
        bench::median(rates), rates[0], rates[1], rates[2]);
    std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
    bench::useTheAppsOpenMpWaitPolicy(argv);
    widgets::setDefaultSurfaceFormat();  // before the QApplication (OpenGL 3.2 core)
    QApplication application(argc, argv);
    const long iterations = argc > 1 ? std::atol(argv[1]) : 1500;

    app::MainWindow window;
    bench::showExposed(window);
    if (!window.selectWorkspace("diffusion")) {
        std::fprintf(stderr, "bench_gui_throughput: cannot open the diffusion workspace\n");
        return 1;
    }
    auto* workspace = qobject_cast<app::DiffusionWorkspace*>(window.currentWorkspace());
    nlohmann::json values = workspace->settingsForm()->values();
    values["iterations"] = iterations;
    workspace->settingsForm()->setValues(values);
    const core::DiffusionConfig config = core::diffusionConfigFromJson(values, "bench");

    // Rounds alternate the two sides, so a machine whose load drifts (a shared one) weighs
    // on both alike.
    std::vector<double> headless, gui;
    for (int round = 0; round < 3; ++round) {
        {
            auto data = std::make_shared<const core::DiffusionData>(
                core::prepareDiffusionData(config, core::kDefaultMetricPoints));
            core::DiffusionTrainer trainer(config, data);
            const auto start = std::chrono::steady_clock::now();
            trainer.train(iterations);  // one call, as the headless run makes it
            const double seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            headless.push_back(double(iterations) / seconds);
        }
        workspace->reset();
        workspace->settingsForm()->setValues(values);
        QElapsedTimer clock;
        clock.start();
        workspace->run();
        // Trained when the session arrives (the automatic Sample starts right after).
        while (!workspace->session() || workspace->session()->iterations < iterations) {
            QApplication::processEvents(QEventLoop::WaitForMoreEvents, 5);
            if (clock.elapsed() > 600000) return 1;
        }
        gui.push_back(double(iterations) / (clock.nsecsElapsed() * 1e-9));
        workspace->cancel();  // the follow-up Sample is not measured
        while (workspace->isRunning()) QApplication::processEvents(QEventLoop::AllEvents, 5);
    }
    printLine("diffusion_training_headless", iterations, headless);
    printLine("diffusion_training_gui", iterations, gui);
    std::printf("{\"workload\": \"diffusion_training_gui_vs_headless\", \"ratio\": %.3f}\n",
                bench::median(gui) / bench::median(headless));
    return 0;
}
