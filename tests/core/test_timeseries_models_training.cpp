// Time-series models trained on fixed seeds: every kind reaches a stated test MSE on an OU
// forecasting set (the stable classes below persistence), NLL and ELBO training lowers its
// objective and the test MSE, a classifier separates the two spiral directions, and the
// loss of a series does not depend on which other series, with which times, share its batch.
#include <QtTest>

#include <chrono>
#include <cstdio>

#include "core/common/error.h"
#include "core/models/series_model.h"
#include "core/models/series_training.h"
#include "core/timeseries/baselines.h"
#include "core/timeseries/generators.h"
#include "timeseries_test_sets.h"

using namespace driftlab::core;
using namespace driftlab::core::models;
using namespace driftlab::core::timeseries;

using driftlab::test::OuForecast;

namespace {

SeriesModelConfig ouConfig(SeriesModelKind kind, SeriesObjective objective = SeriesObjective::Mse) {
    SeriesModelConfig c;
    c.kind = kind;
    c.objective = objective;
    c.latentDim = 4;
    c.driftWidths = {16, 16};
    c.dt = 0.1;
    c.seed = 1;
    return c;
}

double seconds(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// MSE over the target cells of the given series from their forecasts, each series solved on
// its own: the reference for the batch loss.
double msePerSeries(const SeriesModel& model, const std::vector<SeriesItem>& batch, int paths,
                    std::uint64_t seed) {
    double sum = 0.0;
    long cells = 0;
    for (const auto& item : batch) {
        const auto f = model.forecast(*item.series, *item.context, paths, seed, 2);
        for (Eigen::Index j = 0; j < item.series->length(); ++j)
            for (Eigen::Index ch = 0; ch < item.series->channels(); ++ch)
                if ((*item.target)(ch, j)) {
                    const double e = f.meanAtObservations(ch, j) - item.series->values(ch, j);
                    sum += e * e;
                    ++cells;
                }
    }
    return sum / double(cells);
}

}  // namespace

class TestTimeseriesModelsTraining : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void forecastingOu_data() {
        QTest::addColumn<int>("kind");
        QTest::addColumn<double>("level");
        QTest::addColumn<bool>("adjoint");
        // Stated level: test MSE below 0.18 after 120 iterations on this seed (measured 0.146
        // to 0.152 for every kind and gradient method, from 1.9 to 2.4 untrained); persistence
        // scores 0.213 on the same cells.
        QTest::newRow("ode") << int(SeriesModelKind::NeuralOde) << 0.18 << false;
        QTest::newRow("sde") << int(SeriesModelKind::NeuralSde) << 0.18 << false;
        QTest::newRow("lsde") << int(SeriesModelKind::Langevin) << 0.18 << false;
        QTest::newRow("lnsde") << int(SeriesModelKind::LinearNoise) << 0.18 << false;
        QTest::newRow("gsde") << int(SeriesModelKind::Geometric) << 0.18 << false;
        // Adjoint training: continuous adjoint (ode), reversible Heun and its adjoint (lnsde).
        QTest::newRow("ode_adjoint") << int(SeriesModelKind::NeuralOde) << 0.18 << true;
        QTest::newRow("lnsde_adjoint") << int(SeriesModelKind::LinearNoise) << 0.18 << true;
    }
    void forecastingOu() {
        QFETCH(int, kind);
        QFETCH(double, level);
        QFETCH(bool, adjoint);
        const OuForecast set;
        const auto persistence =
            baselineMse(BaselineKind::Persistence, set.data, set.tasks, set.split.test);
        auto config = ouConfig(SeriesModelKind(kind));
        if (adjoint) config.gradient = GradientMethod::Adjoint;
        auto model = makeSeriesModel(config);
        const double before = lossTerm(
            evaluateSeriesModel(*model, set.data, set.tasks, set.split.test, 16, 7), "mse");
        SeriesTrainOptions t;
        t.iterations = 120;
        t.seed = 2;
        const auto start = std::chrono::steady_clock::now();
        const auto report = trainSeriesModel(*model, set.data, set.split.train, t);
        const double took = seconds(start);
        QVERIFY2(!report.diverged, report.message.c_str());
        const double after = lossTerm(
            evaluateSeriesModel(*model, set.data, set.tasks, set.split.test, 16, 7), "mse");
        std::printf(
            "  %-13s test MSE %.4f -> %.4f (train loss %.4f -> %.4f, %.1f s, %ld NFE); persistence "
            "%.4f (%ld cells)\n",
            QTest::currentDataTag(), before, after, report.loss.front(), report.loss.back(), took,
            report.nfe, persistence.mse, persistence.cells);
        QVERIFY(after < level);
        const bool stable = kind == int(SeriesModelKind::Langevin) ||
                            kind == int(SeriesModelKind::LinearNoise) ||
                            kind == int(SeriesModelKind::Geometric);
        if (stable) QVERIFY(after < persistence.mse);
    }

    void probabilisticObjectivesTrain_data() {
        QTest::addColumn<int>("kind");
        QTest::addColumn<int>("objective");
        QTest::newRow("ode_nll") << int(SeriesModelKind::NeuralOde)
                                 << int(SeriesObjective::GaussianNll);
        QTest::newRow("lsde_nll") << int(SeriesModelKind::Langevin)
                                  << int(SeriesObjective::GaussianNll);
        QTest::newRow("lsde_elbo") << int(SeriesModelKind::Langevin) << int(SeriesObjective::Elbo);
        QTest::newRow("sde_elbo") << int(SeriesModelKind::NeuralSde) << int(SeriesObjective::Elbo);
    }
    void probabilisticObjectivesTrain() {
        QFETCH(int, kind);
        QFETCH(int, objective);
        const OuForecast set;
        auto model = makeSeriesModel(ouConfig(SeriesModelKind(kind), SeriesObjective(objective)));
        const auto before = evaluateSeriesModel(*model, set.data, set.tasks, set.split.test, 16, 7);
        SeriesTrainOptions t;
        t.iterations = 120;
        t.seed = 2;
        const auto report = trainSeriesModel(*model, set.data, set.split.train, t);
        QVERIFY2(!report.diverged, report.message.c_str());
        const auto after = evaluateSeriesModel(*model, set.data, set.tasks, set.split.test, 16, 7);
        std::printf("  %-9s test objective %.4f -> %.4f, test MSE %.4f -> %.4f",
                    QTest::currentDataTag(), before.loss, after.loss, lossTerm(before, "mse"),
                    lossTerm(after, "mse"));
        if (SeriesObjective(objective) == SeriesObjective::Elbo)
            std::printf(", KL per cell %.4f -> %.4f", lossTerm(before, "kl"),
                        lossTerm(after, "kl"));
        std::printf("\n");
        QVERIFY(after.loss < before.loss - 0.5);
        QVERIFY(lossTerm(after, "mse") < 0.3);
    }

    void classifiesSpiralDirection_data() {
        QTest::addColumn<int>("kind");
        QTest::newRow("ode") << int(SeriesModelKind::NeuralOde);
        QTest::newRow("lsde") << int(SeriesModelKind::Langevin);
    }
    void classifiesSpiralDirection() {
        QFETCH(int, kind);
        GeneratorOptions o;
        o.seed = 8;
        o.seriesCount = 80;
        o.length = 3.0;
        o.observations = 20;
        o.observationNoise = 0.05;
        o.missingRate = 0.3;
        const auto data = generate(GeneratorKind::Spirals, o);
        const auto split = splitBySeries(data.size(), 0.7, 0.0, 3);
        SeriesModelConfig c;
        c.kind = SeriesModelKind(kind);
        c.channels = 2;
        c.classes = 2;
        c.latentDim = 4;
        c.driftWidths = {16};
        c.controlPath = ControlPath::Linear;
        c.dt = 0.15;
        c.seed = 2;
        auto model = makeSeriesModel(c);
        SeriesTrainOptions t;
        t.iterations = 80;
        t.paths = 4;
        t.seed = 5;
        const auto report = trainSeriesModel(*model, data, split.train, t);
        QVERIFY2(!report.diverged, report.message.c_str());
        std::vector<SeriesTask> whole;
        for (const auto& s : data.series()) whole.push_back({s.observed, s.observed});
        const auto result = evaluateSeriesModel(*model, data, whole, split.test, 8, 3);
        const double accuracy = lossTerm(result, "accuracy");
        std::printf("  %s: cross-entropy %.3f -> %.3f (train), test accuracy %.3f on %zu series\n",
                    QTest::currentDataTag(), report.loss.front(), report.loss.back(), accuracy,
                    split.test.size());
        QVERIFY(accuracy >= 0.75);  // measured 0.875 (ode) and 0.917 (lsde); chance is 0.5
        const auto f = model->forecast(data[split.test[0]], data[split.test[0]].observed, 8, 3, 10);
        QCOMPARE(f.classProbabilities.size(), Eigen::Index(2));
        QVERIFY(std::abs(f.classProbabilities.sum() - 1.0) < 1e-12);
    }

    // The loss of a batch is the loss of its series each solved alone on its own times,
    // whether the batch shares one grid or mixes grids (deterministic ode kind; SDE kinds
    // draw their noise per batch position, so they are checked one series at a time).
    void perSeriesTimesMatchSharedGrid_data() {
        QTest::addColumn<int>("kind");
        QTest::newRow("ode") << int(SeriesModelKind::NeuralOde);
        QTest::newRow("lsde") << int(SeriesModelKind::Langevin);
        QTest::newRow("sde_cubic") << int(SeriesModelKind::NeuralSde);
    }
    void perSeriesTimesMatchSharedGrid() {
        QFETCH(int, kind);
        GeneratorOptions o;
        o.seed = 13;
        o.seriesCount = 4;
        o.length = 3.0;
        o.observations = 12;
        o.irregular = false;
        const auto shared = generate(GeneratorKind::DoubleWell, o);
        o.irregular = true;
        o.missingRate = 0.3;
        const auto irregular = generate(GeneratorKind::DoubleWell, o);
        for (std::size_t i = 1; i < shared.size(); ++i) QVERIFY(shared[i].times == shared[0].times);
        QVERIFY(irregular[0].times != irregular[1].times);
        const auto sharedTasks = makeTasks(shared, {TaskKind::Forecasting, 0.4, 0});
        const auto irregularTasks = makeTasks(irregular, {TaskKind::Forecasting, 0.4, 0});

        auto c = ouConfig(SeriesModelKind(kind));
        if (kind == int(SeriesModelKind::NeuralSde)) c.controlPath = ControlPath::NaturalCubic;
        auto model = makeSeriesModel(c);
        std::vector<SeriesItem> sharedBatch, mixedBatch;
        for (std::size_t i = 0; i < shared.size(); ++i) {
            sharedBatch.push_back({&shared[i], &sharedTasks[i].context, &sharedTasks[i].target});
            mixedBatch.push_back({&shared[i], &sharedTasks[i].context, &sharedTasks[i].target});
            mixedBatch.push_back(
                {&irregular[i], &irregularTasks[i].context, &irregularTasks[i].target});
        }
        if (kind == int(SeriesModelKind::NeuralOde)) {
            const double sharedLoss = model->loss(sharedBatch, 1, 0, nullptr).loss;
            const double mixedLoss = model->loss(mixedBatch, 1, 0, nullptr).loss;
            const double sharedRef = msePerSeries(*model, sharedBatch, 1, 0);
            const double mixedRef = msePerSeries(*model, mixedBatch, 1, 0);
            std::printf("  ode: shared grid %.12f vs per series %.12f; mixed %.12f vs %.12f\n",
                        sharedLoss, sharedRef, mixedLoss, mixedRef);
            QVERIFY(std::abs(sharedLoss - sharedRef) <= 1e-12 * sharedRef);
            QVERIFY(std::abs(mixedLoss - mixedRef) <= 1e-12 * mixedRef);
        } else {
            for (const auto& item : mixedBatch) {
                const double alone = model->loss({item}, 6, 11, nullptr).loss;
                const double ref = msePerSeries(*model, {item}, 6, 11);
                QVERIFY2(std::abs(alone - ref) <= 1e-12 * ref,
                         qPrintable(QString("%1 vs %2").arg(alone).arg(ref)));
            }
        }
        // Shifting a series in time changes nothing: the dynamics run on time since its start.
        Series moved = shared[1];
        for (double& t : moved.times) t += 17.25;
        const SeriesItem movedItem{&moved, &sharedTasks[1].context, &sharedTasks[1].target};
        const double original = model->loss({sharedBatch[1]}, 3, 5, nullptr).loss;
        QVERIFY(std::abs(model->loss({movedItem}, 3, 5, nullptr).loss - original) <=
                1e-9 * original);
    }

    void refusesBadConfigs() {
        auto c = ouConfig(SeriesModelKind::NeuralOde, SeriesObjective::Elbo);
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError, makeSeriesModel(c));
        c = ouConfig(SeriesModelKind::Langevin);
        c.adaptive = true;
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError, makeSeriesModel(c));
        c.kind = SeriesModelKind::NeuralOde;  // the factory hands adaptive ode to its own model
        QVERIFY(makeSeriesModel(c)->config().adaptive);
        c = ouConfig(SeriesModelKind::Langevin);
        c.dt = -1;
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError, makeSeriesModel(c));
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError, seriesModelFromName("odes"));
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError, seriesObjectiveFromName("kl"));
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError, controlPathFromName("spline"));
        QCOMPARE(seriesModelFromName("lnsde"), SeriesModelKind::LinearNoise);
        QCOMPARE(controlPathFromName("cubic"), ControlPath::NaturalCubic);
        const OuForecast set;
        auto model = makeSeriesModel(ouConfig(SeriesModelKind::Langevin));
        std::vector<SeriesItem> batch{{&set.data[0], &set.tasks[0].context, &set.tasks[0].target}};
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError, model->loss(batch, 0, 1, nullptr));
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError,
                                 model->setParameters(Eigen::VectorXd::Zero(3)));
        // A step so small the grid would need billions of points is refused, not attempted.
        c = ouConfig(SeriesModelKind::Langevin);
        c.dt = 1e-9;
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError,
                                 makeSeriesModel(c)->loss(batch, 1, 1, nullptr));
        // A label outside the classifier's classes is named as a config problem.
        c = ouConfig(SeriesModelKind::NeuralOde);
        c.classes = 2;
        Series labelled = set.data[0];
        labelled.label = 5;
        const std::vector<SeriesItem> bad{{&labelled, &labelled.observed, &labelled.observed}};
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError,
                                 makeSeriesModel(c)->loss(bad, 1, 1, nullptr));
    }
};

QTEST_APPLESS_MAIN(TestTimeseriesModelsTraining)
#include "test_timeseries_models_training.moc"
