// Neural SDEs with general noise (g a dim x m matrix, m Brownian motions; here dim 2, m 3):
// the config's validation, gradients through Euler–Maruyama, stochastic Heun and reversible
// Heun against central finite differences on fixed increments (m x paths per step),
// checkpointing, the activation tape and workspace reuse giving identical gradients, the
// reversible-Heun adjoint against backprop, float32 against float64, the SdeSystem view
// against the library's matrix-noise steppers and simulate(), and the strong convergence of
// Euler–Maruyama and stochastic Heun on shared Brownian paths.
#include <QtTest>

#include <cmath>

#include "core/common/error.h"
#include "core/solvers/sde_backprop.h"
#include "core/solvers/sde_steppers.h"
#include "core/solvers/simulation.h"
#include "core/solvers/solver_registry.h"
#include "grad_test_models.h"
#include "nn_gradient_check.h"

using namespace driftlab::core;
using namespace driftlab::core::models;
using driftlab::test::addSchemeRows;
using driftlab::test::brownianIncrements;
using driftlab::test::flat;
using driftlab::test::halfSquaredNormLoss;
using driftlab::test::normalMatrix;
using driftlab::test::relativeError;

namespace {

constexpr Eigen::Index kDim = 2;
constexpr Eigen::Index kNoise = 3;
constexpr long kSteps = driftlab::test::SdeGradProblem::kSteps;
constexpr double kDt = driftlab::test::SdeGradProblem::kDt;
constexpr Eigen::Index kPaths = driftlab::test::SdeGradProblem::kPaths;

struct Problem : driftlab::test::SdeGradProblem {
    Problem() : SdeGradProblem(driftlab::test::smallGeneralSdeConfig(true)) {}
};

template <typename Fn>
QString errorOf(Fn&& fn) {
    try {
        fn();
    } catch (const driftlab::Error& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

}  // namespace

class TestGradSdeGeneral : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void configDescribesTheNoiseShape() {
        const NeuralSde<double> model(driftlab::test::smallGeneralSdeConfig(false));
        QVERIFY(model.noiseType() == NoiseType::General);
        QCOMPARE(model.brownianDimension(), kNoise);
        QCOMPARE(model.diffusionNet().outputDim(), kDim * kNoise);
        const NeuralSde<double> diagonal(driftlab::test::smallSdeConfig(false));
        QVERIFY(diagonal.noiseType() == NoiseType::Diagonal);
        QCOMPARE(diagonal.brownianDimension(), kDim);

        NeuralSdeSystem system(model);
        QVERIFY(system.noiseType() == NoiseType::General);
        QCOMPARE(system.brownianDimension(), 3);
        QVERIFY(!system.hasCommutativeNoise());
        QCOMPARE(system.makeWorker()->matrixNoiseColumns(), 3);
        QCOMPARE(NeuralSdeSystem(diagonal).makeWorker()->matrixNoiseColumns(), 0);
    }

    void badConfigsAreRefused() {
        auto noBrownian = driftlab::test::smallGeneralSdeConfig(false);
        noBrownian.brownianDim = 0;
        const QString m0 = errorOf([&] { NeuralSde<double> m(noBrownian); });
        qInfo("m = 0: %s", qPrintable(m0));
        QVERIFY(m0.contains("at least one Brownian motion"));

        auto wrongOutput = driftlab::test::smallGeneralSdeConfig(false);
        wrongOutput.diffusion.outputDim = kDim;  // the diagonal shape, not dim * m
        const QString out = errorOf([&] { NeuralSde<double> m(wrongOutput); });
        qInfo("diffusion 2 -> 2 with m = 3: %s", qPrintable(out));
        QVERIFY(out.contains("dim * m = 6") && out.contains("diffusion 2 -> 2"));

        auto diagonalWithMatrix = driftlab::test::smallGeneralSdeConfig(false);
        diagonalWithMatrix.noise = NoiseType::Diagonal;
        const QString diag = errorOf([&] { NeuralSde<double> m(diagonalWithMatrix); });
        qInfo("diagonal noise with brownianDim 3: %s", qPrintable(diag));
        QVERIFY(diag.contains("needs general noise"));
        diagonalWithMatrix.brownianDim = 0;
        const QString diagOut = errorOf([&] { NeuralSde<double> m(diagonalWithMatrix); });
        QVERIFY(diagOut.contains("dim -> dim") && diagOut.contains("diffusion 2 -> 6"));

        auto additive = driftlab::test::smallSdeConfig(false);
        additive.noise = NoiseType::Additive;
        QVERIFY(errorOf([&] { NeuralSde<double> m(additive); }).contains("additive"));
    }

    void wrongIncrementShapesAreRefused() {
        Problem p;
        // dim x paths increments are the diagonal shape; the general model needs m x paths.
        const auto diagonalShaped = brownianIncrements(kDim, kPaths, kSteps, kDt, 2);
        const QString general =
            errorOf([&] { sdeBackprop(p.model, p.y0, diagonalShaped, p.loss(), p.options); });
        qInfo("%s", qPrintable(general));
        QVERIFY(general.contains("is 2 x 5") && general.contains("expected 3 x 5"));
        QVERIFY(!errorOf([&] {
                     reversibleHeunAdjoint(p.model, p.y0, diagonalShaped, p.loss(), p.options);
                 }).isEmpty());

        const NeuralSde<double> diagonal(driftlab::test::smallSdeConfig(true));
        const QString diag =
            errorOf([&] { sdeBackprop(diagonal, p.y0, p.dW, p.loss(), p.options); });
        QVERIFY(diag.contains("is 3 x 5") && diag.contains("expected 2 x 5"));
    }

    void backpropMatchesFiniteDifferences_data() { addSchemeRows(); }

    void backpropMatchesFiniteDifferences() {
        QFETCH(int, scheme);
        Problem p;
        p.options.scheme = static_cast<SdeGradScheme>(scheme);
        const auto check = driftlab::test::finiteDifferenceCheck(p);
        QVERIFY(std::abs(check.result.loss - check.lossAtStart) < 1e-12);
        const Eigen::VectorXd& fdTheta = check.fdTheta;
        const double errTheta = check.errTheta, errY0 = check.errY0;
        // The diffusion net's share of the gradient must be real, or the check would pass
        // with the noise term's VJP missing.
        const Eigen::Index driftCount = p.model.driftParameterCount();
        const double diffusionShare =
            fdTheta.tail(fdTheta.size() - driftCount).norm() / fdTheta.norm();
        qInfo(
            "scheme %d: rel. error dL/dtheta %.2e, dL/dy0 %.2e (diffusion share of |dtheta| "
            "%.2f)",
            scheme, errTheta, errY0, diffusionShare);
        QVERIFY(diffusionShare > 0.05);
        QVERIFY2(errTheta < 1e-6, qPrintable(QString::number(errTheta)));
        QVERIFY2(errY0 < 1e-6, qPrintable(QString::number(errY0)));
    }

    void checkpointingAndTapeGiveIdenticalGradients_data() { addSchemeRows(); }

    void checkpointingAndTapeGiveIdenticalGradients() {
        QFETCH(int, scheme);
        Problem p;
        p.options.scheme = static_cast<SdeGradScheme>(scheme);
        driftlab::test::checkStorageVariantsAgree(p);
    }

    // One workspace carried through general and diagonal models, every scheme, tape on and
    // off, checkpointing and two thread counts gives exactly the gradients of fresh calls:
    // the general-noise buffers (dim*m rows) and the diagonal ones never leak into each other.
    void reusedWorkspaceGivesIdenticalGradients() {
        Problem p;
        const NeuralSde<double> diagonal(driftlab::test::smallSdeConfig(true));
        const auto diagonalDW = brownianIncrements(kDim, kPaths, kSteps, kDt, 7);
        SdeGradWorkspace<double> workspace;
        for (int round = 0; round < 2; ++round)
            for (int scheme = 0; scheme < 3; ++scheme)
                for (int variant = 0; variant < 4; ++variant) {
                    const bool general = (variant + round) % 2 == 0;
                    const auto& model = general ? p.model : diagonal;
                    const auto& dW = general ? p.dW : diagonalDW;
                    SdeGradOptions options = p.options;
                    options.scheme = static_cast<SdeGradScheme>(scheme);
                    options.storeActivations = variant != 1;
                    options.checkpointEvery = variant == 2 ? 5 : 1;
                    options.threads = variant == 3 ? 1 : 2;
                    const auto fresh = sdeBackprop(model, p.y0, dW, p.loss(), options);
                    const auto reused = sdeBackprop(model, p.y0, dW, p.loss(), options, &workspace);
                    QCOMPARE((reused.dTheta - fresh.dTheta).cwiseAbs().maxCoeff(), 0.0);
                    QCOMPARE((reused.dY0 - fresh.dY0).cwiseAbs().maxCoeff(), 0.0);
                    if (scheme == 2) {
                        const auto a = reversibleHeunAdjoint(model, p.y0, dW, p.loss(), options);
                        const auto b =
                            reversibleHeunAdjoint(model, p.y0, dW, p.loss(), options, &workspace);
                        QCOMPARE((b.dTheta - a.dTheta).cwiseAbs().maxCoeff(), 0.0);
                        QCOMPARE((b.dY0 - a.dY0).cwiseAbs().maxCoeff(), 0.0);
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
        qInfo(
            "general noise, reversible Heun adjoint vs backprop: dtheta %.2e, dy0 %.2e; "
            "|y0 rebuilt - y0| %.2e",
            errTheta, errY0, reconstruction);
        QVERIFY(errTheta < 1e-8);
        QVERIFY(errY0 < 1e-8);
        QVERIFY(reconstruction < 1e-10);
        QCOMPARE(adjoint.loss, reference.loss);
        QVERIFY((adjoint.terminal - reference.terminal).cwiseAbs().maxCoeff() < 1e-15);
    }

    void reversibleHeunAdjointLongSolveReconstructs() {
        // 400 steps over a batch of 64: the rebuilt path must not drift away.
        const NeuralSde<double> model(driftlab::test::smallGeneralSdeConfig(false));
        const Eigen::MatrixXd y0 = normalMatrix(kDim, 64, 1.0, 8);
        const auto dW = brownianIncrements(kNoise, 64, 400, 0.01, 9);
        SdeGradOptions options;
        options.dt = 0.01;
        const auto loss = halfSquaredNormLoss<double>();
        const auto adjoint = reversibleHeunAdjoint(model, y0, dW, loss, options);
        options.scheme = SdeGradScheme::ReversibleHeun;
        const auto reference = sdeBackprop(model, y0, dW, loss, options);
        const double reconstruction = (adjoint.reconstructedY0 - y0).cwiseAbs().maxCoeff();
        const double err = relativeError(adjoint.dTheta, reference.dTheta);
        qInfo("general noise, 400 steps: |y0 rebuilt - y0| %.2e, adjoint vs backprop %.2e",
              reconstruction, err);
        QVERIFY(reconstruction < 1e-9);
        QVERIFY(err < 1e-8);
    }

    void float32AgreesWithFloat64_data() { addSchemeRows(); }

    void float32AgreesWithFloat64() {
        QFETCH(int, scheme);
        Problem p;
        p.options.observationSteps.clear();
        p.options.scheme = static_cast<SdeGradScheme>(scheme);
        std::vector<nn::Matrix<float>> dWf;
        for (const auto& d : p.dW) dWf.push_back(d.cast<float>());
        const auto modelF = p.model.cast<float>();
        const nn::Matrix<float> y0f = p.y0.cast<float>();
        const auto rf = sdeBackprop(modelF, y0f, dWf, halfSquaredNormLoss<float>(), p.options);
        const auto rd = sdeBackprop(p.model, p.y0, p.dW, halfSquaredNormLoss<double>(), p.options);
        double err = relativeError(rf.dTheta.cast<double>(), rd.dTheta);
        if (p.options.scheme == SdeGradScheme::ReversibleHeun) {
            const auto af =
                reversibleHeunAdjoint(modelF, y0f, dWf, halfSquaredNormLoss<float>(), p.options);
            err = std::max(err, relativeError(af.dTheta.cast<double>(), rd.dTheta));
        }
        qInfo("scheme %d: float32 vs float64 dtheta %.2e", scheme, err);
        QVERIFY(err < 1e-4);
    }

    // The SdeSystem view through the library's matrix-noise steppers (sde_noise's own
    // G dW) against sdeSolvePaths' steps on the same increments.
    void systemViewMatchesSteppers() {
        Problem p;
        NeuralSdeSystem system(p.model);
        auto worker = system.makeWorker();
        for (const auto& [scheme, id] : driftlab::test::kGradSchemeSolvers) {
            p.options.scheme = scheme;
            const auto path = sdeSolvePaths(p.model, p.y0, p.dW, p.options);
            const auto stepper = makeSdeStepper(id);
            StepScratch scratch;
            Eigen::MatrixXd y = p.y0;
            stepper->begin(*worker, p.options.t0, y, scratch);
            double maxDiff = 0.0;
            for (long n = 0; n < kSteps; ++n) {
                stepper->step(*worker, p.options.t0 + static_cast<double>(n) * kDt, kDt, y,
                              p.dW[static_cast<std::size_t>(n)], scratch);
                maxDiff = std::max(
                    maxDiff, (y - path[static_cast<std::size_t>(n + 1)]).cwiseAbs().maxCoeff());
            }
            qInfo("%s: library stepper vs sdeSolvePaths max |diff| %.2e", id, maxDiff);
            QVERIFY(maxDiff < 1e-12);
        }
    }

    // Every registered solver either runs the general neural SDE or refuses it with a
    // message; the four matrix-noise schemes run, Milstein refuses (the net's columns need
    // not commute).
    void simulateRunsTheGeneralNeuralSde() {
        const NeuralSde<double> model(driftlab::test::smallGeneralSdeConfig(true));
        NeuralSdeSystem system(model);
        QStringList ran, refused;
        for (const auto& info : solverRegistry()) {
            if (info.isOde()) continue;
            SimulationSettings settings;
            settings.paths = 64;
            settings.steps = 50;
            settings.savedTimes = 11;
            settings.solver = info.id;
            settings.threads = 2;
            const QString id = QString::fromStdString(info.id);
            try {
                const auto result = simulate(system, {0.5, -0.5}, settings);
                QCOMPARE(result.dimension, 2);
                QCOMPARE(static_cast<int>(result.times.size()), 11);
                QCOMPARE(result.stats.nonFinitePaths, 0);
                QVERIFY(result.states[0].allFinite() && result.states[1].allFinite());
                // The noise moved the paths apart.
                QVERIFY(result.states[0].col(10).maxCoeff() > result.states[0].col(10).minCoeff());
                ran << id;
            } catch (const driftlab::SolverError& e) {
                qInfo("%s refuses: %s", qPrintable(id), e.what());
                QVERIFY(QString::fromUtf8(e.what()).contains("general"));
                refused << id;
            }
        }
        qInfo("ran: %s", qPrintable(ran.join(", ")));
        for (const char* id :
             {"euler_maruyama", "stochastic_heun", "euler_heun", "reversible_heun"})
            QVERIFY2(ran.contains(id), id);
        QVERIFY(refused.contains("milstein"));
    }

    // Strong convergence on shared Brownian paths: coarse solves sum the fine increments,
    // and the RMS terminal error against a fine solve of the same scheme (64x finer) must
    // shrink at about the scheme's strong order for non-commutative noise, 0.5 (Itô EM and
    // Stratonovich Heun both; the dt term of these small-noise nets can make it look closer
    // to 1). A wrong noise term would converge to a different solution and stall.
    void strongConvergenceOnSharedPaths_data() {
        QTest::addColumn<int>("scheme");
        QTest::newRow("euler_maruyama") << static_cast<int>(SdeGradScheme::EulerMaruyama);
        QTest::newRow("stochastic_heun") << static_cast<int>(SdeGradScheme::StochasticHeun);
    }

    void strongConvergenceOnSharedPaths() {
        QFETCH(int, scheme);
        // Larger noise than the gradient tests so the stochastic error dominates.
        const NeuralSde<double> model(makeGeneralNoiseSdeConfig(2, 3, {12}, {8}, 1.5, 21));
        constexpr Eigen::Index paths = 400;
        constexpr long fine = 512;
        const double horizon = 1.0;
        const Eigen::MatrixXd y0 = normalMatrix(kDim, paths, 0.5, 22);
        const auto fineDW = brownianIncrements(kNoise, paths, fine, horizon / fine, 23);
        SdeGradOptions options;
        options.scheme = static_cast<SdeGradScheme>(scheme);
        options.dt = horizon / fine;
        const Eigen::MatrixXd reference = sdeSolvePaths(model, y0, fineDW, options).back();
        std::vector<double> errors;
        const std::vector<long> coarseSteps{8, 16, 32};
        for (long steps : coarseSteps) {
            const long ratio = fine / steps;
            std::vector<Eigen::MatrixXd> dW(static_cast<std::size_t>(steps),
                                            Eigen::MatrixXd::Zero(kNoise, paths));
            for (long n = 0; n < fine; ++n)
                dW[static_cast<std::size_t>(n / ratio)] += fineDW[static_cast<std::size_t>(n)];
            options.dt = horizon / static_cast<double>(steps);
            const Eigen::MatrixXd y = sdeSolvePaths(model, y0, dW, options).back();
            errors.push_back(std::sqrt((y - reference).colwise().squaredNorm().mean()));
        }
        const double order = std::log(errors.front() / errors.back()) /
                             std::log(static_cast<double>(coarseSteps.back()) /
                                      static_cast<double>(coarseSteps.front()));
        qInfo("scheme %d: RMS errors %.3e %.3e %.3e at 8/16/32 steps, observed order %.2f", scheme,
              errors[0], errors[1], errors[2], order);
        QVERIFY(errors[0] > errors[1] && errors[1] > errors[2]);
        QVERIFY2(order > 0.35 && order < 1.3, qPrintable(QString::number(order)));
    }
};

QTEST_APPLESS_MAIN(TestGradSdeGeneral)
#include "test_grad_sde_general.moc"
