#include "core/common/atomic_file.h"
#include "core/common/error.h"
#include "core/equations/compiled_equation.h"
#include "core/trajectories/trajectory_config.h"
#include "core/trajectories/trajectory_run.h"

#include <nlohmann/json.hpp>

#include <QtTest/QtTest>

using namespace driftlab;
using namespace driftlab::core;
using nlohmann::json;

namespace {

json minimalConfig() {
    return {{"experiment", "trajectories"},
            {"equation",
             {{"name", "Test OU"},
              {"drift", {"theta*(mu - x)"}},
              {"diffusion", {"sigma"}},
              {"parameters",
               {{{"name", "theta"}, {"value", 1.0}, {"min", 0.0}, {"max", 5.0}},
                {{"name", "mu"}, {"value", 0.0}, {"min", -1.0}, {"max", 1.0}},
                {{"name", "sigma"}, {"value", 0.5}, {"min", 0.0}, {"max", 2.0}}}},
              {"initial", {1.0}}}}};
}

// The message of the driftlab::Error thrown while reading the config, or a marker.
std::string errorOf(const json& config) {
    try {
        trajectoryConfigFromJson(config, "test.json");
    } catch (const Error& e) {
        return e.what();
    }
    return "<no error>";
}

std::string errorOfText(const std::string& text) {
    try {
        parseTrajectoryConfig(text, "bad.json");
    } catch (const Error& e) {
        return e.what();
    }
    return "<no error>";
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

#define QVERIFY_CONTAINS(text, part) QVERIFY2(contains((text), (part)), ("got: " + (text)).c_str())

}  // namespace

class TestTrajectoryConfig : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void presetsParseCompileAndRoundTrip() {
        const auto& presets = builtinPresets();
        const auto ids = presetIds();
        QCOMPARE(ids.size(), presets.size());
        QVERIFY(presets.size() >= 7);
        for (std::size_t i = 0; i < presets.size(); ++i) {
            const TrajectoryConfig& preset = presets[i];
            const QByteArray id = QByteArray::fromStdString(ids[i]);
            QVERIFY2(!preset.equation.name.empty(), id);
            QVERIFY2(preset.equation.description.size() > 100, id);
            QVERIFY2(!preset.equation.parameters.empty(), id);
            for (const auto& p : preset.equation.parameters) {
                QVERIFY2(!p.help.empty(), id + " " + QByteArray::fromStdString(p.name));
                QVERIFY2(p.min < p.max, id + " " + QByteArray::fromStdString(p.name));
            }
            const CompiledEquation compiled(preset.equation);
            QCOMPARE(compiled.dimension(), preset.equation.dimension());
            // Only presets meant for the ODE solvers may be deterministic.
            QVERIFY2(compiled.isDeterministic() == isOdeSolverId(preset.simulation.solver), id);

            const std::string text = toJsonText(preset);
            const TrajectoryConfig again = parseTrajectoryConfig(text, ids[i] + ".json");
            QCOMPARE(toJsonText(again), text);
            QCOMPARE(toJson(again), toJson(preset));
            // Presets are shipped for instant feedback, not for a coffee break.
            QVERIFY2(static_cast<double>(preset.simulation.paths) * preset.simulation.steps *
                             preset.equation.dimension() <=
                         1.5e7,
                     id);
        }
    }

    void presetOrderAndLookup() {
        const auto ids = presetIds();
        QCOMPARE(ids.front(), std::string("ou"));
        const TrajectoryConfig& first = builtinPresets().front();
        QCOMPARE(first.simulation.paths, 1000);
        QCOMPARE(first.equation.analytic, AnalyticKind::OrnsteinUhlenbeck);
        for (const char* id : {"ou", "brownian_motion", "gbm", "double_well", "lotka_volterra",
                               "van_der_pol", "lorenz"}) {
            QVERIFY2(findPreset(id) != nullptr, id);
        }
        QCOMPARE(findPreset("OU"), &first);
        QCOMPARE(findPreset("ornstein-uhlenbeck"), &first);
        QVERIFY(findPreset("no such preset") == nullptr);
        QCOMPARE(findPreset("lorenz")->equation.dimension(), 3);
        QCOMPARE(findPreset("lotka_volterra")->equation.variables,
                 (std::vector<std::string>{"x", "y"}));
        QCOMPARE(findPreset("gbm")->equation.analytic, AnalyticKind::GeometricBrownianMotion);
        QCOMPARE(findPreset("brownian_motion")->equation.analytic, AnalyticKind::BrownianMotion);
    }

    void defaultsAreFilled() {
        const TrajectoryConfig config = trajectoryConfigFromJson(minimalConfig(), "test.json");
        QCOMPARE(config.equation.variables, defaultVariableNames(1));
        QCOMPARE(config.simulation.paths, 1000);
        QCOMPARE(config.simulation.steps, 1000);
        QCOMPARE(config.simulation.savedTimes, 500);
        QCOMPARE(config.simulation.drawnPaths, 200);
        QCOMPARE(config.simulation.seed, std::uint64_t(1));
        QCOMPARE(config.equation.analytic, AnalyticKind::None);
        const json written = toJson(config);
        QCOMPARE(written.at("simulation"), simulationSchema().defaults());
        QCOMPARE(written.at("equation").at("variables"), json({"x"}));

        json noDiffusion = minimalConfig();
        noDiffusion["equation"].erase("diffusion");
        noDiffusion["equation"]["drift"] = {"-x", "x - y", "0"};
        noDiffusion["equation"]["initial"] = {1, 2, 3};
        const TrajectoryConfig ode = trajectoryConfigFromJson(noDiffusion, "ode.json");
        QCOMPARE(ode.equation.variables, (std::vector<std::string>{"x", "y", "z"}));
        QCOMPARE(ode.equation.diffusion, (std::vector<std::string>{"0", "0", "0"}));
        QVERIFY(CompiledEquation(ode.equation).isDeterministic());
    }

    void roundTripIsExact() {
        json source = minimalConfig();
        source["equation"]["parameters"][0]["value"] = 1.0 / 3.0;
        source["equation"]["initial"] = {0.1};
        source["simulation"] = {
            {"t0", -0.7}, {"t1", 2.9}, {"seed", 9007199254740991LL}, {"solver", "stochastic_heun"}};
        const TrajectoryConfig config = trajectoryConfigFromJson(source, "a.json");
        QCOMPARE(config.simulation.seed, std::uint64_t(9007199254740991ULL));
        const std::string text = toJsonText(config);
        const TrajectoryConfig again = parseTrajectoryConfig(text, "a.json");
        QCOMPARE(toJsonText(again), text);
        QCOMPARE(again.equation.parameters[0].value, 1.0 / 3.0);
        QCOMPARE(again.equation.initial[0], 0.1);
        QCOMPARE(again.simulation.t0, -0.7);
        QCOMPARE(again.simulation.solver, std::string("stochastic_heun"));
        // A file reads as a document: experiment first, then the equation, then settings.
        QVERIFY(text.find("\"experiment\"") < text.find("\"equation\""));
        QVERIFY(text.find("\"equation\"") < text.find("\"simulation\""));
    }

    void malformedJsonGivesLineAndColumn() {
        const std::string message =
            errorOfText("{\n  \"experiment\": \"trajectories\",\n  \"equation\": {,\n}\n");
        QVERIFY_CONTAINS(message, "bad.json: malformed JSON at line 3, column ");
        QVERIFY2(!contains(message, "json.exception"), message.c_str());
        QVERIFY_CONTAINS(errorOfText(""), "bad.json: malformed JSON");
        // Comments are allowed in hand-written configs.
        const std::string commented = "// a comment\n" + minimalConfig().dump();
        QCOMPARE(parseTrajectoryConfig(commented, "c.json").equation.name, std::string("Test OU"));
    }

    void unknownKeysAreRejectedWithSuggestions() {
        json top = minimalConfig();
        top["simulaton"] = json::object();
        QCOMPARE(errorOf(top), std::string("test.json: unknown key \"simulaton\" in the config "
                                           "(did you mean \"simulation\"?)"));
        json equation = minimalConfig();
        equation["equation"]["difusion"] = {"1"};
        QVERIFY_CONTAINS(errorOf(equation),
                         "unknown key \"difusion\" in equation (did you mean \"diffusion\"?)");
        json parameter = minimalConfig();
        parameter["equation"]["parameters"][0]["vlaue"] = 1;
        QVERIFY_CONTAINS(errorOf(parameter), "equation.parameters[0]");
        json simulation = minimalConfig();
        simulation["simulation"] = {{"pathz", 10}};
        QCOMPARE(errorOf(simulation), std::string("test.json: unknown key \"pathz\" in simulation "
                                                  "(did you mean \"paths\"?)"));
    }

    void simulationValuesAreChecked() {
        json config = minimalConfig();
        config["simulation"] = {{"paths", 0}};
        QCOMPARE(errorOf(config),
                 std::string("test.json: simulation.paths = 0 is out of range [1, 1000000]"));
        config["simulation"] = {{"steps", "abc"}};
        QCOMPARE(errorOf(config),
                 std::string("test.json: simulation.steps: expected an integer, got \"abc\""));
        config["simulation"] = {{"solver", "rk45"}};
        QVERIFY_CONTAINS(errorOf(config), "\"euler_maruyama\", \"stochastic_heun\"");
        config["simulation"] = {{"t0", 2.0}, {"t1", 1.0}};
        QVERIFY_CONTAINS(errorOf(config), "simulation.t1 = 1.0 must be later than simulation.t0");
        config["simulation"] = {{"t0", 1.0}, {"t1", 1.0}};
        QVERIFY_CONTAINS(errorOf(config), "must be later than");
    }

    void topLevelIsChecked() {
        json config = minimalConfig();
        config["experiment"] = "diffusion_model";
        QVERIFY_CONTAINS(errorOf(config), "experiment \"diffusion_model\" is not known here");
        config.erase("experiment");
        QVERIFY_CONTAINS(errorOf(config), "missing \"experiment\"");
        config = minimalConfig();
        config.erase("equation");
        QVERIFY_CONTAINS(errorOf(config), "missing \"equation\"");
        QVERIFY_CONTAINS(errorOf(json::array()), "expected a JSON object");
    }

    void componentCountsMustMatch() {
        json config = minimalConfig();
        config["equation"]["drift"] = {"-x", "-y"};
        QCOMPARE(errorOf(config),
                 std::string("test.json: equation.diffusion has 1 entries but the equation has 2 "
                             "components (one per drift expression)"));
        config["equation"]["diffusion"] = {"0", "0"};
        QVERIFY_CONTAINS(errorOf(config), "equation.initial has 1 entries");
        config["equation"]["initial"] = {1, 1};
        config["equation"]["variables"] = {"u"};
        QVERIFY_CONTAINS(errorOf(config), "equation.variables has 1 entries");
        config["equation"]["variables"] = {"u", "u"};
        QVERIFY_CONTAINS(errorOf(config), "\"u\" is used twice");
        config["equation"]["variables"] = {"u", "2v"};
        QVERIFY_CONTAINS(errorOf(config), "\"2v\" is not a valid name");
    }

    void dimensionIsLimited() {
        json config = minimalConfig();
        config["equation"]["drift"] = json::array();
        QVERIFY_CONTAINS(errorOf(config), "between 1 and 8");
        config["equation"]["drift"] = std::vector<std::string>(9, "0");
        config["equation"]["diffusion"] = std::vector<std::string>(9, "0");
        config["equation"]["initial"] = std::vector<double>(9, 0.0);
        QVERIFY_CONTAINS(errorOf(config), "equation.drift has 9 expressions");
    }

    void parametersMustLieInTheirRange() {
        json config = minimalConfig();
        config["equation"]["parameters"][2]["value"] = 3.0;
        QVERIFY_CONTAINS(errorOf(config),
                         "equation.parameters[2] (\"sigma\"): value 3.0 must lie "
                         "within min 0.0 and max 2.0");
        config = minimalConfig();
        config["equation"]["parameters"][1]["name"] = "x";
        QVERIFY_CONTAINS(errorOf(config), "the name \"x\" is already used");
        config = minimalConfig();
        config["equation"]["parameters"][0]["value"] = "one";
        QVERIFY_CONTAINS(errorOf(config), "parameters[0].value: expected a number, got \"one\"");
    }

    void analyticNeedsItsParameters() {
        json config = minimalConfig();
        config["equation"]["analytic"] = "ornstein_uhlenbek";
        QVERIFY_CONTAINS(errorOf(config), "did you mean \"ornstein_uhlenbeck\"");
        config["equation"]["analytic"] = "geometric_brownian_motion";
        QCOMPARE(trajectoryConfigFromJson(config, "a.json").equation.analytic,
                 AnalyticKind::GeometricBrownianMotion);
        config["equation"]["parameters"].erase(0);  // theta
        config["equation"]["drift"] = {"mu*(1 - x)"};
        config["equation"]["analytic"] = "ornstein_uhlenbeck";
        QVERIFY_CONTAINS(errorOf(config), "needs a parameter named \"theta\"");
    }

    void badExpressionFailsAtLoadWithPosition() {
        json config = minimalConfig();
        config["equation"]["drift"] = {"theta*(mu - x) +* 2"};
        try {
            trajectoryConfigFromJson(config, "test.json");
            QFAIL("a bad expression was accepted");
        } catch (const ExpressionError& e) {
            const std::string message = e.what();
            QVERIFY_CONTAINS(message, "test.json: ");
            QCOMPARE(e.expression(), std::string("theta*(mu - x) +* 2"));
            QVERIFY2(e.position() >= 15 && e.position() <= 17, message.c_str());
        }
        config["equation"]["drift"] = {"kappa*x"};
        try {
            trajectoryConfigFromJson(config, "test.json");
            QFAIL("an unknown name was accepted");
        } catch (const ExpressionError& e) {
            QVERIFY_CONTAINS(std::string(e.what()), "kappa");
            QCOMPARE(e.position(), 0);
        }
    }

    void absurdSizesAreRefused() {
        json config = minimalConfig();
        config["simulation"] = {{"paths", 1000000}, {"steps", 100000}, {"saved_times", 100000}};
        const std::string message = errorOf(config);
        QVERIFY_CONTAINS(message,
                         "test.json: simulation needs 800.0 GB for the saved states "
                         "(paths × saved_times × components × 8 bytes) but this "
                         "machine has ");
        QVERIFY_CONTAINS(message, "lower paths or saved_times");
    }

    void missingFileSaysCannotOpen() {
        try {
            loadTrajectoryConfig("/nonexistent/dir/ou.json");
            QFAIL("no error");
        } catch (const ConfigError& e) {
            QVERIFY_CONTAINS(std::string(e.what()), "cannot open /nonexistent/dir/ou.json");
        }
    }

    void loadReadsAFileAndNamesItInErrors() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const std::string path = dir.filePath("my.json").toStdString();
        writeFileAtomically(path, toJsonText(*findPreset("gbm")));
        QCOMPARE(toJsonText(loadTrajectoryConfig(path)), toJsonText(*findPreset("gbm")));
        writeFileAtomically(path, "{\"experiment\": \"trajectories\",\n \"equation\": [}");
        try {
            loadTrajectoryConfig(path);
            QFAIL("no error");
        } catch (const ConfigError& e) {
            QVERIFY_CONTAINS(std::string(e.what()), path + ": malformed JSON at line 2");
        }
    }
};

QTEST_GUILESS_MAIN(TestTrajectoryConfig)
#include "test_trajectory_config.moc"
