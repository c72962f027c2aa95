// Adaptive latent neural ODE on irregular series: the gradient through the replayed Dopri5
// steps (with the ERNODE error and stiffness regularisers, global and local) against central
// finite differences; the per-gap continuous adjoint against it; the forecast against the
// loss; refusals; and the claim of the ERNODE paper on a fixed seed: training with the
// regulariser leaves a model that the solver integrates with fewer evaluations, at a
// similar test error.
#include <QtTest>

#include <cstdio>

#include "core/common/error.h"
#include "core/models/adaptive_series_ode.h"
#include "core/nn/optimizer.h"
#include "core/timeseries/generators.h"

using namespace driftlab::core;
using namespace driftlab::core::models;
using namespace driftlab::core::timeseries;

namespace {

SeriesModelConfig smallConfig() {
    SeriesModelConfig c;
    c.kind = SeriesModelKind::NeuralOde;
    c.adaptive = true;
    c.channels = 2;
    c.latentDim = 3;
    c.driftWidths = {6};
    c.encoderWidths = {5};
    c.encoderObservations = 2;
    c.rtol = 1e-5;
    c.atol = 1e-7;
    c.seed = 3;
    return c;
}

struct SpiralBatch {
    TimeSeriesDataset data;
    std::vector<SeriesTask> tasks;
    std::vector<SeriesItem> items;
    SpiralBatch(int series, int observations, double length, TaskKind kind, std::uint64_t seed) {
        GeneratorOptions o;
        o.seed = seed;
        o.seriesCount = series;
        o.length = length;
        o.observations = observations;
        o.observationNoise = 0.02;
        o.missingRate = 0.2;
        data = generate(GeneratorKind::Spirals, o);
        tasks = makeTasks(data, {kind, 0.4, 2});
        for (std::size_t i = 0; i < data.size(); ++i)
            items.push_back({&data[i], &tasks[i].context, &tasks[i].target});
    }
};

double term(const SeriesLossResult& r, const std::string& name) {
    for (const auto& [key, value] : r.terms)
        if (key == name) return value;
    return std::nan("");
}

// Full-batch Adam; returns the NFE of every iteration (forward, replay and backward).
std::vector<long> trainAdam(SeriesModel& model, const std::vector<SeriesItem>& batch,
                            int iterations, double rate) {
    nn::AdamOptions options;
    options.learningRate = rate;
    nn::Adam<double> adam(options);
    Eigen::VectorXd theta = model.parameters(), grad;
    std::vector<long> nfe;
    for (int it = 0; it < iterations; ++it) {
        const auto r = model.loss(batch, 1, std::uint64_t(it), &grad);
        nfe.push_back(r.nfe);
        nn::clipGradientNorm<double>(grad, 10.0);
        adam.step(theta, grad);
        model.setParameters(theta);
    }
    return nfe;
}

}  // namespace

class TestAdaptiveSeriesOde : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void gradientMatchesFiniteDifferences_data() {
        QTest::addColumn<double>("errorLambda");
        QTest::addColumn<double>("stiffnessLambda");
        QTest::addColumn<int>("localPoints");
        QTest::addColumn<int>("objective");
        QTest::addColumn<int>("control");
        QTest::addColumn<bool>("withTime");
        QTest::addColumn<int>("classes");
        const int mse = int(SeriesObjective::Mse), nll = int(SeriesObjective::GaussianNll);
        const int none = int(ControlPath::None);
        QTest::newRow("mse") << 0.0 << 0.0 << 0 << mse << none << false << 0;
        QTest::newRow("global_error") << 3e6 << 0.0 << 0 << mse << none << false << 0;
        QTest::newRow("global_stiffness") << 0.0 << 0.5 << 0 << mse << none << true << 0;
        QTest::newRow("global_both_nll") << 1e6 << 0.5 << 0 << nll << none << false << 0;
        QTest::newRow("local_both") << 1e6 << 0.5 << 5 << mse << none << false << 0;
        QTest::newRow("cubic_control")
            << 1e6 << 0.0 << 0 << mse << int(ControlPath::NaturalCubic) << true << 0;
        QTest::newRow("classification") << 1e6 << 0.5 << 0 << mse << none << false << 2;
    }
    void gradientMatchesFiniteDifferences() {
        QFETCH(double, errorLambda);
        QFETCH(double, stiffnessLambda);
        QFETCH(int, localPoints);
        QFETCH(int, objective);
        QFETCH(int, control);
        QFETCH(bool, withTime);
        QFETCH(int, classes);
        SpiralBatch b(3, 7, 1.5, TaskKind::Interpolation, 5);
        auto c = smallConfig();
        c.errorRegularization = errorLambda;
        c.stiffnessRegularization = stiffnessLambda;
        c.localRegularizationPoints = localPoints;
        c.objective = SeriesObjective(objective);
        c.controlPath = ControlPath(control);
        c.driftSeesTime = withTime;
        c.classes = classes;
        auto model = makeAdaptiveSeriesOde(c);
        auto plainConfig = c;
        plainConfig.errorRegularization = plainConfig.stiffnessRegularization = 0.0;
        auto plain = makeAdaptiveSeriesOde(plainConfig);

        Eigen::VectorXd theta = model->parameters(), grad, plainGrad;
        const auto result = model->loss(b.items, 1, 99, &grad);
        plain->loss(b.items, 1, 99, &plainGrad);
        QVERIFY(std::isfinite(result.loss) && result.loss > 0);
        QVERIFY(result.nfe > 0 && !result.steps.empty());

        freezeStepGrids(*model, b.items);
        const double frozen = model->loss(b.items, 1, 99, nullptr).loss;
        // The frozen replay is the solve the gradient was taken of.
        QVERIFY2(std::abs(frozen - result.loss) <= 1e-12 * std::abs(result.loss),
                 qPrintable(QString::number(frozen - result.loss)));
        Eigen::VectorXd fd(theta.size());
        // The stiffness estimate divides two differences of nearly equal stage values, which
        // amplifies round-off in the loss: a step of 1e-6 leaves ~1e-6 noise in the
        // differences, 1e-4 keeps both noise and truncation below 1e-7.
        const double h = 1e-4;
        for (Eigen::Index p = 0; p < theta.size(); ++p) {
            Eigen::VectorXd t = theta;
            t(p) += h;
            model->setParameters(t);
            const double up = model->loss(b.items, 1, 99, nullptr).loss;
            t(p) -= 2 * h;
            model->setParameters(t);
            const double down = model->loss(b.items, 1, 99, nullptr).loss;
            fd(p) = (up - down) / (2 * h);
        }
        unfreezeStepGrids(*model);
        const double rel = (grad - fd).norm() / fd.norm();
        const double regShare = (grad - plainGrad).norm() / plainGrad.norm();
        std::printf(
            "  %s: %ld parameters, loss %.5f, %zu step records, gradient rel. error %.3e, "
            "R_E %.3g, R_S %.3g, regulariser share of the gradient %.3f\n",
            QTest::currentDataTag(), long(theta.size()), result.loss, result.steps.size(), rel,
            term(result, "error_reg"), term(result, "stiffness_reg"), regShare);
        QVERIFY2(rel < 1e-6, qPrintable(QString::number(rel)));
        // The regularisers must actually move the gradient, or the check above says little.
        if (errorLambda > 0 || stiffnessLambda > 0) QVERIFY(regShare > 1e-2);
        if (errorLambda > 0) QVERIFY(term(result, "error_reg") > 0);
        if (stiffnessLambda > 0) QVERIFY(term(result, "stiffness_reg") > 0);
    }

    void adjointAgreesWithBackprop() {
        SpiralBatch b(2, 6, 1.5, TaskKind::Forecasting, 8);
        auto c = smallConfig();
        c.rtol = 1e-10;
        c.atol = 1e-12;
        c.driftSeesTime = true;
        Eigen::VectorXd backprop, adjoint;
        const auto r1 = makeAdaptiveSeriesOde(c)->loss(b.items, 1, 0, &backprop);
        c.gradient = GradientMethod::Adjoint;
        const auto r2 = makeAdaptiveSeriesOde(c)->loss(b.items, 1, 0, &adjoint);
        const double rel = (adjoint - backprop).norm() / backprop.norm();
        std::printf("  adjoint vs backprop at rtol 1e-10: rel. difference %.2e, NFE %ld vs %ld\n",
                    rel, r2.nfe, r1.nfe);
        QVERIFY(std::abs(r1.loss - r2.loss) < 1e-12);
        QVERIFY2(rel < 1e-6, qPrintable(QString::number(rel)));
    }

    void forecastMatchesTheLossPrediction() {
        SpiralBatch b(1, 12, 3.0, TaskKind::Forecasting, 4);
        auto c = smallConfig();
        c.objective = SeriesObjective::GaussianNll;
        c.rtol = 1e-9;
        c.atol = 1e-11;
        auto model = makeAdaptiveSeriesOde(c);
        Eigen::VectorXd theta = model->parameters();
        theta.tail(2) << std::log(0.5), std::log(2.0);  // observation log-sigma per channel
        model->setParameters(theta);
        const auto& s = b.data[0];
        const auto f = model->forecast(s, b.tasks[0].context, 7, 1, 40);
        QCOMPARE(f.paths.size(), std::size_t(1));
        QCOMPARE(f.times.size(), std::size_t(40));
        QCOMPARE(f.mean.cols(), Eigen::Index(40));
        QVERIFY(f.meanAtObservations.allFinite());
        QVERIFY(((f.upper - f.mean).row(0).array() - 1.6448536 * 0.5).abs().maxCoeff() < 1e-6);
        QVERIFY(((f.mean - f.lower).row(1).array() - 1.6448536 * 2.0).abs().maxCoeff() < 1e-6);
        double sse = 0;
        const auto& target = b.tasks[0].target;
        for (Eigen::Index j = 0; j < s.length(); ++j)
            for (Eigen::Index i = 0; i < 2; ++i)
                if (target(i, j)) sse += std::pow(f.meanAtObservations(i, j) - s.values(i, j), 2);
        const double mse = sse / double(target.count());
        const double lossMse = term(model->loss({b.items[0]}, 1, 0, nullptr), "mse");
        // One dense-output solve against one solve per gap: equal to the tolerances.
        QVERIFY2(std::abs(mse - lossMse) < 1e-6 * lossMse,
                 qPrintable(QString("%1 vs %2").arg(mse).arg(lossMse)));
    }

    void eachSeriesIsSolvedOnItsOwnTimes() {
        SpiralBatch b(3, 5, 10.0, TaskKind::Forecasting, 12);  // long gaps
        auto config = smallConfig();
        config.driftSeesTime = true;
        auto model = makeAdaptiveSeriesOde(config);
        Eigen::VectorXd theta = model->parameters();
        model->setParameters(4.0 * theta);  // livelier dynamics, so some steps are rejected
        const auto batch = model->loss(b.items, 1, 0, nullptr);
        double weighted = 0.0, cells = 0.0;
        for (const auto& item : b.items) {
            const double n = double(item.target->count());
            weighted += n * model->loss({item}, 1, 0, nullptr).loss;
            cells += n;
        }
        // The batch objective is the cell-weighted mean of the series' own objectives.
        QVERIFY(std::abs(batch.loss - weighted / cells) <= 1e-12 * batch.loss);
        // Shifting a series in time changes nothing: its dynamics run on time since its start.
        Series moved = b.data[1];
        for (double& t : moved.times) t += 17.25;
        const SeriesItem movedItem{&moved, &b.tasks[1].context, &b.tasks[1].target};
        const double original = model->loss({b.items[1]}, 1, 0, nullptr).loss;
        QVERIFY(std::abs(model->loss({movedItem}, 1, 0, nullptr).loss - original) <=
                1e-9 * original);

        // NFE counts every attempted step, rejected ones included: per gap one evaluation at
        // its start, Hairer's starting-step guess once, then 6 per attempted Dopri5 step.
        const auto one = model->loss({b.items[0]}, 1, 0, nullptr);
        const auto& s = b.data[0];
        Eigen::Index last = s.length() - 1;
        while (!b.tasks[0].target.col(last).any()) --last;
        long rejected = 0;
        for (const auto& r : one.steps) rejected += r.accepted ? 0 : 1;
        std::printf("  first series: %zu attempted steps (%ld rejected) over %ld gaps, NFE %ld\n",
                    one.steps.size(), rejected, long(last), one.nfe);
        QVERIFY(rejected > 0);
        QCOMPARE(one.nfe, long(last) + 1 + 6 * long(one.steps.size()));
        QVERIFY(one.steps.front().t == s.times.front());
    }

    void refusesWhatItCannotDo() {
        auto c = smallConfig();
        c.objective = SeriesObjective::Elbo;
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError, makeAdaptiveSeriesOde(c));
        c = smallConfig();
        c.kind = SeriesModelKind::Langevin;
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError, makeAdaptiveSeriesOde(c));
        c = smallConfig();
        c.gradient = GradientMethod::Adjoint;
        c.errorRegularization = 1.0;
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError, makeAdaptiveSeriesOde(c));
        c = smallConfig();
        c.rtol = -1e-3;
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError, makeAdaptiveSeriesOde(c));
        c = smallConfig();
        c.stiffnessRegularization = std::nan("");
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError, makeAdaptiveSeriesOde(c));
        auto model = makeAdaptiveSeriesOde(smallConfig());
        SpiralBatch b(1, 5, 1.0, TaskKind::Forecasting, 1);
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError, model->loss(b.items, 0, 0, nullptr));
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError,
                                 model->setParameters(Eigen::VectorXd::Zero(3)));
    }

    void regularisationLowersNfe_data() {
        QTest::addColumn<double>("errorLambda");
        QTest::addColumn<double>("stiffnessLambda");
        QTest::addColumn<int>("localPoints");
        // R_E is of the order of the tolerance times the window (the controller keeps every
        // local error near the tolerance), hence the large error weights at rtol 1e-6.
        QTest::newRow("global_error") << 1e6 << 0.0 << 0;
        QTest::newRow("local_error") << 3e6 << 0.0 << 10;
        QTest::newRow("global_stiffness") << 0.0 << 0.1 << 0;
    }
    void regularisationLowersNfe() {
        QFETCH(double, errorLambda);
        QFETCH(double, stiffnessLambda);
        QFETCH(int, localPoints);
        SpiralBatch train(12, 24, 4.0, TaskKind::Forecasting, 31);
        SpiralBatch test(12, 24, 4.0, TaskKind::Forecasting, 32);
        auto c = smallConfig();
        c.latentDim = 4;
        c.driftWidths = {16};
        c.encoderWidths = {16};
        c.encoderObservations = 6;
        c.rtol = 1e-6;
        c.atol = 1e-8;
        const int iterations = 60;
        auto plain = makeAdaptiveSeriesOde(c);
        const auto plainNfe = trainAdam(*plain, train.items, iterations, 2e-2);
        auto regConfig = c;
        regConfig.errorRegularization = errorLambda;
        regConfig.stiffnessRegularization = stiffnessLambda;
        regConfig.localRegularizationPoints = localPoints;
        auto regularised = makeAdaptiveSeriesOde(regConfig);
        const auto regNfe = trainAdam(*regularised, train.items, iterations, 2e-2);

        // Fresh evaluation solves of both trained models on held-out series, same
        // tolerance, no regulariser: only the solver's own work is counted.
        auto evaluate = [&](const SeriesModel& trained) {
            auto m = makeAdaptiveSeriesOde(c);
            m->setParameters(trained.parameters());
            return m->loss(test.items, 1, 0, nullptr);
        };
        const auto a = evaluate(*plain), b = evaluate(*regularised);
        const double ratio = double(b.nfe) / double(a.nfe);
        const double mseRatio = term(b, "mse") / term(a, "mse");
        std::printf(
            "  %s: train NFE/iteration (last) plain %ld, regularised %ld; test solve NFE "
            "plain %ld, regularised %ld (ratio %.3f); test MSE plain %.4f, regularised "
            "%.4f (ratio %.3f)\n",
            QTest::currentDataTag(), plainNfe.back(), regNfe.back(), a.nfe, b.nfe, ratio,
            term(a, "mse"), term(b, "mse"), mseRatio);
        QVERIFY(ratio < 0.95);
        QVERIFY(mseRatio < 1.25);
    }
};

QTEST_APPLESS_MAIN(TestAdaptiveSeriesOde)
#include "test_adaptive_series_ode.moc"
