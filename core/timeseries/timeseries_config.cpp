#include "core/timeseries/timeseries_config.h"

#include "core/common/error.h"
#include "core/common/atomic_file.h"
#include "core/common/random.h"
#include "core/timeseries/csv_import.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <string_view>

namespace driftlab::core {

// Generated from embedded_timeseries_resources.cpp.in: (file stem, text).
const std::vector<std::pair<std::string_view, std::string_view>>& embeddedTimeSeriesPresetTexts();
const std::vector<std::pair<std::string_view, std::string_view>>& embeddedDatasetTexts();

namespace {

using models::SeriesModelKind;
using nlohmann::json;

constexpr const char* kExperimentName = "timeseries";
// Fixed steps one series window may take: beyond this a single iteration runs for minutes
// (and the backprop tape holds every step), which is never what a user meant.
constexpr double kMaxStepsPerWindow = 100000.0;
// Solver steps of all series and paths in one iteration.
constexpr double kMaxStepsPerIteration = 2e8;
constexpr double kMaxDatasetCells = 2e7;

[[noreturn]] void fail(const std::string& context, const std::string& message) {
    throw ConfigError((context.empty() ? std::string() : context + ": ") + message);
}

std::string number(double value) {
    std::ostringstream out;
    out << value;
    return out.str();
}

const std::vector<std::string>& generatorIds() {
    static const std::vector<std::string> ids = [] {
        std::vector<std::string> out;
        using timeseries::GeneratorKind;
        for (auto kind :
             {GeneratorKind::OrnsteinUhlenbeck, GeneratorKind::DoubleWell,
              GeneratorKind::LotkaVolterra, GeneratorKind::VanDerPol, GeneratorKind::Spirals})
            out.push_back(timeseries::generatorName(kind));
        return out;
    }();
    return ids;
}

const std::vector<std::string>& builtinIds() {
    static const std::vector<std::string> ids = {"sunspots", "co2"};
    return ids;
}

std::vector<nn::Index> widths(long width, long depth) {
    return std::vector<nn::Index>(static_cast<std::size_t>(depth), static_cast<nn::Index>(width));
}

}  // namespace

std::string timeSeriesTaskName(TimeSeriesTask task) {
    switch (task) {
        case TimeSeriesTask::Interpolation:
            return "interpolation";
        case TimeSeriesTask::Classification:
            return "classification";
        case TimeSeriesTask::Forecasting:
            break;
    }
    return "forecasting";
}

const std::vector<std::string>& timeSeriesDatasetIds() {
    static const std::vector<std::string> ids = [] {
        std::vector<std::string> out = generatorIds();
        for (const auto& id : builtinIds()) out.push_back(id);
        out.push_back("csv");
        return out;
    }();
    return ids;
}

const Schema& timeSeriesSchema() {
    static const Schema schema(
        kExperimentName,
        {
            // Data
            choiceField(
                "dataset", "Data set", "ou", timeSeriesDatasetIds(),
                "Synthetic series from a stochastic system (OU, double-well Langevin, "
                "stochastic Lotka-Volterra, noisy Van der Pol, noisy spirals), a real series "
                "cut into windows (yearly sunspots, weekly Mauna Loa CO2), or a CSV file."),
            textField("csv_path", "CSV file", "",
                      "For data set \"csv\": a time column and one or more value columns; empty "
                      "cells are missing values."),
            integerField("seed", "Data seed", 0, 0, 1e9,
                    "Seeds the synthetic series, the dropped cells, the split and the "
                    "interpolation targets."),
            integerField("series_count", "Series", 64, 3, 100000,
                    "Synthetic series to draw (real and CSV data: as many windows as fit)."),
            realField("length", "Window length", 10.0, 1e-3, 1e6,
                 "Time span of every series; real and CSV windows are rescaled to it.", "time"),
            integerField("observations", "Observations", 50, 3, 100000,
                    "Observation times per synthetic series, before any are dropped."),
            realField("observation_noise", "Observation noise", 0.05, 0.0, 100.0,
                 "Standard deviation of the noise added to every synthetic observation."),
            booleanField("irregular", "Irregular times", true,
                         "Uniformly random observation times per series instead of an even grid "
                         "(each series has its own times)."),
            realField("missing_rate", "Missing rate", 0.0, 0.0, 0.9,
                 "Fraction of observed cells dropped at random (0.3/0.5/0.7 in the stable "
                 "neural SDE paper's robustness study); applies to real data too."),
            integerField("window_observations", "Window rows", 40, 3, 100000,
                    "Real and CSV data: consecutive rows per window."),
            integerField("window_stride", "Window stride", 10, 1, 100000,
                    "Real and CSV data: rows between the starts of consecutive windows."),
            booleanField("standardize", "Standardize", true,
                         "Real and CSV data: scale each channel to zero mean and unit variance "
                         "(metrics are then in standardized units)."),
            // Task
            choiceField("task", "Task", "forecasting",
                        {"forecasting", "interpolation", "classification"},
                        "Forecasting scores the end of each window from its beginning; "
                        "interpolation scores observations held out inside the window; "
                        "classification names the system that generated a series."),
            realField("hold_out", "Held-out fraction", 0.3, 0.05, 0.9,
                 "Forecasting: the final fraction of each window; interpolation: the fraction "
                 "of inner observations scored."),
            realField("train_fraction", "Train fraction", 0.7, 0.05, 0.95, "Series used for training."),
            realField("validation_fraction", "Validation fraction", 0.15, 0.0, 0.9,
                 "Series used for the validation curve; the rest is the test set."),
            // Model
            choiceField("model", "Model", "lsde", {"ode", "sde", "lsde", "lnsde", "gsde"},
                        "Neural ODE, neural SDE (diagonal MLP diffusion), or a stable class: "
                        "Langevin-type (additive noise), linear-noise or geometric SDE."),
            booleanField("latent", "Latent model", true,
                         "On: an encoder infers a latent initial state and a linear readout maps "
                         "it to the channels. Off: the dynamics run on the observations "
                         "themselves (the state is one value per channel, starting at each "
                         "channel's first context value; latent_dim and the encoder are unused). "
                         "A geometric SDE then keeps each channel's sign."),
            integerField("latent_dim", "Latent dimension", 4, 1, 256,
                    "Size of the latent state (latent models); 2 shows the learned drift as a "
                    "phase portrait, as does a non-latent model of 2-channel data."),
            integerField("drift_width", "Drift width", 32, 1, 4096, "Neurons per drift layer."),
            integerField("drift_depth", "Drift layers", 2, 1, 8, "Hidden layers of the drift MLP."),
            integerField("diffusion_width", "Diffusion width", 16, 1, 4096,
                    "Neurons per diffusion layer (SDE kinds)."),
            integerField("diffusion_depth", "Diffusion layers", 1, 1, 8,
                    "Hidden layers of the diffusion network."),
            integerField("encoder_width", "Encoder width", 32, 1, 4096, "Neurons per encoder layer."),
            integerField("encoder_depth", "Encoder layers", 1, 1, 8, "Hidden layers of the encoder."),
            realField("diffusion_scale", "Diffusion scale", 0.5, 1e-6, 100.0,
                 "Upper bound of the diffusion outputs."),
            booleanField("drift_sees_time", "Drift sees time", false,
                         "Feed t to the drift network (non-autonomous dynamics)."),
            integerField("encoder_observations", "Encoder observations", 3, 1, 1000,
                    "Context observations the encoder reads to infer the initial state."),
            realField("dt", "Step size", 0.05, 1e-9, 1e6,
                 "Largest fixed step (steps also land on every observation time); the "
                 "adaptive ODE uses it as the first step.",
                 "time"),
            choiceField("control_path", "Control path", "none", {"none", "linear", "cubic"},
                        "Let the drift read a continuous interpolation of the context "
                        "observations (the controlled-path variants)."),
            choiceField("objective", "Objective", "mse", {"mse", "nll", "elbo"},
                        "Mean squared error of the predicted mean, Gaussian NLL from the sample "
                        "spread, or the ELBO with the posterior-prior KL (SDE kinds)."),
            choiceField("gradient", "Gradient", "backprop", {"backprop", "adjoint"},
                        "Backpropagate through the solver (fast, memory grows with the steps) or "
                        "the adjoint (constant memory)."),
            booleanField("adaptive", "Adaptive solve", false,
                         "ODE model only: Dopri5 with error control instead of fixed steps."),
            realField("rtol", "Relative tolerance", 1e-4, 1e-12, 1.0, "Adaptive solve."),
            realField("atol", "Absolute tolerance", 1e-6, 1e-14, 1.0, "Adaptive solve."),
            realField("error_regularization", "ERNODE λ (error)", 0.0, 0.0, 1e6,
                 "Adds λ·Σ error estimate·|dt| of the adaptive solve to the loss (Pal et al. "
                 "2021), which makes the learned dynamics cheaper to solve."),
            realField("stiffness_regularization", "ERNODE λ (stiffness)", 0.0, 0.0, 1e6,
                 "Adds λ·Σ stiffness estimate over the accepted steps to the loss."),
            integerField("local_points", "Local regularization points", 0, 0, 10000,
                    "> 0: regularise only the steps containing this many random times "
                    "(the local variant); 0 regularises every step."),
            // Training
            integerField("iterations", "Iterations", 300, 1, 10000000, "Adam steps."),
            integerField("batch", "Batch", 16, 1, 4096,
                    "Training series per iteration (at most the training set)."),
            integerField("paths", "Sample paths", 8, 1, 4096,
                    "Paths per series for the SDE kinds' mean and spread."),
            realField("learning_rate", "Learning rate", 1e-2, 1e-7, 10.0, "Adam step size."),
            realField("gradient_clip", "Gradient clip", 10.0, 0.0, 1e9,
                 "Largest gradient norm; 0 turns clipping off."),
            integerField("training_seed", "Training seed", 1, 0, 1e9,
                    "Seeds the initial weights, the batches and the noise."),
            integerField("validate_every", "Validate every", 25, 1, 1000000,
                    "Iterations between validation and test evaluations.", "iterations"),
            integerField("display_series", "Displayed series", 4, 1, 32,
                    "Series shown in the fan chart, half from training, half held out."),
            integerField("forecast_paths", "Forecast paths", 32, 1, 4096,
                    "Sample paths drawn for each displayed series."),
        });
    return schema;
}

TimeSeriesConfig timeSeriesConfigFromJson(const json& input, const std::string& context) {
    if (!input.is_object()) fail(context, "expected a JSON object, got " + input.dump());
    json object = input;
    if (object.contains("experiment")) {
        if (!object["experiment"].is_string() || object["experiment"] != kExperimentName)
            fail(context, "experiment = " + object["experiment"].dump() +
                              " is not a time-series config (expected \"timeseries\")");
        for (const auto& [key, value] : object.items())
            if (key != "experiment" && key != kExperimentName)
                fail(context,
                     unknownKeyMessage(key, "the config", {"experiment", kExperimentName}));
        object = object.value(kExperimentName, json::object());
    } else if (object.contains(kExperimentName) && object.size() == 1) {
        object = object[kExperimentName];
    }
    if (!object.is_object()) fail(context, "\"timeseries\" must be an object of settings");
    const std::string where =
        context.empty() ? std::string(kExperimentName) : context + ": " + kExperimentName;
    const json v = timeSeriesSchema().validate(object, where);
    const std::string prefix = context.empty() ? std::string() : context;
    const auto refuse = [&](const std::string& message) {
        fail(prefix, kExperimentName + std::string(".") + message);
    };

    TimeSeriesConfig c;
    auto& data = c.data;
    const std::string dataset = v["dataset"].get<std::string>();
    if (dataset == "csv") {
        data.source = TimeSeriesSource::Csv;
    } else if (std::find(builtinIds().begin(), builtinIds().end(), dataset) != builtinIds().end()) {
        data.source = TimeSeriesSource::Builtin;
        data.builtin = dataset;
    } else {
        data.source = TimeSeriesSource::Generator;
        data.generator = timeseries::generatorFromName(dataset);
    }
    data.csvPath = v["csv_path"].get<std::string>();
    auto& g = data.generatorOptions;
    g.seed = v["seed"].get<std::uint64_t>();
    g.seriesCount = v["series_count"].get<int>();
    g.length = v["length"].get<double>();
    g.observations = v["observations"].get<int>();
    g.observationNoise = v["observation_noise"].get<double>();
    g.irregular = v["irregular"].get<bool>();
    g.missingRate = v["missing_rate"].get<double>();
    // The generators' internal step follows the window so a long window is not millions of
    // substeps and a short one is still resolved.
    g.fineDt = std::min(0.01, g.length / (20.0 * g.observations));
    data.windowObservations = v["window_observations"].get<int>();
    data.windowStride = v["window_stride"].get<int>();
    data.standardize = v["standardize"].get<bool>();

    const std::string task = v["task"].get<std::string>();
    c.task.task = task == "interpolation"    ? TimeSeriesTask::Interpolation
                  : task == "classification" ? TimeSeriesTask::Classification
                                             : TimeSeriesTask::Forecasting;
    c.task.holdOut = v["hold_out"].get<double>();
    c.task.trainFraction = v["train_fraction"].get<double>();
    c.task.validationFraction = v["validation_fraction"].get<double>();

    auto& m = c.model;
    m.kind = models::seriesModelFromName(v["model"].get<std::string>());
    m.latentDim = v["latent_dim"].get<long>();
    m.latent = v["latent"].get<bool>();
    m.driftWidths = widths(v["drift_width"].get<long>(), v["drift_depth"].get<long>());
    m.diffusionWidths = widths(v["diffusion_width"].get<long>(), v["diffusion_depth"].get<long>());
    m.encoderWidths = widths(v["encoder_width"].get<long>(), v["encoder_depth"].get<long>());
    m.diffusionScale = v["diffusion_scale"].get<double>();
    m.driftSeesTime = v["drift_sees_time"].get<bool>();
    m.encoderObservations = v["encoder_observations"].get<int>();
    m.dt = v["dt"].get<double>();
    m.controlPath = models::controlPathFromName(v["control_path"].get<std::string>());
    m.objective = models::seriesObjectiveFromName(v["objective"].get<std::string>());
    m.gradient = v["gradient"].get<std::string>() == "adjoint" ? models::GradientMethod::Adjoint
                                                               : models::GradientMethod::Backprop;
    m.adaptive = v["adaptive"].get<bool>();
    m.rtol = v["rtol"].get<double>();
    m.atol = v["atol"].get<double>();
    m.errorRegularization = v["error_regularization"].get<double>();
    m.stiffnessRegularization = v["stiffness_regularization"].get<double>();
    m.localRegularizationPoints = v["local_points"].get<int>();

    auto& t = c.training;
    t.iterations = v["iterations"].get<long>();
    t.batchSize = v["batch"].get<int>();
    t.paths = v["paths"].get<int>();
    t.learningRate = v["learning_rate"].get<double>();
    t.gradientClip = v["gradient_clip"].get<double>();
    t.seed = v["training_seed"].get<std::uint64_t>();
    t.validateEvery = v["validate_every"].get<int>();
    t.displaySeries = v["display_series"].get<int>();
    t.forecastPaths = v["forecast_paths"].get<int>();
    m.seed = t.seed;

    // Checks that span several keys; each message names the key to change.
    if (data.source == TimeSeriesSource::Csv && data.csvPath.empty())
        refuse("csv_path is empty: data set \"csv\" needs the path of a CSV file");
    if (c.task.trainFraction + c.task.validationFraction >= 1.0)
        refuse("validation_fraction = " + number(c.task.validationFraction) +
               " leaves no test series: train_fraction + validation_fraction must stay below 1");
    if (c.task.task == TimeSeriesTask::Classification && data.source != TimeSeriesSource::Generator)
        refuse(
            "task = classification needs labelled series: choose a synthetic data set "
            "(the label is the system that generated the series)");
    const double stepsPerWindow = g.length / m.dt;
    if (stepsPerWindow > kMaxStepsPerWindow)
        refuse("dt = " + number(m.dt) + " would take " + number(std::ceil(stepsPerWindow)) +
               " steps per window of length " + number(g.length) + " (at most " +
               number(kMaxStepsPerWindow) + "): raise dt or shorten length");
    const bool sde = m.kind != SeriesModelKind::NeuralOde;
    const double stepsPerIteration =
        std::max(stepsPerWindow, double(g.observations)) * t.batchSize * (sde ? t.paths : 1);
    if (stepsPerIteration > kMaxStepsPerIteration)
        refuse("batch = " + std::to_string(t.batchSize) + " x paths = " + std::to_string(t.paths) +
               " x " + number(std::ceil(stepsPerWindow)) + " steps is " +
               number(stepsPerIteration) + " solver steps per iteration (at most " +
               number(kMaxStepsPerIteration) + "): lower batch or paths, or raise dt");
    const double cells = double(g.seriesCount) * double(g.observations) *
                         double(data.source == TimeSeriesSource::Generator
                                    ? timeseries::generatorChannels(data.generator)
                                    : 1);
    if (data.source == TimeSeriesSource::Generator && cells > kMaxDatasetCells)
        refuse("series_count = " + std::to_string(g.seriesCount) +
               " x observations = " + std::to_string(g.observations) + " is " + number(cells) +
               " cells (at most " + number(kMaxDatasetCells) + "): lower one of them");
    if (m.objective == models::SeriesObjective::Elbo && !sde)
        refuse(
            "objective = elbo needs an SDE model (model = ode has no posterior SDE to take "
            "the KL of): use mse or nll");
    if (m.adaptive && sde)
        refuse("adaptive = true needs model = ode (the SDE kinds use fixed steps)");
    if (!m.adaptive && (m.errorRegularization > 0.0 || m.stiffnessRegularization > 0.0))
        refuse(std::string(m.errorRegularization > 0.0 ? "error_regularization"
                                                       : "stiffness_regularization") +
               " > 0 needs adaptive = true: the regularisers are built from the adaptive "
               "solver's error and stiffness estimates");
    if (m.localRegularizationPoints > 0 && m.errorRegularization == 0.0 &&
        m.stiffnessRegularization == 0.0)
        refuse("local_points = " + std::to_string(m.localRegularizationPoints) +
               " has nothing to localise: set error_regularization or stiffness_regularization");
    const int rows =
        data.source == TimeSeriesSource::Generator ? g.observations : data.windowObservations;
    if (m.encoderObservations > rows)
        refuse("encoder_observations = " + std::to_string(m.encoderObservations) + " exceeds the " +
               std::to_string(rows) + " observations of a series");
    return c;
}

TimeSeriesConfig parseTimeSeriesConfig(const std::string& text, const std::string& context) {
    json object;
    try {
        object = json::parse(text);
    } catch (const json::parse_error& e) {
        fail(context, std::string("not valid JSON: ") + e.what());
    }
    return timeSeriesConfigFromJson(object, context);
}

TimeSeriesConfig loadTimeSeriesConfig(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ConfigError("cannot open " + path + ": " + std::strerror(errno));
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) throw ConfigError("cannot read " + path + ": " + std::strerror(errno));
    return parseTimeSeriesConfig(text.str(), path);
}

json timeSeriesValues(const TimeSeriesConfig& c) {
    json v = timeSeriesSchema().defaults();
    switch (c.data.source) {
        case TimeSeriesSource::Generator:
            v["dataset"] = timeseries::generatorName(c.data.generator);
            break;
        case TimeSeriesSource::Builtin:
            v["dataset"] = c.data.builtin;
            break;
        case TimeSeriesSource::Csv:
            v["dataset"] = "csv";
            break;
    }
    const auto& g = c.data.generatorOptions;
    v["csv_path"] = c.data.csvPath;
    v["seed"] = g.seed;
    v["series_count"] = g.seriesCount;
    v["length"] = g.length;
    v["observations"] = g.observations;
    v["observation_noise"] = g.observationNoise;
    v["irregular"] = g.irregular;
    v["missing_rate"] = g.missingRate;
    v["window_observations"] = c.data.windowObservations;
    v["window_stride"] = c.data.windowStride;
    v["standardize"] = c.data.standardize;
    v["task"] = timeSeriesTaskName(c.task.task);
    v["hold_out"] = c.task.holdOut;
    v["train_fraction"] = c.task.trainFraction;
    v["validation_fraction"] = c.task.validationFraction;
    const auto& m = c.model;
    const auto width = [](const std::vector<nn::Index>& w) { return w.empty() ? 1 : w.front(); };
    const auto depth = [](const std::vector<nn::Index>& w) {
        return std::max<std::size_t>(1, w.size());
    };
    v["model"] = models::seriesModelName(m.kind);
    v["latent"] = m.latent;
    v["latent_dim"] = m.latentDim;
    v["drift_width"] = width(m.driftWidths);
    v["drift_depth"] = depth(m.driftWidths);
    v["diffusion_width"] = width(m.diffusionWidths);
    v["diffusion_depth"] = depth(m.diffusionWidths);
    v["encoder_width"] = width(m.encoderWidths);
    v["encoder_depth"] = depth(m.encoderWidths);
    v["diffusion_scale"] = m.diffusionScale;
    v["drift_sees_time"] = m.driftSeesTime;
    v["encoder_observations"] = m.encoderObservations;
    v["dt"] = m.dt;
    v["control_path"] = models::controlPathName(m.controlPath);
    v["objective"] = models::seriesObjectiveName(m.objective);
    v["gradient"] = m.gradient == models::GradientMethod::Adjoint ? "adjoint" : "backprop";
    v["adaptive"] = m.adaptive;
    v["rtol"] = m.rtol;
    v["atol"] = m.atol;
    v["error_regularization"] = m.errorRegularization;
    v["stiffness_regularization"] = m.stiffnessRegularization;
    v["local_points"] = m.localRegularizationPoints;
    const auto& t = c.training;
    v["iterations"] = t.iterations;
    v["batch"] = t.batchSize;
    v["paths"] = t.paths;
    v["learning_rate"] = t.learningRate;
    v["gradient_clip"] = t.gradientClip;
    v["training_seed"] = t.seed;
    v["validate_every"] = t.validateEvery;
    v["display_series"] = t.displaySeries;
    v["forecast_paths"] = t.forecastPaths;
    return v;
}

json toJson(const TimeSeriesConfig& config) {
    return json{{"experiment", kExperimentName}, {kExperimentName, timeSeriesValues(config)}};
}

std::string toJsonText(const TimeSeriesConfig& config) {
    // Schema order reads better than json's alphabetical order.
    const json values = timeSeriesValues(config);
    nlohmann::ordered_json ordered;
    for (const auto& field : timeSeriesSchema().fields()) ordered[field.key] = values[field.key];
    nlohmann::ordered_json root;
    root["experiment"] = kExperimentName;
    root[kExperimentName] = ordered;
    return root.dump(2) + "\n";
}

void saveTimeSeriesConfig(const std::string& path, const TimeSeriesConfig& config) {
    saveTextAtomically(path, toJsonText(config));
}

namespace {

struct TimeSeriesPresetTable {
    std::vector<std::string> ids;
    std::vector<TimeSeriesConfig> configs;
};

const TimeSeriesPresetTable& timeSeriesPresets() {
    static const TimeSeriesPresetTable table = [] {
        TimeSeriesPresetTable t;
        for (const auto& [id, text] : embeddedTimeSeriesPresetTexts()) {
            t.ids.emplace_back(id);
            // A broken shipped preset is a build defect; the message names the file.
            t.configs.push_back(parseTimeSeriesConfig(
                std::string(text), "resources/presets/timeseries/" + std::string(id) + ".json"));
        }
        return t;
    }();
    return table;
}

}  // namespace

std::vector<std::string> timeSeriesPresetIds() { return timeSeriesPresets().ids; }

const TimeSeriesConfig* findTimeSeriesPreset(const std::string& id) {
    const auto& table = timeSeriesPresets();
    for (std::size_t i = 0; i < table.ids.size(); ++i)
        if (table.ids[i] == id) return &table.configs[i];
    return nullptr;
}

TimeSeriesConfig resolveTimeSeriesConfig(const std::string& fileOrPreset) {
    if (std::filesystem::exists(fileOrPreset)) return loadTimeSeriesConfig(fileOrPreset);
    if (const auto* preset = findTimeSeriesPreset(fileOrPreset)) return *preset;
    std::string ids;
    for (const auto& id : timeSeriesPresetIds()) ids += (ids.empty() ? "" : ", ") + id;
    throw ConfigError("\"" + fileOrPreset +
                      "\" is neither a file nor a time-series preset (presets: " + ids + ")");
}

const std::string& builtinSeriesCsv(const std::string& name) {
    static const std::map<std::string, std::string> texts = [] {
        // Built-in names to the file stems in resources/datasets.
        const std::map<std::string_view, std::string> files = {{"sunspots_yearly", "sunspots"},
                                                               {"co2_mauna_loa_weekly", "co2"}};
        std::map<std::string, std::string> out;
        for (const auto& [stem, text] : embeddedDatasetTexts()) {
            const auto it = files.find(stem);
            if (it != files.end()) out[it->second] = std::string(text);
        }
        return out;
    }();
    const auto it = texts.find(name);
    if (it == texts.end())
        throw ConfigError("unknown built-in series \"" + name + "\" (sunspots, co2)");
    return it->second;
}

}  // namespace driftlab::core
