#include "core/diffusion/diffusion_headless.h"

#include "core/common/atomic_file.h"
#include "core/common/error.h"
#include "core/diffusion/diffusion_analysis.h"
#include "core/diffusion/diffusion_trainer.h"
#include "core/diffusion/point_csv.h"
#include "core/experiment/embedded_resources.h"
#include "core/experiment/progress_bar.h"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <ostream>
#include <string_view>
#include <utility>

namespace driftlab::core {

namespace {

namespace fs = std::filesystem;
namespace cd = diffusion;
using nlohmann::json;

constexpr std::string_view kPresetFolder = "presets/diffusion/";

[[noreturn]] void fail(const std::string& context, const std::string& message) {
    throw ConfigError(context + ": " + message);
}

long integerKey(const json& section, const char* key, long fallback, long lo, long hi,
                const std::string& context) {
    if (!section.contains(key)) return fallback;
    const json& v = section[key];
    if (!v.is_number() || (v.is_number_float() && v.get<double>() != std::floor(v.get<double>())))
        fail(context, std::string("headless.") + key + " must be an integer, got " + v.dump());
    const double x = v.get<double>();
    if (x < lo || x > hi)
        fail(context, std::string("headless.") + key + " = " + v.dump() + " is outside [" +
                          std::to_string(lo) + ", " + std::to_string(hi) + "]");
    return static_cast<long>(x);
}

void readHeadlessSection(const json& section, const std::string& context,
                         const std::string& baseDir, DiffusionPlan& plan) {
    static const char* const kKeys[] = {"budgets",    "metric_points",     "mmd_points",
                                        "directions", "likelihood_points", "adaptive_tolerances",
                                        "shootout",   "data_file"};
    if (!section.is_object()) fail(context, "\"headless\" must be an object");
    for (const auto& [key, value] : section.items()) {
        if (std::find(std::begin(kKeys), std::end(kKeys), key) == std::end(kKeys)) {
            std::string known;
            for (const char* k : kKeys) known += (known.empty() ? "" : ", ") + std::string(k);
            fail(context, "unknown key \"" + key + "\" in headless (known: " + known + ")");
        }
    }
    ShootoutOptions& s = plan.shootoutOptions;
    if (section.contains("budgets")) {
        const json& b = section["budgets"];
        if (!b.is_array() || b.empty())
            fail(context, "headless.budgets must be a non-empty array of NFE budgets");
        s.budgets.clear();
        for (const json& v : b) {
            if (!v.is_number() || v.get<double>() != std::floor(v.get<double>()))
                fail(context, "headless.budgets: " + v.dump() + " is not a whole number");
            const double nfe = v.get<double>();
            if (nfe < 1 || nfe > 1e6)
                fail(context, "headless.budgets: NFE " + v.dump() +
                                  " is outside [1, 1000000] (each network evaluation costs a "
                                  "pass over all samples)");
            s.budgets.push_back(static_cast<int>(nfe));
        }
    }
    if (section.contains("adaptive_tolerances")) {
        const json& t = section["adaptive_tolerances"];
        if (!t.is_array()) fail(context, "headless.adaptive_tolerances must be an array");
        s.adaptiveTolerances.clear();
        for (const json& v : t) {
            if (!v.is_number() || !(v.get<double>() >= 1e-10 && v.get<double>() <= 1.0))
                fail(context, "headless.adaptive_tolerances: " + v.dump() +
                                  " is not a tolerance in [1e-10, 1]");
            s.adaptiveTolerances.push_back(v.get<double>());
        }
    }
    plan.metricPoints = integerKey(section, "metric_points", 10000, 10, 1000000, context);
    s.mmdPoints = integerKey(section, "mmd_points", 2000, 10, 100000, context);
    s.directions = static_cast<int>(integerKey(section, "directions", 1000, 1, 100000, context));
    plan.likelihoodPoints = integerKey(section, "likelihood_points", 1000, 0, 100000, context);
    if (section.contains("shootout")) {
        if (!section["shootout"].is_boolean())
            fail(context, "headless.shootout must be true or false");
        plan.shootout = section["shootout"].get<bool>();
    }
    if (section.contains("data_file")) {
        if (!section["data_file"].is_string() || section["data_file"].get<std::string>().empty())
            fail(context, "headless.data_file must be a CSV path");
        fs::path path(section["data_file"].get<std::string>());
        if (path.is_relative() && !baseDir.empty()) path = fs::path(baseDir) / path;
        plan.dataFile = path.string();
    }
    std::vector<double> tolerances = s.adaptiveTolerances;
    plan.headless = {{"budgets", s.budgets},
                     {"adaptive_tolerances", tolerances},
                     {"metric_points", plan.metricPoints},
                     {"mmd_points", s.mmdPoints},
                     {"directions", s.directions},
                     {"likelihood_points", plan.likelihoodPoints},
                     {"shootout", plan.shootout}};
    if (!plan.dataFile.empty()) plan.headless["data_file"] = plan.dataFile;
}

std::string readText(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) throw ConfigError("cannot read " + path);
    return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

json parseJson(const std::string& text, const std::string& context) {
    try {
        return json::parse(text);
    } catch (const json::parse_error& e) {
        throw ConfigError(context + ": not valid JSON (" + e.what() + ")");
    }
}

// Atomic, so an interrupted run never leaves a truncated file in a reused output folder.
void writeFile(const fs::path& path, const std::string& text) {
    writeFileAtomically(path.string(), text);
}

std::string pointsCsv(const cd::Points& points) {
    std::string text = "x,y\n";
    char line[64];
    for (cd::Index i = 0; i < points.cols(); ++i) {
        std::snprintf(line, sizeof line, "%.9g,%.9g\n", points(0, i), points(1, i));
        text += line;
    }
    return text;
}

// A finite number for JSON (NaN and inf have no JSON literal: they become null).
json number(double x) { return std::isfinite(x) ? json(x) : json(nullptr); }

// The window builds its data by the same function (prepareDiffusionData), so both hold out
// the same points.
DiffusionData prepareData(const DiffusionPlan& plan) {
    if (plan.dataFile.empty()) return prepareDiffusionData(plan.config, plan.metricPoints);
    const cd::Points raw = cd::readPointsCsv(plan.dataFile);
    return prepareDiffusionData(plan.config, plan.metricPoints, &raw, plan.dataFile);
}

double seconds(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

DiffusionPlan diffusionPlanFromJson(const json& document, const std::string& context,
                                    const std::string& baseDir) {
    if (!document.is_object()) fail(context, "expected a JSON object, got " + document.dump());
    DiffusionPlan plan;
    json settings = document;
    json headless = json::object();
    if (document.contains("diffusion")) {
        for (const auto& [key, value] : document.items()) {
            if (key == "experiment") {
                if (value != "diffusion")
                    fail(context, "\"experiment\" is " + value.dump() +
                                      ", not \"diffusion\" (use --workspace to pick the runner)");
            } else if (key == "name" || key == "description") {
                if (!value.is_string()) fail(context, "\"" + key + "\" must be a string");
                (key == "name" ? plan.name : plan.description) = value.get<std::string>();
            } else if (key == "headless") {
                headless = value;
            } else if (key != "diffusion") {
                fail(context, "unknown key \"" + key +
                                  "\" (expected experiment, name, description, diffusion, "
                                  "headless)");
            }
        }
        settings = document["diffusion"];
    }
    plan.config = diffusionConfigFromJson(settings, context);
    plan.values = diffusionSchema().validate(settings, context);
    readHeadlessSection(headless, context, baseDir, plan);
    return plan;
}

std::vector<std::string> diffusionPresetIds() {
    std::vector<std::string> ids;
    for (const auto& resource : embeddedResources(kPresetFolder))
        ids.push_back(resourceStem(resource.path));
    return ids;
}

DiffusionPlan diffusionPreset(const std::string& id) {
    for (const auto& resource : embeddedResources(kPresetFolder)) {
        if (resourceStem(resource.path) != id) continue;
        const std::string source = "resources/" + std::string(resource.path);
        return diffusionPlanFromJson(parseJson(std::string(resource.text), source), source);
    }
    std::string ids;
    for (const auto& known : diffusionPresetIds()) ids += (ids.empty() ? "" : ", ") + known;
    throw ConfigError("\"" + id + "\" is neither a file nor a diffusion preset (presets: " + ids +
                      ")");
}

DiffusionPlan loadDiffusionPlan(const std::string& fileOrPreset) {
    if (!fs::exists(fileOrPreset)) return diffusionPreset(fileOrPreset);
    const fs::path path(fileOrPreset);
    return diffusionPlanFromJson(parseJson(readText(fileOrPreset), fileOrPreset), fileOrPreset,
                                 path.parent_path().string());
}

int runDiffusionHeadless(const DiffusionPlan& plan, const HeadlessOptions& options,
                         std::ostream& progress, std::ostream& err) {
    const fs::path outDir(options.outDir.empty() ? "." : options.outDir);
    std::string lossCsv;
    // Outside the try, so a failure ends a half-drawn bar before the error line.
    std::optional<ProgressBar> trainingBar, shootoutBar;
    try {
        std::error_code ec;
        fs::create_directories(outDir, ec);
        if (ec)
            throw Error("cannot create output directory " + outDir.string() + ": " + ec.message());
        json configJson = {
            {"experiment", "diffusion"}, {"diffusion", plan.values}, {"headless", plan.headless}};
        if (!plan.name.empty()) configJson["name"] = plan.name;
        writeFile(outDir / "config.json", configJson.dump(2) + "\n");

        const DiffusionConfig& c = plan.config;
        // The data, the training loop, the sampler and the metrics are the window's too
        // (diffusion_data.h, diffusion_trainer.h, diffusion_sampling.h): same config and
        // seed, same numbers.
        const auto dataShared = std::make_shared<const DiffusionData>(prepareData(plan));
        const DiffusionData& data = *dataShared;
        const bool interpolant = c.family == DiffusionModelFamily::Interpolant;
        DiffusionTrainer trainer(c, dataShared);

        // Training: loss.csv grows with every report so a divergence keeps what came before.
        lossCsv = "iteration,loss,seconds";
        for (int k = 0; k < c.training.timeBuckets; ++k) lossCsv += ",bucket" + std::to_string(k);
        lossCsv += '\n';
        trainingBar.emplace(progress, options.progressBar,
                            ProgressRate{double(c.iterations), "it/s", 1.0});
        const cd::TrainResult trained =
            trainer.train(c.iterations, [&](const cd::TrainProgress& p) {
                char line[96];
                std::snprintf(line, sizeof line, "%ld,%.6g,%.4g", p.iteration, p.loss, p.seconds);
                lossCsv += line;
                for (double b : p.bucketLoss) {
                    std::snprintf(line, sizeof line, ",%.6g", b);
                    lossCsv += line;
                }
                lossCsv += '\n';
                std::snprintf(line, sizeof line, "training %ld/%ld  loss %.4g", p.iteration,
                              c.iterations, p.loss);
                if (p.iteration >= c.iterations)
                    trainingBar->finish(line);
                else
                    trainingBar->update(double(p.iteration) / double(c.iterations), line);
            });
        trainingBar->abandon();  // a run that stopped early ends its line here
        writeFile(outDir / "loss.csv", lossCsv);
        lossCsv.clear();

        const std::shared_ptr<const DiffusionSession> session = trainer.publish();
        const ShootoutOptions& so = plan.shootoutOptions;
        const DiffusionSample sampled = sampleSession(*session, so);
        const std::string& samplerId = sampled.sampler;
        writeFile(outDir / "samples.csv", pointsCsv(data.standardizer.invert(sampled.samples)));
        const double sw2 = sampled.sw2;
        json metrics = {
            {"name", plan.name},
            {"model", interpolant ? "interpolant" : "score_sde"},
            {"sampler", samplerId},
            {"nfe", sampled.nfe},
            {"samples", sampled.samples.cols()},
            {"held_out_points", data.heldOut.cols()},
            {"sw2", number(sw2)},
            {"sw2_directions", so.directions},
            {"mmd2", number(sampled.mmd2)},
            {"mmd_points", sampled.mmdPoints},
            {"mmd_bandwidths", {0.1, 0.2, 0.5, 1.0}},
            {"coordinates",
             "standardised (zero mean, unit variance per coordinate of the training data)"},
            {"sampling_seconds", sampled.seconds},
            {"training",
             {{"iterations", trained.iterations},
              {"seconds", trained.seconds},
              {"final_loss", number(trained.lastLoss)},
              {"eval_loss", number(trainer.network().evaluateLoss(10, 7))},
              {"parameters", trainer.network().parameterCount()},
              {"float32", c.net.float32},
              {"threads", omp_get_max_threads()}}},
        };
        if (data.fresh.cols() > 0) {
            const SampleMetrics floor = scoreSamples(data.fresh, data.heldOut, so);
            metrics["floor"] = {
                {"sw2", number(floor.sw2)},
                {"mmd2", number(floor.mmd2)},
                {"what",
                 "two fresh data sets of the same law, as far apart as sampling noise puts them"}};
        }
        if (plan.likelihoodPoints > 0) {
            const auto start = std::chrono::steady_clock::now();
            const cd::Index m = std::min<cd::Index>(plan.likelihoodPoints, data.heldOut.cols());
            // Interpolants: their ODE from noise (t = 0) to data (t = 1), kept to the times
            // training saw, like the score model's probability flow.
            const double tEnd = interpolant ? 1.0 - c.training.tEpsilon : 1.0;
            const cd::LikelihoodResult lik =
                sessionLikelihood(SessionModel(*session), c, data.heldOut.leftCols(m), 1e-4);
            metrics["likelihood"] = {
                {"points", m},
                {"ok", lik.ok},
                {"bits_per_dim", number(lik.bitsPerDim)},
                {"bits_per_dim_original_units",
                 number(lik.bitsPerDim -
                        data.standardizer.logDetJacobian() / (2.0 * std::log(2.0)))},
                {"nfe", lik.nfe},
                {"seconds", seconds(start)},
                {"t_start", c.training.tEpsilon},
                {"t_end", tEnd},
                {"ode", interpolant ? "interpolant ODE dx/dt = b(x, t), N(0, I) at t_start"
                                    : "probability-flow ODE of the forward process"}};
            if (!lik.ok) metrics["likelihood"]["message"] = lik.message;
        }
        writeFile(outDir / "metrics.json", metrics.dump(2) + "\n");
        if (options.progressBar) {
            char line[160];
            std::snprintf(line, sizeof line, "samples: %s, %ld NFE, SW2 %.4f, %.3f s\n",
                          samplerId.c_str(), sampled.nfe, sw2, sampled.seconds);
            progress << line << std::flush;
        }

        if (plan.shootout) {
            shootoutBar.emplace(progress, options.progressBar);
            const ShootoutProgress report = [&](const ShootoutRow& r, double fraction) {
                char line[160];
                std::snprintf(line, sizeof line, "shoot-out %s  NFE %ld  SW2 %.4f",
                              r.sampler.c_str(), r.nfe, r.sw2);
                shootoutBar->update(fraction, line);
            };
            const std::vector<ShootoutRow> rows = runSessionShootout(*session, so, nullptr, report);
            shootoutBar->finish("shoot-out: " + std::to_string(rows.size()) + " rows");
            writeFile(outDir / "shootout.csv", shootoutCsv(rows));
        }
        progress << "results written to " << outDir.string() << "\n" << std::flush;
        return 0;
    } catch (const std::exception& e) {
        if (trainingBar) trainingBar->abandon();
        if (shootoutBar) shootoutBar->abandon();
        if (!lossCsv.empty()) {
            try {
                writeFile(outDir / "loss.csv", lossCsv);  // the history up to the failure
            } catch (const std::exception&) {
            }
        }
        err << "driftlab: error: " << e.what() << '\n' << std::flush;
        return 1;
    }
}

int runDiffusionHeadless(const std::string& fileOrPreset, const HeadlessOptions& options,
                         std::ostream& progress, std::ostream& err) {
    try {
        return runDiffusionHeadless(loadDiffusionPlan(fileOrPreset), options, progress, err);
    } catch (const std::exception& e) {
        err << "driftlab: error: " << e.what() << '\n' << std::flush;
        return 1;
    }
}

}  // namespace driftlab::core
