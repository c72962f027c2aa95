// The experiment-family registry: one row per family, each resolving its presets to configs
// its own loader accepts, each headless entry refusing a bad config with a non-zero exit and
// one line, and unknown ids refused.
#include "core/diffusion/diffusion_headless.h"
#include "core/experiment/family_registry.h"
#include "core/experiment/schema.h"
#include "core/timeseries/timeseries_config.h"
#include "core/trajectories/trajectory_config.h"

#include <nlohmann/json.hpp>

#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

using namespace driftlab::core;
using nlohmann::json;

namespace {

struct Outcome {
    int code = -1;
    std::string progress, err;
};

Outcome runHeadlessOf(const ExperimentFamily& family, const std::string& config,
                      const std::string& outDir) {
    std::ostringstream progress, err;
    Outcome outcome;
    outcome.code = family.headless(config, {outDir, true}, progress, err);
    outcome.progress = progress.str();
    outcome.err = err.str();
    return outcome;
}

std::string writeFile(const QTemporaryDir& dir, const std::string& name, const std::string& text) {
    const std::string path = dir.filePath(QString::fromStdString(name)).toStdString();
    std::ofstream(path) << text;
    return path;
}

// The family's own loader must take the preset's text: a preset that only the registry can
// show would be a listing, not a preset.
void loadWithFamilyLoader(const std::string& family, const std::string& text,
                          const std::string& id) {
    if (family == "trajectories")
        parseTrajectoryConfig(text, id);
    else if (family == "timeseries")
        parseTimeSeriesConfig(text, id);
    else if (family == "diffusion")
        diffusionPlanFromJson(json::parse(text), id);
    else
        QFAIL(("no loader known for family " + family).c_str());
}

}  // namespace

class TestFamilyRegistry : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void listsTheThreeFamiliesOnce() {
        std::vector<std::string> ids;
        for (const auto& family : experimentFamilies()) ids.push_back(family.id);
        QCOMPARE(ids, (std::vector<std::string>{"trajectories", "diffusion", "timeseries"}));
        QCOMPARE(experimentFamilyIds(), std::string("trajectories, diffusion, timeseries"));
        for (const auto& family : experimentFamilies()) {
            QCOMPARE(findExperimentFamily(family.id), &family);
            QVERIFY(!family.title.empty());
            QVERIFY(!family.schemas.empty());
            for (const Schema* schema : family.schemas) {
                QVERIFY(schema != nullptr);
                QVERIFY(!schema->fields().empty());
            }
            QVERIFY(bool(family.presetIds) && bool(family.presetText) && bool(family.headless));
        }
    }

    void unknownIdsAreRefused() {
        QCOMPARE(findExperimentFamily("fields"), nullptr);
        QCOMPARE(findExperimentFamily(""), nullptr);
        QCOMPARE(findExperimentFamily("Trajectories"), nullptr);  // ids are exact
        for (const auto& family : experimentFamilies())
            QVERIFY(!family.presetText("no_such_preset").has_value());
    }

    void everyPresetResolves_data() {
        QTest::addColumn<QString>("family");
        QTest::addColumn<QString>("preset");
        for (const auto& family : experimentFamilies())
            for (const auto& id : family.presetIds())
                QTest::newRow((family.id + "/" + id).c_str())
                    << QString::fromStdString(family.id) << QString::fromStdString(id);
    }
    void everyPresetResolves() {
        QFETCH(QString, family);
        QFETCH(QString, preset);
        const ExperimentFamily* row = findExperimentFamily(family.toStdString());
        QVERIFY(row);
        const auto text = row->presetText(preset.toStdString());
        QVERIFY(text.has_value());
        const json document = json::parse(*text, nullptr, true, /*ignore_comments=*/true);
        QCOMPARE(document.at("experiment").get<std::string>(), family.toStdString());
        loadWithFamilyLoader(family.toStdString(), *text, preset.toStdString());
    }

    void everyShippedFileIsAPreset() {
        // resources/presets/<family id>/*.json are the family's presets, each one id: a file
        // missing from the list would be unreachable from the command line.
        for (const auto& family : experimentFamilies()) {
            std::set<std::string> files;
            const std::filesystem::path folder =
                std::filesystem::path(DRIFTLAB_SOURCE_DIR) / "resources/presets" / family.id;
            for (const auto& entry : std::filesystem::directory_iterator(folder))
                if (entry.path().extension() == ".json") files.insert(entry.path().stem().string());
            const auto ids = family.presetIds();
            QVERIFY2(files.size() >= 6, family.id.c_str());
            QCOMPARE(std::set<std::string>(ids.begin(), ids.end()), files);
            QCOMPARE(ids.size(), files.size());  // no id twice
        }
        // The trajectories' teaching order starts with the default experiment.
        QCOMPARE(findExperimentFamily("trajectories")->presetIds().front(), std::string("ou"));
    }

    void headlessRefusesABadConfig_data() {
        QTest::addColumn<QString>("family");
        for (const auto& family : experimentFamilies())
            QTest::newRow(family.id.c_str()) << QString::fromStdString(family.id);
    }
    void headlessRefusesABadConfig() {
        QFETCH(QString, family);
        const ExperimentFamily& row = *findExperimentFamily(family.toStdString());
        QTemporaryDir dir;
        const std::string out = dir.filePath("out").toStdString();

        const std::string bad =
            writeFile(dir, "bad.json", json{{"experiment", row.id}, {"bogus_key", 1}}.dump());
        Outcome outcome = runHeadlessOf(row, bad, out);
        QVERIFY2(outcome.code != 0, outcome.err.c_str());
        QVERIFY2(outcome.err.rfind("driftlab: error: ", 0) == 0, outcome.err.c_str());
        QVERIFY2(outcome.err.find("bogus_key") != std::string::npos, outcome.err.c_str());
        QCOMPARE(std::count(outcome.err.begin(), outcome.err.end(), '\n'), 1L);
        QCOMPARE(outcome.err.back(), '\n');

        const std::string broken = writeFile(dir, "broken.json", "{\"experiment\": ");
        outcome = runHeadlessOf(row, broken, out);
        QVERIFY2(outcome.code != 0, outcome.err.c_str());
        QCOMPARE(std::count(outcome.err.begin(), outcome.err.end(), '\n'), 1L);

        // Neither a file nor a preset: the message lists the family's presets.
        outcome = runHeadlessOf(row, "no_such_preset", out);
        QCOMPARE(outcome.code, 1);
        QCOMPARE(std::count(outcome.err.begin(), outcome.err.end(), '\n'), 1L);
        QVERIFY2(outcome.err.find("no_such_preset") != std::string::npos, outcome.err.c_str());
        QVERIFY2(outcome.err.find(row.presetIds().front()) != std::string::npos,
                 outcome.err.c_str());
    }

    void trajectoriesEntryRunsAFile() {
        // Dispatch end to end through a row: the trajectory files appear and the bar ends.
        QTemporaryDir dir;
        const std::string config = writeFile(dir, "decay.json", R"({
            "experiment": "trajectories",
            "equation": {"drift": ["-x"], "diffusion": ["0.1"], "initial": [1.0]},
            "simulation": {"paths": 20, "steps": 50, "saved_times": 11, "drawn_paths": 3}})");
        const std::string out = dir.filePath("out").toStdString();
        const Outcome outcome = runHeadlessOf(*findExperimentFamily("trajectories"), config, out);
        QVERIFY2(outcome.code == 0, outcome.err.c_str());
        for (const char* name : {"paths.csv", "quantiles.csv", "summary.json", "config.json"})
            QVERIFY2(QFileInfo::exists(QString::fromStdString(out + "/" + name)), name);
        QVERIFY(outcome.progress.find("100%") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestFamilyRegistry)
#include "test_family_registry.moc"
