#include "core/solvers/sde_backprop.h"

#include "core/solvers/sde_backprop_tape.h"

namespace driftlab::core {

using namespace sde_tape;

template <typename Scalar>
struct SdeGradWorkspace<Scalar>::Blocks {
    std::vector<Block<Scalar>> blocks;
};
template <typename Scalar>
SdeGradWorkspace<Scalar>::SdeGradWorkspace() : blocks_(std::make_unique<Blocks>()) {}
template <typename Scalar>
SdeGradWorkspace<Scalar>::~SdeGradWorkspace() = default;
template <typename Scalar>
SdeGradWorkspace<Scalar>::SdeGradWorkspace(SdeGradWorkspace&&) noexcept = default;
template <typename Scalar>
SdeGradWorkspace<Scalar>& SdeGradWorkspace<Scalar>::operator=(SdeGradWorkspace&&) noexcept =
    default;

namespace {

template <typename Scalar>
std::vector<Matrix<Scalar>> solvePaths(const DifferentiableSde<Scalar>& model,
                                       const SdeStates<Scalar>& y0, const Increments<Scalar>& dW,
                                       const SdeGradOptions& options) {
    makePlan(model, y0, dW, options);
    Block<Scalar> b;
    b.cols = y0.cols();
    b.ws0 = model.makeWorkspace();
    b.ws1 = model.makeWorkspace();
    b.y = y0;
    const bool reversible = options.scheme == SdeGradScheme::ReversibleHeun;
    if (reversible) {
        b.yhat = b.y;
        startReversible(model, b, timeAt<Scalar>(options, 0));
    }
    std::vector<Matrix<Scalar>> path{b.y};
    for (long n = 0; n < dW.steps(); ++n) {
        forwardStep(options.scheme, model, b, n, timeAt<Scalar>(options, n),
                    static_cast<Scalar>(options.dt), dW.at(n, b));
        path.push_back(b.y);
    }
    return path;
}

template <typename Scalar>
SdeGradResult<Scalar> backprop(const DifferentiableSde<Scalar>& model, const SdeStates<Scalar>& y0,
                               const Increments<Scalar>& dW, const SdeLoss<Scalar>& loss,
                               const SdeGradOptions& options, SdeGradWorkspace<Scalar>* workspace) {
    const Plan plan = makePlan(model, y0, dW, options);
    const Index dim = y0.rows();
    const long every = options.checkpointEvery;
    const SdeGradScheme scheme = options.scheme;
    const bool reversible = scheme == SdeGradScheme::ReversibleHeun;
    SdeGradWorkspace<Scalar> local;
    auto& blocks = makeBlocks<Scalar>(model, (workspace ? *workspace : local).blocks().blocks,
                                      y0.cols(), options.threads);
    if (every == 1 && options.storeActivations && !reversible)
        for (auto& b : blocks) startTape(model, b, plan.steps);
    std::vector<Matrix<Scalar>> obsGrad;
    Matrix<Scalar> terminal;
    const Scalar value = forwardAndLoss(model, y0, dW, options, scheme, plan, every, blocks, loss,
                                        obsGrad, terminal);
    const Scalar dt = static_cast<Scalar>(options.dt);
#pragma omp parallel for schedule(static, 1) num_threads(static_cast <int>(blocks.size()))
    for (std::size_t bi = 0; bi < blocks.size(); ++bi) {
        auto& b = blocks[bi];
        startBackward(model, b);
        addObservationGrad(plan, plan.steps, obsGrad, b);
        // Segments [s0, s1] from the last back to the first; each is recomputed from its
        // checkpoint into b.segment (k + 1 states), then walked backwards.
        for (long s0 = ((plan.steps - 1) / every) * every; plan.steps > 0 && s0 >= 0; s0 -= every) {
            const long s1 = std::min(plan.steps, s0 + every);
            b.segment.resize(static_cast<std::size_t>(every + 1));
            if (reversible) b.segmentHat.resize(b.segment.size());
            b.y = b.checkpoints[static_cast<std::size_t>(s0 / every)];
            if (reversible) {
                b.yhat = b.checkpointsHat[static_cast<std::size_t>(s0 / every)];
                startReversible(model, b, timeAt<Scalar>(options, s0));
            }
            for (long n = s0; n < s1; ++n) {
                b.segment[static_cast<std::size_t>(n - s0)] = b.y;
                if (reversible) b.segmentHat[static_cast<std::size_t>(n - s0)] = b.yhat;
                if (n + 1 < s1)
                    forwardStep(scheme, model, b, n, timeAt<Scalar>(options, n), dt, dW.at(n, b));
            }
            for (long n = s1 - 1; n >= s0; --n) {
                const MatrixCRef<Scalar> dw = dW.at(n, b);
                const auto& yn = b.segment[static_cast<std::size_t>(n - s0)];
                const Scalar t = timeAt<Scalar>(options, n);
                withNoise(model, b, [&](const auto& noise) {
                    if (scheme == SdeGradScheme::EulerMaruyama) {
                        eulerBack(model, b, noise, n, yn, t, dt, dw);
                    } else if (scheme == SdeGradScheme::StochasticHeun) {
                        heunBack(model, b, noise, n, yn, t, dt, dw);
                    } else {
                        // Recompute the nets at yhat_{n+1} into ws1, then step the VJP back.
                        const auto& yh = b.segmentHat[static_cast<std::size_t>(n - s0)];
                        const auto& mu = model.drift(t, yh, *b.ws0);
                        const auto& sigma = model.diffusion(t, yh, *b.ws0);
                        reversible_heun::predict(noise, yn, yh, dt, mu, sigma, dw, b.p);
                        model.drift(t + dt, b.p, *b.ws1);
                        model.diffusion(t + dt, b.p, *b.ws1);
                        reversibleBack(model, b, noise, dt, dw);
                        if (n == 0) {
                            model.drift(t, yh, *b.ws1);
                            model.diffusion(t, yh, *b.ws1);
                            reversibleFinish(model, b);
                        }
                    }
                });
                addObservationGrad(plan, n, obsGrad, b);
            }
        }
        if (plan.steps == 0 && reversible) b.ay += b.ayhat;
    }
    auto r = collect(blocks, dim, y0.cols(), model.parameterCount());
    r.loss = value;
    r.terminal = std::move(terminal);
    return r;
}

template <typename Scalar>
SdeGradResult<Scalar> adjoint(const DifferentiableSde<Scalar>& model, const SdeStates<Scalar>& y0,
                              const Increments<Scalar>& dW, const SdeLoss<Scalar>& loss,
                              const SdeGradOptions& options, SdeGradWorkspace<Scalar>* workspace) {
    const Plan plan = makePlan(model, y0, dW, options);
    const Index dim = y0.rows();
    SdeGradWorkspace<Scalar> local;
    auto& blocks = makeBlocks<Scalar>(model, (workspace ? *workspace : local).blocks().blocks,
                                      y0.cols(), options.threads);
    std::vector<Matrix<Scalar>> obsGrad;
    Matrix<Scalar> terminal;
    const Scalar value = forwardAndLoss(model, y0, dW, options, SdeGradScheme::ReversibleHeun, plan,
                                        0, blocks, loss, obsGrad, terminal);
    const Scalar dt = static_cast<Scalar>(options.dt);
    Matrix<Scalar> reconstructed(dim, y0.cols());
#pragma omp parallel for schedule(static, 1) num_threads(static_cast <int>(blocks.size()))
    for (std::size_t bi = 0; bi < blocks.size(); ++bi) {
        auto& b = blocks[bi];
        // The forward pass left (y, yhat, mu, sigma) at the last step in the block.
        startBackward(model, b);
        addObservationGrad(plan, plan.steps, obsGrad, b);
        const Scalar tEnd = timeAt<Scalar>(options, plan.steps);
        model.drift(tEnd, b.yhat, *b.ws1);
        model.diffusion(tEnd, b.yhat, *b.ws1);
        for (long n = plan.steps - 1; n >= 0; --n) {
            const MatrixCRef<Scalar> dw = dW.at(n, b);
            const Scalar t = timeAt<Scalar>(options, n);
            withNoise(model, b, [&](const auto& noise) {
                reversibleBack(model, b, noise, dt, dw);
                // Run the step backwards: yhat_n from (y, yhat, mu, sigma) at n + 1, the nets
                // at yhat_n (into ws1, for the next VJP), then y_n.
                reversible_heun::unpredict(noise, b.y, b.yhat, dt, b.mu, b.sigma, dw, b.yhat);
                const auto& mu = model.drift(t, b.yhat, *b.ws1);
                const auto& sigma = model.diffusion(t, b.yhat, *b.ws1);
                reversible_heun::uncorrect(noise, b.y, dt, mu, b.mu, sigma, b.sigma, dw);
                b.mu = mu;
                b.sigma = sigma;
            });
            addObservationGrad(plan, n, obsGrad, b);
        }
        reversibleFinish(model, b);
        reconstructed.middleCols(b.col, b.cols) = b.y;
    }
    auto r = collect(blocks, dim, y0.cols(), model.parameterCount());
    r.loss = value;
    r.terminal = std::move(terminal);
    r.reconstructedY0 = std::move(reconstructed);
    return r;
}

}  // namespace

template <typename Scalar>
std::vector<Matrix<Scalar>> sdeSolvePaths(const DifferentiableSde<Scalar>& model,
                                          const SdeStates<Scalar>& y0,
                                          const std::vector<Matrix<Scalar>>& dW,
                                          const SdeGradOptions& options) {
    return solvePaths(model, y0, Increments<Scalar>(dW), options);
}
template <typename Scalar>
std::vector<Matrix<Scalar>> sdeSolvePaths(const DifferentiableSde<Scalar>& model,
                                          const SdeStates<Scalar>& y0,
                                          const BrownianSource& brownian, long steps,
                                          const SdeGradOptions& options) {
    return solvePaths(model, y0, Increments<Scalar>(brownian, steps, options), options);
}

template <typename Scalar>
SdeGradResult<Scalar> sdeBackprop(const DifferentiableSde<Scalar>& model,
                                  const SdeStates<Scalar>& y0,
                                  const std::vector<Matrix<Scalar>>& dW,
                                  const SdeLoss<Scalar>& loss, const SdeGradOptions& options,
                                  SdeGradWorkspace<Scalar>* workspace) {
    return backprop(model, y0, Increments<Scalar>(dW), loss, options, workspace);
}
template <typename Scalar>
SdeGradResult<Scalar> sdeBackprop(const DifferentiableSde<Scalar>& model,
                                  const SdeStates<Scalar>& y0, const BrownianSource& brownian,
                                  long steps, const SdeLoss<Scalar>& loss,
                                  const SdeGradOptions& options,
                                  SdeGradWorkspace<Scalar>* workspace) {
    return backprop(model, y0, Increments<Scalar>(brownian, steps, options), loss, options,
                    workspace);
}

template <typename Scalar>
SdeGradResult<Scalar> reversibleHeunAdjoint(const DifferentiableSde<Scalar>& model,
                                            const SdeStates<Scalar>& y0,
                                            const std::vector<Matrix<Scalar>>& dW,
                                            const SdeLoss<Scalar>& loss,
                                            const SdeGradOptions& options,
                                            SdeGradWorkspace<Scalar>* workspace) {
    return adjoint(model, y0, Increments<Scalar>(dW), loss, options, workspace);
}
template <typename Scalar>
SdeGradResult<Scalar> reversibleHeunAdjoint(const DifferentiableSde<Scalar>& model,
                                            const SdeStates<Scalar>& y0,
                                            const BrownianSource& brownian, long steps,
                                            const SdeLoss<Scalar>& loss,
                                            const SdeGradOptions& options,
                                            SdeGradWorkspace<Scalar>* workspace) {
    return adjoint(model, y0, Increments<Scalar>(brownian, steps, options), loss, options,
                   workspace);
}

#define DRIFTLAB_SDE_BACKPROP(Scalar)                                                            \
    template std::vector<Matrix<Scalar>> sdeSolvePaths(                                          \
        const DifferentiableSde<Scalar>&, const SdeStates<Scalar>&,                              \
        const std::vector<Matrix<Scalar>>&, const SdeGradOptions&);                              \
    template std::vector<Matrix<Scalar>> sdeSolvePaths(                                          \
        const DifferentiableSde<Scalar>&, const SdeStates<Scalar>&, const BrownianSource&, long, \
        const SdeGradOptions&);                                                                  \
    template SdeGradResult<Scalar> sdeBackprop(                                                  \
        const DifferentiableSde<Scalar>&, const SdeStates<Scalar>&,                              \
        const std::vector<Matrix<Scalar>>&, const SdeLoss<Scalar>&, const SdeGradOptions&,       \
        SdeGradWorkspace<Scalar>*);                                                              \
    template SdeGradResult<Scalar> sdeBackprop(                                                  \
        const DifferentiableSde<Scalar>&, const SdeStates<Scalar>&, const BrownianSource&, long, \
        const SdeLoss<Scalar>&, const SdeGradOptions&, SdeGradWorkspace<Scalar>*);               \
    template SdeGradResult<Scalar> reversibleHeunAdjoint(                                        \
        const DifferentiableSde<Scalar>&, const SdeStates<Scalar>&,                              \
        const std::vector<Matrix<Scalar>>&, const SdeLoss<Scalar>&, const SdeGradOptions&,       \
        SdeGradWorkspace<Scalar>*);                                                              \
    template SdeGradResult<Scalar> reversibleHeunAdjoint(                                        \
        const DifferentiableSde<Scalar>&, const SdeStates<Scalar>&, const BrownianSource&, long, \
        const SdeLoss<Scalar>&, const SdeGradOptions&, SdeGradWorkspace<Scalar>*);               \
    template class SdeGradWorkspace<Scalar>;
DRIFTLAB_SDE_BACKPROP(double)
DRIFTLAB_SDE_BACKPROP(float)
#undef DRIFTLAB_SDE_BACKPROP

}  // namespace driftlab::core
