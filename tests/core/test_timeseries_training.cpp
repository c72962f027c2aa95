// Time-series trainer and runner: the loss falls on a fixed seed, runs are reproducible,
// divergence stops with the iteration and the quantity named, restores the last finite
// parameters and resumes after a lower learning rate; snapshots are consistent (history and
// NFE per iteration, heat-map shape and decimation, forecasts and cell roles, drift field);
// the training job on a core::Run pauses within one iteration, steps by exactly one, takes a
// posted learning rate that clears a divergence and posted iterations that extend a finished
// run, and resets to a fresh model whose first loss is the first run's.
#include <QtTest>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <numeric>

#include "core/common/error.h"
#include "core/timeseries/timeseries_job.h"
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

struct OtherJob : RunJob {
    void step(RunContext&) override {}
    Status status() const override { return Status::Finished; }
    std::shared_ptr<const Snapshot> snapshot(bool) override { return nullptr; }
};

RunOptions fastPublishing() {
    RunOptions options;
    options.publishSeconds = 0.02;
    options.fullPublishSeconds = 0.1;
    return options;
}

long iterationOf(const Run& run) {
    const auto latest = run.latest();
    return latest ? latest->iteration : -1;
}

// Waits on the run's own change notifications (no polling sleeps) until done() holds.
template <typename Predicate>
bool waitUntil(const Run& run, Predicate done, double seconds) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    long seen = run.version();
    while (!done()) {
        if (std::chrono::steady_clock::now() >= end) return false;
        seen = run.waitForChange(seen, std::chrono::milliseconds(50));
    }
    return true;
}

// Nothing is published for a while: a settled run holds (it times out waiting for a change).
bool holds(const Run& run) {
    const long seen = run.version();
    return run.waitForChange(seen, std::chrono::milliseconds(150)) == seen;
}

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

    void jobOnARunPausesWithinOneIterationAndStepsByOne() {
        RunOptions options = fastPublishing();
        options.startImmediately = false;
        Run run(
            [](RunContext&) {
                return makeTimeSeriesJob(smallConfig({{"iterations", 400}}));
            },
            options);
        QVERIFY(waitUntil(
            run, [&] { return run.state() == RunState::Idle; }, 20.0));
        QCOMPARE(run.workUnit(), std::string("it"));
        const auto first = run.latestAs<TimeSeriesSnapshot>();
        QVERIFY(first);
        QCOMPARE(first->iteration, 0L);
        QCOMPARE(first->totalIterations, 400L);
        QVERIFY(!first->displayed.empty());

        run.start();
        QVERIFY(waitUntil(
            run, [&] { return iterationOf(run) >= 5; }, 60.0));
        // The worker finishes the iteration it is in (at most one more than it had done when
        // asked), publishes, then holds.
        const long doneAtPause = long(run.progress().work);
        run.pause();
        QVERIFY(waitUntil(
            run, [&] { return run.state() == RunState::Paused; }, 30.0));
        const long paused = iterationOf(run);
        QVERIFY2(paused >= doneAtPause && paused <= doneAtPause + 1,
                 qPrintable(QString("asked at %1, paused at %2").arg(doneAtPause).arg(paused)));
        QCOMPARE(long(run.progress().work), paused);
        QCOMPARE(long(run.latestAs<TimeSeriesSnapshot>()->history.size()), paused);
        QVERIFY(holds(run));
        QCOMPARE(iterationOf(run), paused);

        run.stepOnce();
        QVERIFY(waitUntil(
            run, [&] { return run.state() == RunState::Paused && iterationOf(run) > paused; },
            30.0));
        QCOMPARE(iterationOf(run), paused + 1);
        QVERIFY(holds(run));
        QCOMPARE(iterationOf(run), paused + 1);
        QCOMPARE(run.progress().fraction, double(paused + 1) / 400.0);
    }

    void postedLearningRateClearsADivergence() {
        // Unclipped Adam at 1e6 (beyond the form's range, so posted) diverges the geometric
        // SDE within a few iterations, as in hugeLearningRateDivergesAndResumes.
        RunOptions options = fastPublishing();
        options.startImmediately = false;
        Run run(
            [](RunContext&) {
                return makeTimeSeriesJob(
                    smallConfig({{"model", "gsde"}, {"gradient_clip", 0.0}, {"iterations", 40}}));
            },
            options);
        run.post(setLearningRateCommand(1e6));
        run.start();
        QVERIFY(waitUntil(
            run, [&] { return isSettled(run.state()) && run.state() != RunState::Idle; }, 60.0));
        QCOMPARE(run.state(), RunState::Diverged);
        const auto stopped = run.latestAs<TimeSeriesSnapshot>();
        QVERIFY(stopped->diverged);
        QVERIFY2(run.message().find("diverged at iteration " +
                                    std::to_string(stopped->iteration + 1)) != std::string::npos,
                 run.message().c_str());
        QCOMPARE(stopped->message, run.message());
        // The job evaluated the restored parameters: the metrics are of the model kept.
        QCOMPARE(stopped->metrics.evaluatedAt, stopped->iteration);
        QVERIFY(std::isfinite(stopped->metrics.testMse));

        run.post(setLearningRateCommand(1e-3));
        QVERIFY(waitUntil(
            run, [&] { return run.state() == RunState::Paused; }, 30.0));
        const auto cleared = run.latestAs<TimeSeriesSnapshot>();
        QVERIFY(!cleared->diverged);
        QCOMPARE(cleared->learningRate, 1e-3);
        QVERIFY(run.message().empty());
        run.stepOnce();
        QVERIFY(waitUntil(
            run,
            [&] {
                return run.state() == RunState::Paused && iterationOf(run) > stopped->iteration;
            },
            30.0));
        const auto resumed = run.latestAs<TimeSeriesSnapshot>();
        QCOMPARE(resumed->iteration, stopped->iteration + 1);
        QVERIFY(std::isfinite(resumed->metrics.trainLoss));
        QVERIFY(!resumed->diverged);
    }

    void resetGivesAFreshModelWithTheSameFirstLoss() {
        RunOptions options = fastPublishing();
        options.startImmediately = false;
        Run run(
            [](RunContext&) {
                return makeTimeSeriesJob(smallConfig({{"iterations", 400}}));
            },
            options);
        for (long k = 1; k <= 3; ++k) {
            run.stepOnce();
            QVERIFY(waitUntil(
                run, [&] { return run.state() == RunState::Paused && iterationOf(run) == k; },
                30.0));
        }
        const auto trained = run.latestAs<TimeSeriesSnapshot>();
        QCOMPARE(trained->history.size(), std::size_t(3));
        QVERIFY(trained->history[0].loss != trained->history[2].loss);

        run.reset();
        QVERIFY(waitUntil(
            run, [&] { return run.state() == RunState::Idle && iterationOf(run) == 0; }, 30.0));
        QVERIFY(run.latestAs<TimeSeriesSnapshot>()->history.empty());
        QCOMPARE(run.progress().fraction, 0.0);
        run.stepOnce();
        QVERIFY(waitUntil(
            run, [&] { return run.state() == RunState::Paused && iterationOf(run) == 1; }, 30.0));
        // Same config and seed: the fresh model's first iteration is the first run's, bit for bit.
        QCOMPARE(run.latestAs<TimeSeriesSnapshot>()->history[0].loss, trained->history[0].loss);
    }

    void postedIterationsExtendAFinishedRun() {
        Run run(
            [](RunContext&) {
                return makeTimeSeriesJob(smallConfig({{"iterations", 6}}));
            },
            fastPublishing());
        QVERIFY(waitUntil(
            run, [&] { return run.state() == RunState::Finished; }, 60.0));
        QCOMPARE(iterationOf(run), 6L);
        QVERIFY(run.latestAs<TimeSeriesSnapshot>()->finished);
        QCOMPARE(run.progress().fraction, 1.0);
        run.post(addIterationsCommand(4));
        QVERIFY(waitUntil(
            run, [&] { return run.state() == RunState::Paused; }, 30.0));
        QCOMPARE(run.latestAs<TimeSeriesSnapshot>()->totalIterations, 10L);
        run.start();
        QVERIFY(waitUntil(
            run, [&] { return run.state() == RunState::Finished && iterationOf(run) == 10; },
            60.0));
        QCOMPARE(run.latestAs<TimeSeriesSnapshot>()->history.size(), std::size_t(10));
    }

    void runReportsABadConfig() {
        auto config = smallConfig();
        config.data.source = TimeSeriesSource::Csv;
        config.data.csvPath = "/nonexistent.csv";
        Run run([config](RunContext&) { return makeTimeSeriesJob(config); });
        QVERIFY(waitUntil(
            run, [&] { return run.state() == RunState::Failed; }, 10.0));
        QVERIFY(run.message().find("/nonexistent.csv") != std::string::npos);
        QVERIFY(run.latest() == nullptr);
        run.start();  // ignored, nothing to train
        QVERIFY(holds(run));
        QCOMPARE(run.state(), RunState::Failed);
        // A command for another kind of job is refused with a message, not a crash.
        OtherJob other;
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError, setLearningRateCommand(0.1)(other));
    }

    void runStopsPromptlyWhenDestroyed() {
        const auto start = std::chrono::steady_clock::now();
        {
            Run run([](RunContext&) {
                return makeTimeSeriesJob(smallConfig({{"iterations", 100000}}));
            });
            QVERIFY(waitUntil(
                run, [&] { return iterationOf(run) >= 2; }, 60.0));
        }
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        QVERIFY2(seconds < 30.0, qPrintable(QString::number(seconds)));
    }
};

QTEST_GUILESS_MAIN(TestTimeseriesTraining)
#include "test_timeseries_training.moc"
