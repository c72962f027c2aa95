// The diffusion workspace's engine on core::Run: training one iteration per call reports
// and learns exactly as one call for the whole run (so the window's steppable job and the
// headless run give the same numbers), the training job pauses, steps exactly one iteration
// and publishes an immutable copy of the weights that samples the same as the trainer's own
// model while training goes on, and cancelling a long sample, density or scrub job ends it
// within a second (the cancel flag is seen inside the sampler and ODE loops).
#include <QtTest>

#include <chrono>
#include <cmath>

#include "core/diffusion/diffusion_jobs.h"
#include "core/diffusion/diffusion_sampling.h"

using namespace driftlab::core;
namespace cd = driftlab::core::diffusion;

namespace {

DiffusionConfig smallConfig(long iterations) {
    DiffusionConfig c;
    c.data.kind = cd::ToyDataset::TwoMoons;
    c.data.size = 600;
    c.data.seed = 4;
    c.net.hiddenWidths = {32, 32};
    c.net.embeddingDim = 8;
    c.training.batchSize = 64;
    c.training.learningRate = 3e-3;
    c.training.reportEvery = 7;  // not a divisor of the iterations: the last window is partial
    c.iterations = iterations;
    c.samples = 300;
    c.nfe = 10;
    return c;
}

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

// Waits (on the Run's condition variable, no polling) until pred holds or timeout passes.
template <class Pred>
bool waitUntil(const Run& run, Pred pred, double timeout) {
    const auto start = Clock::now();
    long seen = -1;
    while (!pred()) {
        if (secondsSince(start) > timeout) return false;
        seen = run.waitForChange(seen, std::chrono::milliseconds(20));
    }
    return true;
}

}  // namespace

class TestDiffusionJobs : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void oneIterationPerCallEqualsOneCall_data() {
        QTest::addColumn<bool>("interpolant");
        QTest::newRow("score SDE") << false;
        QTest::newRow("interpolant") << true;
    }
    void oneIterationPerCallEqualsOneCall() {
        QFETCH(bool, interpolant);
        DiffusionConfig config = smallConfig(40);
        if (interpolant) config.family = DiffusionModelFamily::Interpolant;
        const auto data = std::make_shared<const DiffusionData>(prepareDiffusionData(config, 500));
        DiffusionTrainer whole(config, data), stepped(config, data);
        whole.train(config.iterations);
        for (int k = 0; k < 100 && !stepped.finished(); ++k) stepped.train(1);
        QCOMPARE(stepped.iterations(), 40L);
        QVERIFY(stepped.train(5).iterations == 0);  // never past the configured count
        // Reports at 7, 14, ..., 35 and the partial window at 40, in both.
        QCOMPARE(whole.losses().size(), std::size_t{6});
        QCOMPARE(stepped.lossIterations(), whole.lossIterations());
        QCOMPARE(stepped.losses(), whole.losses());
        QCOMPARE(stepped.lossIterations().back(), 40.0);
        const auto a = whole.publish(), b = stepped.publish();
        QCOMPARE(a->parameters.size(), b->parameters.size());
        QCOMPARE((a->parameters - b->parameters).cwiseAbs().maxCoeff(), 0.0);
        // The published copy samples exactly as the trainer's own model does.
        const DiffusionSample fromCopy = sampleSession(*a, ShootoutOptions{});
        const DiffusionSample fromOther = sampleSession(*b, ShootoutOptions{});
        QCOMPARE(fromCopy.sw2, fromOther.sw2);
        QCOMPARE(fromCopy.mmd2, fromOther.mmd2);
        QVERIFY(std::isfinite(fromCopy.sw2) && fromCopy.sw2 > 0.0);
    }

    void generatedDataIsScoredOnAFreshDrawUserPointsOnAFifth() {
        const DiffusionConfig config = smallConfig(10);
        const DiffusionData generated = prepareDiffusionData(config, 1234);
        QCOMPARE(generated.train.cols(), cd::Index(600));
        QCOMPARE(generated.heldOut.cols(), cd::Index(1234));
        QCOMPARE(generated.fresh.cols(), cd::Index(1234));
        QVERIFY(!generated.customData);
        const cd::Points own = cd::makeToyDataset(config.data).leftCols(100);
        const DiffusionData user = prepareDiffusionData(config, 1234, &own);
        QVERIFY(user.customData);
        QCOMPARE(user.train.cols() + user.heldOut.cols(), cd::Index(100));
        QCOMPARE(user.heldOut.cols(), cd::Index(20));
        QCOMPARE(user.fresh.cols(), cd::Index(0));
        const cd::Points few = own.leftCols(3);
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError,
                                 prepareDiffusionData(config, 1234, &few, "points.csv"));
    }

    void trainingJobPausesStepsOneAndSamplesWhileTraining() {
        const DiffusionConfig config = smallConfig(1000000);
        const auto data = std::make_shared<const DiffusionData>(prepareDiffusionData(config, 500));
        auto trainer = std::make_shared<DiffusionTrainer>(config, data);
        Run run([trainer](RunContext&) { return makeDiffusionTrainingJob(trainer); });
        QVERIFY(waitUntil(
            run,
            [&] {
                auto s = run.latestAs<DiffusionTrainingSnapshot>();
                return s && s->iteration > 20;
            },
            10.0));
        // A light snapshot has no weights; a sample job reads a full one while training runs.
        run.pause();
        QVERIFY(waitUntil(
            run, [&] { return run.state() == RunState::Paused; }, 5.0));
        const auto paused = run.latestAs<DiffusionTrainingSnapshot>();
        QVERIFY(paused->session);
        QCOMPARE(paused->session->iterations, paused->iteration);
        QCOMPARE(paused->preview.cols(), cd::Index(400));
        const long held = paused->iteration;
        run.stepOnce();
        QVERIFY(waitUntil(
            run,
            [&] {
                return run.state() == RunState::Paused &&
                       run.latestAs<DiffusionTrainingSnapshot>()->iteration != held;
            },
            5.0));
        QCOMPARE(run.latestAs<DiffusionTrainingSnapshot>()->iteration, held + 1);
        QCOMPARE(trainer->iterations(), held + 1);

        run.start();
        DiffusionTaskOptions options;
        options.particles = 5;
        Run sample([session = paused->session, options](RunContext&) {
            return makeDiffusionTaskJob(DiffusionTask::Sample, session, options);
        });
        QVERIFY(waitUntil(
            sample, [&] { return sample.state() == RunState::Finished; }, 30.0));
        const auto result = sample.latestAs<DiffusionResultSnapshot>();
        QVERIFY(result && result->sample);
        QCOMPARE(result->sample->samples.cols(), cd::Index(300));
        QCOMPARE(int(result->sample->sdePaths.size()), 5);
        QVERIFY(trainer->iterations() >= held + 1);  // training went on meanwhile
        // The same immutable session gives the same numbers again, whatever training did.
        const DiffusionSample again = sampleSession(*paused->session, options.metrics, 5);
        QCOMPARE(again.sw2, result->sample->sw2);
        run.cancel();
        QVERIFY(waitUntil(
            run, [&] { return run.workerDone(); }, 2.0));
        QCOMPARE(run.state(), RunState::Cancelled);
    }

    void cancellingALongTaskReturnsWithinASecond_data() {
        QTest::addColumn<int>("task");
        QTest::newRow("sample") << int(DiffusionTask::Sample);
        QTest::newRow("density") << int(DiffusionTask::Density);
        QTest::newRow("scrub") << int(DiffusionTask::Scrub);
        QTest::newRow("shoot-out") << int(DiffusionTask::Shootout);
    }
    void cancellingALongTaskReturnsWithinASecond() {
        QFETCH(int, task);
        // A wide network and big workloads: each job would run for many seconds.
        DiffusionConfig config = smallConfig(2);
        config.net.hiddenWidths = {256, 256, 256};
        config.net.float32 = false;
        config.samples = 50000;
        config.nfe = 1000;
        config.sampler = cd::SamplerKind::ReverseSde;
        const auto data = std::make_shared<const DiffusionData>(prepareDiffusionData(config, 500));
        DiffusionTrainer trainer(config, data);
        trainer.train(2);
        DiffusionTaskOptions options;
        options.densityGrid = 300;
        options.likelihoodPoints = 500;
        options.metrics.budgets = {1000};
        Run run([session = trainer.publish(), options, task](RunContext&) {
            return makeDiffusionTaskJob(DiffusionTask(task), session, options);
        });
        QVERIFY(waitUntil(
            run, [&] { return run.state() == RunState::Running; }, 10.0));
        const auto busy = Clock::now();
        while (secondsSince(busy) < 0.3 && run.state() == RunState::Running)
            run.waitForChange(run.version(), std::chrono::milliseconds(20));
        QCOMPARE(run.state(), RunState::Running);  // still working: the cancel has work to stop
        const auto start = Clock::now();
        run.cancel();
        QVERIFY(waitUntil(
            run, [&] { return run.workerDone(); }, 5.0));
        const double seconds = secondsSince(start);
        std::printf("  cancel returned after %.3f s\n", seconds);
        QVERIFY2(seconds < 1.0, qPrintable(QString::number(seconds)));
        QCOMPARE(run.state(), RunState::Cancelled);
        QVERIFY(!run.latest());  // a cancelled one-shot job publishes no result
    }
};

QTEST_GUILESS_MAIN(TestDiffusionJobs)
#include "test_diffusion_jobs.moc"
