#include "core/trajectories/trajectory_config.h"
#include "core/trajectories/trajectory_headless.h"
#include "core/trajectories/trajectory_run.h"

#include <nlohmann/json.hpp>

#include <QtTest/QtTest>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

using namespace driftlab::core;
using nlohmann::json;

namespace {

std::vector<std::string> readLines(const std::string& path) {
    std::ifstream in(path);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

std::vector<std::string> split(const std::string& line) {
    std::vector<std::string> cells;
    std::stringstream stream(line);
    for (std::string cell; std::getline(stream, cell, ',');) cells.push_back(cell);
    return cells;
}

json readJson(const std::string& path) {
    std::ifstream in(path);
    return json::parse(in);
}

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) out += "," + item;
    return out;
}

struct Run {
    int exitCode = -1;
    std::string progress;
    std::string err;
};

Run runInto(const TrajectoryConfig& config, const QString& dir, bool bar = true) {
    std::ostringstream progress, err;
    Run run;
    run.exitCode = runHeadless(config, {dir.toStdString(), bar}, progress, err);
    run.progress = progress.str();
    run.err = err.str();
    return run;
}

}  // namespace

class TestHeadless : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void everyPresetWritesTheFourFiles_data() {
        QTest::addColumn<QString>("id");
        for (const auto& id : presetIds()) {
            QTest::newRow(id.c_str()) << QString::fromStdString(id);
        }
    }

    void everyPresetWritesTheFourFiles() {
        QFETCH(QString, id);
        TrajectoryConfig config = *findPreset(id.toStdString());
        // Fewer paths and saved times keep the suite fast; steps stay as shipped, since they
        // are what keeps the stiffer presets (Lorenz, Van der Pol) stable.
        config.simulation.paths = std::min(config.simulation.paths, 60);
        config.simulation.savedTimes = std::min(config.simulation.savedTimes, 101);
        config.simulation.drawnPaths = std::min(config.simulation.drawnPaths, 7);
        QTemporaryDir tmp;
        const QString out = tmp.filePath("out/nested");  // runHeadless creates it
        const Run run = runInto(config, out);
        QVERIFY2(run.exitCode == 0, run.err.c_str());
        QCOMPARE(run.err, std::string());

        const std::string dir = out.toStdString() + "/";
        const json summary = readJson(dir + "summary.json");
        const int saved = summary.at("saved_times").get<int>();
        QVERIFY(saved >= 2 && saved <= config.simulation.savedTimes);
        const int dim = config.equation.dimension();
        const auto& vars = config.equation.variables;

        const auto paths = readLines(dir + "paths.csv");
        QCOMPARE(paths.front(), "time,path" + join(vars));
        // An ODE method solves the one deterministic path once.
        const int drawn = isOdeSolverId(config.simulation.solver) ? 1 : 7;
        QCOMPARE(static_cast<int>(paths.size()), 1 + drawn * saved);
        for (std::size_t i = 1; i < paths.size(); ++i) {
            QCOMPARE(static_cast<int>(split(paths[i]).size()), 2 + dim);
        }
        QCOMPARE(split(paths[1])[0], std::string("0"));  // starts at t0
        QCOMPARE(std::stod(split(paths[1])[2]), config.equation.initial[0]);

        const auto quantiles = readLines(dir + "quantiles.csv");
        QCOMPARE(quantiles.front(), std::string("time,component,mean,q05,q25,q50,q75,q95"));
        QCOMPARE(static_cast<int>(quantiles.size()), 1 + saved * dim);
        for (std::size_t i = 1; i < quantiles.size(); ++i) {
            const auto cells = split(quantiles[i]);
            QCOMPARE(static_cast<int>(cells.size()), 8);
            QCOMPARE(cells[1], vars[(i - 1) % dim]);
            const double q05 = std::stod(cells[3]), q50 = std::stod(cells[5]),
                         q95 = std::stod(cells[7]);
            QVERIFY2(q05 <= q50 && q50 <= q95, quantiles[i].c_str());
        }

        QCOMPARE(summary.at("experiment").get<std::string>(), std::string("trajectories"));
        QCOMPARE(summary.at("equation").get<std::string>(), config.equation.name);
        QCOMPARE(summary.at("settings").at("seed").get<std::uint64_t>(), config.simulation.seed);
        QCOMPARE(summary.at("settings").at("paths").get<int>(), config.simulation.paths);
        QVERIFY(!summary.at("solver").at("name").get<std::string>().empty());
        QCOMPARE(summary.at("solver").at("calculus").get<std::string>(),
                 std::string(isOdeSolverId(config.simulation.solver) ? "ODE" : "Ito"));
        QVERIFY(summary.at("wall_seconds").get<double>() >= 0.0);
        QVERIFY(summary.at("nfe").at("drift").get<long long>() > 0);
        QCOMPARE(summary.at("non_finite_paths").get<int>(), 0);
        QCOMPARE(static_cast<int>(summary.at("final").at("mean").size()), dim);
        QCOMPARE(static_cast<int>(summary.at("final").at("std").size()), dim);
        if (isOdeSolverId(config.simulation.solver)) {
            QCOMPARE(summary.at("final").at("std")[0].get<double>(), 0.0);
            QVERIFY(summary.contains("final_state"));
            QVERIFY(summary.at("solver_diagnostics").at("accepted_steps").get<long>() > 0);
        } else {
            QVERIFY(summary.at("final").at("std")[0].get<double>() > 0.0);
            QVERIFY(!summary.contains("final_state"));  // only for ODEs
        }

        const TrajectoryConfig written = loadTrajectoryConfig(dir + "config.json");
        QCOMPARE(toJsonText(written), toJsonText(config));

        QVERIFY(run.progress.find("100%") != std::string::npos);
        // An ODE solve has no path·steps rate to show.
        QCOMPARE(run.progress.find("path\u00b7steps/s") != std::string::npos,
                 !isOdeSolverId(config.simulation.solver));
        QCOMPARE(run.progress.back(), '\n');
    }

    void odeFinalStateMatchesTheSolution() {
        const TrajectoryConfig config = parseTrajectoryConfig(R"({
            "experiment": "trajectories",
            "equation": {"name": "decay", "drift": ["-x"], "initial": [1.0]},
            "simulation": {"paths": 4, "steps": 1000, "t1": 1.0, "saved_times": 11}})",
                                                              "decay.json");
        QTemporaryDir tmp;
        const Run run = runInto(config, tmp.path(), false);
        QVERIFY2(run.exitCode == 0, run.err.c_str());
        QCOMPARE(run.progress, std::string());  // no bar when switched off
        const json summary = readJson(tmp.filePath("summary.json").toStdString());
        QCOMPARE(summary.at("deterministic").get<bool>(), true);
        const double x1 = summary.at("final_state").at(0).get<double>();
        QVERIFY2(std::abs(x1 - std::exp(-1.0)) < 1e-3, std::to_string(x1).c_str());
        QCOMPARE(summary.at("solver_stats").at("steps").get<long long>(), 1000LL);
        QVERIFY(summary.at("solver_stats").at("nfe").get<long long>() >= 1000);
        QCOMPARE(summary.at("final").at("std").at(0).get<double>(), 0.0);
        QCOMPARE(static_cast<int>(readLines(tmp.filePath("paths.csv").toStdString()).size()),
                 1 + 4 * summary.at("saved_times").get<int>());
    }

    void divergingPathsAreReportedNotFatal() {
        // dx = x^2 from x0 = 1 blows up at t = 1.
        const TrajectoryConfig config = parseTrajectoryConfig(R"({
            "experiment": "trajectories",
            "equation": {"name": "blow-up", "drift": ["x^2"], "initial": [1.0]},
            "simulation": {"paths": 5, "steps": 2000, "t1": 2.0, "saved_times": 21}})",
                                                              "blowup.json");
        QTemporaryDir tmp;
        const Run run = runInto(config, tmp.path(), false);
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.err.rfind("driftlab: warning: 5 of 5 paths became NaN or infinite", 0) == 0,
                 run.err.c_str());
        const json summary = readJson(tmp.filePath("summary.json").toStdString());
        QCOMPARE(summary.at("non_finite_paths").get<int>(), 5);
        const double firstTime = summary.at("first_non_finite").at("time").get<double>();
        QVERIFY2(firstTime > 0.9 && firstTime < 1.1, std::to_string(firstTime).c_str());
        QVERIFY(summary.at("final").at("mean").at(0).is_null());
        // Non-finite paths are not drawn, exactly as in the GUI.
        QCOMPARE(readLines(tmp.filePath("paths.csv").toStdString()).size(), std::size_t(1));
    }

    void sameSeedSameNumbers() {
        TrajectoryConfig config = *findPreset("ou");
        config.simulation.paths = 50;
        config.simulation.savedTimes = 20;
        QTemporaryDir a, b;
        QCOMPARE(runInto(config, a.path(), false).exitCode, 0);
        config.simulation.threads = 1;
        QCOMPARE(runInto(config, b.path(), false).exitCode, 0);
        QCOMPARE(readLines(a.filePath("paths.csv").toStdString()),
                 readLines(b.filePath("paths.csv").toStdString()));
    }

    void unwritableOutputIsOneErrorLine() {
        QTemporaryDir tmp;
        const QString blocker = tmp.filePath("file");
        QFile file(blocker);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.close();
        TrajectoryConfig config = *findPreset("ou");
        config.simulation.paths = 10;
        const Run run = runInto(config, blocker + "/out");
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.rfind("driftlab: error: ", 0) == 0, run.err.c_str());
        QCOMPARE(std::count(run.err.begin(), run.err.end(), '\n'), 1L);
    }
};

QTEST_GUILESS_MAIN(TestHeadless)
#include "test_headless.moc"
