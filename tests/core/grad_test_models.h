#pragma once
// Small neural SDEs and Brownian increments shared by the solver-gradient tests.
#include <QtTest>

#include <utility>
#include <vector>

#include "core/common/random.h"
#include "core/models/neural_sde.h"
#include "core/solvers/sde_backprop.h"
#include "nn_gradient_check.h"

namespace driftlab::test {

inline core::models::NeuralSdeConfig smallSdeConfig(bool timeInput) {
    auto config = core::models::makeNeuralSdeConfig(2, {16}, {8}, 0.5, 11);
    if (timeInput) {
        config.drift.timeEmbedding.kind = core::nn::TimeEmbeddingConfig::Kind::Sinusoidal;
        config.drift.timeEmbedding.dim = 4;
        config.drift.timeEmbedding.maxPeriod = 10.0;
    }
    return config;
}

// General noise: dim 2 driven by 3 Brownian motions (the diffusion net outputs 2 x 3
// matrices); with timeInput both nets see t, so the time path of the diffusion is covered too.
inline core::models::NeuralSdeConfig smallGeneralSdeConfig(bool timeInput) {
    auto config = core::models::makeGeneralNoiseSdeConfig(2, 3, {12}, {8}, 0.5, 13);
    if (timeInput) {
        const auto embedding = smallSdeConfig(true).drift.timeEmbedding;
        config.drift.timeEmbedding = embedding;
        config.diffusion.timeEmbedding = embedding;
    }
    return config;
}

// The registry id of each scheme the SDE gradient code differentiates through: the rows
// flagged trainable are exactly these (test_solver_registry), and each id's stepper takes
// the same steps as sdeSolvePaths with its scheme (test_grad_sde_general).
inline constexpr std::pair<core::SdeGradScheme, const char*> kGradSchemeSolvers[] = {
    {core::SdeGradScheme::EulerMaruyama, "euler_maruyama"},
    {core::SdeGradScheme::StochasticHeun, "stochastic_heun"},
    {core::SdeGradScheme::ReversibleHeun, "reversible_heun"}};

inline Eigen::MatrixXd normalMatrix(Eigen::Index rows, Eigen::Index cols, double scale,
                                    std::uint64_t seed) {
    core::RandomStream random(seed, 3);
    Eigen::MatrixXd m(rows, cols);
    for (Eigen::Index k = 0; k < m.size(); ++k) m.data()[k] = scale * random.normal();
    return m;
}

inline std::vector<Eigen::MatrixXd> brownianIncrements(Eigen::Index dim, Eigen::Index paths,
                                                       long steps, double dt, std::uint64_t seed) {
    std::vector<Eigen::MatrixXd> dW;
    for (long n = 0; n < steps; ++n)
        dW.push_back(
            normalMatrix(dim, paths, std::sqrt(dt), seed * 1000 + static_cast<std::uint64_t>(n)));
    return dW;
}

// Sum over observations k of w_k |y - target_k|^2 / paths with w_k = 1 / (k + 1), so each
// observation weighs differently.
inline core::SdePathLoss<double> weightedTargetLoss(std::vector<Eigen::MatrixXd> targets) {
    return [targets = std::move(targets)](std::size_t k, const core::nn::MatrixCRef<double>& y,
                                          Eigen::MatrixXd& grad) {
        const Eigen::MatrixXd diff = y - targets[k];
        const double w = 1.0 / static_cast<double>(k + 1);
        grad = (2.0 * w / static_cast<double>(y.cols())) * diff;
        return w * diff.squaredNorm() / static_cast<double>(y.cols());
    };
}

// |y|^2 / (2 paths) at every observation, in either precision.
template <typename Scalar>
core::SdePathLoss<Scalar> halfSquaredNormLoss() {
    return [](std::size_t, const core::nn::MatrixCRef<Scalar>& y, core::nn::Matrix<Scalar>& g) {
        g = y / static_cast<Scalar>(y.cols());
        return Scalar(0.5) * y.squaredNorm() / static_cast<Scalar>(y.cols());
    };
}

// A small neural SDE over 12 steps of 0.05 from t0 = 0.3, fixed Brownian increments (one
// row per Brownian motion of the model) and weighted targets at steps 4, 9 and 12: the
// problem the SDE gradient tests differentiate. lossAt re-solves it for finite differences.
struct SdeGradProblem {
    static constexpr long kSteps = 12;
    static constexpr double kDt = 0.05;
    static constexpr Eigen::Index kPaths = 5;

    core::models::NeuralSde<double> model;
    Eigen::MatrixXd y0;
    std::vector<Eigen::MatrixXd> dW;
    std::vector<Eigen::MatrixXd> targets;
    core::SdeGradOptions options;

    explicit SdeGradProblem(const core::models::NeuralSdeConfig& config)
        : model(config),
          y0(normalMatrix(model.dimension(), kPaths, 0.7, 1)),
          dW(brownianIncrements(model.brownianDimension(), kPaths, kSteps, kDt, 2)),
          targets{normalMatrix(model.dimension(), kPaths, 0.5, 3),
                  normalMatrix(model.dimension(), kPaths, 0.5, 4),
                  normalMatrix(model.dimension(), kPaths, 0.5, 5)} {
        options.dt = kDt;
        options.t0 = 0.3;
        options.observationSteps = {4, 9, kSteps};
    }
    core::SdePathLoss<double> loss() const { return weightedTargetLoss(targets); }

    double lossAt(const Eigen::VectorXd& theta, const Eigen::MatrixXd& start) const {
        core::models::NeuralSde<double> copy = model;
        copy.setParameters(theta);
        const auto path = core::sdeSolvePaths(copy, start, dW, options);
        double total = 0.0;
        Eigen::MatrixXd grad;
        for (std::size_t k = 0; k < options.observationSteps.size(); ++k)
            total += loss()(k, path[static_cast<std::size_t>(options.observationSteps[k])], grad);
        return total;
    }
};

// Storing every state and the activations (the default), recomputing the activations, and
// checkpointing every 2, 5, 12 or 20 steps are the same arithmetic: the gradients must be
// bit-identical. Runs the problem's scheme; a QCOMPARE failure returns from here.
inline void checkStorageVariantsAgree(SdeGradProblem p) {
    const auto full = core::sdeBackprop(p.model, p.y0, p.dW, p.loss(), p.options);
    p.options.storeActivations = false;
    const auto recomputed = core::sdeBackprop(p.model, p.y0, p.dW, p.loss(), p.options);
    QCOMPARE((recomputed.dTheta - full.dTheta).cwiseAbs().maxCoeff(), 0.0);
    QCOMPARE((recomputed.dY0 - full.dY0).cwiseAbs().maxCoeff(), 0.0);
    for (long k : {2L, 5L, 12L, 20L}) {
        p.options.checkpointEvery = k;
        const auto r = core::sdeBackprop(p.model, p.y0, p.dW, p.loss(), p.options);
        QCOMPARE((r.dTheta - full.dTheta).cwiseAbs().maxCoeff(), 0.0);
        QCOMPARE((r.dY0 - full.dY0).cwiseAbs().maxCoeff(), 0.0);
        QCOMPARE(r.loss, full.loss);
    }
}

// The three schemes as QTest rows of an int column "scheme".
inline void addSchemeRows() {
    QTest::addColumn<int>("scheme");
    QTest::newRow("euler_maruyama") << static_cast<int>(core::SdeGradScheme::EulerMaruyama);
    QTest::newRow("stochastic_heun") << static_cast<int>(core::SdeGradScheme::StochasticHeun);
    QTest::newRow("reversible_heun") << static_cast<int>(core::SdeGradScheme::ReversibleHeun);
}

// Backprop through the problem's scheme on 2 threads against central finite differences of
// the re-solved loss, for theta and y0; the callers assert on the errors.
struct SdeGradCheck {
    core::SdeGradResult<double> result;
    double lossAtStart = 0.0;  // the re-solved loss at the unperturbed point
    Eigen::VectorXd fdTheta, fdY0;
    double errTheta = 0.0, errY0 = 0.0;
};

inline SdeGradCheck finiteDifferenceCheck(SdeGradProblem p) {
    p.options.threads = 2;
    SdeGradCheck c;
    c.result = core::sdeBackprop(p.model, p.y0, p.dW, p.loss(), p.options);
    c.lossAtStart = p.lossAt(p.model.parameters(), p.y0);
    c.fdTheta = centralDifferences(
        [&](const Eigen::VectorXd& theta) { return p.lossAt(theta, p.y0); }, p.model.parameters());
    c.fdY0 = centralDifferences(
        [&](const Eigen::VectorXd& y) {
            return p.lossAt(p.model.parameters(),
                            Eigen::Map<const Eigen::MatrixXd>(y.data(), p.y0.rows(), p.y0.cols()));
        },
        flat(p.y0));
    c.errTheta = relativeError(c.result.dTheta, c.fdTheta);
    c.errY0 = relativeError(flat(c.result.dY0), c.fdY0);
    return c;
}

}  // namespace driftlab::test
