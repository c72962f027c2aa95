#include "core/timeseries/timeseries_config.h"

#include "core/common/atomic_file.h"
#include "core/common/error.h"
#include "core/common/random.h"
#include "core/experiment/embedded_resources.h"
#include "core/experiment/field_binding.h"
#include "core/experiment/training_schema.h"
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
        concatFields(
            {{
                 // Data
                 choiceField(
                     "dataset", "Data set", "ou", timeSeriesDatasetIds(),
                     "Synthetic series from a stochastic system (OU, double-well Langevin, "
                     "stochastic Lotka-Volterra, noisy Van der Pol, noisy spirals), a real series "
                     "cut into windows (yearly sunspots, weekly Mauna Loa CO2), or a CSV file."),
                 textField(
                     "csv_path", "CSV file", "",
                     "For data set \"csv\": a time column and one or more value columns; empty "
                     "cells are missing values."),
                 seedField("seed", "Data seed", 0,
                           "Seeds the synthetic series, the dropped cells, the split and the "
                           "interpolation targets."),
                 integerField(
                     "series_count", "Series", 64, 3, 100000,
                     "Synthetic series to draw (real and CSV data: as many windows as fit)."),
                 realField("length", "Window length", 10.0, 1e-3, 1e6,
                           "Time span of every series; real and CSV windows are rescaled to it.",
                           "time"),
                 integerField("observations", "Observations", 50, 3, 100000,
                              "Observation times per synthetic series, before any are dropped."),
                 realField("observation_noise", "Observation noise", 0.05, 0.0, 100.0,
                           "Standard deviation of the noise added to every synthetic observation."),
                 booleanField(
                     "irregular", "Irregular times", true,
                     "Uniformly random observation times per series instead of an even grid "
                     "(each series has its own times)."),
                 realField(
                     "missing_rate", "Missing rate", 0.0, 0.0, 0.9,
                     "Fraction of observed cells dropped at random (0.3/0.5/0.7 in the stable "
                     "neural SDE paper's robustness study); applies to real data too."),
                 integerField("window_observations", "Window rows", 40, 3, 100000,
                              "Real and CSV data: consecutive rows per window."),
                 integerField("window_stride", "Window stride", 10, 1, 100000,
                              "Real and CSV data: rows between the starts of consecutive windows."),
                 booleanField(
                     "standardize", "Standardize", true,
                     "Real and CSV data: scale each channel to zero mean and unit variance "
                     "(metrics are then in standardized units)."),
                 // Task
                 choiceField("task", "Task", "forecasting",
                             {"forecasting", "interpolation", "classification"},
                             "Forecasting scores the end of each window from its beginning; "
                             "interpolation scores observations held out inside the window; "
                             "classification names the system that generated a series."),
                 realField(
                     "hold_out", "Held-out fraction", 0.3, 0.05, 0.9,
                     "Forecasting: the final fraction of each window; interpolation: the fraction "
                     "of inner observations scored."),
                 realField("train_fraction", "Train fraction", 0.7, 0.05, 0.95,
                           "Series used for training."),
                 realField("validation_fraction", "Validation fraction", 0.15, 0.0, 0.9,
                           "Series used for the validation curve; the rest is the test set."),
                 // Model
                 choiceField("model", "Model", "lsde", {"ode", "sde", "lsde", "lnsde", "gsde"},
                             "Neural ODE, neural SDE (diagonal MLP diffusion), or a stable class: "
                             "Langevin-type (additive noise), linear-noise or geometric SDE."),
                 booleanField(
                     "latent", "Latent model", true,
                     "On: an encoder infers a latent initial state and a linear readout maps "
                     "it to the channels. Off: the dynamics run on the observations "
                     "themselves (the state is one value per channel, starting at each "
                     "channel's first context value; latent_dim and the encoder are unused). "
                     "A geometric SDE then keeps each channel's sign."),
                 integerField(
                     "latent_dim", "Latent dimension", 4, 1, 256,
                     "Size of the latent state (latent models); 2 shows the learned drift as a "
                     "phase portrait, as does a non-latent model of 2-channel data."),
             },
             networkFields({"drift", "drift", "drift MLP", 32, 2, 1, 4096, ""}),
             networkFields(
                 {"diffusion", "diffusion", "diffusion network", 16, 1, 1, 4096, " (SDE kinds)"}),
             networkFields({"encoder", "encoder", "encoder", 32, 1, 1, 4096, ""}),
             {
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
                 choiceField(
                     "objective", "Objective", "mse", {"mse", "nll", "elbo"},
                     "Mean squared error of the predicted mean, Gaussian NLL from the sample "
                     "spread, or the ELBO with the posterior-prior KL (SDE kinds)."),
                 choiceField(
                     "gradient", "Gradient", "backprop", {"backprop", "adjoint"},
                     "Backpropagate through the solver (fast, memory grows with the steps) or "
                     "the adjoint (constant memory)."),
                 booleanField("adaptive", "Adaptive solve", false,
                              "ODE model only: Dopri5 with error control instead of fixed steps."),
                 realField("rtol", "Relative tolerance", 1e-4, 1e-12, 1.0, "Adaptive solve."),
                 realField("atol", "Absolute tolerance", 1e-6, 1e-14, 1.0, "Adaptive solve."),
                 realField(
                     "error_regularization", "ERNODE λ (error)", 0.0, 0.0, 1e6,
                     "Adds λ·Σ error estimate·|dt| of the adaptive solve to the loss (Pal et al. "
                     "2021), which makes the learned dynamics cheaper to solve."),
                 realField("stiffness_regularization", "ERNODE λ (stiffness)", 0.0, 0.0, 1e6,
                           "Adds λ·Σ stiffness estimate over the accepted steps to the loss."),
                 integerField("local_points", "Local regularization points", 0, 0, 10000,
                              "> 0: regularise only the steps containing this many random times "
                              "(the local variant); 0 regularises every step."),
                 // Training
                 iterationsField(300, 10000000),
                 batchField(16, 4096, "Series", " (at most the training set)"),
                 integerField("paths", "Sample paths", 8, 1, 4096,
                              "Paths per series for the SDE kinds' mean and spread."),
                 learningRateField(1e-2, 1e-7, 10.0),
                 realField("gradient_clip", "Gradient clip", 10.0, 0.0, 1e9,
                           "Largest gradient norm; 0 turns clipping off."),
                 seedField("training_seed", "Training seed", 1,
                           "Seeds the initial weights, the batches and the noise."),
                 integerField("validate_every", "Validate every", 25, 1, 1000000,
                              "Iterations between validation and test evaluations.", "iterations"),
                 integerField("display_series", "Displayed series", 4, 1, 32,
                              "Series shown in the fan chart, half from training, half held out."),
                 integerField("forecast_paths", "Forecast paths", 32, 1, 4096,
                              "Sample paths drawn for each displayed series."),
             }}));
    return schema;
}

namespace {

// Every schema key and the config member(s) it stands for, both directions in one place.
const FieldBindings<TimeSeriesConfig>& timeSeriesBindings() {
    using C = TimeSeriesConfig;
    using models::GradientMethod;
    FieldBinding<C> dataset{"dataset",
                            [](const json& value, C& c) {
                                const std::string id = value.get<std::string>();
                                if (id == "csv") {
                                    c.data.source = TimeSeriesSource::Csv;
                                } else if (std::find(builtinIds().begin(), builtinIds().end(),
                                                     id) != builtinIds().end()) {
                                    c.data.source = TimeSeriesSource::Builtin;
                                    c.data.builtin = id;
                                } else {
                                    c.data.source = TimeSeriesSource::Generator;
                                    c.data.generator = timeseries::generatorFromName(id);
                                }
                            },
                            [](const C& c) -> json {
                                switch (c.data.source) {
                                    case TimeSeriesSource::Builtin:
                                        return c.data.builtin;
                                    case TimeSeriesSource::Csv:
                                        return "csv";
                                    case TimeSeriesSource::Generator:
                                        break;
                                }
                                return timeseries::generatorName(c.data.generator);
                            }};
    const auto taskFromName = [](const std::string& name) {
        return name == "interpolation"    ? TimeSeriesTask::Interpolation
               : name == "classification" ? TimeSeriesTask::Classification
                                          : TimeSeriesTask::Forecasting;
    };
    const auto gradientName = [](GradientMethod g) {
        return g == GradientMethod::Adjoint ? "adjoint" : "backprop";
    };
    const auto gradientFromName = [](const std::string& name) {
        return name == "adjoint" ? GradientMethod::Adjoint : GradientMethod::Backprop;
    };
    const auto modelName = [](models::SeriesModelKind k) { return models::seriesModelName(k); };
    const auto modelFromName = [](const std::string& n) { return models::seriesModelFromName(n); };
    const auto controlName = [](models::ControlPath k) { return models::controlPathName(k); };
    const auto controlFromName = [](const std::string& n) {
        return models::controlPathFromName(n);
    };
    const auto objectiveName = [](models::SeriesObjective o) {
        return models::seriesObjectiveName(o);
    };
    const auto objectiveFromName = [](const std::string& n) {
        return models::seriesObjectiveFromName(n);
    };
    static const FieldBindings<C> bindings(
        timeSeriesSchema(),
        {
            dataset,
            bindMember<C>(
                "csv_path", [](auto& c) -> auto& { return c.data.csvPath; }),
            bindMember<C>(
                "seed", [](auto& c) -> auto& { return c.data.generatorOptions.seed; }),
            bindMember<C>(
                "series_count",
                [](auto& c) -> auto& { return c.data.generatorOptions.seriesCount; }),
            bindMember<C>(
                "length", [](auto& c) -> auto& { return c.data.generatorOptions.length; }),
            bindMember<C>(
                "observations",
                [](auto& c) -> auto& { return c.data.generatorOptions.observations; }),
            bindMember<C>(
                "observation_noise",
                [](auto& c) -> auto& { return c.data.generatorOptions.observationNoise; }),
            bindMember<C>(
                "irregular", [](auto& c) -> auto& { return c.data.generatorOptions.irregular; }),
            bindMember<C>(
                "missing_rate",
                [](auto& c) -> auto& { return c.data.generatorOptions.missingRate; }),
            bindMember<C>(
                "window_observations", [](auto& c) -> auto& { return c.data.windowObservations; }),
            bindMember<C>(
                "window_stride", [](auto& c) -> auto& { return c.data.windowStride; }),
            bindMember<C>(
                "standardize", [](auto& c) -> auto& { return c.data.standardize; }),
            bindChoice<C>(
                "task", [](auto& c) -> auto& { return c.task.task; }, timeSeriesTaskName,
                taskFromName),
            bindMember<C>(
                "hold_out", [](auto& c) -> auto& { return c.task.holdOut; }),
            bindMember<C>(
                "train_fraction", [](auto& c) -> auto& { return c.task.trainFraction; }),
            bindMember<C>(
                "validation_fraction", [](auto& c) -> auto& { return c.task.validationFraction; }),
            bindChoice<C>(
                "model", [](auto& c) -> auto& { return c.model.kind; }, modelName, modelFromName),
            bindMember<C>(
                "latent", [](auto& c) -> auto& { return c.model.latent; }),
            bindMember<C>(
                "latent_dim", [](auto& c) -> auto& { return c.model.latentDim; }),
            bindLayerWidth<C>(
                "drift_width", [](auto& c) -> auto& { return c.model.driftWidths; }),
            bindLayerCount<C>(
                "drift_depth", [](auto& c) -> auto& { return c.model.driftWidths; }),
            bindLayerWidth<C>(
                "diffusion_width", [](auto& c) -> auto& { return c.model.diffusionWidths; }),
            bindLayerCount<C>(
                "diffusion_depth", [](auto& c) -> auto& { return c.model.diffusionWidths; }),
            bindLayerWidth<C>(
                "encoder_width", [](auto& c) -> auto& { return c.model.encoderWidths; }),
            bindLayerCount<C>(
                "encoder_depth", [](auto& c) -> auto& { return c.model.encoderWidths; }),
            bindMember<C>(
                "diffusion_scale", [](auto& c) -> auto& { return c.model.diffusionScale; }),
            bindMember<C>(
                "drift_sees_time", [](auto& c) -> auto& { return c.model.driftSeesTime; }),
            bindMember<C>(
                "encoder_observations",
                [](auto& c) -> auto& { return c.model.encoderObservations; }),
            bindMember<C>(
                "dt", [](auto& c) -> auto& { return c.model.dt; }),
            bindChoice<C>(
                "control_path", [](auto& c) -> auto& { return c.model.controlPath; }, controlName,
                controlFromName),
            bindChoice<C>(
                "objective", [](auto& c) -> auto& { return c.model.objective; }, objectiveName,
                objectiveFromName),
            bindChoice<C>(
                "gradient", [](auto& c) -> auto& { return c.model.gradient; }, gradientName,
                gradientFromName),
            bindMember<C>(
                "adaptive", [](auto& c) -> auto& { return c.model.adaptive; }),
            bindMember<C>(
                "rtol", [](auto& c) -> auto& { return c.model.rtol; }),
            bindMember<C>(
                "atol", [](auto& c) -> auto& { return c.model.atol; }),
            bindMember<C>(
                "error_regularization",
                [](auto& c) -> auto& { return c.model.errorRegularization; }),
            bindMember<C>(
                "stiffness_regularization",
                [](auto& c) -> auto& { return c.model.stiffnessRegularization; }),
            bindMember<C>(
                "local_points", [](auto& c) -> auto& { return c.model.localRegularizationPoints; }),
            bindMember<C>(
                "iterations", [](auto& c) -> auto& { return c.training.iterations; }),
            bindMember<C>(
                "batch", [](auto& c) -> auto& { return c.training.batchSize; }),
            bindMember<C>(
                "paths", [](auto& c) -> auto& { return c.training.paths; }),
            bindMember<C>(
                "learning_rate", [](auto& c) -> auto& { return c.training.learningRate; }),
            bindMember<C>(
                "gradient_clip", [](auto& c) -> auto& { return c.training.gradientClip; }),
            bindMember<C>(
                "training_seed", [](auto& c) -> auto& { return c.training.seed; }),
            bindMember<C>(
                "validate_every", [](auto& c) -> auto& { return c.training.validateEvery; }),
            bindMember<C>(
                "display_series", [](auto& c) -> auto& { return c.training.displaySeries; }),
            bindMember<C>(
                "forecast_paths", [](auto& c) -> auto& { return c.training.forecastPaths; }),
        });
    return bindings;
}

}  // namespace

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
    timeSeriesBindings().read(v, c);
    auto& data = c.data;
    auto& g = data.generatorOptions;
    auto& m = c.model;
    const auto& t = c.training;
    // What follows from the keys rather than being one. The generators' internal step follows
    // the window so a long window is not millions of substeps and a short one is still resolved.
    g.fineDt = std::min(0.01, g.length / (20.0 * g.observations));
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

json timeSeriesValues(const TimeSeriesConfig& c) { return timeSeriesBindings().write(c); }

json toJson(const TimeSeriesConfig& config) {
    return json{{"experiment", kExperimentName}, {kExperimentName, timeSeriesValues(config)}};
}

std::string toJsonText(const TimeSeriesConfig& config) {
    // Schema order reads better than json's alphabetical order.
    nlohmann::ordered_json root;
    root["experiment"] = kExperimentName;
    root[kExperimentName] = timeSeriesBindings().write<nlohmann::ordered_json>(config);
    return root.dump(2) + "\n";
}

void saveTimeSeriesConfig(const std::string& path, const TimeSeriesConfig& config) {
    writeFileAtomically(path, toJsonText(config));
}

namespace {

struct TimeSeriesPresetTable {
    std::vector<std::string> ids;
    std::vector<TimeSeriesConfig> configs;
};

const TimeSeriesPresetTable& timeSeriesPresets() {
    static const TimeSeriesPresetTable table = [] {
        TimeSeriesPresetTable t;
        for (const auto& resource : embeddedResources("presets/timeseries/")) {
            t.ids.push_back(resourceStem(resource.path));
            // A broken shipped preset is a build defect; the message names the file.
            t.configs.push_back(parseTimeSeriesConfig(std::string(resource.text),
                                                      "resources/" + std::string(resource.path)));
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
        for (const auto& resource : embeddedResources("datasets/")) {
            const auto it = files.find(resourceStem(resource.path));
            if (it != files.end()) out[it->second] = std::string(resource.text);
        }
        return out;
    }();
    const auto it = texts.find(name);
    if (it == texts.end())
        throw ConfigError("unknown built-in series \"" + name + "\" (sunspots, co2)");
    return it->second;
}

}  // namespace driftlab::core
