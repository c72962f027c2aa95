// The differentiable stiffness estimate: R_S = sum over steps of Hairer's eigenvalue estimate
// from the last two stages. Its value on the replay equals what the stepper reports (h rho
// divided by h), its gradient through the RK stages matches central finite differences of the
// replayed solve for Dopri5, Tsit5 and BS3, it grows with a stiffer vector field, training
// with it lowers it, and methods without the estimate refuse it.
#include <QtTest>

#include "core/common/error.h"
#include "core/models/neural_ode.h"
#include "core/solvers/ode_backprop.h"
#include "grad_test_models.h"
#include "nn_gradient_check.h"

using namespace driftlab::core;
using namespace driftlab::core::models;
using driftlab::test::relativeError;

Q_DECLARE_METATYPE(driftlab::core::OdeMethod)

namespace {

constexpr Eigen::Index kBatch = 3;

nn::MlpConfig odeConfig() {
    nn::MlpConfig config;
    config.inputDim = 2;
    config.outputDim = 2;
    config.hiddenWidths = {10};
    config.hiddenActivations = {nn::Activation::Tanh};
    config.seed = 5;
    return config;
}

Eigen::VectorXd startStates() {
    const Eigen::MatrixXd y0 = driftlab::test::normalMatrix(2, kBatch, 1.0, 17);
    return Eigen::Map<const Eigen::VectorXd>(y0.data(), y0.size());
}

OdeTerminalLoss squaredNorm() {
    return [](const Eigen::VectorXd& y, Eigen::VectorXd& grad) {
        grad = y;
        return 0.5 * y.squaredNorm();
    };
}

double replayedStiffness(const OdeSystem& system, const ButcherTableau& tab,
                         const Eigen::VectorXd& y0,
                         const std::vector<std::pair<double, double>>& grid) {
    double stiffness = 0.0;
    odeReplay(system, tab, y0, grid, nullptr, &stiffness);
    return stiffness;
}

// Fourth-order central differences, (-f(x+2h) + 8 f(x+h) - 8 f(x-h) + f(x-2h)) / 12h: R_S
// divides by a small difference of stages, so its replayed value carries ~1e-12 relative
// rounding and second-order differences cannot reach 1e-6 at any step; this stencil can
// with h = 1e-4 (truncation ~h^4).
template <typename F>
Eigen::VectorXd centralDifferences4(F&& f, Eigen::VectorXd x, double h = 1e-4) {
    Eigen::VectorXd g(x.size());
    for (Eigen::Index i = 0; i < x.size(); ++i) {
        const double xi = x(i);
        double values[4];
        const double offsets[4] = {2 * h, h, -h, -2 * h};
        for (int k = 0; k < 4; ++k) {
            x(i) = xi + offsets[k];
            values[k] = f(x);
        }
        x(i) = xi;
        g(i) = (-values[0] + 8.0 * values[1] - 8.0 * values[2] + values[3]) / (12.0 * h);
    }
    return g;
}

}  // namespace

class TestOdeStiffnessRegularizer : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void gradientMatchesFiniteDifferences_data() {
        QTest::addColumn<OdeMethod>("method");
        QTest::newRow("dp5") << OdeMethod::DormandPrince5;
        QTest::newRow("tsit5") << OdeMethod::Tsitouras5;
        QTest::newRow("bs3") << OdeMethod::BogackiShampine3;
    }

    void gradientMatchesFiniteDifferences() {
        QFETCH(OdeMethod, method);
        NeuralOde ode(odeConfig(), kBatch);
        const Eigen::VectorXd y0 = startStates();
        OdeBackpropOptions options;
        options.solve.method = method;
        options.solve.rtol = 1e-4;
        options.solve.atol = 1e-6;
        options.regularizerGradient = true;
        const double t1 = 2.0;
        const auto plain = odeBackprop(ode, y0, 0.0, t1, squaredNorm(), options);
        QVERIFY(plain.stiffnessRegularizer > 0.0);

        // The value is the stepper's own estimate: sum of (h rho) / h over accepted steps.
        const OdeSolution solution = integrate(ode, y0, 0.0, t1, options.solve);
        double fromSolver = 0.0;
        for (const auto& record : solution.stats.steps)
            if (record.accepted) fromSolver += record.stiffness / std::abs(record.dt);
        QVERIFY2(
            std::abs(fromSolver - plain.stiffnessRegularizer) <= 1e-10 * plain.stiffnessRegularizer,
            qPrintable(QStringLiteral("%1 vs %2").arg(fromSolver).arg(plain.stiffnessRegularizer)));

        const auto grid = acceptedSteps(solution);
        const auto tab = explicitTableau(method);
        const Eigen::VectorXd theta = ode.net().parameters();
        const Eigen::VectorXd fd = centralDifferences4(
            [&](const Eigen::VectorXd& p) {
                ode.net().parameters() = p;
                const double value = replayedStiffness(ode, tab, y0, grid);
                ode.net().parameters() = theta;
                return value;
            },
            theta);
        const double err = relativeError(plain.dThetaStiffnessRegularizer, fd);
        qInfo("%s: R_S = %.4f over %ld steps, rel. error dR_S/dtheta vs finite differences %.2e",
              qPrintable(QString::fromStdString(toString(method))), plain.stiffnessRegularizer,
              plain.steps, err);
        QVERIFY(err < 1e-6);

        // The weighted objective's gradient is the sum of its parts.
        options.stiffnessRegularization = 0.5;
        const auto weighted = odeBackprop(ode, y0, 0.0, t1, squaredNorm(), options);
        QVERIFY(relativeError(weighted.dTheta,
                              plain.dTheta + 0.5 * plain.dThetaStiffnessRegularizer) < 1e-12);
        // dR_S/dy0 by finite differences too (the estimate depends on the path).
        const Eigen::VectorXd fdY0 = centralDifferences4(
            [&](const Eigen::VectorXd& y) { return replayedStiffness(ode, tab, y, grid); }, y0);
        OdeBackpropOptions onlyStiffness = options;
        const auto zeroLoss = [](const Eigen::VectorXd& y, Eigen::VectorXd& grad) {
            grad.setZero(y.size());
            return 0.0;
        };
        onlyStiffness.stiffnessRegularization = 1.0;
        const auto stiffOnly = odeBackprop(ode, y0, 0.0, t1, zeroLoss, onlyStiffness);
        const double errY0 = relativeError(stiffOnly.dY0, fdY0);
        qInfo("   rel. error dR_S/dy0 %.2e", errY0);
        QVERIFY(errY0 < 1e-6);
    }

    // Scaling all weights steepens the field and with it the estimate, about linearly.
    void measuresStiffness() {
        NeuralOde ode(odeConfig(), kBatch);
        const Eigen::VectorXd y0 = startStates();
        OdeBackpropOptions options;
        options.solve.rtol = 1e-4;
        const auto base = odeBackprop(ode, y0, 0.0, 1.0, squaredNorm(), options);
        const Eigen::VectorXd theta = ode.net().parameters();
        ode.net().parameters() = 3.0 * theta;
        const auto steeper = odeBackprop(ode, y0, 0.0, 1.0, squaredNorm(), options);
        qInfo("R_S per step: %.3f at theta, %.3f at 3 theta",
              base.stiffnessRegularizer / base.steps, steeper.stiffnessRegularizer / steeper.steps);
        QVERIFY(steeper.stiffnessRegularizer / steeper.steps >
                2.0 * base.stiffnessRegularizer / base.steps);
    }

    // Plain gradient descent on R_S alone lowers it: the gradient points the right way.
    void descentLowersTheStiffness() {
        NeuralOde ode(odeConfig(), kBatch);
        const Eigen::VectorXd y0 = startStates();
        OdeBackpropOptions options;
        options.solve.rtol = 1e-4;
        options.regularizerGradient = true;
        const auto zeroLoss = [](const Eigen::VectorXd& y, Eigen::VectorXd& grad) {
            grad.setZero(y.size());
            return 0.0;
        };
        const double first = odeBackprop(ode, y0, 0.0, 1.0, zeroLoss, options).stiffnessRegularizer;
        double last = first;
        for (int it = 0; it < 20; ++it) {
            const auto r = odeBackprop(ode, y0, 0.0, 1.0, zeroLoss, options);
            last = r.stiffnessRegularizer;
            const Eigen::VectorXd& g = r.dThetaStiffnessRegularizer;
            ode.net().parameters() -= (0.05 * last / g.squaredNorm()) * g;
        }
        qInfo("R_S: %.4f -> %.4f after 20 normalised descent steps", first, last);
        QVERIFY(last < 0.7 * first);
    }

    void methodsWithoutTheEstimateRefuse() {
        NeuralOde ode(odeConfig(), kBatch);
        OdeBackpropOptions options;
        options.solve.method = OdeMethod::Rk4;
        options.solve.controller = StepController::Constant;
        options.solve.dt0 = 0.1;
        options.stiffnessRegularization = 1.0;
        try {
            odeBackprop(ode, startStates(), 0.0, 1.0, squaredNorm(), options);
            QFAIL("RK4 accepted the stiffness regulariser");
        } catch (const driftlab::ConfigError& e) {
            QVERIFY2(QString(e.what()).contains("stiffness"), e.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestOdeStiffnessRegularizer)
#include "test_ode_stiffness_regularizer.moc"
