#include "core/common/error.h"
#include "core/experiment/schema.h"
#include "core/trajectories/trajectory_config.h"

#include <nlohmann/json.hpp>

#include <QtTest/QtTest>

#include <algorithm>

using driftlab::ConfigError;
using namespace driftlab::core;
using nlohmann::json;

namespace {

// The message of the ConfigError that validate() throws, or a marker when none is thrown.
std::string errorOf(const json& object, const std::string& context = "ou.json: simulation") {
    try {
        simulationSchema().validate(object, context);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "<no error>";
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

}  // namespace

class TestSchema : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void emptyObjectGetsEveryDefault() {
        const json values = simulationSchema().validate(json::object(), "simulation");
        QCOMPARE(values, simulationSchema().defaults());
        for (const auto& field : simulationSchema().fields()) {
            QVERIFY2(values.contains(field.key), field.key.c_str());
        }
        QCOMPARE(values.at("paths").get<int>(), 1000);
        QVERIFY(values.at("paths").is_number_integer());
        QCOMPARE(values.at("solver").get<std::string>(), std::string("euler_maruyama"));
        QVERIFY(values.at("t1").get<double>() > values.at("t0").get<double>());
    }

    void givenValuesAreKeptAndOthersFilled() {
        const json values =
            simulationSchema().validate({{"paths", 42}, {"solver", "stochastic_heun"}}, "s");
        QCOMPARE(values.at("paths").get<int>(), 42);
        QCOMPARE(values.at("solver").get<std::string>(), std::string("stochastic_heun"));
        QCOMPARE(values.at("steps").get<int>(), 1000);
        QCOMPARE(values.size(), simulationSchema().fields().size());
    }

    void outOfRangeNamesKeyValueAndRange() {
        QCOMPARE(errorOf({{"paths", 0}}),
                 std::string("ou.json: simulation.paths = 0 is out of range [1, 1000000]"));
        QCOMPARE(errorOf({{"threads", 257}}),
                 std::string("ou.json: simulation.threads = 257 is out of range [0, 256]"));
        QVERIFY(contains(errorOf({{"seed", -1}}), "simulation.seed = -1 is out of range"));
        QVERIFY(contains(errorOf({{"saved_times", 1}}), "[2, 100000]"));
    }

    void unknownKeySuggestsTheClosest() {
        QCOMPARE(errorOf({{"pathz", 10}}),
                 std::string("ou.json: unknown key \"pathz\" in simulation "
                             "(did you mean \"paths\"?)"));
        QVERIFY(contains(errorOf({{"savedtimes", 10}}), "did you mean \"saved_times\""));
        QVERIFY(contains(errorOf({{"drawn_path", 10}}), "did you mean \"drawn_paths\""));
        // Nothing close: list the valid keys instead of guessing.
        const std::string far = errorOf({{"temperature", 1}});
        QVERIFY2(contains(far, "unknown key \"temperature\""), far.c_str());
        QVERIFY2(!contains(far, "did you mean"), far.c_str());
        QVERIFY2(contains(far, "\"paths\"") && contains(far, "\"drawn_paths\""), far.c_str());
    }

    void wrongTypesAreNamed() {
        QCOMPARE(errorOf({{"paths", "abc"}}),
                 std::string("ou.json: simulation.paths: expected an integer, got \"abc\""));
        QVERIFY(contains(errorOf({{"paths", 2.5}}), "expected an integer, got 2.5"));
        QVERIFY(contains(errorOf({{"paths", true}}), "expected an integer, got true"));
        QVERIFY(contains(errorOf({{"paths", nullptr}}), "expected an integer, got null"));
        QVERIFY(contains(errorOf({{"t1", "5"}}), "simulation.t1: expected a number, got \"5\""));
        QVERIFY(contains(errorOf({{"solver", 3}}), "simulation.solver: expected"));
        QVERIFY(contains(errorOf(json::array({1, 2})), "expected an object"));
    }

    void integralFloatsAreIntegers() {
        const json values = simulationSchema().validate({{"paths", 1e6}, {"steps", 20.0}}, "s");
        QVERIFY(values.at("paths").is_number_integer());
        QCOMPARE(values.at("paths").get<long long>(), 1000000LL);
        QCOMPARE(values.at("steps").get<long long>(), 20LL);
        QVERIFY(contains(errorOf({{"paths", 1e7}}), "paths = 10000000 is out of range"));
    }

    void unknownChoiceListsTheValidOnes() {
        const std::string message = errorOf({{"solver", "rk7"}});
        QVERIFY2(contains(message, "ou.json: simulation.solver: unknown choice \"rk7\""),
                 message.c_str());
        QVERIFY2(contains(message, "\"euler_maruyama\", \"stochastic_heun\""), message.c_str());
        QVERIFY(
            contains(errorOf({{"solver", "euler_maruyma"}}), "did you mean \"euler_maruyama\""));
    }

    void contextWithoutSourceStillReads() {
        try {
            simulationSchema().validate({{"paths", 0}}, "simulation");
            QFAIL("no error");
        } catch (const ConfigError& e) {
            QCOMPARE(std::string(e.what()),
                     std::string("simulation.paths = 0 is out of range [1, 1000000]"));
        }
    }

    void otherFieldTypes() {
        SchemaField flag;
        flag.key = "show_mean";
        flag.type = FieldType::Boolean;
        flag.defaultNumber = 1;
        SchemaField title;
        title.key = "title";
        title.type = FieldType::Text;
        title.defaultText = "untitled";
        const Schema schema("view", {flag, title});
        QCOMPARE(schema.defaults(), json({{"show_mean", true}, {"title", "untitled"}}));
        QCOMPARE(schema.validate({{"show_mean", false}}, "v").at("show_mean"), json(false));
        QVERIFY_THROWS_EXCEPTION(ConfigError, schema.validate({{"show_mean", 1}}, "v"));
        QVERIFY_THROWS_EXCEPTION(ConfigError, schema.validate({{"title", 1}}, "v"));
        QVERIFY(schema.find("title") != nullptr);
        QVERIFY(schema.find("nope") == nullptr);
    }

    // The schema is what forms and tooltips are generated from: every field must be usable.
    void simulationFieldsAreComplete() {
        for (const auto& field : simulationSchema().fields()) {
            const QByteArray key = QByteArray::fromStdString(field.key);
            QVERIFY2(!field.label.empty(), key);
            QVERIFY2(field.help.size() > 40, key);
            if (field.type == FieldType::Integer || field.type == FieldType::Real) {
                QVERIFY2(field.min <= field.defaultNumber && field.defaultNumber <= field.max, key);
            }
            if (field.type == FieldType::Choice) {
                QVERIFY2(std::find(field.choices.begin(), field.choices.end(), field.defaultText) !=
                             field.choices.end(),
                         key);
            }
        }
        const std::vector<std::string> expected = {"paths",  "steps",       "t0",
                                                   "t1",     "saved_times", "seed",
                                                   "solver", "threads",     "drawn_paths"};
        for (const auto& key : expected) QVERIFY2(simulationSchema().find(key), key.c_str());
        QVERIFY(contains(simulationSchema().find("solver")->help, "Stratonovich"));
    }

    void suggestions() {
        QCOMPARE(suggestClosest("pathz", {"paths", "steps"}), std::string("paths"));
        QCOMPARE(suggestClosest("zzzzzzzz", {"paths", "steps"}), std::string());
    }
};

QTEST_GUILESS_MAIN(TestSchema)
#include "test_schema.moc"
