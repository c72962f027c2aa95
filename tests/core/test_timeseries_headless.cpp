// Headless time-series runs: every output file is written with finite numbers and consistent
// shapes, the model file loads back into the same architecture, presets run by id, and bad
// configs are refused with exit code 1 and one line naming the problem.
#include <QtTest>

#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/nn/serialization.h"
#include "core/timeseries/timeseries_config.h"
#include "core/timeseries/timeseries_headless.h"
#include "core/timeseries/timeseries_training.h"

using namespace driftlab::core;
using nlohmann::json;

namespace {

std::string readText(const std::string& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::vector<std::vector<std::string>> readCsv(const std::string& path) {
    std::vector<std::vector<std::string>> rows;
    std::istringstream lines(readText(path));
    std::string line;
    while (std::getline(lines, line)) {
        std::vector<std::string> cells;
        std::string cell;
        std::istringstream parts(line);
        while (std::getline(parts, cell, ',')) cells.push_back(cell);
        if (!line.empty() && line.back() == ',') cells.emplace_back();
        rows.push_back(cells);
    }
    return rows;
}

void writeText(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

const json kSmallRun = {{"dataset", "spirals"}, {"series_count", 16},  {"observations", 12},
                        {"length", 3.0},        {"dt", 0.1},           {"model", "lsde"},
                        {"latent_dim", 2},      {"drift_width", 12},   {"diffusion_width", 6},
                        {"encoder_width", 12},  {"iterations", 12},    {"batch", 4},
                        {"paths", 4},           {"validate_every", 5}, {"display_series", 2},
                        {"forecast_paths", 6},  {"missing_rate", 0.3}};

}  // namespace

class TestTimeseriesHeadless : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void writesEveryFileWithFiniteNumbers() {
        QTemporaryDir dir;
        const std::string configPath = dir.filePath("run.json").toStdString();
        writeText(configPath, json{{"experiment", "timeseries"}, {"timeseries", kSmallRun}}.dump());
        const std::string out = dir.filePath("out").toStdString();
        std::ostringstream progress, err;
        const int code = runTimeSeriesHeadless(configPath, {out, true}, progress, err);
        QVERIFY2(code == 0, err.str().c_str());
        QVERIFY(err.str().empty());
        QVERIFY(progress.str().find("results written to") != std::string::npos);

        const json metrics = json::parse(readText(out + "/metrics.json"));
        QCOMPARE(metrics["iterations"].get<long>(), 12L);
        QCOMPARE(metrics["model"].get<std::string>(), std::string("lsde"));
        QCOMPARE(metrics["diverged"].get<bool>(), false);
        for (const char* key : {"mse", "nll"}) QVERIFY(metrics["test"][key].is_number());
        QVERIFY(metrics["test"]["accuracy"].is_null());
        const double persistence = metrics["baselines"]["persistence_mse"].get<double>();
        const double linear = metrics["baselines"]["linear_interpolation_mse"].get<double>();
        QVERIFY(persistence > 0.0 && std::isfinite(persistence));
        QCOMPARE(linear, persistence);  // forecasting: linear interpolation holds the last value
        QVERIFY(metrics["nfe"]["total"].get<long>() > 0);
        QVERIFY(metrics["wall_seconds"].get<double>() > 0.0);
        QCOMPARE(metrics["series"]["train"].get<long>() +
                     metrics["series"]["validation"].get<long>() +
                     metrics["series"]["test"].get<long>(),
                 16L);

        const auto loss = readCsv(out + "/loss.csv");
        QCOMPARE(loss.size(), std::size_t(13));
        QCOMPARE(loss[0].front(), std::string("iteration"));
        QCOMPARE(loss[0].back(), std::string("gradient_norm"));
        for (std::size_t r = 1; r < loss.size(); ++r) {
            QCOMPARE(loss[r].size(), loss[0].size());
            QCOMPARE(std::stol(loss[r][0]), long(r));
            for (const auto& cell : loss[r]) QVERIFY2(std::isfinite(std::stod(cell)), cell.c_str());
        }
        QCOMPARE(readCsv(out + "/validation.csv").size(), std::size_t(1 + 3));  // 5, 10, 12

        const auto heat = readCsv(out + "/error_heatmap.csv");
        QCOMPARE(heat.size(), std::size_t(13));
        QCOMPARE(heat[0].size(), std::size_t(65));
        long finiteCells = 0;
        for (std::size_t r = 1; r < heat.size(); ++r)
            for (std::size_t c = 1; c < heat[r].size(); ++c)
                if (!heat[r][c].empty()) finiteCells += std::isfinite(std::stod(heat[r][c]));
        QVERIFY(finiteCells > 12 * 32);

        const auto forecasts = readCsv(out + "/forecasts.csv");
        long grid = 0, observations = 0, targets = 0, missing = 0;
        for (std::size_t r = 1; r < forecasts.size(); ++r) {
            const auto& row = forecasts[r];
            QCOMPARE(row.size(), forecasts[0].size());
            if (row[2] == "grid") {
                ++grid;
                QVERIFY(std::isfinite(std::stod(row[7])));                // mean
                QVERIFY(std::stod(row[8]) <= std::stod(row[9]) + 1e-12);  // q05 <= q95
            } else {
                ++observations;
                targets += row[6] == "target";
                missing += row[6] == "missing";
                QCOMPARE(row[5].empty(), row[6] == "missing");  // a missing cell has no value
            }
        }
        QCOMPARE(grid, 2L * 120 * 2);  // two series, 120 grid times, two channels
        QVERIFY(observations > 0 && targets > 0 && missing > 0);

        // The model file loads into the same architecture and holds the trained weights.
        TimeSeriesTrainer fresh(timeSeriesConfigFromJson(kSmallRun, ""));
        const Eigen::VectorXd theta =
            driftlab::core::nn::loadParameters<double>(out + "/model.bin", fresh.architecture());
        QCOMPARE(theta.size(), fresh.parameters().size());
        QVERIFY(theta.allFinite());
        QVERIFY(!(theta == fresh.parameters()));

        QCOMPARE(timeSeriesValues(loadTimeSeriesConfig(out + "/config.json")),
                 timeSeriesValues(timeSeriesConfigFromJson(kSmallRun, "")));
    }

    void refusesBadConfigsWithOneLine() {
        QTemporaryDir dir;
        const std::string configPath = dir.filePath("bad.json").toStdString();
        writeText(configPath, R"({"experiment": "timeseries", "timeseries": {"paths": 0}})");
        std::ostringstream progress, err;
        QCOMPARE(runTimeSeriesHeadless(configPath, {dir.filePath("out").toStdString(), false},
                                       progress, err),
                 1);
        const std::string line = err.str();
        QVERIFY2(line.find("timeseries.paths = 0 is out of range") != std::string::npos,
                 line.c_str());
        QCOMPARE(std::count(line.begin(), line.end(), '\n'), 1L);
        QVERIFY(!std::filesystem::exists(dir.filePath("out/metrics.json").toStdString()));

        std::ostringstream err2;
        QCOMPARE(runTimeSeriesHeadless("no_such_preset", {dir.filePath("o2").toStdString(), false},
                                       progress, err2),
                 1);
        QVERIFY(err2.str().find("neither a file nor a time-series preset") != std::string::npos);

        // A CSV that does not load is named with its path.
        writeText(configPath, json{{"dataset", "csv"}, {"csv_path", "/nonexistent/x.csv"}}.dump());
        std::ostringstream err3;
        QCOMPARE(runTimeSeriesHeadless(configPath, {dir.filePath("o3").toStdString(), false},
                                       progress, err3),
                 1);
        QVERIFY2(err3.str().find("/nonexistent/x.csv") != std::string::npos, err3.str().c_str());
    }
};

QTEST_GUILESS_MAIN(TestTimeseriesHeadless)
#include "test_timeseries_headless.moc"
