// Time-series models (makeSeriesModel, fixed-step kinds): the backprop gradient of every
// kind x objective, with and without a control path, and of the classification head, against
// central finite differences with the Brownian increments held fixed by the noise seed; the
// same for the observation-space (latent = false) variant of every kind.
#include <QtTest>

#include <cstdio>

#include "core/common/error.h"
#include "core/models/series_model.h"
#include "core/timeseries/generators.h"
#include "nn_gradient_check.h"

using namespace driftlab::core;
using namespace driftlab::core::models;
using namespace driftlab::core::timeseries;

namespace {

SeriesModelConfig tinyConfig(SeriesModelKind kind, SeriesObjective objective, ControlPath path,
                             bool withTime, int classes, bool adjoint = false) {
    SeriesModelConfig c;
    c.gradient = adjoint ? GradientMethod::Adjoint : GradientMethod::Backprop;
    c.kind = kind;
    c.objective = objective;
    c.controlPath = path;
    c.driftSeesTime = withTime;
    c.classes = classes;
    c.channels = 2;
    c.latentDim = 3;
    c.driftWidths = {5};
    c.diffusionWidths = {4};
    c.encoderWidths = {4};
    c.encoderObservations = 2;
    c.dt = 0.1;
    c.seed = 3;
    return c;
}

struct SmallSpirals {
    TimeSeriesDataset data;
    std::vector<SeriesTask> tasks;
    std::vector<SeriesItem> batch;
    SmallSpirals() {
        GeneratorOptions o;
        o.seed = 5;
        o.seriesCount = 3;
        o.length = 1.5;
        o.observations = 7;
        o.missingRate = 0.3;
        data = generate(GeneratorKind::Spirals, o);
        tasks = makeTasks(data, {TaskKind::Interpolation, 0.4, 2});
        for (std::size_t i = 0; i < data.size(); ++i)
            batch.push_back({&data[i], &tasks[i].context, &data[i].observed});
    }
};

// The loss gradient of config's model on the small spiral batch against central differences;
// parameterCount (if given) receives the model's parameter count.
void checkGradient(const SeriesModelConfig& config, nn::Index* parameterCount = nullptr) {
    const SmallSpirals set;
    auto model = makeSeriesModel(config);
    const Eigen::VectorXd theta = model->parameters();
    if (parameterCount) *parameterCount = theta.size();
    Eigen::VectorXd grad;
    const auto result = model->loss(set.batch, 3, 99, &grad);
    QVERIFY(std::isfinite(result.loss));
    QVERIFY(result.nfe > 0);
    const Eigen::VectorXd fd = driftlab::test::centralDifferences(
        [&](const Eigen::VectorXd& t) {
            model->setParameters(t);
            return model->loss(set.batch, 3, 99, nullptr).loss;
        },
        theta);
    model->setParameters(theta);
    const double rel = driftlab::test::relativeError(grad, fd);
    std::printf("  %-24s %4ld parameters, loss %9.4f, gradient rel. error %.3e\n",
                QTest::currentDataTag(), long(theta.size()), result.loss, rel);
    // The ode kind's continuous adjoint is only O(dt) close to the discrete gradient (see
    // adjointAgreesWithBackprop); every other gradient is exact.
    const bool continuousAdjoint =
        config.gradient == GradientMethod::Adjoint && config.kind == SeriesModelKind::NeuralOde;
    QVERIFY2(rel < (continuousAdjoint ? 0.05 : 1e-6), qPrintable(QString::number(rel)));
    // Every block takes part: the first (encoder, or drift when not latent) and the last.
    QVERIFY(grad.head(8).norm() > 0 && grad.tail(2).norm() > 0);
}

}  // namespace

class TestTimeseriesModelsGradients : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void gradientMatchesFiniteDifferences_data() {
        QTest::addColumn<int>("kind");
        QTest::addColumn<int>("objective");
        QTest::addColumn<int>("path");
        QTest::addColumn<bool>("withTime");
        QTest::addColumn<int>("classes");
        QTest::addColumn<bool>("adjoint");
        const SeriesModelKind kinds[] = {SeriesModelKind::NeuralOde, SeriesModelKind::NeuralSde,
                                         SeriesModelKind::Langevin, SeriesModelKind::LinearNoise,
                                         SeriesModelKind::Geometric};
        for (auto kind : kinds)
            for (auto objective :
                 {SeriesObjective::Mse, SeriesObjective::GaussianNll, SeriesObjective::Elbo}) {
                if (kind == SeriesModelKind::NeuralOde && objective == SeriesObjective::Elbo)
                    continue;
                const std::string name =
                    seriesModelName(kind) + "_" + seriesObjectiveName(objective);
                QTest::newRow(name.c_str())
                    << int(kind) << int(objective) << int(ControlPath::None) << false << 0 << false;
            }
        QTest::newRow("ode_mse_cubic_time")
            << int(SeriesModelKind::NeuralOde) << int(SeriesObjective::Mse)
            << int(ControlPath::NaturalCubic) << true << 0 << false;
        QTest::newRow("lsde_elbo_linear")
            << int(SeriesModelKind::Langevin) << int(SeriesObjective::Elbo)
            << int(ControlPath::Linear) << false << 0 << false;
        QTest::newRow("gsde_nll_cubic_time")
            << int(SeriesModelKind::Geometric) << int(SeriesObjective::GaussianNll)
            << int(ControlPath::NaturalCubic) << true << 0 << false;
        QTest::newRow("sde_elbo_cubic")
            << int(SeriesModelKind::NeuralSde) << int(SeriesObjective::Elbo)
            << int(ControlPath::NaturalCubic) << false << 0 << false;
        QTest::newRow("lnsde_classify_linear")
            << int(SeriesModelKind::LinearNoise) << int(SeriesObjective::Mse)
            << int(ControlPath::Linear) << false << 2 << false;
        QTest::newRow("ode_classify")
            << int(SeriesModelKind::NeuralOde) << int(SeriesObjective::Mse)
            << int(ControlPath::None) << true << 2 << false;
        // Adjoint on the SDE kinds: the reversible Heun solve and its exact adjoint.
        QTest::newRow("sde_mse_adjoint")
            << int(SeriesModelKind::NeuralSde) << int(SeriesObjective::Mse)
            << int(ControlPath::None) << false << 0 << true;
        QTest::newRow("lsde_nll_adjoint_time")
            << int(SeriesModelKind::Langevin) << int(SeriesObjective::GaussianNll)
            << int(ControlPath::None) << true << 0 << true;
        QTest::newRow("lnsde_mse_adjoint_cubic")
            << int(SeriesModelKind::LinearNoise) << int(SeriesObjective::Mse)
            << int(ControlPath::NaturalCubic) << false << 0 << true;
        QTest::newRow("gsde_nll_adjoint")
            << int(SeriesModelKind::Geometric) << int(SeriesObjective::GaussianNll)
            << int(ControlPath::None) << false << 0 << true;
        QTest::newRow("lsde_classify_adjoint")
            << int(SeriesModelKind::Langevin) << int(SeriesObjective::Mse)
            << int(ControlPath::Linear) << false << 2 << true;
        QTest::newRow("ode_mse_adjoint")
            << int(SeriesModelKind::NeuralOde) << int(SeriesObjective::Mse)
            << int(ControlPath::None) << false << 0 << true;
    }
    void gradientMatchesFiniteDifferences() {
        QFETCH(int, kind);
        QFETCH(int, objective);
        QFETCH(int, path);
        QFETCH(bool, withTime);
        QFETCH(int, classes);
        QFETCH(bool, adjoint);
        checkGradient(tinyConfig(SeriesModelKind(kind), SeriesObjective(objective),
                                 ControlPath(path), withTime, classes, adjoint));
    }

    // latent = false: the state is the two spiral channels, z0 their first context values,
    // the readout the identity; the rows cover every kind and objective, a control path,
    // classification and both adjoints.
    void observationSpaceGradientMatchesFiniteDifferences_data() {
        gradientMatchesFiniteDifferences_data();
    }
    void observationSpaceGradientMatchesFiniteDifferences() {
        QFETCH(int, kind);
        QFETCH(int, objective);
        QFETCH(int, path);
        QFETCH(bool, withTime);
        QFETCH(int, classes);
        QFETCH(bool, adjoint);
        auto c = tinyConfig(SeriesModelKind(kind), SeriesObjective(objective), ControlPath(path),
                            withTime, classes, adjoint);
        const nn::Index latentParameters = makeSeriesModel(c)->parameterCount();
        c.latent = false;
        c.latentDim = c.channels;
        nn::Index stateParameters = 0;
        checkGradient(c, &stateParameters);
        // No encoder or readout: the drift alone (5 hidden units) is smaller than the latent
        // model's encoder + drift + readout.
        QVERIFY(stateParameters < latentParameters);
    }

    // The ode kind's continuous adjoint against backprop: the same loss, and gradients that
    // differ by O(dt) (the backward Euler solve does not retrace the forward one), so the
    // gap halves with dt.
    void adjointAgreesWithBackprop() {
        const SmallSpirals set;
        double previousGap = 0.0;
        for (double dt : {0.02, 0.01, 0.005}) {
            auto c = tinyConfig(SeriesModelKind::NeuralOde, SeriesObjective::GaussianNll,
                                ControlPath::NaturalCubic, true, 0);
            c.dt = dt;
            auto backprop = makeSeriesModel(c);
            c.gradient = GradientMethod::Adjoint;
            auto adjoint = makeSeriesModel(c);
            Eigen::VectorXd gb, ga;
            const auto rb = backprop->loss(set.batch, 1, 0, &gb);
            const auto ra = adjoint->loss(set.batch, 1, 0, &ga);
            QCOMPARE(ra.loss, rb.loss);
            const double gap = driftlab::test::relativeError(ga, gb);
            std::printf(
                "  dt %.3f: adjoint vs backprop gradient rel. difference %.3e (NFE %ld vs %ld)\n",
                dt, gap, ra.nfe, rb.nfe);
            QVERIFY(gap < 0.05);
            if (previousGap > 0) QVERIFY(gap < 0.65 * previousGap);
            previousGap = gap;
        }
        auto c = tinyConfig(SeriesModelKind::Langevin, SeriesObjective::Elbo, ControlPath::None,
                            false, 0, true);
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError, makeSeriesModel(c));
    }

    // The Langevin class has additive noise, so Euler–Maruyama (backprop) and reversible Heun
    // (adjoint) solve the same SDE on the same Brownian increments: their gradients approach
    // each other as dt shrinks.
    void reversibleHeunAdjointAgreesWithBackprop() {
        const SmallSpirals set;
        double previousGap = 0.0;
        for (double dt : {0.04, 0.02, 0.01, 0.005}) {
            auto c = tinyConfig(SeriesModelKind::Langevin, SeriesObjective::Mse,
                                ControlPath::Linear, true, 0);
            c.dt = dt;
            c.diffusionScale = 0.2;
            auto backprop = makeSeriesModel(c);
            c.gradient = GradientMethod::Adjoint;
            auto adjoint = makeSeriesModel(c);
            Eigen::VectorXd gb, ga;
            const auto rb = backprop->loss(set.batch, 16, 3, &gb);
            const auto ra = adjoint->loss(set.batch, 16, 3, &ga);
            const double gap = driftlab::test::relativeError(ga, gb);
            std::printf(
                "  dt %.3f: reversible Heun adjoint vs Euler-Maruyama backprop: loss %.6f vs %.6f, "
                "gradient "
                "rel. difference %.3e (NFE %ld vs %ld)\n",
                dt, ra.loss, rb.loss, gap, ra.nfe, rb.nfe);
            if (previousGap > 0) QVERIFY(gap < 0.75 * previousGap);
            previousGap = gap;
        }
        QVERIFY(previousGap < 0.02);
    }

    void lossIsAFunctionOfTheSeed() {
        const SmallSpirals set;
        auto model = makeSeriesModel(tinyConfig(SeriesModelKind::Langevin, SeriesObjective::Mse,
                                                ControlPath::None, false, 0));
        const double a = model->loss(set.batch, 4, 7, nullptr).loss;
        QCOMPARE(model->loss(set.batch, 4, 7, nullptr).loss, a);
        QVERIFY(model->loss(set.batch, 4, 8, nullptr).loss != a);
    }
};

QTEST_APPLESS_MAIN(TestTimeseriesModelsGradients)
#include "test_timeseries_models_gradients.moc"
