// Issue 4's table: test MSE of the neural ODE, neural SDE, LSDE, LNSDE and GSDE (latent,
// or in observation space with --latent false; fixed-step, MSE objective, backprop) on a
// forecasting task at 0/30/50/70 % missing observations, on the synthetic OU and
// double-well sets and on yearly sunspot numbers, with the persistence and
// linear-interpolation baselines on the same test cells and the wall time of each training
// run. Prints one JSON line per run and a markdown table.
//
//   bench_timeseries_table [--iterations N] [--control linear|cubic|none] [--data-dir DIR]
//                          [--latent true|false]
//   (the data comes from the source tree's resources/datasets unless --data-dir names the
//   directory holding sunspots_yearly.csv;
//   OMP_NUM_THREADS=1 for 1 core)
//
// With a control path (default linear) the drift reads the interpolated context, so the
// models train reading the training series' forecasting contexts (never their held-out
// ends), scored on all their observed cells;
// without one the encoder's first observations are all a forecast starts from, and the
// models train on whole training series. --latent false runs the observation-space variants
// (state = the channels, z0 = the first context values, identity readout).
#include <omp.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>
#include <string>
#include <vector>

#include "core/common/random.h"
#include "core/models/series_model.h"
#include "core/models/series_training.h"
#include "core/timeseries/baselines.h"
#include "core/timeseries/csv_import.h"
#include "core/timeseries/generators.h"

using namespace driftlab::core;
using namespace driftlab::core::models;
using namespace driftlab::core::timeseries;

namespace {

constexpr double kHoldOut = 0.3;
constexpr int kEvalPaths = 16;

struct Benchmark {
    std::string name;
    TimeSeriesDataset data;
    DatasetSplit split;
};

Benchmark synthetic(GeneratorKind kind, double missing) {
    GeneratorOptions o;
    o.seed = 31;
    o.seriesCount = 96;
    o.length = 6.0;
    o.observations = 30;
    o.observationNoise = 0.05;
    o.missingRate = missing;
    Benchmark b{generatorName(kind), generate(kind, o), {}};
    b.split = splitBySeries(b.data.size(), 0.75, 0.0, 5);
    return b;
}

// Yearly sunspots cut into 40-year windows every 4 years, time in decades, values scaled
// by the mean and standard deviation of the training years. Chronological split: training
// windows end by 1920, test windows start in 1920 or later, so no year is in both. Each
// observation is dropped with probability `missing` (seeded per window).
Benchmark sunspots(const std::string& dir, double missing) {
    const TimeSeriesDataset raw = importCsvFile(dir + "/sunspots_yearly.csv");
    const Series& all = raw[0];
    constexpr double kWindow = 40.0, kStride = 4.0, kSplitYear = 1920.0;
    double sum = 0.0, sq = 0.0;
    long count = 0;
    for (Eigen::Index j = 0; j < all.length(); ++j)
        if (all.times[std::size_t(j)] < kSplitYear && all.observed(0, j)) {
            sum += all.values(0, j);
            sq += all.values(0, j) * all.values(0, j);
            ++count;
        }
    const double mean = sum / double(count), sd = std::sqrt(sq / double(count) - mean * mean);
    Benchmark b{"sunspots", TimeSeriesDataset("sunspots windows", {"sunspots"}), {}};
    const double first = all.times.front(), last = all.times.back();
    std::uint64_t window = 0;
    for (double start = first; start + kWindow <= last; start += kStride, ++window) {
        const bool train = start + kWindow <= kSplitYear;
        if (!train && start < kSplitYear) continue;
        RandomStream rng(77, window);
        Series s;
        std::vector<double> values;
        for (Eigen::Index j = 0; j < all.length(); ++j) {
            const double t = all.times[std::size_t(j)];
            if (t < start || t > start + kWindow || !all.observed(0, j)) continue;
            if (rng.uniform() < missing && !values.empty()) continue;  // keep each window's start
            s.times.push_back((t - start) / 10.0);
            values.push_back((all.values(0, j) - mean) / sd);
        }
        s.values = Eigen::Map<const Eigen::RowVectorXd>(values.data(), Eigen::Index(values.size()));
        s.observed = Mask::Constant(1, s.length(), true);
        (train ? b.split.train : b.split.test).push_back(b.data.size());
        b.data.add(std::move(s));
    }
    return b;
}

// CPU time of the process: on a shared, loaded machine wall time says more about the load
// than about the models.
double cpuSeconds() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

SeriesModelConfig modelConfig(SeriesModelKind kind, Eigen::Index channels, ControlPath control,
                              bool latent) {
    SeriesModelConfig c;
    c.controlPath = control;
    c.kind = kind;
    c.channels = channels;
    c.latent = latent;
    c.latentDim = latent ? 4 : channels;
    c.driftWidths = {16, 16};
    c.diffusionWidths = {16};
    c.encoderWidths = {32};
    c.dt = 0.1;
    c.seed = 1;
    return c;
}

}  // namespace

int main(int argc, char** argv) {
    SeriesTrainOptions train;
    train.iterations = 300;
    train.batchSize = 16;
    train.paths = 8;
    train.learningRate = 1e-2;
    train.seed = 2;
    std::string dataDir = DRIFTLAB_SOURCE_DIR "/resources/datasets";
    ControlPath control = ControlPath::Linear;
    bool latent = true;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string key = argv[i];
        if (key == "--iterations")
            train.iterations = std::atoi(argv[i + 1]);
        else if (key == "--data-dir")
            dataDir = argv[i + 1];
        else if (key == "--control")
            control = controlPathFromName(argv[i + 1]);
        else if (key == "--latent")
            latent = std::string(argv[i + 1]) != "false";
    }
    const SeriesModelKind kinds[] = {SeriesModelKind::NeuralOde, SeriesModelKind::NeuralSde,
                                     SeriesModelKind::Langevin, SeriesModelKind::LinearNoise,
                                     SeriesModelKind::Geometric};
    const double missingRates[] = {0.0, 0.3, 0.5, 0.7};
    std::printf(
        "# settings: forecasting (last %.0f %% of each window held out), control path %s (%s), "
        "%s, "
        "drift MLP 16x16 tanh, "
        "dt 0.1 Euler(-Maruyama), MSE objective, backprop; Adam "
        "lr %.0e, "
        "%d iterations, batch %d, %d paths; test MSE of the mean over %d paths; %d OpenMP "
        "threads\n",
        100 * kHoldOut, controlPathName(control).c_str(),
        control == ControlPath::None
            ? "trained on whole series"
            : "trained reading the forecasting contexts, scored on all cells",
        latent ? "latent dim 4, encoder 32 (first 3 observations), linear readout"
               : "observation space (state = channels, z0 = first context values)",
        train.learningRate, train.iterations, train.batchSize, train.paths, kEvalPaths,
        omp_get_max_threads());
    std::map<std::string, std::map<std::string, double>> table;  // row -> column -> value
    std::vector<std::string> rows;
    const auto benchStart = std::chrono::steady_clock::now();
    for (const std::string set : {"ou", "double_well", "sunspots"}) {
        for (double missing : missingRates) {
            const Benchmark b = set == "sunspots" ? sunspots(dataDir, missing)
                                                  : synthetic(generatorFromName(set), missing);
            const auto tasks = makeTasks(b.data, {TaskKind::Forecasting, kHoldOut, 0});
            // Training reads a series' forecasting context and is scored on all its cells
            // (reconstruction and forecast), which gives more signal than the targets alone.
            std::vector<SeriesTask> trainTasks;
            for (std::size_t i = 0; i < b.data.size(); ++i)
                trainTasks.push_back({tasks[i].context, b.data[i].observed});
            const std::string row =
                set + " " + std::to_string(int(std::lround(100 * missing))) + "%";
            rows.push_back(row);
            const auto persistence =
                baselineMse(BaselineKind::Persistence, b.data, tasks, b.split.test);
            const auto linear =
                baselineMse(BaselineKind::LinearInterpolation, b.data, tasks, b.split.test);
            table[row]["persistence"] = persistence.mse;
            table[row]["linear"] = linear.mse;
            std::printf(
                "{\"workload\":\"timeseries_table\",\"dataset\":\"%s\",\"missing\":%.2f,\"model\":"
                "\"persistence\","
                "\"test_mse\":%.6f,\"cells\":%ld}\n{\"workload\":\"timeseries_table\",\"dataset\":"
                "\"%"
                "s\","
                "\"missing\":%.2f,\"model\":\"linear\",\"test_mse\":%.6f,\"cells\":%ld}\n",
                set.c_str(), missing, persistence.mse, persistence.cells, set.c_str(), missing,
                linear.mse, linear.cells);
            for (auto kind : kinds) {
                auto model = makeSeriesModel(modelConfig(kind, b.data.channels(), control, latent));
                const auto start = std::chrono::steady_clock::now();
                const double cpuStart = cpuSeconds();
                const auto report =
                    trainSeriesModel(*model, b.data, b.split.train, train,
                                     control == ControlPath::None ? nullptr : &trainTasks);
                const double seconds =
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
                const double cpu = cpuSeconds() - cpuStart;
                const double mse = lossTerm(
                    evaluateSeriesModel(*model, b.data, tasks, b.split.test, kEvalPaths, 7), "mse");
                const std::string name = seriesModelName(kind);
                table[row][name] = mse;
                table[row][name + "_s"] = cpu;
                std::printf(
                    "{\"workload\":\"timeseries_table\",\"dataset\":\"%s\",\"missing\":%.2f,"
                    "\"model\":"
                    "\"%s\",\"latent\":%s,"
                    "\"test_mse\":%.6f,\"train_loss_last\":%.6f,\"nfe\":%ld,\"seconds\":%.2f,\"cpu_"
                    "seconds\":%.2f,\"diverged\":%s,"
                    "\"train_series\":%zu,\"test_series\":%zu,\"cells\":%ld}\n",
                    set.c_str(), missing, name.c_str(), latent ? "true" : "false", mse,
                    report.loss.empty() ? NAN : report.loss.back(), report.nfe, seconds, cpu,
                    report.diverged ? "true" : "false", b.split.train.size(), b.split.test.size(),
                    persistence.cells);
                std::fflush(stdout);
            }
        }
    }
    const double total =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - benchStart).count();
    std::printf(
        "\n| data, missing | ode | sde | lsde | lnsde | gsde | persistence | linear interp. | "
        "train CPU s (ode/sde/lsde/lnsde/gsde) |\n");
    std::printf("|---|---|---|---|---|---|---|---|---|\n");
    for (const auto& row : rows) {
        auto& r = table[row];
        std::printf(
            "| %s | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.1f/%.1f/%.1f/%.1f/%.1f |\n",
            row.c_str(), r["ode"], r["sde"], r["lsde"], r["lnsde"], r["gsde"], r["persistence"],
            r["linear"], r["ode_s"], r["sde_s"], r["lsde_s"], r["lnsde_s"], r["gsde_s"]);
    }
    std::printf("\ntotal wall time %.1f s, CPU time %.1f s\n", total, cpuSeconds());
    return 0;
}
