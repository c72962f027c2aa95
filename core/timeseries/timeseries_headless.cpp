#include "core/timeseries/timeseries_headless.h"

#include "core/common/atomic_file.h"
#include "core/common/error.h"
#include "core/experiment/progress_bar.h"
#include "core/nn/serialization.h"
#include "core/timeseries/timeseries_config.h"
#include "core/timeseries/timeseries_job.h"
#include "core/timeseries/timeseries_training.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>

namespace driftlab::core {

namespace {

namespace fs = std::filesystem;
using ordered_json = nlohmann::ordered_json;

constexpr int kExitDiverged = 3;

// Empty for NaN/Inf: spreadsheets and pandas read an empty cell as missing.
std::string cell(double value) {
    if (!std::isfinite(value)) return {};
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.10g", value);
    return buffer;
}

ordered_json finiteOrNull(double value) {
    return std::isfinite(value) ? ordered_json(value) : ordered_json(nullptr);
}

std::string roleName(CellRole role) {
    switch (role) {
        case CellRole::Context:
            return "context";
        case CellRole::Target:
            return "target";
        case CellRole::Missing:
            return "missing";
        case CellRole::Unused:
            break;
    }
    return "unused";
}

std::string lossCsv(const TimeSeriesSnapshot& s) {
    std::ostringstream out;
    out << "iteration,loss";
    for (const auto& name : s.termNames) out << ',' << name;
    out << ",nfe,seconds,gradient_norm\n";
    for (const auto& r : s.history) {
        out << r.iteration << ',' << cell(r.loss);
        for (double term : r.terms) out << ',' << cell(term);
        out << ',' << r.nfe << ',' << cell(r.seconds) << ',' << cell(r.gradientNorm) << '\n';
    }
    return out.str();
}

std::string validationCsv(const TimeSeriesSnapshot& s) {
    std::ostringstream out;
    out << "iteration,loss,mse\n";
    for (const auto& v : s.validation)
        out << v.iteration << ',' << cell(v.loss) << ',' << cell(v.mse) << '\n';
    return out.str();
}

// One table for both kinds of row: "grid" rows carry the fan chart on the dense grid,
// "observation" rows the data, its role and the model's and baselines' predictions there.
std::string forecastsCsv(const TimeSeriesSnapshot& s) {
    std::ostringstream out;
    out << "series,part,kind,time,channel,value,role,mean,q05,q95,std,persistence,linear\n";
    for (const auto& d : s.displayed) {
        const auto& f = d.forecast;
        const std::string head = std::to_string(d.index) + ',' + d.part + ',';
        for (std::size_t i = 0; i < f.times.size(); ++i)
            for (Eigen::Index c = 0; c < f.mean.rows(); ++c)
                out << head << "grid," << cell(f.times[i]) << ',' << c << ",,,"
                    << cell(f.mean(c, Eigen::Index(i))) << ',' << cell(f.lower(c, Eigen::Index(i)))
                    << ',' << cell(f.upper(c, Eigen::Index(i))) << ",,,\n";
        const bool haveMean = f.meanAtObservations.cols() == d.series.length();
        for (Eigen::Index j = 0; j < d.series.length(); ++j)
            for (Eigen::Index c = 0; c < d.series.channels(); ++c) {
                out << head << "observation," << cell(d.series.times[std::size_t(j)]) << ',' << c
                    << ',' << cell(d.series.values(c, j)) << ',' << roleName(d.role(c, j)) << ',';
                if (haveMean)
                    out << cell(f.meanAtObservations(c, j)) << ",,,"
                        << cell(f.stdAtObservations(c, j));
                else
                    out << ",,,";
                out << ',' << cell(d.persistence(c, j)) << ',' << cell(d.linear(c, j)) << '\n';
            }
    }
    return out.str();
}

std::string heatmapCsv(const ErrorHeatmap& h) {
    std::ostringstream out;
    out << "iteration";
    const double width = (h.t1 - h.t0) / double(h.bins);
    for (int b = 0; b < h.bins; ++b) out << ",t=" << cell(h.t0 + (b + 0.5) * width);
    out << '\n';
    for (std::size_t r = 0; r < h.iterations.size(); ++r) {
        out << h.iterations[r];
        for (int b = 0; b < h.bins; ++b) out << ',' << cell(h.values(Eigen::Index(r), b));
        out << '\n';
    }
    return out.str();
}

ordered_json metricsJson(const TimeSeriesTrainer& trainer, const TimeSeriesSnapshot& s) {
    const auto& m = s.metrics;
    const auto& data = trainer.data();
    const auto& config = trainer.config();
    ordered_json j;
    j["experiment"] = "timeseries";
    j["dataset"] = data.dataset.name();
    j["model"] = models::seriesModelName(config.model.kind);
    j["task"] = timeSeriesTaskName(config.task.task);
    // Dropped cells of one-channel series remove their times, so missing_fraction (of the
    // cells left) understates what missing_rate dropped; observed_cells shows it.
    j["missing_rate"] = config.data.generatorOptions.missingRate;
    j["missing_fraction"] = data.dataset.missingFraction();
    long observed = 0;
    for (const auto& series : data.dataset.series()) observed += series.observedCount();
    j["observed_cells"] = observed;
    j["series"] = {{"train", data.split.train.size()},
                   {"validation", data.split.validation.size()},
                   {"test", data.split.test.size()}};
    j["parameters"] = trainer.model().parameterCount();
    j["iterations"] = s.iteration;
    j["diverged"] = s.diverged;
    if (s.diverged) j["message"] = s.message;
    j["train_loss"] = finiteOrNull(m.trainLoss);
    j["validation_loss"] =
        s.validation.empty() ? ordered_json(nullptr) : finiteOrNull(s.validation.back().loss);
    j["test"] = {{"mse", finiteOrNull(m.testMse)},
                 {"nll", finiteOrNull(m.testNll)},
                 {"accuracy", finiteOrNull(m.testAccuracy)}};
    j["baselines"] = {{"persistence_mse", finiteOrNull(m.persistenceMse)},
                      {"linear_interpolation_mse", finiteOrNull(m.linearMse)}};
    j["nfe"] = {{"total", m.totalNfe}, {"mean_per_iteration", finiteOrNull(m.meanNfePerIteration)}};
    j["wall_seconds"] = m.wallSeconds;
    j["iterations_per_second"] = m.iterationsPerSecond;
    return j;
}

}  // namespace

int runTimeSeriesHeadless(const std::string& configFileOrPreset, const HeadlessOptions& options,
                          std::ostream& progress, std::ostream& err) {
    std::optional<ProgressBar> bar;
    try {
        const TimeSeriesConfig config = resolveTimeSeriesConfig(configFileOrPreset);
        std::error_code ec;
        fs::create_directories(options.outDir, ec);
        if (ec || !fs::is_directory(options.outDir))
            throw Error("cannot create output directory " + options.outDir +
                        (ec ? ": " + ec.message() : std::string()));
        const fs::path out(options.outDir);
        writeFileAtomically((out / "config.json").string(), toJsonText(config));

        // The window's training job, stepped here on the calling thread: the same code
        // trains (and evaluates a diverged run's restored parameters) in both.
        TimeSeriesJob job(config);
        RunContext context;
        TimeSeriesTrainer& trainer = job.trainer();
        const double iterations = double(config.training.iterations);
        bar.emplace(progress, options.progressBar, ProgressRate{iterations, "it/s", 1.0});
        // The snapshot behind the detail is only taken when the bar would show it.
        const auto detail = [&] {
            const auto snap = trainer.snapshot(false);
            char line[160];
            std::snprintf(line, sizeof line, "iteration %ld/%ld  loss %.5g  NFE %ld",
                          trainer.iteration(), config.training.iterations, snap->metrics.trainLoss,
                          snap->history.empty() ? 0L : snap->history.back().nfe);
            return std::string(line);
        };
        while (job.status() == RunJob::Status::More) {
            job.step(context);
            const double fraction = double(trainer.iteration()) / iterations;
            if (options.progressBar && bar->due(fraction)) bar->update(fraction, detail());
        }
        if (trainer.diverged())
            bar->abandon();  // not 100 %: the message below says where it stopped
        else if (options.progressBar)
            bar->finish(detail());
        const auto snap = job.timeSeriesSnapshot(true);

        writeFileAtomically((out / "metrics.json").string(),
                            metricsJson(trainer, *snap).dump(2) + "\n");
        writeFileAtomically((out / "loss.csv").string(), lossCsv(*snap));
        writeFileAtomically((out / "validation.csv").string(), validationCsv(*snap));
        writeFileAtomically((out / "forecasts.csv").string(), forecastsCsv(*snap));
        writeFileAtomically((out / "error_heatmap.csv").string(), heatmapCsv(snap->heatmap));
        nn::saveParameters<double>((out / "model.bin").string(), trainer.architecture(),
                                   trainer.parameters());

        const auto& m = snap->metrics;
        char summary[256];
        std::snprintf(
            summary, sizeof summary,
            "test MSE %s (persistence %s, linear %s)  NLL %s  accuracy %s  NFE/it %.1f  %.1f s\n",
            cell(m.testMse).c_str(), cell(m.persistenceMse).c_str(), cell(m.linearMse).c_str(),
            cell(m.testNll).c_str(), cell(m.testAccuracy).c_str(), m.meanNfePerIteration,
            m.wallSeconds);
        progress << summary << "results written to " << options.outDir << "\n" << std::flush;
        if (trainer.diverged()) {
            err << "driftlab: error: " << trainer.message() << '\n' << std::flush;
            return kExitDiverged;
        }
        return 0;
    } catch (const std::exception& e) {
        if (bar) bar->abandon();
        err << "driftlab: error: " << e.what() << '\n' << std::flush;
        return 1;
    }
}

}  // namespace driftlab::core
