// The whole training loop on a small problem: fit sin(x) on [-3, 3] with a 1-32-32-1 tanh MLP
// and Adam, fixed seed; the fit must reach MSE < 1e-3 within a bounded number of iterations.
#include <QElapsedTimer>
#include <QtTest>
#include <numbers>

#include "core/nn/loss.h"
#include "core/nn/mlp.h"
#include "core/nn/optimizer.h"
#include "core/nn/schedule.h"

using namespace driftlab::core::nn;

class TestNnRegression : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void fitSine_data() {
        QTest::addColumn<bool>("single");
        QTest::newRow("float64") << false;
        QTest::newRow("float32") << true;
    }

    void fitSine() {
        QFETCH(bool, single);
        if (single)
            fit<float>();
        else
            fit<double>();
    }

private:
    template <typename Scalar>
    void fit() {
        MlpConfig config;
        config.inputDim = 1;
        config.hiddenWidths = {32, 32};
        config.outputDim = 1;
        config.hiddenActivations = {Activation::Tanh};
        config.seed = 7;
        Mlp<Scalar> model(config);

        const Index n = 256;
        const Matrix<Scalar> x = RowVector<Scalar>::LinSpaced(n, Scalar(-3), Scalar(3));
        const Matrix<Scalar> y = x.array().sin().matrix();

        Adam<Scalar> adam({.learningRate = 1e-2});
        const LearningRateSchedule schedule{.kind = LearningRateSchedule::Kind::Cosine,
                                            .baseRate = 1e-2,
                                            .totalSteps = 3000,
                                            .minRate = 1e-4,
                                            .warmupSteps = 50};
        const int maxIterations = 3000;
        Matrix<Scalar> grad;
        Scalar loss = 1;
        int iteration = 0;
        QElapsedTimer timer;
        timer.start();
        for (; iteration < maxIterations; ++iteration) {
            model.zeroGradient();
            loss = mseLoss<Scalar>(model.forward(x), y, &grad);
            if (loss < Scalar(1e-3)) break;
            model.backward(grad);
            clipGradientNorm<Scalar>(model.gradient(), Scalar(10));
            adam.setLearningRate(schedule.rate(iteration));
            adam.step(model.parameters(), model.gradient());
        }
        qInfo("%s: MSE %.2e after %d Adam iterations (%.0f ms)",
              sizeof(Scalar) == 8 ? "float64" : "float32", static_cast<double>(loss), iteration,
              static_cast<double>(timer.elapsed()));
        QVERIFY(loss < Scalar(1e-3));
    }
};

QTEST_GUILESS_MAIN(TestNnRegression)
#include "test_nn_regression.moc"
