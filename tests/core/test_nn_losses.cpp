// Every loss: known values at simple points, and gradients against central finite
// differences (relative error < 1e-6).
#include <QtTest>
#include <cmath>
#include <numbers>

#include "core/common/error.h"
#include "core/common/random.h"
#include "core/nn/loss.h"
#include "nn_gradient_check.h"

using namespace driftlab::core;
using namespace driftlab::core::nn;
using driftlab::test::centralDifferences;
using driftlab::test::flat;
using driftlab::test::relativeError;

namespace {
Eigen::MatrixXd randomMatrix(Index rows, Index cols, std::uint64_t seed) {
    return driftlab::test::randomMatrix(rows, cols, seed, 2);
}
Eigen::Map<const Eigen::MatrixXd> asMatrix(const Eigen::VectorXd& v, Index rows) {
    return {v.data(), rows, v.size() / rows};
}
}  // namespace

class TestNnLosses : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void mse() {
        Eigen::MatrixXd p(1, 2), y(1, 2);
        p << 1.0, 3.0;
        y << 0.0, 1.0;
        QCOMPARE(mseLoss<double>(p, y, nullptr), 2.5);  // (1 + 4) / 2

        const Eigen::MatrixXd pred = randomMatrix(3, 4, 1), target = randomMatrix(3, 4, 2);
        Eigen::MatrixXd grad;
        mseLoss<double>(pred, target, &grad);
        const Eigen::VectorXd fd = centralDifferences(
            [&](const Eigen::VectorXd& v) {
                return mseLoss<double>(asMatrix(v, 3), target, nullptr);
            },
            flat(pred));
        const double error = relativeError(flat(grad), fd);
        qInfo("MSE gradient rel. error %.2e", error);
        QVERIFY(error < 1e-6);
    }

    void gaussianNll() {
        Eigen::MatrixXd mean(1, 1), logVar(1, 1), y(1, 1);
        mean << 0.0;
        logVar << 0.0;
        y << 0.0;
        QVERIFY(std::abs(gaussianNllLoss<double>(mean, logVar, y, nullptr, nullptr) -
                         0.5 * std::log(2.0 * std::numbers::pi)) < 1e-15);

        const Eigen::MatrixXd mu = randomMatrix(2, 5, 3), lv = randomMatrix(2, 5, 4),
                              target = randomMatrix(2, 5, 5);
        Eigen::MatrixXd gMean, gLogVar;
        gaussianNllLoss<double>(mu, lv, target, &gMean, &gLogVar);
        const Eigen::VectorXd fdMean = centralDifferences(
            [&](const Eigen::VectorXd& v) {
                return gaussianNllLoss<double>(asMatrix(v, 2), lv, target, nullptr, nullptr);
            },
            flat(mu));
        const Eigen::VectorXd fdLogVar = centralDifferences(
            [&](const Eigen::VectorXd& v) {
                return gaussianNllLoss<double>(mu, asMatrix(v, 2), target, nullptr, nullptr);
            },
            flat(lv));
        const double errMean = relativeError(flat(gMean), fdMean);
        const double errLogVar = relativeError(flat(gLogVar), fdLogVar);
        qInfo("Gaussian NLL gradient rel. error: mean %.2e, log-variance %.2e", errMean, errLogVar);
        QVERIFY(errMean < 1e-6);
        QVERIFY(errLogVar < 1e-6);
    }

    void bceWithLogits() {
        Eigen::MatrixXd z = Eigen::MatrixXd::Zero(2, 3), y = Eigen::MatrixXd::Constant(2, 3, 1.0);
        QVERIFY(std::abs(bceWithLogitsLoss<double>(z, y, nullptr) - std::log(2.0)) < 1e-15);
        // Far-out logits must not overflow: a confident right answer costs ~0.
        Eigen::MatrixXd big(1, 2), target(1, 2);
        big << 800.0, -800.0;
        target << 1.0, 0.0;
        QVERIFY(bceWithLogitsLoss<double>(big, target, nullptr) < 1e-300);

        const Eigen::MatrixXd logits = randomMatrix(3, 4, 6);
        const Eigen::MatrixXd probs = (randomMatrix(3, 4, 7).array().tanh() * 0.5 + 0.5).matrix();
        Eigen::MatrixXd grad;
        bceWithLogitsLoss<double>(logits, probs, &grad);
        const Eigen::VectorXd fd = centralDifferences(
            [&](const Eigen::VectorXd& v) {
                return bceWithLogitsLoss<double>(asMatrix(v, 3), probs, nullptr);
            },
            flat(logits));
        const double error = relativeError(flat(grad), fd);
        qInfo("BCE-with-logits gradient rel. error %.2e", error);
        QVERIFY(error < 1e-6);
    }

    void softmaxCrossEntropy() {
        const Eigen::MatrixXd uniform = Eigen::MatrixXd::Constant(4, 2, 3.0);
        QVERIFY(std::abs(softmaxCrossEntropyLoss<double>(uniform, std::vector<int>{0, 3}, nullptr) -
                         std::log(4.0)) < 1e-14);
        Eigen::MatrixXd huge(2, 1);
        huge << 1000.0, -1000.0;
        QVERIFY(std::isfinite(softmaxCrossEntropyLoss<double>(huge, std::vector<int>{1}, nullptr)));

        const Eigen::MatrixXd logits = randomMatrix(4, 5, 8);
        const std::vector<int> labels{0, 3, 2, 2, 1};
        Eigen::MatrixXd grad;
        softmaxCrossEntropyLoss<double>(logits, labels, &grad);
        const Eigen::VectorXd fd = centralDifferences(
            [&](const Eigen::VectorXd& v) {
                return softmaxCrossEntropyLoss<double>(asMatrix(v, 4), labels, nullptr);
            },
            flat(logits));
        const double error = relativeError(flat(grad), fd);

        // Soft labels: one-hot targets give the same value and gradient as integer labels.
        Eigen::MatrixXd oneHot = Eigen::MatrixXd::Zero(4, 5);
        for (int j = 0; j < 5; ++j) oneHot(labels[static_cast<std::size_t>(j)], j) = 1.0;
        Eigen::MatrixXd softGrad;
        QVERIFY(std::abs(softmaxCrossEntropyLoss<double>(logits, oneHot, &softGrad) -
                         softmaxCrossEntropyLoss<double>(logits, labels, nullptr)) < 1e-14);
        QVERIFY(softGrad.isApprox(grad, 1e-14));
        Eigen::MatrixXd soft = randomMatrix(4, 5, 9).array().exp().matrix();
        soft.array().rowwise() /= soft.colwise().sum().array();
        softmaxCrossEntropyLoss<double>(logits, soft, &softGrad);
        const Eigen::VectorXd softFd = centralDifferences(
            [&](const Eigen::VectorXd& v) {
                return softmaxCrossEntropyLoss<double>(asMatrix(v, 4), soft, nullptr);
            },
            flat(logits));
        const double softError = relativeError(flat(softGrad), softFd);
        qInfo("softmax cross-entropy gradient rel. error %.2e (labels), %.2e (soft)", error,
              softError);
        QVERIFY(error < 1e-6);
        QVERIFY(softError < 1e-6);

        QVERIFY_THROWS_EXCEPTION(
            driftlab::Error,
            softmaxCrossEntropyLoss<double>(logits, std::vector<int>{0, 1, 2, 3, 4}, nullptr));
    }

    void shapeMismatchRefused() {
        QVERIFY_THROWS_EXCEPTION(
            driftlab::Error,
            mseLoss<double>(Eigen::MatrixXd::Zero(2, 3), Eigen::MatrixXd::Zero(3, 2), nullptr));
    }
};

QTEST_GUILESS_MAIN(TestNnLosses)
#include "test_nn_losses.moc"
