// Gradients through neural ODE solves: backprop through adaptive Dopri5/Tsit5 (step sizes
// held fixed) against finite differences of the fixed-grid replay, the ERNODE error
// regulariser's gradient against finite differences, the continuous adjoint against backprop
// (agreement improving with the tolerance) and against finite differences of a tight solve,
// and a short Adam training run on a spiral.
#include <QtTest>

#include "core/models/neural_ode.h"
#include "core/nn/optimizer.h"
#include "core/solvers/ode_backprop.h"
#include "grad_test_models.h"
#include "nn_gradient_check.h"

using namespace driftlab::core;
using namespace driftlab::core::models;
using driftlab::test::centralDifferences;
using driftlab::test::relativeError;

namespace {

constexpr Eigen::Index kBatch = 3;

nn::MlpConfig odeConfig(bool timeInput) {
    nn::MlpConfig config;
    config.inputDim = 2;
    config.outputDim = 2;
    config.hiddenWidths = {12};
    config.hiddenActivations = {nn::Activation::Tanh};
    config.seed = 21;
    if (timeInput) {
        config.timeEmbedding.kind = nn::TimeEmbeddingConfig::Kind::Sinusoidal;
        config.timeEmbedding.dim = 2;
        config.timeEmbedding.maxPeriod = 4.0;
    }
    return config;
}

Eigen::VectorXd startStates() {
    const Eigen::MatrixXd y0 = driftlab::test::normalMatrix(2, kBatch, 1.0, 31);
    return Eigen::Map<const Eigen::VectorXd>(y0.data(), y0.size());
}

OdeTerminalLoss halfSquaredDistance(Eigen::VectorXd target) {
    return [target](const Eigen::VectorXd& y, Eigen::VectorXd& grad) {
        grad = y - target;
        return 0.5 * grad.squaredNorm();
    };
}

double replayLoss(NeuralOde& ode, const ButcherTableau& tab, const Eigen::VectorXd& theta,
                  const Eigen::VectorXd& y0, const std::vector<std::pair<double, double>>& grid,
                  const OdeTerminalLoss& loss) {
    const Eigen::VectorXd saved = ode.net().parameters();
    ode.net().parameters() = theta;
    const Eigen::VectorXd y1 = odeReplay(ode, tab, y0, grid);
    ode.net().parameters() = saved;
    Eigen::VectorXd grad;
    return loss(y1, grad);
}

}  // namespace

class TestGradOde : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void backpropMatchesFiniteDifferences_data() {
        QTest::addColumn<int>("method");
        QTest::addColumn<bool>("timeInput");
        QTest::newRow("dp5") << static_cast<int>(OdeMethod::DormandPrince5) << false;
        QTest::newRow("tsit5 with time") << static_cast<int>(OdeMethod::Tsitouras5) << true;
        QTest::newRow("bs3") << static_cast<int>(OdeMethod::BogackiShampine3) << false;
    }

    void backpropMatchesFiniteDifferences() {
        QFETCH(int, method);
        QFETCH(bool, timeInput);
        NeuralOde ode(odeConfig(timeInput), kBatch);
        const Eigen::VectorXd y0 = startStates();
        const auto loss = halfSquaredDistance(Eigen::VectorXd::Constant(y0.size(), 0.3));
        OdeBackpropOptions options;
        options.solve.method = static_cast<OdeMethod>(method);
        options.solve.rtol = 1e-5;
        options.solve.atol = 1e-7;
        const auto r = odeBackprop(ode, y0, 0.0, 1.5, loss, options);
        QVERIFY(r.steps > 3);

        // The grid the solve chose, replayed with fixed steps, is the function differentiated.
        OdeOptions recorded = options.solve;
        const auto grid = acceptedSteps(integrate(ode, y0, 0.0, 1.5, recorded));
        QCOMPARE(static_cast<long>(grid.size()), r.steps);
        const auto tab = explicitTableau(options.solve.method);
        const Eigen::VectorXd theta = ode.net().parameters();
        const Eigen::VectorXd fdTheta = centralDifferences(
            [&](const Eigen::VectorXd& p) { return replayLoss(ode, tab, p, y0, grid, loss); },
            theta);
        const Eigen::VectorXd fdY0 = centralDifferences(
            [&](const Eigen::VectorXd& y) { return replayLoss(ode, tab, theta, y, grid, loss); },
            y0);
        const double errTheta = relativeError(r.dTheta, fdTheta);
        const double errY0 = relativeError(r.dY0, fdY0);
        qInfo("%ld steps: rel. error dL/dtheta %.2e, dL/dy0 %.2e", r.steps, errTheta, errY0);
        QVERIFY(errTheta < 1e-6);
        QVERIFY(errY0 < 1e-6);
    }

    void errorRegularizerGradient() {
        NeuralOde ode(odeConfig(false), kBatch);
        const Eigen::VectorXd y0 = startStates();
        const auto loss = halfSquaredDistance(Eigen::VectorXd::Zero(y0.size()));
        OdeBackpropOptions options;
        // Loose tolerances: larger local errors keep R well above the round-off of the
        // differences.
        options.solve.rtol = 1e-2;
        options.solve.atol = 1e-3;
        options.regularizerGradient = true;
        const auto plain = odeBackprop(ode, y0, 0.0, 2.0, loss, options);
        options.errorRegularization = 3.0;
        const auto weighted = odeBackprop(ode, y0, 0.0, 2.0, loss, options);
        QVERIFY(plain.regularizer > 0.0);

        const auto grid = acceptedSteps(integrate(ode, y0, 0.0, 2.0, options.solve));
        const auto tab = explicitTableau(options.solve.method);
        double replayed = 0.0;
        odeReplay(ode, tab, y0, grid, &replayed);
        QVERIFY(std::abs(replayed - plain.regularizer) <= 1e-14 * replayed);
        const Eigen::VectorXd theta = ode.net().parameters();
        const Eigen::VectorXd fd = centralDifferences(
            [&](const Eigen::VectorXd& p) {
                ode.net().parameters() = p;
                double reg = 0.0;
                odeReplay(ode, tab, y0, grid, &reg);
                ode.net().parameters() = theta;
                return reg;
            },
            theta, 1e-5);
        const double err = relativeError(plain.dThetaRegularizer, fd);
        qInfo("ERNODE R = %.3e over %ld steps: rel. error dR/dtheta %.2e", plain.regularizer,
              plain.steps, err);
        QVERIFY(err < 1e-6);
        const Eigen::VectorXd combined = plain.dTheta + 3.0 * plain.dThetaRegularizer;
        QVERIFY(relativeError(weighted.dTheta, combined) < 1e-12);
    }

    void adjointConvergesToBackprop() {
        NeuralOde ode(odeConfig(true), kBatch);
        const Eigen::VectorXd y0 = startStates();
        const auto loss = halfSquaredDistance(Eigen::VectorXd::Constant(y0.size(), -0.2));
        OdeBackpropOptions tight;
        tight.solve.rtol = 1e-12;
        tight.solve.atol = 1e-12;
        const auto reference = odeBackprop(ode, y0, 0.0, 1.5, loss, tight);
        double previous = 1.0;
        for (double tol : {1e-4, 1e-6, 1e-8, 1e-10}) {
            OdeOptions o;
            o.rtol = tol;
            o.atol = tol;
            const auto adjoint = odeAdjoint(ode, y0, 0.0, 1.5, loss, o, o);
            OdeBackpropOptions b;
            b.solve = o;
            const auto backprop = odeBackprop(ode, y0, 0.0, 1.5, loss, b);
            const double errAdjoint = relativeError(adjoint.dTheta, reference.dTheta);
            const double errBetween = relativeError(adjoint.dTheta, backprop.dTheta);
            const double errY0 = relativeError(adjoint.dY0, reference.dY0);
            qInfo(
                "tol %.0e: adjoint vs exact %.2e (dy0 %.2e), adjoint vs backprop at the same "
                "tol %.2e, nfe %ld",
                tol, errAdjoint, errY0, errBetween, adjoint.nfe);
            QVERIFY(errAdjoint < 50.0 * tol);
            QVERIFY(errAdjoint < previous);
            previous = errAdjoint;
        }
        QVERIFY(previous < 1e-8);

        // The continuous gradient itself, by differences of very tight solves.
        OdeOptions fdOptions;
        fdOptions.rtol = 1e-13;
        fdOptions.atol = 1e-13;
        fdOptions.saveAt = {1.5};
        const Eigen::VectorXd theta = ode.net().parameters();
        const Eigen::VectorXd fd = centralDifferences(
            [&](const Eigen::VectorXd& p) {
                ode.net().parameters() = p;
                const auto sol = integrate(ode, y0, 0.0, 1.5, fdOptions);
                ode.net().parameters() = theta;
                Eigen::VectorXd g;
                return loss(sol.y.back(), g);
            },
            theta, 1e-4);
        const double errFd = relativeError(reference.dTheta, fd);
        qInfo("exact gradient vs finite differences of tight solves: %.2e", errFd);
        QVERIFY(errFd < 1e-6);
    }

    void trainingOnSpiralReducesLoss() {
        // Targets: y(1) of the damped rotation y' = A y from 16 starts on a circle.
        constexpr Eigen::Index batch = 16;
        Eigen::Matrix2d a;
        a << -0.1, 2.0, -2.0, -0.1;
        Eigen::MatrixXd starts(2, batch), targets(2, batch);
        for (Eigen::Index j = 0; j < batch; ++j) {
            const double phi = 2.0 * M_PI * static_cast<double>(j) / batch;
            const double x = std::cos(phi), y = std::sin(phi);
            starts(0, j) = x;
            starts(1, j) = y;
            // exp(A) = e^-0.1 [[cos 2, sin 2], [-sin 2, cos 2]]
            targets(0, j) = std::exp(-0.1) * (std::cos(2.0) * x + std::sin(2.0) * y);
            targets(1, j) = std::exp(-0.1) * (-std::sin(2.0) * x + std::cos(2.0) * y);
        }
        nn::MlpConfig config = odeConfig(false);
        config.hiddenWidths = {16};
        NeuralOde ode(config, batch);
        const Eigen::VectorXd y0 = Eigen::Map<const Eigen::VectorXd>(starts.data(), starts.size());
        const Eigen::VectorXd target =
            Eigen::Map<const Eigen::VectorXd>(targets.data(), targets.size());
        const OdeTerminalLoss loss = [&](const Eigen::VectorXd& y, Eigen::VectorXd& g) {
            g = (y - target) / static_cast<double>(batch);
            return 0.5 * (y - target).squaredNorm() / static_cast<double>(batch);
        };
        OdeBackpropOptions options;
        options.solve.rtol = 1e-5;
        options.solve.atol = 1e-6;
        nn::AdamOptions adamOptions;
        adamOptions.learningRate = 2e-2;
        nn::Adam<double> adam(adamOptions);
        double first = 0.0, last = 0.0;
        for (int iteration = 0; iteration < 200; ++iteration) {
            const auto r = odeBackprop(ode, y0, 0.0, 1.0, loss, options);
            if (iteration == 0) first = r.loss;
            last = r.loss;
            adam.step(ode.net().parameters(), r.dTheta);
        }
        qInfo("spiral fit: loss %.3e -> %.3e", first, last);
        QVERIFY(last < first / 10.0);
    }
};

QTEST_APPLESS_MAIN(TestGradOde)
#include "test_grad_ode.moc"
