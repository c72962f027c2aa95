// Stable neural SDE classes (LSDE, LNSDE, GSDE): the backprop gradient through the
// Euler–Maruyama solve against central finite differences with fixed Brownian increments,
// and training on an OU forecasting set against the persistence and interpolation baselines.
#include <QtTest>

#include <chrono>
#include <cstdio>

#include "core/common/error.h"
#include "core/models/stable_sde.h"
#include "core/timeseries/baselines.h"
#include "core/timeseries/generators.h"

using namespace driftlab::core;
using namespace driftlab::core::models;
using namespace driftlab::core::timeseries;

namespace {

StableSdeConfig smallConfig(StableSdeKind kind, bool withTime) {
    StableSdeConfig c;
    c.kind = kind;
    c.channels = 2;
    c.latentDim = 3;
    c.driftWidths = {6};
    c.diffusionWidths = {4};
    c.encoderWidths = {5};
    c.encoderObservations = 2;
    c.driftSeesTime = withTime;
    c.dt = 0.1;
    c.seed = 3;
    return c;
}

struct OuForecast {
    TimeSeriesDataset data;
    DatasetSplit split;
    std::vector<SeriesTask> tasks;
    OuForecast() {
        GeneratorOptions o;
        o.seed = 21;
        o.seriesCount = 64;
        o.length = 6.0;
        o.observations = 30;
        o.observationNoise = 0.05;
        o.missingRate = 0.3;
        data = generate(GeneratorKind::OrnsteinUhlenbeck, o);
        split = splitBySeries(data.size(), 0.75, 0.0, 4);
        tasks = makeTasks(data, {TaskKind::Forecasting, 0.5, 0});
    }
};

}  // namespace

class TestTimeseriesStableSde : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void gradientMatchesFiniteDifferences_data() {
        QTest::addColumn<int>("kind");
        QTest::addColumn<bool>("withTime");
        QTest::newRow("lsde") << int(StableSdeKind::Langevin) << false;
        QTest::newRow("lsde_time") << int(StableSdeKind::Langevin) << true;
        QTest::newRow("lnsde") << int(StableSdeKind::LinearNoise) << false;
        QTest::newRow("gsde") << int(StableSdeKind::Geometric) << true;
    }
    void gradientMatchesFiniteDifferences() {
        QFETCH(int, kind);
        QFETCH(bool, withTime);
        GeneratorOptions o;
        o.seed = 5;
        o.seriesCount = 3;
        o.length = 1.5;
        o.observations = 7;
        o.missingRate = 0.3;
        const auto data = generate(GeneratorKind::Spirals, o);
        const auto tasks = makeTasks(data, {TaskKind::Interpolation, 0.4, 2});
        std::vector<StableSdeItem> batch;
        for (std::size_t i = 0; i < data.size(); ++i)
            batch.push_back({&data[i], &tasks[i].context, &data[i].observed});

        StableSde model(smallConfig(StableSdeKind(kind), withTime));
        Eigen::VectorXd theta = model.parameters(), grad;
        const double loss = model.loss(batch, 3, 99, &grad);
        QVERIFY(std::isfinite(loss) && loss > 0);
        Eigen::VectorXd fd(theta.size());
        const double h = 1e-6;
        for (Eigen::Index p = 0; p < theta.size(); ++p) {
            Eigen::VectorXd t = theta;
            t(p) += h;
            model.setParameters(t);
            const double up = model.loss(batch, 3, 99, nullptr);
            t(p) -= 2 * h;
            model.setParameters(t);
            const double down = model.loss(batch, 3, 99, nullptr);
            fd(p) = (up - down) / (2 * h);
        }
        const double rel = (grad - fd).norm() / fd.norm();
        std::printf("  %s%s: %ld parameters, loss %.4f, gradient rel. error %.3e\n",
                    stableSdeName(StableSdeKind(kind)).c_str(), withTime ? " (drift sees t)" : "",
                    long(theta.size()), loss, rel);
        QVERIFY2(rel < 1e-6, qPrintable(QString::number(rel)));
        // Every block of the parameter vector takes part (encoder .. readout).
        QVERIFY(grad.head(10).norm() > 0 && grad.tail(3).norm() > 0);
    }

    void trainingOnOuForecastingBeatsPersistence_data() {
        QTest::addColumn<int>("kind");
        QTest::newRow("lsde") << int(StableSdeKind::Langevin);
        QTest::newRow("lnsde") << int(StableSdeKind::LinearNoise);
        QTest::newRow("gsde") << int(StableSdeKind::Geometric);
    }
    void trainingOnOuForecastingBeatsPersistence() {
        QFETCH(int, kind);
        const OuForecast set;
        const auto persistence = baselineMse(BaselineKind::Persistence, set.data, set.tasks, set.split.test);
        const auto linear = baselineMse(BaselineKind::LinearInterpolation, set.data, set.tasks, set.split.test);

        StableSdeConfig c;
        c.kind = StableSdeKind(kind);
        c.latentDim = 4;
        c.driftWidths = {16, 16};
        c.dt = 0.1;
        c.seed = 1;
        StableSde model(c);
        const double before = evaluateStableSde(model, set.data, set.tasks, set.split.test, 16, 7);
        StableSdeTrainOptions t;
        t.iterations = 120;
        t.batchSize = 16;
        t.paths = 8;
        t.learningRate = 1e-2;
        t.seed = 2;
        const auto start = std::chrono::steady_clock::now();
        const auto report = trainStableSde(model, set.data, set.split.train, t);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        QVERIFY2(!report.diverged, report.message.c_str());
        const double after = evaluateStableSde(model, set.data, set.tasks, set.split.test, 16, 7);
        std::printf("  %s: test MSE %.4f -> %.4f (train loss %.4f -> %.4f, %.1f s); persistence %.4f, "
                    "linear interpolation %.4f (%ld cells)\n",
                    stableSdeName(c.kind).c_str(), before, after, report.loss.front(),
                    report.loss.back(), seconds, persistence.mse, linear.mse, persistence.cells);
        // Stated level: from ~1.9 (LSDE, LNSDE) or ~4.5 (GSDE) untrained to about 0.15 on this
        // seed, below persistence (0.213); asserted with a margin.
        QVERIFY(after < 0.18);
        QVERIFY(after < persistence.mse);
    }

    void refusesBadInput() {
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError, stableSdeFromName("sde"));
        StableSdeConfig c;
        c.dt = 0;
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError, StableSde{c});
    }
};

QTEST_APPLESS_MAIN(TestTimeseriesStableSde)
#include "test_timeseries_stable_sde.moc"
