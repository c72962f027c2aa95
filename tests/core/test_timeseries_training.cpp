// Time-series trainer and runner: the loss falls on a fixed seed, runs are reproducible,
// divergence stops with the iteration and the quantity named, restores the last finite
// parameters and resumes after a lower learning rate; snapshots are consistent (history and
// NFE per iteration, heat-map shape and decimation, forecasts and cell roles, drift field);
// the worker runner pauses, steps once, resets and finishes on command.
#include <QtTest>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <numeric>
#include <thread>

#include "core/common/error.h"
#include "core/timeseries/timeseries_training.h"

using namespace driftlab::core;
using nlohmann::json;

namespace {

// Small enough for a test (a few ms per iteration), big enough to learn something.
TimeSeriesConfig smallConfig(json patch = json::object()) {
    json base = {{"dataset", "ou"},
                 {"series_count", 24},
                 {"observations", 16},
                 {"length", 4.0},
                 {"dt", 0.1},
                 {"model", "lsde"},
                 {"latent_dim", 2},
                 {"drift_width", 16},
                 {"diffusion_width", 8},
                 {"encoder_width", 16},
                 {"iterations", 60},
                 {"batch", 8},
                 {"paths", 4},
                 {"learning_rate", 0.02},
                 {"validate_every", 20},
                 {"display_series", 4},
                 {"forecast_paths", 8}};
    base.update(patch);
    return timeSeriesConfigFromJson(base, "test");
}

double meanLoss(const TimeSeriesSnapshot& s, std::size_t from, std::size_t to) {
    double sum = 0.0;
    for (std::size_t i = from; i < to; ++i) sum += s.history[i].loss;
    return sum / double(to - from);
}

// Waits return as soon as their condition holds; the limit only matters on a broken build,
// and a loaded 2-core machine (or a sanitizer) can be many times slower than a desk.
constexpr int kWaitMs = 60000;

}  // namespace

class TestTimeseriesTraining : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void lossFallsOnAFixedSeed() {
        TimeSeriesTrainer trainer(smallConfig());
        while (trainer.step() == TimeSeriesTrainer::StepResult::Trained) {
        }
        QVERIFY(trainer.finished());
        const auto s = trainer.snapshot();
        QCOMPARE(s->history.size(), std::size_t(60));
        const double first = meanLoss(*s, 0, 5), last = meanLoss(*s, 55, 60);
        qInfo("mean loss: iterations 1-5 %.4f, 56-60 %.4f; test MSE %.4f (persistence %.4f)", first,
              last, s->metrics.testMse, s->metrics.persistenceMse);
        QVERIFY2(last < 0.5 * first, qPrintable(QString("%1 -> %2").arg(first).arg(last)));
        QVERIFY(std::isfinite(s->metrics.testMse) && std::isfinite(s->metrics.testNll));
        QVERIFY(std::isnan(s->metrics.testAccuracy));
        QVERIFY(s->metrics.persistenceMse > 0.0);
    }

    void runsAreReproducible() {
        TimeSeriesTrainer a(smallConfig({{"iterations", 8}}));
        TimeSeriesTrainer b(smallConfig({{"iterations", 8}}));
        for (int k = 0; k < 8; ++k) {
            a.step();
            b.step();
        }
        const auto sa = a.snapshot(false), sb = b.snapshot(false);
        for (std::size_t i = 0; i < 8; ++i) QCOMPARE(sa->history[i].loss, sb->history[i].loss);
        QVERIFY(a.parameters() == b.parameters());
    }

    void injectedNaNStopsRestoresAndResumes() {
        TimeSeriesTrainer trainer(smallConfig({{"iterations", 20}}));
        for (int k = 0; k < 3; ++k)
            QCOMPARE(trainer.step(), TimeSeriesTrainer::StepResult::Trained);
        const Eigen::VectorXd good = trainer.parameters();
        Eigen::VectorXd poisoned = good;
        poisoned(0) = std::numeric_limits<double>::quiet_NaN();
        trainer.setParameters(poisoned);

        QCOMPARE(trainer.step(), TimeSeriesTrainer::StepResult::Diverged);
        QVERIFY(trainer.diverged());
        const std::string message = trainer.message();
        QVERIFY2(message.find("iteration 4") != std::string::npos, message.c_str());
        // A NaN weight poisons the latent state first; the model's solve names it.
        QVERIFY2(message.find("latent state became non-finite") != std::string::npos,
                 message.c_str());
        QVERIFY(trainer.parameters().allFinite());
        QVERIFY(trainer.parameters() == good);
        QCOMPARE(trainer.iteration(), 3L);
        // Stays stopped until the learning rate is set, then trains on.
        QCOMPARE(trainer.step(), TimeSeriesTrainer::StepResult::Diverged);
        const auto stopped = trainer.snapshot();
        QVERIFY(stopped->diverged);
        QCOMPARE(stopped->message, message);
        trainer.setLearningRate(0.005);
        QVERIFY(!trainer.diverged());
        QCOMPARE(trainer.step(), TimeSeriesTrainer::StepResult::Trained);
        QCOMPARE(trainer.iteration(), 4L);
        QVERIFY(trainer.parameters().allFinite());
        QCOMPARE(trainer.learningRate(), 0.005);
    }

    void nanInTheReadoutIsALossNaN() {
        // The last parameters belong to the linear readout (after the solve): the latent
        // state stays finite and the loss is what turns NaN.
        TimeSeriesTrainer trainer(smallConfig({{"iterations", 5}}));
        trainer.step();
        Eigen::VectorXd poisoned = trainer.parameters();
        poisoned(poisoned.size() - 1) = std::numeric_limits<double>::quiet_NaN();
        trainer.setParameters(poisoned);
        QCOMPARE(trainer.step(), TimeSeriesTrainer::StepResult::Diverged);
        QVERIFY2(trainer.message().find("iteration 2: the loss is NaN") != std::string::npos,
                 trainer.message().c_str());
        QVERIFY(trainer.parameters().allFinite());
    }

    void hugeLearningRateDivergesAndResumes() {
        // Unclipped Adam at 1e6 throws the geometric SDE's weights far enough that its
        // exponential growth overflows.
        TimeSeriesTrainer trainer(
            smallConfig({{"model", "gsde"}, {"gradient_clip", 0.0}, {"iterations", 40}}));
        trainer.setLearningRate(1e6);
        TimeSeriesTrainer::StepResult result = TimeSeriesTrainer::StepResult::Trained;
        for (int k = 0; k < 30 && result == TimeSeriesTrainer::StepResult::Trained; ++k)
            result = trainer.step();
        QCOMPARE(result, TimeSeriesTrainer::StepResult::Diverged);
        const std::string message = trainer.message();
        qInfo("%s", message.c_str());
        QVERIFY2(message.find("iteration " + std::to_string(trainer.iteration() + 1)) !=
                     std::string::npos,
                 message.c_str());
        QVERIFY2(message.find("loss") != std::string::npos ||
                     message.find("gradient") != std::string::npos ||
                     message.find("parameters") != std::string::npos ||
                     message.find("solve") != std::string::npos,
                 message.c_str());
        QVERIFY(trainer.parameters().allFinite());
        // The update that made the loss overflow is undone too: back to the weights that gave
        // the last finite loss, from which a sane rate trains on.
        QVERIFY2(message.find("restored to those after iteration " +
                              std::to_string(trainer.iteration() - 1)) != std::string::npos,
                 message.c_str());
        trainer.setLearningRate(1e-3);
        const long before = trainer.iteration();
        for (int k = 0; k < 3; ++k)
            QCOMPARE(trainer.step(), TimeSeriesTrainer::StepResult::Trained);
        QCOMPARE(trainer.iteration(), before + 3);
        QVERIFY(std::isfinite(trainer.snapshot(false)->metrics.trainLoss));
    }

    void snapshotIsConsistent() {
        TimeSeriesTrainer trainer(
            smallConfig({{"iterations", 25}, {"task", "interpolation"}, {"missing_rate", 0.3}}));
        for (int k = 0; k < 25; ++k) trainer.step();
        const auto s = trainer.snapshot();
        QCOMPARE(s->iteration, 25L);
        QVERIFY(s->finished);
        QCOMPARE(s->history.size(), std::size_t(25));
        long nfe = 0;
        for (std::size_t i = 0; i < s->history.size(); ++i) {
            QCOMPARE(s->history[i].iteration, long(i) + 1);
            QVERIFY(s->history[i].nfe > 0);
            QCOMPARE(s->history[i].terms.size(), s->termNames.size());
            nfe += s->history[i].nfe;
        }
        QCOMPARE(s->metrics.totalNfe, nfe);
        QVERIFY(std::find(s->termNames.begin(), s->termNames.end(), "mse") != s->termNames.end());
        // Validation at 20 and at the end.
        QCOMPARE(s->validation.size(), std::size_t(2));
        QCOMPARE(s->validation[0].iteration, 20L);
        QCOMPARE(s->validation[1].iteration, 25L);

        const auto& h = s->heatmap;
        QCOMPARE(h.values.cols(), Eigen::Index(64));
        QCOMPARE(h.values.rows(), Eigen::Index(25));
        QCOMPARE(h.iterations.size(), std::size_t(25));
        QCOMPARE(h.t0, 0.0);
        QVERIFY(std::abs(h.t1 - 4.0) < 0.5);
        QVERIFY(h.values.array().isFinite().count() > 25 * 32);  // the solve covers the window
        QVERIFY(!s->lastSteps.empty());

        QCOMPARE(s->displayed.size(), std::size_t(4));
        QCOMPARE(s->displayed[0].part, std::string("train"));
        QCOMPARE(s->displayed[3].part, std::string("test"));
        long targets = 0;
        for (const auto& d : s->displayed) {
            QCOMPARE(d.forecast.times.size(), std::size_t(120));
            QCOMPARE(d.forecast.paths.size(), std::size_t(8));
            QVERIFY(d.forecast.mean.allFinite());
            QVERIFY((d.forecast.lower.array() <= d.forecast.upper.array() + 1e-12).all());
            QCOMPARE(d.forecast.meanAtObservations.cols(), d.series.length());
            for (Eigen::Index j = 0; j < d.series.length(); ++j) {
                const CellRole role = d.role(0, j);
                QCOMPARE(role == CellRole::Missing, !d.series.observed(0, j));
                targets += role == CellRole::Target;
            }
            QCOMPARE(d.persistence.cols(), d.series.length());
        }
        QVERIFY(targets > 0);
        QCOMPARE(s->displayedAt, 25L);

        QVERIFY(s->drift.available);
        QCOMPARE(s->drift.positions.cols(), Eigen::Index(225));
        QVERIFY(s->drift.vectors.allFinite());
        QVERIFY(s->drift.vectors.norm() > 0.0);
        // The field's box holds the displayed latent paths.
        for (const auto& d : s->displayed)
            for (const auto& z : d.forecast.latentPaths)
                for (int r = 0; r < 2; ++r) {
                    QVERIFY(z.row(r).minCoeff() >= s->drift.lower(r));
                    QVERIFY(z.row(r).maxCoeff() <= s->drift.upper(r));
                }
        QVERIFY(s->metrics.iterationsPerSecond > 0.0);
        QVERIFY(std::isfinite(s->metrics.linearMse));

        // Immutable: later training does not change a snapshot already handed out.
        trainer.setTotalIterations(26);
        trainer.step();
        QCOMPARE(s->history.size(), std::size_t(25));
        QCOMPARE(trainer.snapshot(false)->history.size(), std::size_t(26));
    }

    void heatmapRowsAreDecimated() {
        // The tiniest model: hundreds of iterations in well under a second.
        TimeSeriesTrainer trainer(timeSeriesConfigFromJson(json{{"series_count", 6},
                                                                {"observations", 5},
                                                                {"length", 1.0},
                                                                {"dt", 0.25},
                                                                {"model", "ode"},
                                                                {"latent_dim", 1},
                                                                {"drift_width", 2},
                                                                {"drift_depth", 1},
                                                                {"encoder_width", 2},
                                                                {"encoder_observations", 1},
                                                                {"batch", 1},
                                                                {"iterations", 450},
                                                                {"validate_every", 1000},
                                                                {"display_series", 1}},
                                                           "tiny"));
        while (trainer.step() == TimeSeriesTrainer::StepResult::Trained) {
        }
        const auto h = trainer.snapshot(false)->heatmap;
        QVERIFY(h.iterations.size() <= 200);
        QCOMPARE(h.stride, 4);
        QCOMPARE(h.iterations.size(), std::size_t(100 + 50 / 4));
        QCOMPARE(h.values.rows(), Eigen::Index(h.iterations.size()));
        for (std::size_t r = 0; r < h.iterations.size(); ++r) {
            QCOMPARE(h.iterations[r] % 4, 0L);
            if (r > 0) QVERIFY(h.iterations[r] > h.iterations[r - 1]);
        }
    }

    void classificationReportsAccuracy() {
        TimeSeriesTrainer trainer(smallConfig({{"dataset", "spirals"},
                                               {"task", "classification"},
                                               {"iterations", 10},
                                               {"validate_every", 10}}));
        while (trainer.step() == TimeSeriesTrainer::StepResult::Trained) {
        }
        const auto s = trainer.snapshot(false);
        QVERIFY(s->metrics.testAccuracy >= 0.0 && s->metrics.testAccuracy <= 1.0);
        QVERIFY(std::isnan(s->metrics.testMse));
        QVERIFY(std::find(s->termNames.begin(), s->termNames.end(), "cross_entropy") !=
                s->termNames.end());
    }

    void runnerPausesStepsResetsAndFinishes() {
        TimeSeriesTrainingRunner runner(smallConfig({{"iterations", 400}}), 0.02);
        QTRY_VERIFY_WITH_TIMEOUT(runner.state() == TrainingRunState::Idle, kWaitMs);
        QVERIFY(runner.latest() != nullptr);
        QCOMPARE(runner.latest()->iteration, 0L);

        runner.train();
        QTRY_VERIFY_WITH_TIMEOUT(runner.latest()->iteration >= 5, kWaitMs);
        runner.pause();
        QTRY_VERIFY_WITH_TIMEOUT(runner.state() == TrainingRunState::Paused, kWaitMs);
        const long paused = runner.latest()->iteration;
        // A hold, not a wait: nothing may change while paused, so no condition ends it early.
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        QCOMPARE(runner.latest()->iteration, paused);  // the pause holds, snapshot is final

        runner.stepOnce();
        QTRY_VERIFY_WITH_TIMEOUT(runner.latest()->iteration == paused + 1, kWaitMs);
        QTRY_VERIFY_WITH_TIMEOUT(runner.state() == TrainingRunState::Paused, kWaitMs);
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        QCOMPARE(runner.latest()->iteration, paused + 1);

        runner.setLearningRate(0.01);
        QTRY_VERIFY_WITH_TIMEOUT(runner.latest()->learningRate == 0.01, kWaitMs);

        runner.reset();
        QTRY_VERIFY_WITH_TIMEOUT(
            runner.state() == TrainingRunState::Idle && runner.latest()->iteration == 0, kWaitMs);
        QVERIFY(runner.latest()->history.empty());

        runner.addIterations(-390);  // only 10 left: quick to finish
        runner.train();
        QTRY_VERIFY_WITH_TIMEOUT(runner.state() == TrainingRunState::Finished, kWaitMs);
        QCOMPARE(runner.latest()->iteration, 10L);
        QVERIFY(runner.latest()->finished);
        QVERIFY(runner.publications() >= 4);
    }

    void runnerReportsABadConfig() {
        auto config = smallConfig();
        config.data.source = TimeSeriesSource::Csv;
        config.data.csvPath = "/nonexistent.csv";
        TimeSeriesTrainingRunner runner(config);
        QTRY_VERIFY_WITH_TIMEOUT(runner.state() == TrainingRunState::Failed, kWaitMs);
        QVERIFY(runner.message().find("/nonexistent.csv") != std::string::npos);
        QVERIFY(runner.latest() == nullptr);
        runner.train();  // ignored, nothing to train
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        QCOMPARE(runner.state(), TrainingRunState::Failed);
    }

    void runnerStopsPromptlyWhenDestroyed() {
        const auto start = std::chrono::steady_clock::now();
        {
            TimeSeriesTrainingRunner runner(smallConfig({{"iterations", 100000}}));
            runner.train();
            QTRY_VERIFY_WITH_TIMEOUT(runner.latest() && runner.latest()->iteration >= 2, kWaitMs);
        }
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        QVERIFY2(seconds < 20.0, qPrintable(QString::number(seconds)));
    }
};

QTEST_GUILESS_MAIN(TestTimeseriesTraining)
#include "test_timeseries_training.moc"
