// Time-series config: the schema refuses each absurd setting with a message naming the key,
// JSON round trip and atomic save, the shipped presets, and the data the config builds
// (synthetic sets, windowed real series, classification mixes, dropped cells).
#include <QtTest>

#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <set>

#include "core/common/error.h"
#include "core/timeseries/timeseries_config.h"

using namespace driftlab::core;
using nlohmann::json;

namespace {

std::string refusal(const json& patch, const std::string& context = {}) {
    try {
        timeSeriesConfigFromJson(patch, context);
    } catch (const driftlab::ConfigError& e) {
        return e.what();
    }
    return {};
}

bool contains(const std::string& text, const std::string& needle) {
    return text.find(needle) != std::string::npos;
}

}  // namespace

class TestTimeseriesConfig : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void defaultsAreValidAndRoundTrip() {
        const auto config = timeSeriesConfigFromJson(json::object(), "");
        QCOMPARE(config.data.source, TimeSeriesSource::Generator);
        QCOMPARE(config.model.kind, driftlab::core::models::SeriesModelKind::Langevin);
        QCOMPARE(config.model.driftWidths.size(), std::size_t(2));
        // Round trip of a non-default config through the file form.
        json patch = {{"dataset", "van_der_pol"},     {"model", "ode"},      {"adaptive", true},
                      {"error_regularization", 0.02}, {"local_points", 3},   {"drift_depth", 3},
                      {"task", "interpolation"},      {"missing_rate", 0.5}, {"training_seed", 9}};
        const auto a = timeSeriesConfigFromJson(patch, "");
        const auto b = parseTimeSeriesConfig(toJsonText(a), "round trip");
        QCOMPARE(timeSeriesValues(b), timeSeriesValues(a));
        QCOMPARE(b.model.driftWidths.size(), std::size_t(3));
        QCOMPARE(b.model.localRegularizationPoints, 3);
        QCOMPARE(b.data.generatorOptions.missingRate, 0.5);
        QCOMPARE(b.task.task, TimeSeriesTask::Interpolation);
        QCOMPARE(b.model.seed, std::uint64_t(9));
        // The file form and the flat form read the same.
        QCOMPARE(timeSeriesValues(timeSeriesConfigFromJson(toJson(a), "")), timeSeriesValues(a));
    }

    void refusesAbsurdSettingsNamingTheKey_data() {
        QTest::addColumn<QString>("patch");
        QTest::addColumn<QString>("needle");
        const auto row = [](const char* name, const char* patch, const char* needle) {
            QTest::newRow(name) << QString(patch) << QString(needle);
        };
        row("billion steps", R"({"dt": 1e-8})",
            "timeseries.dt = 1e-08 would take 1e+09 steps per window");
        row("zero paths", R"({"paths": 0})", "timeseries.paths = 0 is out of range [1, 4096]");
        row("negative rtol", R"({"rtol": -1e-4})", "timeseries.rtol = -0.0001 is out of range");
        row("negative atol", R"({"atol": -1})", "timeseries.atol = -1 is out of range");
        row("missing > 0.9", R"({"missing_rate": 0.95})",
            "timeseries.missing_rate = 0.95 is out of range [0, 0.9]");
        row("zero iterations", R"({"iterations": 0})", "timeseries.iterations = 0 is out of range");
        row("fractional batch", R"({"batch": 2.5})", "timeseries.batch: expected an integer");
        row("negative lr", R"({"learning_rate": -0.01})",
            "timeseries.learning_rate = -0.01 is out of range");
        row("typo key", R"({"pathz": 4})",
            "unknown key \"pathz\" in timeseries (did you mean \"paths\"?)");
        row("typo model", R"({"model": "lsdee"})",
            "unknown choice \"lsdee\" (did you mean \"lsde\"?)");
        row("elbo ode", R"({"model": "ode", "objective": "elbo"})",
            "timeseries.objective = elbo needs an SDE model");
        row("adaptive sde", R"({"model": "gsde", "adaptive": true})",
            "timeseries.adaptive = true needs model = ode");
        row("reg without adaptive", R"({"model": "ode", "error_regularization": 0.1})",
            "timeseries.error_regularization > 0 needs adaptive = true");
        row("stiffness without adaptive", R"({"model": "ode", "stiffness_regularization": 0.1})",
            "timeseries.stiffness_regularization > 0 needs adaptive = true");
        row("local without reg", R"({"model": "ode", "adaptive": true, "local_points": 5})",
            "timeseries.local_points = 5 has nothing to localise");
        row("classify real", R"({"dataset": "sunspots", "task": "classification"})",
            "timeseries.task = classification needs labelled series");
        row("csv without path", R"({"dataset": "csv"})", "timeseries.csv_path is empty");
        row("no test series", R"({"train_fraction": 0.8, "validation_fraction": 0.2})",
            "timeseries.validation_fraction = 0.2 leaves no test series");
        row("iteration too big", R"({"batch": 4096, "paths": 4096, "dt": 0.01})",
            "solver steps per iteration (at most 2e+08)");
        row("dataset too big", R"({"series_count": 100000, "observations": 100000})",
            "timeseries.series_count = 100000 x observations = 100000 is 1e+10 cells");
        row("encoder reads more than exists", R"({"observations": 5, "encoder_observations": 8})",
            "timeseries.encoder_observations = 8 exceeds the 5 observations");
        row("not a timeseries file", R"({"experiment": "trajectories"})",
            "is not a time-series config (expected \"timeseries\")");
    }
    void refusesAbsurdSettingsNamingTheKey() {
        QFETCH(QString, patch);
        QFETCH(QString, needle);
        const std::string message = refusal(json::parse(patch.toStdString()));
        QVERIFY2(!message.empty(), ("accepted " + patch.toStdString()).c_str());
        QVERIFY2(contains(message, needle.toStdString()),
                 ("message: " + message + "\nexpected: " + needle.toStdString()).c_str());
    }

    void messagesNameTheFile() {
        try {
            parseTimeSeriesConfig(R"({"experiment": "timeseries", "timeseries": {"paths": 0}})",
                                  "my.json");
            QFAIL("accepted paths = 0");
        } catch (const driftlab::ConfigError& e) {
            QCOMPARE(std::string(e.what()).rfind("my.json: timeseries.paths = 0", 0),
                     std::size_t(0));
        }
        try {
            parseTimeSeriesConfig("{\"timeseries\": ", "broken.json");
            QFAIL("accepted broken JSON");
        } catch (const driftlab::ConfigError& e) {
            QVERIFY(contains(e.what(), "broken.json: not valid JSON"));
        }
        try {
            parseTimeSeriesConfig(R"({"experiment": "timeseries", "timeseries": {}, "extra": 1})",
                                  "x.json");
            QFAIL("accepted an extra top-level key");
        } catch (const driftlab::ConfigError& e) {
            QVERIFY2(contains(e.what(), "unknown key \"extra\""), e.what());
        }
    }

    void savesAtomicallyAndLoadsBack() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const std::string path = dir.filePath("run.json").toStdString();
        auto config = timeSeriesConfigFromJson(json{{"model", "lnsde"}, {"latent_dim", 2}}, "");
        saveTimeSeriesConfig(path, config);
        QCOMPARE(timeSeriesValues(loadTimeSeriesConfig(path)), timeSeriesValues(config));
        // A save into a missing directory fails with a message and leaves the old file alone.
        bool threw = false;
        try {
            saveTimeSeriesConfig(dir.filePath("missing/run.json").toStdString(), config);
        } catch (const driftlab::Error& e) {
            threw = contains(e.what(), "cannot save");
        }
        QVERIFY(threw);
        QCOMPARE(loadTimeSeriesConfig(path).model.latentDim, driftlab::core::nn::Index(2));
        try {
            loadTimeSeriesConfig(dir.filePath("absent.json").toStdString());
            QFAIL("loaded a missing file");
        } catch (const driftlab::ConfigError& e) {
            QVERIFY(contains(e.what(), "cannot open"));
        }
    }

    void presetsLoadAndBuildTheirData() {
        const auto ids = timeSeriesPresetIds();
        QVERIFY(ids.size() >= 4);
        for (const auto& id : ids) {
            const TimeSeriesConfig* preset = findTimeSeriesPreset(id);
            QVERIFY(preset != nullptr);
            const auto data = buildTimeSeriesData(*preset);
            QVERIFY2(data.split.train.size() >= 3 && !data.split.test.empty(), id.c_str());
        }
        QVERIFY(findTimeSeriesPreset("ou") == nullptr);  // trajectory presets are not mixed in
        QCOMPARE(timeSeriesValues(resolveTimeSeriesConfig("ou_forecasting")),
                 timeSeriesValues(*findTimeSeriesPreset("ou_forecasting")));
        try {
            resolveTimeSeriesConfig("no_such_preset");
            QFAIL("resolved an unknown id");
        } catch (const driftlab::ConfigError& e) {
            QVERIFY(contains(e.what(), "neither a file nor a time-series preset"));
            QVERIFY(contains(e.what(), "ou_forecasting"));
        }
    }

    void syntheticDataSplitsDisjointly() {
        const auto config = timeSeriesConfigFromJson(
            json{{"series_count", 40}, {"observations", 30}, {"missing_rate", 0.5}, {"seed", 3}},
            "");
        const auto data = buildTimeSeriesData(config);
        QCOMPARE(data.dataset.size(), std::size_t(40));
        QCOMPARE(data.tasks.size(), std::size_t(40));
        std::set<std::size_t> all;
        for (const auto* part : {&data.split.train, &data.split.validation, &data.split.test})
            all.insert(part->begin(), part->end());
        QCOMPARE(all.size(), std::size_t(40));
        QCOMPARE(data.split.train.size(), std::size_t(28));
        // One channel: a dropped cell removes its time, so the series get shorter.
        long kept = 0;
        for (const auto& s : data.dataset.series()) kept += s.observedCount();
        QVERIFY(std::abs(double(kept) / (40.0 * 30.0) - 0.5) < 0.05);
        QCOMPARE(data.classes, 0);
        // Forecasting: every target lies after every context cell of the same series.
        for (std::size_t i = 0; i < data.dataset.size(); ++i) {
            const auto& s = data.dataset[i];
            double lastContext = -1.0, firstTarget = 1e300;
            for (Eigen::Index j = 0; j < s.length(); ++j) {
                if (data.tasks[i].context.col(j).any()) lastContext = s.times[std::size_t(j)];
                if (data.tasks[i].target.col(j).any())
                    firstTarget = std::min(firstTarget, s.times[std::size_t(j)]);
            }
            QVERIFY(lastContext < firstTarget);
        }
    }

    void realSeriesAreWindowedAndStandardized() {
        auto config = timeSeriesConfigFromJson(json{{"dataset", "sunspots"},
                                                    {"window_observations", 40},
                                                    {"window_stride", 10},
                                                    {"length", 4.0}},
                                               "");
        const auto data = buildTimeSeriesData(config);
        // 309 yearly rows: windows start at rows 0, 10, ..., 260.
        QCOMPARE(data.dataset.size(), std::size_t(27));
        double sum = 0.0, sumSq = 0.0;
        long n = 0;
        for (const auto& s : data.dataset.series()) {
            QCOMPARE(s.length(), Eigen::Index(40));
            QCOMPARE(s.times.front(), 0.0);
            QVERIFY(std::abs(s.times.back() - 4.0) < 1e-12);
            for (Eigen::Index j = 0; j < s.length(); ++j) {
                sum += s.values(0, j);
                sumSq += s.values(0, j) * s.values(0, j);
                ++n;
            }
        }
        // Overlapping windows weight the rows unevenly, so only roughly standard.
        QVERIFY(std::abs(sum / double(n)) < 0.2);
        QVERIFY(std::abs(sumSq / double(n) - 1.0) < 0.3);
        QVERIFY(data.offset(0) > 40.0 && data.offset(0) < 60.0);  // mean yearly sunspots ~49.8

        config.data.generatorOptions.missingRate = 0.5;
        const auto sparse = buildTimeSeriesData(config);
        long kept = 0;
        for (const auto& s : sparse.dataset.series()) kept += s.observedCount();
        QVERIFY(std::abs(double(kept) / (27.0 * 40.0) - 0.5) < 0.05);

        // A CSV file reads like the built-in copy of the same data.
        auto csv = timeSeriesConfigFromJson(
            json{{"dataset", "csv"},
                 {"csv_path", DRIFTLAB_SOURCE_DIR "/resources/datasets/co2_mauna_loa_weekly.csv"},
                 {"window_observations", 200},
                 {"window_stride", 200}},
            "");
        const auto fromFile = buildTimeSeriesData(csv);
        csv.data.source = TimeSeriesSource::Builtin;
        csv.data.builtin = "co2";
        const auto builtin = buildTimeSeriesData(csv);
        QCOMPARE(fromFile.dataset.size(), std::size_t(2284 / 200));
        QCOMPARE(builtin.dataset.size(), fromFile.dataset.size());
        const auto& a = builtin.dataset[3];
        const auto& b = fromFile.dataset[3];
        QVERIFY(a.times == b.times);
        QVERIFY((a.observed == b.observed).all());
        for (Eigen::Index j = 0; j < a.length(); ++j)
            if (a.observed(0, j)) QCOMPARE(a.values(0, j), b.values(0, j));

        csv.data.source = TimeSeriesSource::Csv;
        csv.data.csvPath = "/nonexistent/file.csv";
        bool refused = false;
        try {
            buildTimeSeriesData(csv);
        } catch (const driftlab::ConfigError&) {
            refused = true;
        }
        QVERIFY(refused);
    }

    void classificationLabelsBySystem() {
        const auto ou = buildTimeSeriesData(timeSeriesConfigFromJson(
            json{{"dataset", "ou"}, {"task", "classification"}, {"series_count", 40}}, ""));
        QCOMPARE(ou.classes, 2);  // ou and double-well, the one-channel systems
        QCOMPARE(ou.dataset.name(), std::string("ou+double_well"));
        int ones = 0;
        for (const auto& s : ou.dataset.series()) ones += s.label;
        QCOMPARE(ones, 20);
        for (const auto& task : ou.tasks) QCOMPARE(task.target.count(), Eigen::Index(0));

        const auto lv = buildTimeSeriesData(timeSeriesConfigFromJson(
            json{{"dataset", "van_der_pol"}, {"task", "classification"}, {"series_count", 30}},
            ""));
        QCOMPARE(lv.classes, 2);  // Lotka-Volterra and Van der Pol
        QCOMPARE(lv.dataset.channels(), Eigen::Index(2));

        const auto spirals = buildTimeSeriesData(timeSeriesConfigFromJson(
            json{{"dataset", "spirals"}, {"task", "classification"}, {"series_count", 40}}, ""));
        QCOMPARE(spirals.classes, 2);
        std::set<int> labels;
        for (const auto& s : spirals.dataset.series()) labels.insert(s.label);
        QCOMPARE(labels, (std::set<int>{0, 1}));
    }
};

QTEST_GUILESS_MAIN(TestTimeseriesConfig)
#include "test_timeseries_config.moc"
