// Gradients through neural SDE solves: backprop through Euler–Maruyama, stochastic Heun and
// reversible Heun against central finite differences (fixed Brownian increments), segment
// checkpointing against full storage, the reversible-Heun adjoint against backprop through
// the same scheme, and the SdeSystem view against the library steppers.
#include <QtTest>

#include "core/solvers/sde_backprop.h"
#include "core/solvers/sde_steppers.h"
#include "core/solvers/simulation.h"
#include "grad_test_models.h"
#include "nn_gradient_check.h"

using namespace driftlab::core;
using namespace driftlab::core::models;
using driftlab::test::flat;
using driftlab::test::relativeError;

namespace {

constexpr long kSteps = driftlab::test::SdeGradProblem::kSteps;
constexpr double kDt = driftlab::test::SdeGradProblem::kDt;
constexpr Eigen::Index kPaths = driftlab::test::SdeGradProblem::kPaths;

struct Problem : driftlab::test::SdeGradProblem {
    Problem() : SdeGradProblem(driftlab::test::smallSdeConfig(true)) {}
};

}  // namespace

class TestGradSde : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void backpropMatchesFiniteDifferences_data() { driftlab::test::addSchemeRows(); }

    void backpropMatchesFiniteDifferences() {
        QFETCH(int, scheme);
        Problem p;
        p.options.scheme = static_cast<SdeGradScheme>(scheme);
        const auto check = driftlab::test::finiteDifferenceCheck(p);
        QVERIFY(std::abs(check.result.loss - check.lossAtStart) < 1e-12);
        const double errTheta = check.errTheta, errY0 = check.errY0;
        qInfo("scheme %d: rel. error dL/dtheta %.2e, dL/dy0 %.2e", scheme, errTheta, errY0);
        QVERIFY2(errTheta < 1e-6, qPrintable(QString::number(errTheta)));
        QVERIFY2(errY0 < 1e-6, qPrintable(QString::number(errY0)));
    }

    void checkpointingGivesIdenticalGradients_data() { backpropMatchesFiniteDifferences_data(); }

    void checkpointingGivesIdenticalGradients() {
        QFETCH(int, scheme);
        Problem p;
        p.options.scheme = static_cast<SdeGradScheme>(scheme);
        driftlab::test::checkStorageVariantsAgree(p);
    }

    // One workspace carried through calls that change scheme, tape, checkpointing, thread
    // count and batch size gives exactly the gradients of fresh calls (its blocks, tape and
    // shared scratch are rebuilt or reused, never stale).
    void reusedWorkspaceGivesIdenticalGradients() {
        Problem p;
        SdeGradWorkspace<double> workspace;
        const Eigen::MatrixXd wider = driftlab::test::normalMatrix(2, kPaths + 3, 0.7, 9);
        const auto widerDW = driftlab::test::brownianIncrements(2, kPaths + 3, kSteps, kDt, 10);
        for (int round = 0; round < 2; ++round)
            for (int scheme = 0; scheme < 3; ++scheme)
                for (int variant = 0; variant < 4; ++variant) {
                    p.options.scheme = static_cast<SdeGradScheme>(scheme);
                    p.options.storeActivations = variant != 1;
                    p.options.checkpointEvery = variant == 2 ? 5 : 1;
                    p.options.threads = variant == 3 ? 1 : 2;
                    const bool wide = (variant + round) % 2 == 1;
                    SdeGradOptions options = p.options;
                    if (wide) options.observationSteps.clear();
                    const auto& y0 = wide ? wider : p.y0;
                    const auto& dW = wide ? widerDW : p.dW;
                    const SdePathLoss<double> loss =
                        wide ? driftlab::test::halfSquaredNormLoss<double>() : p.loss();
                    const auto fresh = sdeBackprop(p.model, y0, dW, loss, options);
                    const auto reused = sdeBackprop(p.model, y0, dW, loss, options, &workspace);
                    QCOMPARE((reused.dTheta - fresh.dTheta).cwiseAbs().maxCoeff(), 0.0);
                    QCOMPARE((reused.dY0 - fresh.dY0).cwiseAbs().maxCoeff(), 0.0);
                    if (scheme == 2) {
                        const auto a = reversibleHeunAdjoint(p.model, y0, dW, loss, options);
                        const auto b =
                            reversibleHeunAdjoint(p.model, y0, dW, loss, options, &workspace);
                        QCOMPARE((b.dTheta - a.dTheta).cwiseAbs().maxCoeff(), 0.0);
                    }
                }
    }

    void reversibleHeunAdjointMatchesBackprop() {
        Problem p;
        p.options.scheme = SdeGradScheme::ReversibleHeun;
        p.options.threads = 2;
        const auto reference = sdeBackprop(p.model, p.y0, p.dW, p.loss(), p.options);
        const auto adjoint = reversibleHeunAdjoint(p.model, p.y0, p.dW, p.loss(), p.options);
        const double errTheta = relativeError(adjoint.dTheta, reference.dTheta);
        const double errY0 = relativeError(flat(adjoint.dY0), flat(reference.dY0));
        const double reconstruction = (adjoint.reconstructedY0 - p.y0).cwiseAbs().maxCoeff();
        qInfo("reversible Heun adjoint vs backprop: dtheta %.2e, dy0 %.2e; |y0 rebuilt - y0| %.2e",
              errTheta, errY0, reconstruction);
        QVERIFY(errTheta < 1e-8);
        QVERIFY(errY0 < 1e-8);
        QVERIFY(reconstruction < 1e-10);
        QCOMPARE(adjoint.loss, reference.loss);
    }

    void reversibleHeunAdjointLongSolveReconstructs() {
        // 400 steps over a batch of 64: the rebuilt path must not drift away.
        NeuralSde<double> model(driftlab::test::smallSdeConfig(false));
        const Eigen::MatrixXd y0 = driftlab::test::normalMatrix(2, 64, 1.0, 8);
        const auto dW = driftlab::test::brownianIncrements(2, 64, 400, 0.01, 9);
        SdeGradOptions options;
        options.dt = 0.01;
        SdePathLoss<double> loss = [](std::size_t, const nn::MatrixCRef<double>& y,
                                      Eigen::MatrixXd& g) {
            g = y / static_cast<double>(y.cols());
            return 0.5 * y.squaredNorm() / static_cast<double>(y.cols());
        };
        const auto adjoint = reversibleHeunAdjoint(model, y0, dW, loss, options);
        options.scheme = SdeGradScheme::ReversibleHeun;
        const auto reference = sdeBackprop(model, y0, dW, loss, options);
        const double reconstruction = (adjoint.reconstructedY0 - y0).cwiseAbs().maxCoeff();
        const double err = relativeError(adjoint.dTheta, reference.dTheta);
        qInfo("400 steps: |y0 rebuilt - y0| %.2e, adjoint vs backprop %.2e", reconstruction, err);
        QVERIFY(reconstruction < 1e-9);
        QVERIFY(err < 1e-8);
    }

    void systemViewMatchesSteppers() {
        Problem p;
        NeuralSdeSystem system(p.model);
        // Each g_i of the net reads every component: not commuting, so Milstein refuses.
        QVERIFY(!makeSdeStepper("milstein")->handles(system));
        QVERIFY(!makeSdeStepper("sriw1")->handles(system));
        auto worker = system.makeWorker();
        StepScratch scratch;
        for (auto scheme : {SdeGradScheme::EulerMaruyama, SdeGradScheme::StochasticHeun}) {
            p.options.scheme = scheme;
            const auto path = sdeSolvePaths(p.model, p.y0, p.dW, p.options);
            const auto stepper = makeSdeStepper(
                scheme == SdeGradScheme::EulerMaruyama ? "euler_maruyama" : "stochastic_heun");
            Eigen::MatrixXd y = p.y0;
            for (long n = 0; n < kSteps; ++n)
                stepper->step(*worker, p.options.t0 + static_cast<double>(n) * kDt, kDt, y,
                              p.dW[static_cast<std::size_t>(n)], scratch);
            QVERIFY((y - path.back()).cwiseAbs().maxCoeff() < 1e-13);
        }
    }

    void simulateRunsTheNeuralSde() {
        // Through the library's Monte-Carlo driver, threads splitting the paths: each thread
        // gets its own worker, so the shared model is only read.
        NeuralSde<double> model(driftlab::test::smallSdeConfig(true));
        NeuralSdeSystem system(model);
        for (const char* solver : {"euler_maruyama", "stochastic_heun"}) {
            SimulationSettings settings;
            settings.paths = 64;
            settings.steps = 50;
            settings.savedTimes = 11;
            settings.solver = solver;
            settings.threads = 2;
            const auto result = simulate(system, {0.5, -0.5}, settings);
            QCOMPARE(result.dimension, 2);
            QCOMPARE(static_cast<int>(result.times.size()), 11);
            QCOMPARE(result.stats.nonFinitePaths, 0);
            QVERIFY(result.states[0].allFinite() && result.states[1].allFinite());
            // The noise moved the paths apart.
            QVERIFY(result.states[0].col(10).maxCoeff() > result.states[0].col(10).minCoeff());
        }
    }

    void float32AgreesWithFloat64() {
        Problem p;
        p.options.observationSteps.clear();
        SdePathLoss<float> lossF = [](std::size_t, const nn::MatrixCRef<float>& y,
                                      nn::Matrix<float>& g) {
            g = y / static_cast<float>(y.cols());
            return 0.5f * y.squaredNorm() / static_cast<float>(y.cols());
        };
        SdePathLoss<double> lossD = [](std::size_t, const nn::MatrixCRef<double>& y,
                                       Eigen::MatrixXd& g) {
            g = y / static_cast<double>(y.cols());
            return 0.5 * y.squaredNorm() / static_cast<double>(y.cols());
        };
        std::vector<nn::Matrix<float>> dWf;
        for (const auto& d : p.dW) dWf.push_back(d.cast<float>());
        const auto modelF = p.model.cast<float>();
        const auto rf =
            reversibleHeunAdjoint(modelF, p.y0.cast<float>().eval(), dWf, lossF, p.options);
        const auto rd = reversibleHeunAdjoint(p.model, p.y0, p.dW, lossD, p.options);
        QVERIFY(relativeError(rf.dTheta.cast<double>(), rd.dTheta) < 1e-4);
    }
};

QTEST_APPLESS_MAIN(TestGradSde)
#include "test_grad_sde.moc"
