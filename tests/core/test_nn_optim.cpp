// Optimizers, schedules, clipping and EMA against values worked out by hand. The gradient
// sequence is fixed (g1 = (0.5, 1), g2 = (-0.25, 2) or g repeated), starting from p0 = (1, -2).
#include <QtTest>

#include "core/common/error.h"
#include "core/nn/optimizer.h"
#include "core/nn/schedule.h"

using namespace driftlab::core::nn;

namespace {

Eigen::VectorXd vec(double a, double b) {
    Eigen::VectorXd v(2);
    v << a, b;
    return v;
}

void expectNear(const Eigen::VectorXd& actual, const Eigen::VectorXd& expected,
                double tolerance = 1e-14) {
    QVERIFY2((actual - expected).cwiseAbs().maxCoeff() <= tolerance,
             qPrintable(QString("got (%1, %2), expected (%3, %4)")
                            .arg(actual[0], 0, 'g', 17)
                            .arg(actual[1], 0, 'g', 17)
                            .arg(expected[0], 0, 'g', 17)
                            .arg(expected[1], 0, 'g', 17)));
}

}  // namespace

class TestNnOptim : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // lr 0.1, momentum 0.9, g = (0.5, 1) twice.
    // v1 = g, p1 = p0 - 0.1 g = (0.95, -2.1); v2 = 0.9 g + g = (0.95, 1.9),
    // p2 = p1 - 0.1 v2 = (0.855, -2.29).
    void sgdMomentum() {
        Sgd<double> sgd({.learningRate = 0.1, .momentum = 0.9});
        Eigen::VectorXd p = vec(1.0, -2.0);
        const Eigen::VectorXd g = vec(0.5, 1.0);
        sgd.step(p, g);
        expectNear(p, vec(0.95, -2.1));
        sgd.step(p, g);
        expectNear(p, vec(0.855, -2.29));
        QCOMPARE(sgd.stepCount(), 2);
    }

    // Nesterov: p -= lr (g + mu v). Step 1: 0.1 * 1.9 g = (0.095, 0.19) -> (0.905, -2.19).
    // Step 2: v2 = (0.95, 1.9); 0.1 (g + 0.9 v2) = (0.1355, 0.271) -> (0.7695, -2.461).
    void sgdNesterov() {
        Sgd<double> sgd({.learningRate = 0.1, .momentum = 0.9, .nesterov = true});
        Eigen::VectorXd p = vec(1.0, -2.0);
        const Eigen::VectorXd g = vec(0.5, 1.0);
        sgd.step(p, g);
        expectNear(p, vec(0.905, -2.19));
        sgd.step(p, g);
        expectNear(p, vec(0.7695, -2.461));
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError, Sgd<double>({.nesterov = true}));
    }

    // lr 0.1, betas (0.9, 0.999), eps 1e-8.
    // Step 1: m^ = g1, v^ = g1^2, so p1 = p0 - 0.1 g1 / (|g1| + eps)
    //         = (1 - 0.05 / (0.5 + 1e-8), -2 - 0.1 / (1 + 1e-8)) = (0.900000002, -2.099999999).
    // Step 2, first entry: m = 0.9 * 0.05 + 0.1 * (-0.25) = 0.02, m^ = 0.02 / 0.19;
    //         v = 0.999 * 0.00025 + 0.001 * 0.0625 = 0.00031225, v^ = v / 0.001999;
    //         p2 = 0.900000002 - 0.1 m^ / (sqrt(v^) + eps) = 0.8733662987078463,
    //         and likewise -2.1965182009718336 for the second entry.
    void adam() {
        Adam<double> adam({.learningRate = 0.1});
        Eigen::VectorXd p = vec(1.0, -2.0);
        adam.step(p, vec(0.5, 1.0));
        expectNear(p, vec(0.900000002, -2.099999999));
        adam.step(p, vec(-0.25, 2.0));
        expectNear(p, vec(0.8733662987078463, -2.1965182009718336));
    }

    // AdamW, weight decay 0.1: each step first shrinks p by (1 - lr wd) = 0.99, then takes
    // the Adam step of the raw gradient (which does not depend on p).
    // Step 1: 0.99 p0 - (0.1, 0.1)(1 - ~1e-8) = (0.890000002, -2.079999999).
    // Step 2: 0.99 p1 - (same Adam step as above) = (0.8544662986878463, -2.1557182009818336).
    void adamW() {
        AdamW<double> adamW({.learningRate = 0.1, .weightDecay = 0.1});
        QVERIFY(adamW.options().decoupledWeightDecay);
        Eigen::VectorXd p = vec(1.0, -2.0);
        adamW.step(p, vec(0.5, 1.0));
        expectNear(p, vec(0.890000002, -2.079999999));
        adamW.step(p, vec(-0.25, 2.0));
        expectNear(p, vec(0.8544662986878463, -2.1557182009818336));
        // reset() forgets the moments: the next step is a first step again.
        adamW.reset();
        Eigen::VectorXd q = vec(1.0, -2.0);
        adamW.step(q, vec(0.5, 1.0));
        expectNear(q, vec(0.890000002, -2.079999999));
    }

    void float32Adam() {
        Adam<float> adam({.learningRate = 0.1});
        Eigen::VectorXf p(2);
        p << 1.0f, -2.0f;
        Eigen::VectorXf g(2);
        g << 0.5f, 1.0f;
        adam.step(p, g);
        g << -0.25f, 2.0f;
        adam.step(p, g);
        expectNear(p.cast<double>(), vec(0.8733662987078463, -2.1965182009718336), 5e-6);
    }

    void sizeMismatchRefused() {
        Adam<double> adam({});
        Eigen::VectorXd p = vec(1.0, 2.0);
        adam.step(p, vec(0.1, 0.1));
        Eigen::VectorXd three = Eigen::VectorXd::Zero(3);
        QVERIFY_THROWS_EXCEPTION(driftlab::Error, adam.step(three, three));
    }

    void schedules() {
        LearningRateSchedule constant{.baseRate = 0.01};
        QCOMPARE(constant.rate(0), 0.01);
        QCOMPARE(constant.rate(123456), 0.01);

        LearningRateSchedule step{.kind = LearningRateSchedule::Kind::Step,
                                  .baseRate = 1.0,
                                  .stepSize = 10,
                                  .gamma = 0.5};
        QCOMPARE(step.rate(0), 1.0);
        QCOMPARE(step.rate(9), 1.0);
        QCOMPARE(step.rate(10), 0.5);
        QCOMPARE(step.rate(25), 0.25);

        LearningRateSchedule cosine{.kind = LearningRateSchedule::Kind::Cosine,
                                    .baseRate = 1.0,
                                    .totalSteps = 100,
                                    .minRate = 0.1};
        QCOMPARE(cosine.rate(0), 1.0);
        QVERIFY(std::abs(cosine.rate(50) - 0.55) < 1e-15);
        QVERIFY(std::abs(cosine.rate(25) - (0.1 + 0.45 * (1.0 + std::sqrt(0.5)))) < 1e-15);
        QCOMPARE(cosine.rate(100), 0.1);
        QCOMPARE(cosine.rate(1000), 0.1);

        // Ten warm-up steps ramp 0.1, 0.2, ..., 1.0; the cosine then spans the other 100.
        LearningRateSchedule warm = cosine;
        warm.totalSteps = 110;
        warm.warmupSteps = 10;
        QVERIFY(std::abs(warm.rate(0) - 0.1) < 1e-15);
        QVERIFY(std::abs(warm.rate(4) - 0.5) < 1e-15);
        QCOMPARE(warm.rate(9), 1.0);
        QCOMPARE(warm.rate(10), 1.0);
        QVERIFY(std::abs(warm.rate(60) - 0.55) < 1e-15);
        QCOMPARE(warm.rate(110), 0.1);

        LearningRateSchedule bad{.kind = LearningRateSchedule::Kind::Step, .stepSize = 0};
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError, bad.rate(1));
    }

    void clipping() {
        Eigen::VectorXd g = vec(3.0, 4.0);
        QCOMPARE(clipGradientNorm<double>(g, 1.0), 5.0);
        expectNear(g, vec(0.6, 0.8));
        QVERIFY(std::abs(g.norm() - 1.0) < 1e-15);
        Eigen::VectorXd small = vec(3.0, 4.0);
        QCOMPARE(clipGradientNorm<double>(small, 10.0), 5.0);
        expectNear(small, vec(3.0, 4.0), 0.0);
        Eigen::VectorXd big = Eigen::VectorXd::Constant(1000, 1.0);
        QVERIFY(std::abs(clipGradientNorm<double>(big, 2.0) - std::sqrt(1000.0)) < 1e-12);
        QVERIFY(std::abs(big.norm() - 2.0) < 1e-14);
    }

    // decay 0.9: first update copies (1, 2); then 0.9 (1, 2) + 0.1 (3, 4) = (1.2, 2.2);
    // then 0.9 (1.2, 2.2) + 0.1 (3, 4) = (1.38, 2.38).
    void ema() {
        ParameterEma<double> ema(0.9);
        ema.update(vec(1.0, 2.0));
        expectNear(ema.average(), vec(1.0, 2.0), 0.0);
        ema.update(vec(3.0, 4.0));
        expectNear(ema.average(), vec(1.2, 2.2));
        ema.update(vec(3.0, 4.0));
        expectNear(ema.average(), vec(1.38, 2.38));
        QCOMPARE(ema.updates(), 3);
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError, ParameterEma<double>(1.0));
    }
};

QTEST_GUILESS_MAIN(TestNnOptim)
#include "test_nn_optim.moc"
