#pragma once
// Gradients of a loss on the solution of a differentiable SDE (differentiable_sde.h, e.g. the
// neural SDE of core/models), for fixed-step solves over a batch
// of paths with given Brownian increments (so the loss is a deterministic function of theta
// and y0 and a finite-difference check is meaningful).
//
//  - sdeBackprop: discretise-then-optimise. Backpropagates exactly through the Euler–Maruyama,
//    stochastic Heun or reversible Heun scheme. States are stored every checkpointEvery-th
//    step and each segment is recomputed during the backward pass, so memory is
//    O(steps / k + k) states; k = 1 stores every state. Network activations are never kept
//    across steps (one recomputed forward per step instead), which is what lets a batch of
//    thousands of paths fit.
//  - reversibleHeunAdjoint: Kidger, Foster, Li, Lyons (2021), "Efficient and accurate
//    gradients for neural SDEs". The reversible Heun scheme can be run backwards in closed
//    form, so the backward pass reconstructs the forward path instead of storing it
//    (constant memory in the number of steps) and the gradient is the exact gradient of the
//    discretised solve, up to the round-off of the reconstruction.
//
// The reversible Heun updates and their VJP are reversible_heun.h's (shared with the latent
// time-series models); the drivers here own the carried state (y, yhat, f(yhat), g(yhat)),
// which the SdeStepper interface hides.
// The Brownian increments come either as one matrix per step (O(steps) memory) or from a
// BrownianSource (brownian_source.h, e.g. a BrownianTree) queried per step and block of paths
// over the grid t0 + n dt, which stores no noise at all: with a tree the adjoint's memory is
// then truly independent of the number of steps, and the increments are those a fixed-step
// simulate() or an adaptive solve reading the same tree sees. Each increment is
// model.brownianDimension() x paths: dim x paths for diagonal noise, m x paths for general
// noise, where the step's noise term per path is G dW with G = g(t, y) of shape dim x m and
// the diffusion's VJP is fed the outer product a dW^T (sde_backprop_noise.h).
//
// Work is split over OpenMP threads by blocks of paths; each block owns its workspaces and
// gradient, and block gradients are summed in a fixed order, so results do not depend on
// scheduling.
#include <functional>
#include <memory>
#include <type_traits>
#include <vector>

#include "core/solvers/brownian_source.h"
#include "core/solvers/differentiable_sde.h"

namespace driftlab::core {

enum class SdeGradScheme { EulerMaruyama, StochasticHeun, ReversibleHeun };

// Loss term at one observation: returns its value and writes dLoss/dy (dim x paths) into
// grad. observation indexes SdeGradOptions::observationSteps.
template <typename Scalar>
using SdePathLoss = std::function<Scalar(std::size_t observation, const SdeMatrixCRef<Scalar>& y,
                                         SdeMatrix<Scalar>& grad)>;

// Parameter types in which Scalar is not deduced, so a plain matrix (or a block of one) and a
// lambda bind without spelling the scalar; it comes from the model.
template <typename Scalar>
using SdeStates = std::type_identity_t<SdeMatrixCRef<Scalar>>;
template <typename Scalar>
using SdeLoss = std::type_identity_t<SdePathLoss<Scalar>>;

struct SdeGradOptions {
    SdeGradScheme scheme = SdeGradScheme::EulerMaruyama;
    double t0 = 0.0;
    double dt = 0.01;
    // Step indices (0..steps) at which the loss sees the state; empty: the terminal state.
    std::vector<long> observationSteps;
    long checkpointEvery = 1;  // sdeBackprop only
    // sdeBackprop with checkpointEvery == 1 and Euler–Maruyama or stochastic Heun: keep the
    // fields' workspaces (a network's activations) of every step from the forward pass (memory ~
    // steps x paths x hidden width) instead of recomputing them in the backward pass (a quarter of
    // the work).
    bool storeActivations = true;
    int threads = 0;  // 0: OpenMP's default
};

// What sdeBackprop and reversibleHeunAdjoint allocate (per-thread blocks, network
// activations of every step, packing buffers), kept between calls when the caller passes
// one: a training loop that does gives its steady-state iterations no allocation at all.
// One workspace serves one call at a time.
template <typename Scalar>
class SdeGradWorkspace {
public:
    SdeGradWorkspace();
    ~SdeGradWorkspace();
    SdeGradWorkspace(SdeGradWorkspace&&) noexcept;
    SdeGradWorkspace& operator=(SdeGradWorkspace&&) noexcept;

    struct Blocks;
    Blocks& blocks() { return *blocks_; }

private:
    std::unique_ptr<Blocks> blocks_;
};

template <typename Scalar>
struct SdeGradResult {
    Scalar loss = 0;
    Eigen::Matrix<Scalar, Eigen::Dynamic, 1> dTheta;  // layout of the model's theta
    SdeMatrix<Scalar> dY0;
    SdeMatrix<Scalar> terminal;         // y at the last step
    SdeMatrix<Scalar> reconstructedY0;  // reversibleHeunAdjoint: y0 as rebuilt backwards
};

// The solve alone: y at every step 0..steps (dW.size() steps). All three functions throw
// Error naming the shapes when an increment is not model.brownianDimension() x paths.
template <typename Scalar>
std::vector<SdeMatrix<Scalar>> sdeSolvePaths(const DifferentiableSde<Scalar>& model,
                                             const SdeStates<Scalar>& y0,
                                             const std::vector<SdeMatrix<Scalar>>& dW,
                                             const SdeGradOptions& options);

template <typename Scalar>
SdeGradResult<Scalar> sdeBackprop(const DifferentiableSde<Scalar>& model,
                                  const SdeStates<Scalar>& y0,
                                  const std::vector<SdeMatrix<Scalar>>& dW,
                                  const SdeLoss<Scalar>& loss, const SdeGradOptions& options,
                                  SdeGradWorkspace<Scalar>* workspace = nullptr);

// The same three with `steps` steps whose increments are queried from brownian (paths 0 ..
// y0.cols() - 1, brownianDimension() motions, covering [t0, t0 + steps dt]); Error otherwise.
template <typename Scalar>
std::vector<SdeMatrix<Scalar>> sdeSolvePaths(const DifferentiableSde<Scalar>& model,
                                             const SdeStates<Scalar>& y0,
                                             const BrownianSource& brownian, long steps,
                                             const SdeGradOptions& options);
template <typename Scalar>
SdeGradResult<Scalar> sdeBackprop(const DifferentiableSde<Scalar>& model,
                                  const SdeStates<Scalar>& y0, const BrownianSource& brownian,
                                  long steps, const SdeLoss<Scalar>& loss,
                                  const SdeGradOptions& options,
                                  SdeGradWorkspace<Scalar>* workspace = nullptr);
template <typename Scalar>
SdeGradResult<Scalar> reversibleHeunAdjoint(const DifferentiableSde<Scalar>& model,
                                            const SdeStates<Scalar>& y0,
                                            const BrownianSource& brownian, long steps,
                                            const SdeLoss<Scalar>& loss,
                                            const SdeGradOptions& options,
                                            SdeGradWorkspace<Scalar>* workspace = nullptr);

// options.scheme is ignored (always reversible Heun) and checkpointEvery is unused.
template <typename Scalar>
SdeGradResult<Scalar> reversibleHeunAdjoint(const DifferentiableSde<Scalar>& model,
                                            const SdeStates<Scalar>& y0,
                                            const std::vector<SdeMatrix<Scalar>>& dW,
                                            const SdeLoss<Scalar>& loss,
                                            const SdeGradOptions& options,
                                            SdeGradWorkspace<Scalar>* workspace = nullptr);

}  // namespace driftlab::core
