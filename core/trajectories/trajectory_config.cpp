#include "core/trajectories/trajectory_config.h"
#include "core/trajectories/trajectory_run.h"

#include "core/common/error.h"
#include "core/equations/compiled_equation.h"
#include "core/experiment/field_binding.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

namespace driftlab::core {

namespace {

using nlohmann::json;

constexpr const char* kExperimentName = "trajectories";
constexpr int kMaxDimension = 8;

[[noreturn]] void fail(const std::string& context, const std::string& message) {
    throw ConfigError(context + ": " + message);
}

const std::vector<std::pair<AnalyticKind, std::string>>& analyticNames() {
    static const std::vector<std::pair<AnalyticKind, std::string>> names = {
        {AnalyticKind::None, "none"},
        {AnalyticKind::BrownianMotion, "brownian_motion"},
        {AnalyticKind::OrnsteinUhlenbeck, "ornstein_uhlenbeck"},
        {AnalyticKind::GeometricBrownianMotion, "geometric_brownian_motion"},
    };
    return names;
}

std::string analyticName(AnalyticKind kind) {
    for (const auto& [k, name] : analyticNames()) {
        if (k == kind) return name;
    }
    return "none";
}

// The closed forms read their parameters by these names (see analyticDensity), so a preset
// that claims one must define them; otherwise the overlay would silently be wrong.
std::vector<std::string> analyticParameterNames(AnalyticKind kind) {
    switch (kind) {
        case AnalyticKind::None:
            return {};
        case AnalyticKind::BrownianMotion:
            return {"mu", "sigma"};
        case AnalyticKind::OrnsteinUhlenbeck:
            return {"theta", "mu", "sigma"};
        case AnalyticKind::GeometricBrownianMotion:
            return {"mu", "sigma"};
    }
    return {};
}

bool isIdentifier(const std::string& name) {
    if (name.empty() || !(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_')) {
        return false;
    }
    return std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
    });
}

void rejectUnknownKeys(const json& object, const std::vector<std::string>& known,
                       const std::string& context, const std::string& where) {
    for (const auto& item : object.items()) {
        if (std::find(known.begin(), known.end(), item.key()) == known.end()) {
            fail(context, unknownKeyMessage(item.key(), where, known));
        }
    }
}

std::string readString(const json& object, const std::string& key, const std::string& context,
                       const std::string& path, bool required, const std::string& fallback = {}) {
    const auto it = object.find(key);
    if (it == object.end()) {
        if (required) fail(context, "missing \"" + key + "\" in " + path);
        return fallback;
    }
    if (!it->is_string())
        fail(context, path + "." + key + ": expected a string, got " + it->dump());
    return it->get<std::string>();
}

double readNumber(const json& value, const std::string& context, const std::string& path) {
    if (!value.is_number()) fail(context, path + ": expected a number, got " + value.dump());
    return value.get<double>();
}

std::vector<std::string> readStringArray(const json& object, const std::string& key,
                                         const std::string& context, const std::string& path) {
    const auto& value = object.at(key);
    const std::string where = path + "." + key;
    if (!value.is_array()) {
        fail(context, where + ": expected an array of strings like [\"x\"], got " + value.dump());
    }
    std::vector<std::string> out;
    for (std::size_t i = 0; i < value.size(); ++i) {
        if (!value[i].is_string()) {
            fail(context,
                 where + "[" + std::to_string(i) + "]: expected a string, got " + value[i].dump());
        }
        out.push_back(value[i].get<std::string>());
    }
    return out;
}

void checkCount(std::size_t count, int dimension, const std::string& key,
                const std::string& context) {
    if (static_cast<int>(count) != dimension) {
        fail(context, "equation." + key + " has " + std::to_string(count) +
                          " entries but the equation has " + std::to_string(dimension) +
                          " components (one per drift expression)");
    }
}

Parameter readParameter(const json& value, const std::string& context, const std::string& path) {
    if (!value.is_object()) {
        fail(context, path +
                          ": expected an object {\"name\", \"value\", \"min\", \"max\", "
                          "\"help\"}, got " +
                          value.dump());
    }
    rejectUnknownKeys(value, {"name", "value", "min", "max", "help"}, context, path);
    Parameter parameter;
    parameter.name = readString(value, "name", context, path, true);
    if (!value.contains("value")) fail(context, "missing \"value\" in " + path);
    parameter.value = readNumber(value.at("value"), context, path + ".value");
    // Without an explicit range the slider spans a generous neighbourhood of the value.
    parameter.min = value.contains("min") ? readNumber(value.at("min"), context, path + ".min")
                                          : std::min(0.0, 2.0 * parameter.value);
    parameter.max = value.contains("max") ? readNumber(value.at("max"), context, path + ".max")
                                          : std::max(1.0, 2.0 * parameter.value);
    parameter.help = readString(value, "help", context, path, false);
    if (!(parameter.min <= parameter.value && parameter.value <= parameter.max)) {
        fail(context, path + " (\"" + parameter.name + "\"): value " +
                          json(parameter.value).dump() + " must lie within min " +
                          json(parameter.min).dump() + " and max " + json(parameter.max).dump());
    }
    return parameter;
}

EquationSpec readEquation(const json& object, const std::string& context) {
    if (!object.is_object())
        fail(context, "equation: expected an object { ... }, got " + object.dump());
    rejectUnknownKeys(object,
                      {"name", "description", "variables", "drift", "diffusion", "noise_matrix",
                       "parameters", "initial", "analytic"},
                      context, "equation");
    EquationSpec spec;
    spec.name = readString(object, "name", context, "equation", false, "Custom equation");
    spec.description = readString(object, "description", context, "equation", false);

    if (!object.contains("drift")) fail(context, "missing \"drift\" in equation");
    spec.drift = readStringArray(object, "drift", context, "equation");
    const int dimension = static_cast<int>(spec.drift.size());
    if (dimension < 1 || dimension > kMaxDimension) {
        fail(context, "equation.drift has " + std::to_string(dimension) +
                          " expressions; the dimension must be between 1 and " +
                          std::to_string(kMaxDimension));
    }

    if (object.contains("variables")) {
        spec.variables = readStringArray(object, "variables", context, "equation");
        checkCount(spec.variables.size(), dimension, "variables", context);
    } else {
        spec.variables = defaultVariableNames(dimension);
    }
    std::set<std::string> names{"t"};
    for (const auto& name : spec.variables) {
        if (!isIdentifier(name)) {
            fail(context, "equation.variables: \"" + name +
                              "\" is not a valid name (letters, digits and _, not starting "
                              "with a digit)");
        }
        if (!names.insert(name).second) {
            fail(context, "equation.variables: \"" + name + "\" is used twice" +
                              (name == "t" ? " (t is the time)" : ""));
        }
    }

    if (object.contains("diffusion")) {
        spec.diffusion = readStringArray(object, "diffusion", context, "equation");
        checkCount(spec.diffusion.size(), dimension, "diffusion", context);
    } else {
        spec.diffusion.assign(dimension, "0");  // no diffusion given: an ODE
    }
    if (object.contains("noise_matrix")) {
        // General noise: one row per variable, one expression per Brownian motion.
        const json& rows = object.at("noise_matrix");
        if (!rows.is_array())
            fail(context,
                 "equation.noise_matrix: expected an array of rows (one per variable), "
                 "got " +
                     rows.dump());
        checkCount(rows.size(), dimension, "noise_matrix", context);
        for (std::size_t i = 0; i < rows.size(); ++i) {
            const std::string where = "equation.noise_matrix[" + std::to_string(i) + "]";
            if (!rows[i].is_array() || rows[i].empty())
                fail(context, where +
                                  ": expected a non-empty array of expressions (one per "
                                  "Brownian motion), got " +
                                  rows[i].dump());
            std::vector<std::string> row;
            for (const json& entry : rows[i]) {
                if (!entry.is_string())
                    fail(context, where + ": expected strings, got " + entry.dump());
                row.push_back(entry.get<std::string>());
            }
            spec.noiseMatrix.push_back(std::move(row));
        }
    }

    if (object.contains("parameters")) {
        const auto& parameters = object.at("parameters");
        if (!parameters.is_array()) {
            fail(context, "equation.parameters: expected an array of parameter objects, got " +
                              parameters.dump());
        }
        for (std::size_t i = 0; i < parameters.size(); ++i) {
            const std::string path = "equation.parameters[" + std::to_string(i) + "]";
            Parameter parameter = readParameter(parameters[i], context, path);
            if (!isIdentifier(parameter.name)) {
                fail(context, path + ": \"" + parameter.name + "\" is not a valid name");
            }
            if (!names.insert(parameter.name).second) {
                fail(context, path + ": the name \"" + parameter.name +
                                  "\" is already used by the time, a variable or another "
                                  "parameter");
            }
            spec.parameters.push_back(std::move(parameter));
        }
    }

    if (!object.contains("initial")) fail(context, "missing \"initial\" in equation");
    const auto& initial = object.at("initial");
    if (!initial.is_array()) {
        fail(context, "equation.initial: expected an array of numbers, got " + initial.dump());
    }
    for (std::size_t i = 0; i < initial.size(); ++i) {
        spec.initial.push_back(
            readNumber(initial[i], context, "equation.initial[" + std::to_string(i) + "]"));
    }
    checkCount(spec.initial.size(), dimension, "initial", context);

    const std::string analytic = readString(object, "analytic", context, "equation", false, "none");
    std::vector<std::string> analyticChoices;
    bool found = false;
    for (const auto& [kind, name] : analyticNames()) {
        analyticChoices.push_back(name);
        if (name == analytic) {
            spec.analytic = kind;
            found = true;
        }
    }
    if (!found) {
        std::string message = "equation.analytic: unknown choice \"" + analytic + "\"";
        const std::string suggestion = suggestClosest(analytic, analyticChoices);
        if (!suggestion.empty()) message += " (did you mean \"" + suggestion + "\"?)";
        message += "; valid choices are ";
        for (std::size_t i = 0; i < analyticChoices.size(); ++i) {
            message += (i ? ", \"" : "\"") + analyticChoices[i] + "\"";
        }
        fail(context, message);
    }
    if (spec.analytic != AnalyticKind::None) {
        if (dimension != 1) {
            fail(context, "equation.analytic \"" + analytic +
                              "\" has a closed form only for one-dimensional equations");
        }
        for (const auto& required : analyticParameterNames(spec.analytic)) {
            const bool present =
                std::any_of(spec.parameters.begin(), spec.parameters.end(),
                            [&](const Parameter& p) { return p.name == required; });
            if (!present) {
                fail(context, "equation.analytic \"" + analytic + "\" needs a parameter named \"" +
                                  required + "\"");
            }
        }
    }
    return spec;
}

// Every simulation key and its SimulationSettings member, for reading and writing alike.
const FieldBindings<SimulationSettings>& simulationBindings() {
    using S = SimulationSettings;
    static const FieldBindings<S> bindings(
        simulationSchema(), {
                                bindMember<S>(
                                    "paths", [](auto& s) -> auto& { return s.paths; }),
                                bindMember<S>(
                                    "steps", [](auto& s) -> auto& { return s.steps; }),
                                bindMember<S>(
                                    "t0", [](auto& s) -> auto& { return s.t0; }),
                                bindMember<S>(
                                    "t1", [](auto& s) -> auto& { return s.t1; }),
                                bindMember<S>(
                                    "saved_times", [](auto& s) -> auto& { return s.savedTimes; }),
                                bindMember<S>(
                                    "seed", [](auto& s) -> auto& { return s.seed; }),
                                bindMember<S>(
                                    "solver", [](auto& s) -> auto& { return s.solver; }),
                                bindMember<S>(
                                    "threads", [](auto& s) -> auto& { return s.threads; }),
                                bindMember<S>(
                                    "drawn_paths", [](auto& s) -> auto& { return s.drawnPaths; }),
                                bindMember<S>(
                                    "rtol", [](auto& s) -> auto& { return s.rtol; }),
                                bindMember<S>(
                                    "atol", [](auto& s) -> auto& { return s.atol; }),
                                bindMember<S>(
                                    "hurst", [](auto& s) -> auto& { return s.hurst; }),
                            });
    return bindings;
}

double physicalMemoryBytes() {
    const long pages = sysconf(_SC_PHYS_PAGES);
    const long pageSize = sysconf(_SC_PAGE_SIZE);
    if (pages <= 0 || pageSize <= 0) return 0.0;  // unknown: skip the check
    return static_cast<double>(pages) * static_cast<double>(pageSize);
}

std::string gigabytes(double bytes) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.1f GB", bytes / 1e9);
    return buffer;
}

void checkMemory(const EquationSpec& spec, const SimulationSettings& settings,
                 const std::string& context) {
    const double physical = physicalMemoryBytes();
    if (physical <= 0.0) return;
    const double needed = estimatedStateBytes(spec.dimension(), settings);
    // Half the machine leaves room for the OS, the GUI and the statistics computed from the
    // states; beyond that the user would get swapping or the OOM killer, not a result.
    if (needed > 0.5 * physical) {
        fail(context, "simulation needs " + gigabytes(needed) +
                          " for the saved states (paths × saved_times × components × 8 bytes) "
                          "but this machine has " +
                          gigabytes(physical) +
                          " of memory (at most half of it may be used); lower paths or "
                          "saved_times");
    }
}

// Built for both json (sorted keys, for comparisons) and ordered_json (the order a reader
// expects in a file: what the equation is before how it is simulated).
template <class Json>
Json buildJson(const TrajectoryConfig& config) {
    const EquationSpec& spec = config.equation;
    Json equation = Json::object();
    equation["name"] = spec.name;
    equation["description"] = spec.description;
    equation["variables"] = spec.variables;
    equation["drift"] = spec.drift;
    equation["diffusion"] = spec.diffusion;
    if (!spec.noiseMatrix.empty()) equation["noise_matrix"] = spec.noiseMatrix;
    Json parameters = Json::array();
    for (const auto& p : spec.parameters) {
        Json parameter = Json::object();
        parameter["name"] = p.name;
        parameter["value"] = p.value;
        parameter["min"] = p.min;
        parameter["max"] = p.max;
        parameter["help"] = p.help;
        parameters.push_back(std::move(parameter));
    }
    equation["parameters"] = std::move(parameters);
    equation["initial"] = spec.initial;
    equation["analytic"] = analyticName(spec.analytic);

    Json simulation = simulationBindings().write<Json>(config.simulation);

    Json root = Json::object();
    root["experiment"] = kExperimentName;
    root["equation"] = std::move(equation);
    root["simulation"] = std::move(simulation);
    return root;
}

}  // namespace

TrajectoryConfig trajectoryConfigFromJson(const json& root, const std::string& context) {
    if (!root.is_object()) fail(context, "expected a JSON object { ... } at the top level");
    rejectUnknownKeys(root, {"experiment", "equation", "simulation"}, context, "the config");

    const std::string experiment = readString(root, "experiment", context, "the config", true);
    if (experiment != kExperimentName) {
        fail(context, "experiment \"" + experiment + "\" is not known here; expected \"" +
                          kExperimentName + "\"");
    }
    if (!root.contains("equation")) fail(context, "missing \"equation\" in the config");

    TrajectoryConfig config;
    config.equation = readEquation(root.at("equation"), context);

    const json simulation = root.contains("simulation") ? root.at("simulation") : json::object();
    const json values = simulationSchema().validate(simulation, context + ": simulation");
    simulationBindings().read(values, config.simulation);
    if (!(config.simulation.t1 > config.simulation.t0)) {
        fail(context, "simulation.t1 = " + values.at("t1").dump() +
                          " must be later than simulation.t0 = " + values.at("t0").dump());
    }
    checkMemory(config.equation, config.simulation, context);

    // Compiling now makes a typo fail when the file is loaded, not when Run is pressed.
    std::optional<CompiledEquation> compiled;
    try {
        compiled.emplace(config.equation);
    } catch (const ExpressionError& e) {
        throw ExpressionError(context + ": " + e.what(), e.expression(), e.position());
    } catch (const ConfigError& e) {
        throw ConfigError(context + ": " + e.what());
    }
    const std::string refusal =
        solverRefusal(config.simulation.solver, *compiled, config.simulation.hurst);
    if (!refusal.empty()) {
        fail(context, "simulation.solver = \"" + config.simulation.solver +
                          "\" cannot run this equation: " + refusal);
    }
    return config;
}

TrajectoryConfig parseTrajectoryConfig(const std::string& text, const std::string& context) {
    json root;
    try {
        // Comments are allowed: a config is also a teaching document.
        root = json::parse(text, nullptr, true, /*ignore_comments=*/true);
    } catch (const json::parse_error& e) {
        // nlohmann says "[json.exception.parse_error.101] parse error at line 3, column 5:
        // syntax error while parsing ..."; keep the position and the reason, drop the code.
        static const std::regex pattern(R"(line (\d+), column (\d+): (.*))");
        std::smatch match;
        const std::string what = e.what();
        if (std::regex_search(what, match, pattern)) {
            fail(context, "malformed JSON at line " + match[1].str() + ", column " +
                              match[2].str() + ": " + match[3].str());
        }
        fail(context, "malformed JSON near byte " + std::to_string(e.byte) + ": " + what);
    }
    return trajectoryConfigFromJson(root, context);
}

TrajectoryConfig loadTrajectoryConfig(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ConfigError("cannot open " + path + ": " + std::strerror(errno));
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) throw ConfigError("cannot read " + path + ": " + std::strerror(errno));
    return parseTrajectoryConfig(text.str(), path);
}

json toJson(const TrajectoryConfig& config) { return buildJson<json>(config); }

std::string toJsonText(const TrajectoryConfig& config) {
    return buildJson<nlohmann::ordered_json>(config).dump(2) + "\n";
}

}  // namespace driftlab::core
