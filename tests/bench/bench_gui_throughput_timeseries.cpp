// Time-series training throughput in the window against headless. Trains one preset (the
// first shipped, ou_forecasting, unless --preset) for a fixed number of iterations, headless
// (the TimeSeriesJob stepped on this thread, as `driftlab --headless` does) and in a shown
// MainWindow's Time series workspace (Train, views live), alternating, and prints one JSON
// line per side with the medians; the window's line carries the ratio to headless. A third
// line, timeseries_training_run, trains on a core::Run with the window's publishing cadence
// but no event loop: the worker thread and the snapshots' own cost. Each line also gives the
// CPU seconds per thread of its last repeat (the worker, OpenMP, Qt's main thread, Mesa's
// llvmpipe threads), which is where a slower window shows where the time went.
// Run under a display: xvfb-run -a -s "-screen 0 1600x1000x24" bench_gui_throughput_timeseries
//   [--iterations N] [--repeats R] [--preset ID]
#include "app/main_window.h"
#include "app/workspaces/timeseries/timeseries_workspace.h"
#include "core/experiment/run.h"
#include "core/timeseries/timeseries_config.h"
#include "core/timeseries/timeseries_job.h"
#include "tests/bench/bench_gui_support.h"
#include "widgets/panels/run_controls.h"
#include "widgets/panels/schema_form.h"
#include "widgets/vtk/surface_format.h"

#include <QAction>
#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTimer>

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace {

using driftlab::app::MainWindow;
using driftlab::app::TimeseriesWorkspace;

struct Sample {
    double seconds = 0.0;        // build + training, wall clock
    double stepSeconds = 0.0;    // inside the trainer's step()s
    nlohmann::ordered_json cpu;  // CPU seconds by thread name
};

// CPU seconds per thread (name/tid, Linux /proc), to see where a side's time goes.
std::map<std::string, double> cpuByThread() {
    std::map<std::string, double> out;
    const double tick = double(sysconf(_SC_CLK_TCK));
    for (const auto& entry : std::filesystem::directory_iterator("/proc/self/task")) {
        std::ifstream in(entry.path() / "stat");
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        const auto open = text.find('('), close = text.rfind(')');
        if (open == std::string::npos || close == std::string::npos) continue;
        const std::string name = text.substr(open + 1, close - open - 1);
        std::istringstream rest(text.substr(close + 2));
        std::string field;
        double utime = 0, stime = 0;
        for (int k = 3; k <= 15 && rest >> field; ++k) {
            if (k == 14) utime = std::atof(field.c_str());
            if (k == 15) stime = std::atof(field.c_str());
        }
        const long tid = std::atol(entry.path().filename().c_str());
        out[(tid == long(getpid()) ? std::string("main") : name) + "/" + std::to_string(tid)] +=
            (utime + stime) / tick;
    }
    return out;
}

nlohmann::ordered_json cpuSince(const std::map<std::string, double>& before) {
    nlohmann::ordered_json j;
    for (const auto& [name, seconds] : cpuByThread()) {
        const auto at = before.find(name);
        const double used = seconds - (at == before.end() ? 0.0 : at->second);
        if (used > 0.005) j[name] = std::round(used * 100) / 100;
    }
    return j;
}

using driftlab::bench::median;

Sample trainHeadless(const driftlab::core::TimeSeriesConfig& config) {
    const auto cpu = cpuByThread();
    const auto start = std::chrono::steady_clock::now();
    driftlab::core::TimeSeriesJob job(config);
    driftlab::core::RunContext context;
    while (job.status() == driftlab::core::RunJob::Status::More) job.step(context);
    Sample s;
    s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    s.stepSeconds = job.timeSeriesSnapshot(false)->metrics.wallSeconds;
    s.cpu = cpuSince(cpu);
    return s;
}

// The same job on a core::Run's worker with the window's publishing cadence but no window:
// what the worker thread and the snapshots cost by themselves.
Sample trainOnRun(const driftlab::core::TimeSeriesConfig& config) {
    const auto cpu = cpuByThread();
    const auto start = std::chrono::steady_clock::now();
    driftlab::core::RunOptions options;
    options.publishSeconds = 0.12;
    options.fullPublishSeconds = 0.36;
    driftlab::core::Run run(
        [config](driftlab::core::RunContext&) { return driftlab::core::makeTimeSeriesJob(config); },
        options);
    long seen = run.version();
    while (run.state() != driftlab::core::RunState::Finished &&
           run.state() != driftlab::core::RunState::Failed &&
           run.state() != driftlab::core::RunState::Diverged)
        seen = run.waitForChange(seen, std::chrono::milliseconds(100));
    Sample s;
    s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    s.stepSeconds = run.latestAs<driftlab::core::TimeSeriesSnapshot>()->metrics.wallSeconds;
    s.cpu = cpuSince(cpu);
    return s;
}

Sample trainInWindow(MainWindow& window, TimeseriesWorkspace* workspace,
                     const nlohmann::json& values, long iterations, bool* ok) {
    workspace->reset();
    workspace->settingsForm()->setValues(values);
    QEventLoop loop;
    bool finished = false;
    const auto connection = QObject::connect(
        &window, &MainWindow::runFinished, &loop, [&](bool success, const QString& m) {
            finished = success;
            if (!success) std::fprintf(stderr, "window run failed: %s\n", qPrintable(m));
            loop.quit();
        });
    const auto cpu = cpuByThread();
    QElapsedTimer clock;
    clock.start();
    window.runControls()->runAction()->trigger();
    loop.exec();
    QObject::disconnect(connection);
    Sample s;
    s.seconds = double(clock.nsecsElapsed()) * 1e-9;
    const auto snapshot = workspace->lastSnapshot();
    *ok = finished && snapshot && snapshot->iteration == iterations;
    s.stepSeconds = snapshot ? snapshot->metrics.wallSeconds : 0.0;
    s.cpu = cpuSince(cpu);
    return s;
}

void printLine(const char* workload, const std::string& preset, long iterations,
               const std::vector<Sample>& samples, double headlessRate) {
    std::vector<double> rates, stepRates, seconds;
    for (const auto& s : samples) {
        rates.push_back(double(iterations) / s.seconds);
        stepRates.push_back(double(iterations) / s.stepSeconds);
        seconds.push_back(s.seconds);
    }
    nlohmann::ordered_json j;
    j["workload"] = workload;
    j["preset"] = preset;
    j["iterations"] = iterations;
    j["repeats"] = samples.size();
    j["iterations_per_second"] = median(rates);
    // Inside step() only: contention slows this, snapshots and forecasts between steps do not.
    j["step_iterations_per_second"] = median(stepRates);
    j["seconds"] = seconds;
    j["cpu_seconds_by_thread"] = samples.empty() ? nlohmann::ordered_json() : samples.back().cpu;
    if (headlessRate > 0.0) j["ratio_to_headless"] = median(rates) / headlessRate;
    std::printf("%s\n", j.dump().c_str());
    std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
    long iterations = 150;
    int repeats = 3;
    std::string preset = driftlab::core::timeSeriesPresetIds().front();
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string key = argv[i];
        if (key == "--iterations")
            iterations = std::atol(argv[i + 1]);
        else if (key == "--repeats")
            repeats = std::atoi(argv[i + 1]);
        else if (key == "--preset")
            preset = argv[i + 1];
    }
    driftlab::widgets::setDefaultSurfaceFormat();
    QApplication app(argc, argv);
    MainWindow window;
    window.resize(1400, 900);
    window.show();
    if (!window.selectWorkspace("timeseries")) return 1;
    auto* workspace = qobject_cast<TimeseriesWorkspace*>(window.currentWorkspace());
    QString error;
    if (!workspace || !workspace->loadConfig(QString::fromStdString(preset), &error)) {
        std::fprintf(stderr, "cannot load %s: %s\n", preset.c_str(), qPrintable(error));
        return 1;
    }
    nlohmann::json values = workspace->settingsForm()->values();
    values["iterations"] = iterations;
    // Both sides train the config the form holds.
    const auto config = driftlab::core::timeSeriesConfigFromJson(values, "bench");
    // Let the window reach its first frames before timing.
    QEventLoop settle;
    QTimer::singleShot(500, &settle, &QEventLoop::quit);
    settle.exec();

    std::vector<Sample> headless, onRun, gui;
    for (int r = 0; r < repeats; ++r) {
        headless.push_back(trainHeadless(config));
        onRun.push_back(trainOnRun(config));
        bool ok = false;
        gui.push_back(trainInWindow(window, workspace, values, iterations, &ok));
        if (!ok) return 2;
    }
    std::vector<double> headlessRates;
    for (const auto& s : headless) headlessRates.push_back(double(iterations) / s.seconds);
    printLine("timeseries_training_headless", preset, iterations, headless, 0.0);
    printLine("timeseries_training_run", preset, iterations, onRun, median(headlessRates));
    printLine("timeseries_training_gui", preset, iterations, gui, median(headlessRates));
    return 0;
}
