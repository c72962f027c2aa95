// MLPs end to end: parameter gradients, state VJPs and time VJPs against central finite
// differences (with and without time embeddings), the float32 twin, buffer reuse, and
// parameter files (bit-exact round trip, other architectures refused).
#include <QTemporaryDir>
#include <QtTest>
#include <cstring>

#include "core/common/error.h"
#include "core/common/random.h"
#include "core/nn/mlp.h"
#include "core/nn/serialization.h"
#include "nn_gradient_check.h"

using namespace driftlab::core;
using namespace driftlab::core::nn;
using driftlab::test::centralDifferences;
using driftlab::test::flat;
using driftlab::test::relativeError;

namespace {

Eigen::MatrixXd randomMatrix(Index rows, Index cols, std::uint64_t seed) {
    return driftlab::test::randomMatrix(rows, cols, seed, 1);
}

MlpConfig smallConfig(TimeEmbeddingConfig::Kind kind) {
    MlpConfig config;
    config.inputDim = 3;
    config.hiddenWidths = {8, 6};
    config.outputDim = 2;
    config.hiddenActivations = {Activation::Tanh, Activation::Silu};
    config.outputActivation = Activation::Sigmoid;
    config.outputScale = 0.5;
    config.timeEmbedding.kind = kind;
    config.timeEmbedding.dim = kind == TimeEmbeddingConfig::Kind::None ? 0 : 4;
    config.timeEmbedding.seed = 17;
    config.seed = 5;
    return config;
}

}  // namespace

class TestNnMlp : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void gradients_data() {
        QTest::addColumn<int>("kind");
        QTest::newRow("no time") << static_cast<int>(TimeEmbeddingConfig::Kind::None);
        QTest::newRow("sinusoidal") << static_cast<int>(TimeEmbeddingConfig::Kind::Sinusoidal);
        QTest::newRow("fourier") << static_cast<int>(TimeEmbeddingConfig::Kind::Fourier);
    }

    // L = sum(R .* y(x, t; theta)); the backward pass gets dL/dy = R.
    void gradients() {
        QFETCH(int, kind);
        const auto embeddingKind = static_cast<TimeEmbeddingConfig::Kind>(kind);
        const bool timed = embeddingKind != TimeEmbeddingConfig::Kind::None;
        Mlp<double> model(smallConfig(embeddingKind));
        QCOMPARE(model.parameterCount(), (3 + (timed ? 4 : 0) + 1) * 8 + 9 * 6 + 7 * 2);
        const Index batch = 5;
        const Eigen::MatrixXd x = randomMatrix(3, batch, 1);
        const Eigen::MatrixXd r = randomMatrix(2, batch, 2);
        Eigen::RowVectorXd t(batch);
        t << 0.1, 0.7, -0.4, 1.3, 2.0;

        const auto loss = [&](const Mlp<double>& m, const Eigen::MatrixXd& input,
                              const Eigen::RowVectorXd& times) {
            MlpWorkspace<double> ws;
            const auto& y = timed ? m.forward(input, times, ws) : m.forward(input, ws);
            return r.cwiseProduct(y).sum();
        };

        model.zeroGradient();
        if (timed)
            model.forward(x, t);
        else
            model.forward(x);
        const Eigen::MatrixXd dx = model.backward(r);
        const Eigen::RowVectorXd dt = model.workspace().timeGrad;

        Mlp<double> probe = model;
        const Eigen::VectorXd paramFd = centralDifferences(
            [&](const Eigen::VectorXd& p) {
                probe.parameters() = p;
                return loss(probe, x, t);
            },
            model.parameters());
        const Eigen::VectorXd inputFd = centralDifferences(
            [&](const Eigen::VectorXd& xv) {
                return loss(model, Eigen::Map<const Eigen::MatrixXd>(xv.data(), 3, batch), t);
            },
            flat(x));
        const double paramError = relativeError(model.gradient(), paramFd);
        const double inputError = relativeError(flat(dx), inputFd);
        qInfo("MLP (%s): parameter gradient rel. error %.2e, input VJP %.2e",
              timeEmbeddingKindName(embeddingKind).c_str(), paramError, inputError);
        QVERIFY(paramError < 1e-6);
        QVERIFY(inputError < 1e-6);
        if (timed) {
            const Eigen::VectorXd timeFd = centralDifferences(
                [&](const Eigen::VectorXd& tv) { return loss(model, x, tv.transpose()); },
                t.transpose());
            const double timeError = relativeError(dt.transpose(), timeFd);
            qInfo("MLP (%s): time VJP rel. error %.2e",
                  timeEmbeddingKindName(embeddingKind).c_str(), timeError);
            QVERIFY(timeError < 1e-6);
        }

        // Gradients accumulate across calls; the VJP alone leaves the gradient untouched.
        const Eigen::VectorXd once = model.gradient();
        MlpWorkspace<double> ws;
        if (timed)
            model.forward(x, t, ws);
        else
            model.forward(x, ws);
        model.backward(r, ws, model.gradient().data());
        QVERIFY(model.gradient().isApprox(2.0 * once, 1e-14));
        const Eigen::MatrixXd vjpOnly = model.backward(r, ws, nullptr);
        QVERIFY(model.gradient().isApprox(2.0 * once, 1e-14));
        QVERIFY(vjpOnly.isApprox(dx, 1e-14));
    }

    // A scalar time broadcast over the batch is the same as a row of equal times.
    void scalarTimeMatchesRow() {
        const Mlp<double> model(smallConfig(TimeEmbeddingConfig::Kind::Fourier));
        const Eigen::MatrixXd x = randomMatrix(3, 4, 3);
        MlpWorkspace<double> a, b;
        const Eigen::MatrixXd rowResult =
            model.forward(x, Eigen::RowVectorXd::Constant(4, 0.37), a);
        QVERIFY(model.forward(x, 0.37, b).isApprox(rowResult, 1e-15));
        QVERIFY_THROWS_EXCEPTION(driftlab::Error, model.forward(x, b));
        QVERIFY_THROWS_EXCEPTION(driftlab::Error,
                                 model.forward(Eigen::MatrixXd::Zero(2, 4), 0.1, b));
    }

    // Steady-state passes reuse their buffers: no reallocation after the first call.
    void buffersAreReused() {
        Mlp<double> model(smallConfig(TimeEmbeddingConfig::Kind::Sinusoidal));
        const Eigen::MatrixXd x = randomMatrix(3, 64, 4);
        const Eigen::MatrixXd r = randomMatrix(2, 64, 5);
        model.forward(x, 0.5);
        model.backward(r);
        auto& ws = model.workspace();
        std::vector<const double*> before;
        for (const auto* group : {&ws.z, &ws.a, &ws.g})
            for (const auto& m : *group) before.push_back(m.data());
        for (const auto* m : {&ws.input, &ws.output, &ws.inputGrad, &ws.fullInputGrad})
            before.push_back(m->data());
        const double* timeGrad = ws.timeGrad.data();
        model.forward(x, 0.9);
        model.backward(r);
        std::vector<const double*> after;
        for (const auto* group : {&ws.z, &ws.a, &ws.g})
            for (const auto& m : *group) after.push_back(m.data());
        for (const auto* m : {&ws.input, &ws.output, &ws.inputGrad, &ws.fullInputGrad})
            after.push_back(m->data());
        QVERIFY(before == after);
        QCOMPARE(ws.timeGrad.data(), timeGrad);
    }

    void float32MatchesFloat64() {
        MlpConfig config;
        config.inputDim = 2;
        config.hiddenWidths = {64, 64};
        config.outputDim = 2;
        config.timeEmbedding.kind = TimeEmbeddingConfig::Kind::Sinusoidal;
        config.timeEmbedding.dim = 8;
        config.seed = 21;
        const Mlp<double> model(config);
        const Mlp<float> twin = model.cast<float>();
        const Mlp<double> back = twin.cast<double>();
        const Eigen::MatrixXd x = randomMatrix(2, 256, 6);
        MlpWorkspace<double> wd, wb;
        MlpWorkspace<float> wf;
        // Compare against the double model at the float-rounded weights, so only the
        // arithmetic differs, and against the original model.
        const Eigen::MatrixXd exact = model.forward(x, 0.25, wd);
        const Eigen::MatrixXd rounded = back.forward(x, 0.25, wb);
        const Eigen::MatrixXd single = twin.forward(x.cast<float>(), 0.25f, wf).cast<double>();
        const double arithmetic = (single - rounded).norm() / rounded.norm();
        const double total = (single - exact).norm() / exact.norm();
        qInfo("float32 vs float64 forward: rel. error %.2e (same weights), %.2e (total)",
              arithmetic, total);
        QVERIFY(arithmetic < 1e-5);
        QVERIFY(total < 1e-5);
    }

    void saveLoadRoundTrip() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const std::string path = dir.filePath("model.dlnn").toStdString();
        const Mlp<double> model(smallConfig(TimeEmbeddingConfig::Kind::Fourier));
        model.save(path);
        MlpConfig other = smallConfig(TimeEmbeddingConfig::Kind::Fourier);
        other.seed = 99;  // different initial weights, same architecture
        Mlp<double> loaded(other);
        QVERIFY(loaded.parameters() != model.parameters());
        loaded.load(path);
        QCOMPARE(loaded.parameters().size(), model.parameters().size());
        QVERIFY(std::memcmp(loaded.parameters().data(), model.parameters().data(),
                            sizeof(double) * model.parameters().size()) == 0);
        QCOMPARE(readParameterArchitecture(path), model.architecture());

        // The architecture text alone rebuilds the same network.
        const Mlp<double> rebuilt(mlpConfigFromArchitecture(readParameterArchitecture(path)));
        QCOMPARE(rebuilt.architecture(), model.architecture());

        // A float model can read a double file (values rounded).
        Mlp<float> single(smallConfig(TimeEmbeddingConfig::Kind::Fourier));
        single.load(path);
        QVERIFY(single.parameters() == model.parameters().cast<float>());

        // Saving again replaces the file atomically: no temporaries left behind.
        model.save(path);
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size(), 1);
    }

    void architectureMismatchRefused() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("model.dlnn").toStdString();
        const Mlp<double> model(smallConfig(TimeEmbeddingConfig::Kind::None));
        model.save(path);

        MlpConfig wider = smallConfig(TimeEmbeddingConfig::Kind::None);
        wider.hiddenWidths = {8, 7};
        Mlp<double> different(wider);
        const Eigen::VectorXd before = different.parameters();
        try {
            different.load(path);
            QFAIL("loading into another architecture must throw");
        } catch (const driftlab::ConfigError& error) {
            QVERIFY(std::string(error.what()).find("architecture") != std::string::npos);
        }
        QVERIFY(different.parameters() == before);  // untouched on failure

        MlpConfig timed = smallConfig(TimeEmbeddingConfig::Kind::Fourier);
        Mlp<double> withTime(timed);
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError, withTime.load(path));
        MlpConfig activation = smallConfig(TimeEmbeddingConfig::Kind::None);
        activation.outputActivation = Activation::Identity;
        Mlp<double> otherActivation(activation);
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError, otherActivation.load(path));

        // Truncated and foreign files are refused as well.
        QFile file(QString::fromStdString(path));
        QVERIFY(file.open(QIODevice::ReadWrite));
        QVERIFY(file.resize(file.size() - 8));
        file.close();
        Mlp<double> same(smallConfig(TimeEmbeddingConfig::Kind::None));
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError, same.load(path));
        QFile junk(dir.filePath("junk"));
        QVERIFY(junk.open(QIODevice::WriteOnly));
        junk.write("not a parameter file");
        junk.close();
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError,
                                 same.load(dir.filePath("junk").toStdString()));
    }

    void invalidConfigsRefused() {
        MlpConfig config = smallConfig(TimeEmbeddingConfig::Kind::None);
        config.hiddenActivations = {Activation::Tanh, Activation::Relu, Activation::Sine};
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError, Mlp<double>{config});
        config = smallConfig(TimeEmbeddingConfig::Kind::None);
        config.hiddenWidths = {8, 0};
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError, Mlp<double>{config});
    }
};

QTEST_GUILESS_MAIN(TestNnMlp)
#include "test_nn_mlp.moc"
