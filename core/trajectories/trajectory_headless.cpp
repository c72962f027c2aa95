#include "core/trajectories/trajectory_headless.h"

#include "core/common/atomic_file.h"
#include "core/common/error.h"
#include "core/equations/compiled_equation.h"
#include "core/experiment/progress_bar.h"
#include "core/solvers/simulation.h"
#include "core/stats/path_statistics.h"
#include "core/trajectories/trajectory_run.h"
#include "core/trajectories/trajectory_snapshot.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <memory>
#include <ostream>
#include <string>
#include <system_error>

namespace driftlab::core {

namespace {

namespace fs = std::filesystem;

// Shortest text that reads back to the same double, so exported numbers lose nothing.
void appendNumber(std::string& out, double value) {
    if (!std::isfinite(value)) {
        out += std::isnan(value) ? "nan" : (value > 0 ? "inf" : "-inf");
        return;
    }
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, result.ptr);
}

// Atomic, so an interrupted run never leaves a truncated file in a reused output folder.
void writeFile(const fs::path& path, const std::string& text) {
    writeFileAtomically(path.string(), text);
}

void writePathsCsv(const fs::path& path, const SimulationResult& result,
                   const std::vector<std::string>& variables, const std::vector<int>& drawn) {
    AtomicFile out(path.string());  // streamed: the paths need not sit in memory as text
    std::string line = "time,path";
    for (const auto& name : variables) line += "," + name;
    line += '\n';
    out.write(line);
    // Grouped by path so each path is one contiguous polyline for plotting tools.
    for (int p : drawn) {
        for (std::size_t k = 0; k < result.times.size(); ++k) {
            line.clear();
            appendNumber(line, result.times[k]);
            line += ',' + std::to_string(p);
            for (int c = 0; c < result.dimension; ++c) {
                line += ',';
                appendNumber(line, result.states[c](p, static_cast<Eigen::Index>(k)));
            }
            line += '\n';
            out.write(line);
        }
    }
    out.commit();
}

void writeQuantilesCsv(const fs::path& path, const SimulationResult& result,
                       const QuantileBands& bands, const std::vector<std::string>& variables) {
    std::string text = "time,component,mean,q05,q25,q50,q75,q95\n";
    for (std::size_t k = 0; k < result.times.size(); ++k) {
        for (int c = 0; c < result.dimension; ++c) {
            appendNumber(text, result.times[k]);
            text += ',' + variables[c];
            for (int row = 0; row < QuantileBands::RowCount; ++row) {
                text += ',';
                appendNumber(text, bands.perComponent[c](row, static_cast<Eigen::Index>(k)));
            }
            text += '\n';
        }
    }
    writeFile(path, text);
}

// JSON has no NaN; a component whose every path diverged reports null.
nlohmann::ordered_json finiteOrNull(double value) {
    return std::isfinite(value) ? nlohmann::ordered_json(value) : nlohmann::ordered_json(nullptr);
}

nlohmann::ordered_json makeSummary(const TrajectoryConfig& config, const SimulationResult& result,
                                   const SolverDiagnostics& diagnostics, bool deterministic) {
    using Json = nlohmann::ordered_json;
    const SimulationStats& stats = result.stats;
    Json summary = Json::object();
    summary["experiment"] = "trajectories";
    summary["equation"] = config.equation.name;
    summary["variables"] = config.equation.variables;
    summary["deterministic"] = deterministic;
    summary["settings"] = Json::parse(toJsonText(config)).at("simulation");  // file order
    summary["seed"] = config.simulation.seed;
    summary["solver"] = {{"name", result.solverName}, {"calculus", result.calculus}};
    summary["wall_seconds"] = stats.wallSeconds;
    summary["path_steps_per_second"] = stats.pathStepsPerSecond;
    summary["steps_per_path"] = stats.steps;
    summary["nfe"] = {{"drift", stats.driftEvaluations}, {"diffusion", stats.diffusionEvaluations}};
    summary["non_finite_paths"] = stats.nonFinitePaths;
    if (stats.nonFinitePaths > 0) {
        summary["first_non_finite"] = {{"time", stats.firstNonFiniteTime},
                                       {"step", stats.firstNonFiniteStep}};
    }
    summary["saved_times"] = result.times.size();

    Json mean = Json::array(), stddev = Json::array();
    const Eigen::Index last = static_cast<Eigen::Index>(result.times.size()) - 1;
    for (int c = 0; c < result.dimension && last >= 0; ++c) {
        double sum = 0.0, sumSquares = 0.0;
        long long count = 0;
        const auto column = result.states[c].col(last);
        for (Eigen::Index p = 0; p < column.size(); ++p) {
            if (!std::isfinite(column(p))) continue;
            sum += column(p);
            ++count;
        }
        const double m = count > 0 ? sum / count : std::nan("");
        for (Eigen::Index p = 0; p < column.size(); ++p) {
            if (std::isfinite(column(p))) sumSquares += (column(p) - m) * (column(p) - m);
        }
        mean.push_back(finiteOrNull(m));
        stddev.push_back(finiteOrNull(count > 1 ? std::sqrt(sumSquares / (count - 1)) : 0.0));
    }
    summary["final"] = {{"time", last >= 0 ? result.times[last] : config.simulation.t1},
                        {"mean", mean},
                        {"std", stddev}};

    if (deterministic && last >= 0 && result.paths > 0) {
        // Every path of an ODE is the same solve, so path 0 is the solution and per-path
        // counts are what an ODE solver would report.
        Json finalState = Json::array();
        for (int c = 0; c < result.dimension; ++c) {
            finalState.push_back(finiteOrNull(result.states[c](0, last)));
        }
        summary["final_state"] = finalState;
        summary["solver_stats"] = {{"steps", stats.steps},
                                   {"nfe", stats.driftEvaluations / result.paths}};
    }
    // What the solver did step by step (the GUI's solver-diagnostics view), summarised.
    summary["solver_diagnostics"] = {{"solver", diagnostics.solverName},
                                     {"scope", diagnostics.scope},
                                     {"nfe", diagnostics.stats.nfe},
                                     {"accepted_steps", diagnostics.stats.accepted},
                                     {"rejected_steps", diagnostics.stats.rejected},
                                     {"stiffness_detected", diagnostics.stats.stiffnessDetected},
                                     {"method_switches", diagnostics.stats.methodSwitches},
                                     {"message", diagnostics.message}};
    return summary;
}

}  // namespace

int runHeadless(const TrajectoryConfig& config, const HeadlessOptions& options,
                std::ostream& progress, std::ostream& err) {
    // An ODE solve has no path·steps to count: its bar shows only the time.
    const double totalPathSteps =
        isOdeSolverId(config.simulation.solver)
            ? 0.0
            : static_cast<double>(config.simulation.paths) * config.simulation.steps;
    ProgressBar bar(progress, options.progressBar, {totalPathSteps, "M path\u00b7steps/s", 1e6});
    try {
        const CompiledEquation equation(config.equation);
        const fs::path outDir(options.outDir.empty() ? "." : options.outDir);
        std::error_code ec;
        fs::create_directories(outDir, ec);
        if (ec) {
            throw Error("cannot create output directory " + outDir.string() + ": " + ec.message());
        }

        const TrajectoryRun run =
            runTrajectory(config, nullptr, [&bar](double fraction) { bar.update(fraction); });
        const auto& result = run.result;
        bar.finish();

        // The GUI's own snapshot, so the export holds exactly the bands and the drawn paths
        // (evenly spread, non-finite ones skipped) that the Trajectories view shows.
        const auto snapshot = makeTrajectorySnapshot(config, result);
        writePathsCsv(outDir / "paths.csv", *result, config.equation.variables,
                      snapshot->drawnPathIndices);
        writeQuantilesCsv(outDir / "quantiles.csv", *result, snapshot->bands,
                          config.equation.variables);
        writeFile(
            outDir / "summary.json",
            makeSummary(config, *result, run.diagnostics, equation.isDeterministic()).dump(2) +
                "\n");
        writeFile(outDir / "config.json", toJsonText(config));
        if (!run.diagnostics.message.empty()) {
            // The ODE solver stopped early; the part it computed is exported.
            err << "driftlab: warning: " << run.diagnostics.solverName
                << " stopped: " << run.diagnostics.message << "\n"
                << std::flush;
        }
        const SimulationStats& stats = result->stats;
        if (stats.nonFinitePaths > 0) {
            // Still a result (the finite paths are exported), but one to look at twice.
            err << "driftlab: warning: " << stats.nonFinitePaths << " of " << result->paths
                << " paths became NaN or infinite (first at t = " << stats.firstNonFiniteTime
                << ", step " << stats.firstNonFiniteStep
                << "); they are left out of the bands and the drawn paths\n"
                << std::flush;
        }
        return 0;
    } catch (const std::exception& e) {
        // Not only driftlab::Error: bad_alloc or a filesystem error must also end as one
        // readable line and a non-zero exit, never as an abort.
        bar.abandon();
        err << "driftlab: error: " << e.what() << '\n' << std::flush;
        return 1;
    }
}

int runHeadless(const std::string& configFileOrPreset, const HeadlessOptions& options,
                std::ostream& progress, std::ostream& err) {
    TrajectoryConfig config;
    try {
        config = resolveTrajectoryConfig(configFileOrPreset);
    } catch (const std::exception& e) {
        err << "driftlab: error: " << e.what() << '\n' << std::flush;
        return 1;
    }
    return runHeadless(config, options, progress, err);
}

}  // namespace driftlab::core
