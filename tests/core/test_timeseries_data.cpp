// Time-series data: generators (shapes, increasing irregular times, achieved missing rate,
// reproducible seeds), CSV import (good files, each kind of bad file with line and reason),
// the shipped real series, tasks and splits, and the baselines on a hand-made case.
#include <QtTest>

#include <cmath>
#include <set>

#include "core/common/error.h"
#include "core/timeseries/baselines.h"
#include "core/timeseries/csv_import.h"
#include "core/timeseries/generators.h"

using namespace driftlab::core::timeseries;

namespace {

void expectCsvError(const std::string& text, const std::string& needle1,
                    const std::string& needle2) {
    try {
        importCsv(text);
    } catch (const driftlab::ConfigError& e) {
        const std::string what = e.what();
        QVERIFY2(what.find(needle1) != std::string::npos && what.find(needle2) != std::string::npos,
                 what.c_str());
        return;
    }
    QFAIL(("accepted a bad file: " + text).c_str());
}

}  // namespace

class TestTimeseriesData : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void generatorsHaveTheRequestedShape() {
        for (int k = 0; k < 5; ++k) {
            const auto kind = GeneratorKind(k);
            GeneratorOptions o;
            o.seed = 7;
            o.seriesCount = 12;
            o.observations = 40;
            o.observationNoise = 0.05;
            const auto data = generate(kind, o);
            QCOMPARE(data.size(), std::size_t(12));
            QCOMPARE(data.channels(), generatorChannels(kind));
            QCOMPARE(generatorFromName(generatorName(kind)), kind);
            for (const auto& s : data.series()) {
                QCOMPARE(s.length(), Eigen::Index(40));
                QCOMPARE(s.times.front(), 0.0);
                QVERIFY(s.times.back() <= o.length);
                for (std::size_t j = 1; j < s.times.size(); ++j)
                    QVERIFY(s.times[j] > s.times[j - 1]);
                QVERIFY(s.observed.all());
                QVERIFY(s.values.allFinite());
            }
            // Irregular: not all series share one grid.
            QVERIFY(data[0].times != data[1].times);
        }
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError, generatorFromName("lorenz"));
    }

    void regularSamplingIsAnEvenGrid() {
        GeneratorOptions o;
        o.seriesCount = 2;
        o.observations = 11;
        o.irregular = false;
        const auto data = generate(GeneratorKind::VanDerPol, o);
        QCOMPARE(data[0].times, data[1].times);
        QVERIFY(std::abs(data[0].times[5] - 5.0) < 1e-12);
    }

    void missingRateIsAchieved() {
        for (double rate : {0.0, 0.3, 0.5, 0.7, 0.9}) {
            GeneratorOptions o;
            o.seed = 3;
            o.seriesCount = 40;
            o.observations = 100;
            o.missingRate = rate;
            const auto data = generate(GeneratorKind::Spirals, o);
            // Missing relative to the cells drawn (dropped times included).
            double observed = 0;
            for (const auto& s : data.series()) observed += double(s.observedCount());
            const double achieved = 1.0 - observed / (40.0 * 100.0 * 2.0);
            QVERIFY2(std::abs(achieved - rate) < 0.02,
                     qPrintable(QString("rate %1 achieved %2").arg(rate).arg(achieved)));
            for (const auto& s : data.series())
                for (Eigen::Index j = 0; j < s.length(); ++j) QVERIFY(s.observed.col(j).any());
        }
        GeneratorOptions bad;
        bad.missingRate = 0.95;
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError,
                                 generate(GeneratorKind::OrnsteinUhlenbeck, bad));
    }

    void seedsAreReproducible() {
        GeneratorOptions o;
        o.seed = 11;
        o.seriesCount = 5;
        o.missingRate = 0.3;
        o.observationNoise = 0.1;
        const auto a = generate(GeneratorKind::LotkaVolterra, o);
        const auto b = generate(GeneratorKind::LotkaVolterra, o);
        o.seriesCount = 3;
        const auto prefix = generate(GeneratorKind::LotkaVolterra, o);
        o.seed = 12;
        const auto other = generate(GeneratorKind::LotkaVolterra, o);
        for (std::size_t i = 0; i < 5; ++i) {
            QCOMPARE(a[i].times, b[i].times);
            QVERIFY((a[i].observed == b[i].observed).all());
            for (Eigen::Index j = 0; j < a[i].length(); ++j)
                for (Eigen::Index c = 0; c < 2; ++c)
                    if (a[i].observed(c, j)) QCOMPARE(a[i].values(c, j), b[i].values(c, j));
        }
        QCOMPARE(prefix[2].times, a[2].times);
        QVERIFY(other[0].times != a[0].times);
        // Lotka–Volterra populations stay positive (log-coordinate stepping).
        for (const auto& s : a.series())
            for (Eigen::Index j = 0; j < s.length(); ++j)
                for (Eigen::Index c = 0; c < 2; ++c)
                    if (s.observed(c, j)) QVERIFY(s.values(c, j) > -0.5);
    }

    void csvAcceptsGoodFiles() {
        const auto data = importCsv("time, a ,b\n0,1,2\n\n0.5, ,3\r\n2.25,\"4\",\n10,+5,-1e-3\n");
        QCOMPARE(data.size(), std::size_t(1));
        QCOMPARE(data.channels(), Eigen::Index(2));
        QCOMPARE(data.channelNames()[0], std::string("a"));
        const Series& s = data[0];
        QCOMPARE(s.times, (std::vector<double>{0, 0.5, 2.25, 10}));
        QVERIFY(!s.observed(0, 1) && std::isnan(s.values(0, 1)));
        QVERIFY(!s.observed(1, 2));
        QCOMPARE(s.values(0, 2), 4.0);
        QCOMPARE(s.values(0, 3), 5.0);
        QCOMPARE(s.values(1, 3), -1e-3);
        // Semicolons and a named time column that is not first.
        const auto semi = importCsv("v;t\n1;0\n2;3\n", {"t", "mine"});
        QCOMPARE(semi.name(), std::string("mine"));
        QCOMPARE(semi[0].times, (std::vector<double>{0, 3}));
        QCOMPARE(semi[0].values(0, 1), 2.0);
    }

    void csvRejectsBadFilesWithLineAndReason() {
        expectCsvError("t,x\n0,1\n1,2,3\n", "line 3", "ragged row");
        expectCsvError("t,x\n0,1\n1,abc\n", "line 3", "not a number");
        expectCsvError("t,x\n0,1\n1,2.5kg\n", "line 3", "not a number");
        expectCsvError("t,x\n0,1\n1,nan\n", "line 3", "not finite");
        expectCsvError("t,x\n0,1\n1,inf\n", "line 3", "not finite");
        expectCsvError("t,x\n0,1\n1,1e999\n", "line 3", "not finite");
        expectCsvError("t,x\n0,1\n2,2\n2,3\n", "line 4", "times must increase");
        expectCsvError("t,x\n5,1\n2,2\n", "line 3", "times must increase");
        expectCsvError("t,x\n0,1\n,2\n", "line 3", "time cell is empty");
        expectCsvError("time\n0\n1\n", "line 1", "no numeric columns");
        expectCsvError("t,x\n0,\n1,\n", "line 1", "no numeric columns");
        expectCsvError("t,x\n", "line 1", "no data rows");
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError, importCsv(""));
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError, importCsv("t,x\n0,1\n", {"when", ""}));
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError, importCsvFile("/nonexistent/file.csv"));
    }

    void realSeriesImport() {
        const std::string dir = DRIFTLAB_SOURCE_DIR "/resources/datasets/";
        const auto sun = importCsvFile(dir + "sunspots_yearly.csv");
        QCOMPARE(sun[0].length(), Eigen::Index(309));
        QCOMPARE(sun[0].times.front(), 1700.0);
        QCOMPARE(sun[0].times.back(), 2008.0);
        QCOMPARE(sun[0].observedCount(), 309L);
        const auto co2 = importCsvFile(dir + "co2_mauna_loa_weekly.csv");
        QCOMPARE(co2.channelNames()[0], std::string("co2_ppmv"));
        QCOMPARE(co2[0].length(), Eigen::Index(2284));
        QCOMPARE(co2[0].observedCount(), 2284L - 59L);
        QVERIFY(co2[0].times.front() > 1958.2 && co2[0].times.back() < 2002.0);
    }

    void splitsAndTasks() {
        const auto split = splitBySeries(20, 0.6, 0.2, 5);
        QCOMPARE(split.train.size(), std::size_t(12));
        QCOMPARE(split.validation.size(), std::size_t(4));
        QCOMPARE(split.test.size(), std::size_t(4));
        std::set<std::size_t> all(split.train.begin(), split.train.end());
        all.insert(split.validation.begin(), split.validation.end());
        all.insert(split.test.begin(), split.test.end());
        QCOMPARE(all.size(), std::size_t(20));

        GeneratorOptions o;
        o.seriesCount = 4;
        o.missingRate = 0.3;
        const auto data = generate(GeneratorKind::Spirals, o);
        for (auto kind : {TaskKind::Forecasting, TaskKind::Interpolation}) {
            const auto tasks = makeTasks(data, {kind, 0.3, 1});
            for (std::size_t i = 0; i < data.size(); ++i) {
                const auto& s = data[i];
                const auto& t = tasks[i];
                QVERIFY(!(t.context && t.target).any());
                QVERIFY(((t.context || t.target) == s.observed).all());
                QVERIFY(t.target.count() > 0 && t.context.count() > 0);
                // Forecasting holds out the last 30 % of the series' own window.
                const double cut = s.times.back() - 0.3 * (s.times.back() - s.times.front());
                for (Eigen::Index j = 0; j < s.length(); ++j)
                    if (kind == TaskKind::Forecasting)
                        QCOMPARE(t.target.col(j).any(), s.times[std::size_t(j)] > cut);
                QVERIFY(!t.target.col(0).any() &&
                        (kind == TaskKind::Forecasting || !t.target.col(s.length() - 1).any()));
            }
        }
    }

    void baselinesOnAHandMadeCase() {
        TimeSeriesDataset data("hand", {"x"});
        Series s;
        s.times = {0, 1, 2, 4, 5};
        s.values.resize(1, 5);
        s.values << 1, 3, NAN, 9, 2;
        s.observed.resize(1, 5);
        s.observed << true, true, false, true, true;
        data.add(s);
        SeriesTask task{s.observed, Mask::Constant(1, 5, false)};
        // Hold out t = 1 (value 3) and t = 5 (value 2).
        task.context(0, 1) = task.context(0, 4) = false;
        task.target(0, 1) = task.target(0, 4) = true;
        // Persistence: 1 at t = 1, 9 at t = 5 -> ((1-3)^2 + (9-2)^2) / 2 = 26.5.
        const auto p = baselineMse(BaselineKind::Persistence, data, {task}, {0});
        QCOMPARE(p.cells, 2L);
        QCOMPARE(p.mse, 26.5);
        // Linear: between (0,1) and (4,9) at t = 1 -> 3 (exact); t = 5 flat 9 -> 49 / 2.
        const auto l = baselineMse(BaselineKind::LinearInterpolation, data, {task}, {0});
        QCOMPARE(l.mse, 24.5);
        const Eigen::MatrixXd pred =
            baselinePredict(BaselineKind::LinearInterpolation, s, task.context);
        QCOMPARE(pred(0, 2), 5.0);
    }

    void datasetRefusesInconsistentSeries() {
        TimeSeriesDataset data("x", {"a"});
        Series s;
        s.times = {0, 0};
        s.values = Eigen::MatrixXd::Zero(1, 2);
        s.observed = Mask::Constant(1, 2, true);
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError, data.add(s));
        s.times = {0, 1};
        s.observed(0, 1) = false;  // unobserved must hold NaN
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError, data.add(s));
        QVERIFY(data.empty());
    }
};

QTEST_APPLESS_MAIN(TestTimeseriesData)
#include "test_timeseries_data.moc"
