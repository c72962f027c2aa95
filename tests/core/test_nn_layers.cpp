// Dense layers with every fused activation and the time embeddings, checked against central
// finite differences: parameter gradient and input VJP, each with relative error < 1e-6.
#include <QtTest>

#include "core/common/error.h"
#include "core/common/random.h"
#include "core/nn/activation.h"
#include "core/nn/dense.h"
#include "core/nn/time_embedding.h"
#include "nn_gradient_check.h"

using namespace driftlab::core;
using namespace driftlab::core::nn;
using driftlab::test::centralDifferences;
using driftlab::test::flat;
using driftlab::test::relativeError;

namespace {
Eigen::MatrixXd randomMatrix(Index rows, Index cols, std::uint64_t seed) {
    return driftlab::test::randomMatrix(rows, cols, seed, 0);
}
}  // namespace

class TestNnLayers : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void denseGradients_data() {
        QTest::addColumn<int>("activation");
        for (Activation a :
             {Activation::Identity, Activation::Tanh, Activation::Relu, Activation::Silu,
              Activation::Softplus, Activation::Sigmoid, Activation::Sine})
            QTest::newRow(activationName(a).c_str()) << static_cast<int>(a);
    }

    // L = sum(R .* act(W x + b)) for a fixed random R, so dL/da = R.
    void denseGradients() {
        QFETCH(int, activation);
        const Dense<double> layer(3, 4, static_cast<Activation>(activation), 2);
        Eigen::VectorXd params(layer.parameterCount() + 3);  // offset 2 plus a trailing slot
        RandomStream random(11, 0);
        for (Index k = 0; k < params.size(); ++k) params[k] = random.normal();
        const Eigen::MatrixXd x = randomMatrix(3, 5, 1);
        const Eigen::MatrixXd r = randomMatrix(4, 5, 2);

        Eigen::MatrixXd z, a, g, dx;
        const auto loss = [&](const Eigen::VectorXd& p, const Eigen::MatrixXd& input) {
            Eigen::MatrixXd zz, aa;
            GemmBuffers<double> scratch;
            layer.forward(p.data(), input, zz, aa, scratch);
            return r.cwiseProduct(aa).sum();
        };
        GemmBuffers<double> buffers;
        layer.forward(params.data(), x, z, a, buffers);
        g = r;
        Eigen::VectorXd grad = Eigen::VectorXd::Constant(params.size(), 0.25);
        layer.backward(params.data(), x, z, a, g, grad.data(), &dx, buffers);

        // Accumulation: the 0.25 start survives, entries outside the layer stay untouched.
        grad.array() -= 0.25;
        QCOMPARE(grad[0], 0.0);
        QCOMPARE(grad[params.size() - 1], 0.0);
        const Eigen::VectorXd paramFd =
            centralDifferences([&](const Eigen::VectorXd& p) { return loss(p, x); }, params);
        const Eigen::VectorXd inputFd = centralDifferences(
            [&](const Eigen::VectorXd& xv) {
                return loss(params, Eigen::Map<const Eigen::MatrixXd>(xv.data(), 3, 5));
            },
            flat(x));
        const double paramError = relativeError(grad, paramFd);
        const double inputError = relativeError(flat(dx), inputFd);
        qInfo("%s: parameter gradient rel. error %.2e, input VJP %.2e",
              activationName(static_cast<Activation>(activation)).c_str(), paramError, inputError);
        QVERIFY(paramError < 1e-6);
        QVERIFY(inputError < 1e-6);
    }

    void activationNamesRoundTrip() {
        for (Activation a :
             {Activation::Identity, Activation::Tanh, Activation::Relu, Activation::Silu,
              Activation::Softplus, Activation::Sigmoid, Activation::Sine})
            QCOMPARE(activationFromName(activationName(a)), a);
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError, activationFromName("gelu"));
    }

    // Softplus and sigmoid must stay finite far out in the tails.
    void activationsAreStable() {
        Eigen::MatrixXd z(1, 2);
        z << -800.0, 800.0;
        Eigen::MatrixXd a;
        activationForward(Activation::Softplus, z, a);
        QVERIFY(a.allFinite());
        QCOMPARE(a(0, 1), 800.0);
        activationForward(Activation::Sigmoid, z, a);
        QCOMPARE(a(0, 0), 0.0);
        QCOMPARE(a(0, 1), 1.0);
    }

    void xavierAndHeScales() {
        const Dense<double> tanhLayer(400, 300, Activation::Tanh, 0);
        const Dense<double> reluLayer(400, 300, Activation::Relu, 0);
        Eigen::VectorXd p(tanhLayer.parameterCount());
        RandomStream random(5, 0);
        tanhLayer.initialize(p.data(), random, Init::Auto);
        const double limit = std::sqrt(6.0 / 700.0);
        QVERIFY(tanhLayer.weights(p.data()).cwiseAbs().maxCoeff() <= limit);
        // Uniform(-l, l) has variance l^2 / 3.
        QVERIFY(std::abs(tanhLayer.weights(p.data()).squaredNorm() / 120000.0 -
                         limit * limit / 3.0) < 0.02 * limit * limit);
        QCOMPARE(tanhLayer.bias(p.data()).norm(), 0.0);
        reluLayer.initialize(p.data(), random, Init::Auto);
        QVERIFY(std::abs(reluLayer.weights(p.data()).squaredNorm() / 120000.0 - 2.0 / 400.0) <
                0.02 * 2.0 / 400.0);
    }

    void embeddingValues() {
        TimeEmbeddingConfig config;
        config.kind = TimeEmbeddingConfig::Kind::Sinusoidal;
        config.dim = 4;
        config.maxPeriod = 100.0;
        const TimeEmbedding<double> embedding(config);
        QCOMPARE(embedding.frequencies()[0], 1.0);
        QVERIFY(std::abs(embedding.frequencies()[1] - 0.1) < 1e-15);
        Eigen::MatrixXd out(4, 2);
        Eigen::RowVectorXd t(2);
        t << 0.0, 2.0;
        embedding.embed(t, out);
        QCOMPARE(out(0, 0), 0.0);
        QCOMPARE(out(2, 0), 1.0);
        QVERIFY(std::abs(out(0, 1) - std::sin(2.0)) < 1e-15);
        QVERIFY(std::abs(out(3, 1) - std::cos(0.2)) < 1e-15);
        Eigen::MatrixXd same(4, 2);
        embedding.embed(2.0, same);
        QVERIFY(same.col(0).isApprox(out.col(1), 1e-15));

        config.dim = 3;
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError, TimeEmbedding<double>{config});
    }

    // Fourier frequencies are fixed by the seed, and differ between seeds.
    void fourierFeaturesAreSeeded() {
        TimeEmbeddingConfig config;
        config.kind = TimeEmbeddingConfig::Kind::Fourier;
        config.dim = 16;
        config.seed = 3;
        const TimeEmbedding<double> a(config), b(config);
        QCOMPARE(a.frequencies(), b.frequencies());
        config.seed = 4;
        const TimeEmbedding<double> c(config);
        QVERIFY(a.frequencies() != c.frequencies());
        const TimeEmbedding<float> f(TimeEmbeddingConfig{a.config()});
        QVERIFY(f.frequencies().cast<double>().isApprox(a.frequencies(), 1e-7));
    }

    void embeddingTimeVjp() {
        for (auto kind :
             {TimeEmbeddingConfig::Kind::Sinusoidal, TimeEmbeddingConfig::Kind::Fourier}) {
            TimeEmbeddingConfig config;
            config.kind = kind;
            config.dim = 6;
            config.seed = 9;
            const TimeEmbedding<double> embedding(config);
            const Eigen::MatrixXd r = randomMatrix(6, 3, 4);
            Eigen::RowVectorXd t(3);
            t << 0.3, -1.2, 2.5;
            Eigen::MatrixXd emb(6, 3);
            embedding.embed(t, emb);
            Eigen::RowVectorXd dt;
            embedding.timeVjp(emb, r, dt);
            const Eigen::VectorXd fd = centralDifferences(
                [&](const Eigen::VectorXd& tv) {
                    Eigen::MatrixXd e(6, 3);
                    embedding.embed(tv.transpose(), e);
                    return r.cwiseProduct(e).sum();
                },
                t.transpose());
            const double error = relativeError(dt.transpose(), fd);
            qInfo("%s time VJP rel. error %.2e", timeEmbeddingKindName(kind).c_str(), error);
            QVERIFY(error < 1e-6);
        }
    }
};

QTEST_GUILESS_MAIN(TestNnLayers)
#include "test_nn_layers.moc"
