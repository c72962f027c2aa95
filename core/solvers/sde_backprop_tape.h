#pragma once
// The inside of sde_backprop.cpp: one block of paths per thread, its plan and activation tape,
// and each scheme's forward step and backward (VJP) step over it. Private to that file (it
// is the only includer); the drivers there (solve, backprop, adjoint) are built from these.
#include "core/solvers/sde_backprop.h"

#include <omp.h>

#include <algorithm>
#include <type_traits>
#include <typeinfo>

#include "core/common/error.h"
#include "core/solvers/reversible_heun.h"
#include "core/solvers/sde_backprop_noise.h"

namespace driftlab::core {

using Index = Eigen::Index;
template <typename Scalar>
using Matrix = SdeMatrix<Scalar>;
template <typename Scalar>
using MatrixCRef = SdeMatrixCRef<Scalar>;
template <typename Scalar>
using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
using Workspace = DifferentiableSdeWorkspace;

namespace sde_tape {

// Non-deduced, so that blocks of a matrix bind without naming Scalar at every call.
template <typename Scalar>
using Increment = std::type_identity_t<MatrixCRef<Scalar>>;

// One block of paths on one thread: columns [col, col + cols) of the batch.
template <typename Scalar>
struct Block {
    Index col = 0, cols = 0;
    // Made by the system on first use (and again when another kind of system comes along).
    std::unique_ptr<Workspace> ws0, ws1;
    const std::type_info* madeBy = nullptr;
    Matrix<Scalar> y, yhat, mu, sigma, mu1, sigma1, p, tmp, tmp2, ay, ayhat, w;
    Matrix<Scalar> cmu, csigma;  // pending cotangents of f(yhat), g(yhat) in reversible Heun
    Vector<Scalar> grad;
    std::vector<Matrix<Scalar>> segment, segmentHat;  // recomputed states of one segment
    std::vector<Matrix<Scalar>> checkpoints, checkpointsHat;
    // With every state stored, the forward pass also keeps the fields' workspaces of each step
    // (two slots per step), so the backward pass needs no second forward evaluation.
    std::vector<std::unique_ptr<Workspace>> tape;
    bool taped = false;
    detail::GeneralNoiseScratch<Scalar> noise;
    Eigen::MatrixXd queried;   // a BrownianSource's increments of this block's paths
    Matrix<Scalar> increment;  // the same in Scalar, when Scalar is not double
};

// Where the steps' increments come from: the caller's matrices (one per step, all paths) or
// a BrownianSource queried per step and block over the grid t0 + n dt, which stores nothing.
template <typename Scalar>
class Increments {
public:
    explicit Increments(const std::vector<Matrix<Scalar>>& stored)
        : stored_(&stored), steps_(static_cast<long>(stored.size())) {}
    Increments(const BrownianSource& source, long steps, const SdeGradOptions& options)
        : source_(&source), steps_(steps), t0_(options.t0), dt_(options.dt) {}

    long steps() const { return steps_; }
    const std::vector<Matrix<Scalar>>* stored() const { return stored_; }
    const BrownianSource* source() const { return source_; }

    // Step n's increments of the block's paths; valid until the next call for the block.
    MatrixCRef<Scalar> at(long n, Block<Scalar>& b) const {
        if (stored_) return (*stored_)[static_cast<std::size_t>(n)].middleCols(b.col, b.cols);
        b.queried.resize(source_->dimension(), b.cols);
        const double s = t0_ + static_cast<double>(n) * dt_;
        const double e = t0_ + static_cast<double>(n + 1) * dt_;
        source_->increments(s, e, b.col, b.queried);
        if constexpr (std::is_same_v<Scalar, double>) {
            return b.queried;
        } else {
            b.increment = b.queried.template cast<Scalar>();
            return b.increment;
        }
    }

private:
    const std::vector<Matrix<Scalar>>* stored_ = nullptr;
    const BrownianSource* source_ = nullptr;
    long steps_ = 0;
    double t0_ = 0.0, dt_ = 0.0;
};

// Calls step(noise) with the model's noise shape, chosen once per step so that the diagonal
// steps stay the fused elementwise loops they are.
template <typename Scalar, typename Step>
void withNoise(const DifferentiableSde<Scalar>& m, Block<Scalar>& b, Step&& step) {
    if (m.hasGeneralNoise())
        step(detail::GeneralNoise<Scalar>(m.dimension(), b.noise));
    else
        step(detail::DiagonalNoise{});
}

template <typename Scalar>
Workspace& slot(Block<Scalar>& b, long n, int which) {
    if (b.taped) return *b.tape[static_cast<std::size_t>(2 * n + which)];
    return which == 0 ? *b.ws0 : *b.ws1;
}

struct Plan {
    long steps = 0;
    std::vector<int> observationAt;  // per step: index into observationSteps or -1
    std::vector<long> observationSteps;
};

template <typename Scalar>
Plan makePlan(const DifferentiableSde<Scalar>& model, const SdeStates<Scalar>& y0,
              const Increments<Scalar>& dW, const SdeGradOptions& options) {
    Plan plan;
    plan.steps = dW.steps();
    if (y0.rows() != model.dimension())
        throw Error("SDE gradients: y0 has " + std::to_string(y0.rows()) + " rows, the model " +
                    std::to_string(model.dimension()) + " dimensions");
    const Index noiseRows = model.brownianDimension();
    const auto shape = [&] {
        return std::to_string(noiseRows) + " x " + std::to_string(y0.cols()) + " (" +
               (model.hasGeneralNoise() ? "Brownian motions" : "dim") + " x paths)";
    };
    if (const auto* stored = dW.stored())
        for (std::size_t n = 0; n < stored->size(); ++n)
            if ((*stored)[n].rows() != noiseRows || (*stored)[n].cols() != y0.cols())
                throw Error("SDE gradients: Brownian increment " + std::to_string(n) + " is " +
                            std::to_string((*stored)[n].rows()) + " x " +
                            std::to_string((*stored)[n].cols()) + ", expected " + shape());
    if (!(options.dt > 0.0)) throw ConfigError("SDE gradients: dt must be positive");
    if (const auto* source = dW.source()) {
        const double t1 = options.t0 + static_cast<double>(plan.steps) * options.dt;
        if (plan.steps < 0) throw ConfigError("SDE gradients: the number of steps is negative");
        if (source->dimension() != noiseRows || source->paths() < y0.cols() ||
            !source->covers(options.t0, t1 - 1e-9 * (t1 - options.t0)))
            throw Error("SDE gradients: the Brownian source has " +
                        std::to_string(source->paths()) + " paths of " +
                        std::to_string(source->dimension()) + " Brownian motions on [" +
                        std::to_string(source->t0()) + ", " + std::to_string(source->t1()) +
                        "]; the solve needs increments " + shape() + " on [" +
                        std::to_string(options.t0) + ", " + std::to_string(t1) + "]");
    }
    if (options.checkpointEvery < 1)
        throw ConfigError("SDE gradients: checkpointEvery must be at least 1");
    plan.observationSteps = options.observationSteps;
    if (plan.observationSteps.empty()) plan.observationSteps.push_back(plan.steps);
    plan.observationAt.assign(static_cast<std::size_t>(plan.steps + 1), -1);
    for (std::size_t k = 0; k < plan.observationSteps.size(); ++k) {
        const long s = plan.observationSteps[k];
        if (s < 0 || s > plan.steps || plan.observationAt[static_cast<std::size_t>(s)] >= 0)
            throw ConfigError(
                "SDE gradients: observation steps must be distinct and in "
                "[0, " +
                std::to_string(plan.steps) + "]");
        plan.observationAt[static_cast<std::size_t>(s)] = static_cast<int>(k);
    }
    return plan;
}

// The blocks of a call: those of the caller's workspace (reused when the split of the
// paths is the same as last time) or of a local one.
template <typename Scalar>
std::vector<Block<Scalar>>& makeBlocks(const DifferentiableSde<Scalar>& model,
                                       std::vector<Block<Scalar>>& blocks, Index paths,
                                       int threads) {
    const Index parameters = model.parameterCount();
    const Index count =
        std::max<Index>(1, std::min<Index>(paths, threads > 0 ? threads : omp_get_max_threads()));
    const bool same = static_cast<Index>(blocks.size()) == count && !blocks.empty() &&
                      blocks.back().col + blocks.back().cols == paths;
    if (!same) blocks = std::vector<Block<Scalar>>(static_cast<std::size_t>(count));
    for (Index b = 0; b < count; ++b) {
        auto& block = blocks[static_cast<std::size_t>(b)];
        block.col = paths * b / count;
        block.cols = paths * (b + 1) / count - block.col;
        block.grad.setZero(parameters);
        block.taped = false;
        if (block.madeBy != &typeid(model)) {
            block.ws0 = model.makeWorkspace();
            block.ws1 = model.makeWorkspace();
            block.tape.clear();
            block.madeBy = &typeid(model);
        }
    }
    return blocks;
}

// Every step's activations go to the tape; packing buffers and backward scratch stay the
// block's own.
template <typename Scalar>
void startTape(const DifferentiableSde<Scalar>& m, Block<Scalar>& b, long steps) {
    b.taped = true;
    b.tape.resize(static_cast<std::size_t>(2 * steps));
    for (auto& ws : b.tape) {
        if (!ws) ws = m.makeWorkspace();
        m.shareScratch(*ws, *b.ws0);
    }
}

template <typename Scalar>
Scalar timeAt(const SdeGradOptions& o, long n) {
    return static_cast<Scalar>(o.t0 + static_cast<double>(n) * o.dt);
}

// --- forward steps on one block ---------------------------------------------------------

template <typename Scalar, typename Noise>
void eulerStep(const DifferentiableSde<Scalar>& m, Block<Scalar>& b, const Noise& noise, long n,
               Scalar t, Scalar dt, const Increment<Scalar>& dw) {
    auto& ws = slot(b, n, 0);
    const auto& f = m.drift(t, b.y, ws);
    const auto& g = m.diffusion(t, b.y, ws);
    b.y.array() += dt * f.array() + noise.term(g, dw);
}

template <typename Scalar, typename Noise>
void heunStep(const DifferentiableSde<Scalar>& m, Block<Scalar>& b, const Noise& noise, long n,
              Scalar t, Scalar dt, const Increment<Scalar>& dw) {
    auto& ws0 = slot(b, n, 0);
    auto& ws1 = slot(b, n, 1);
    const auto& f0 = m.drift(t, b.y, ws0);
    const auto& g0 = m.diffusion(t, b.y, ws0);
    b.p.array() = b.y.array() + dt * f0.array() + noise.term(g0, dw);
    const auto& f1 = m.drift(t + dt, b.p, ws1);
    const auto& g1 = m.diffusion(t + dt, b.p, ws1);
    b.y.array() +=
        (Scalar(0.5) * dt) * (f0.array() + f1.array()) + noise.sum(Scalar(0.5), g0, g1, dw);
}

// Reversible Heun from (y, yhat, mu = f(yhat), sigma = g(yhat)) at t to the same at t + dt.
template <typename Scalar, typename Noise>
void reversibleStep(const DifferentiableSde<Scalar>& m, Block<Scalar>& b, const Noise& noise,
                    Scalar t, Scalar dt, const Increment<Scalar>& dw) {
    reversible_heun::predict(noise, b.y, b.yhat, dt, b.mu, b.sigma, dw, b.yhat);
    b.mu1 = m.drift(t + dt, b.yhat, *b.ws0);
    b.sigma1 = m.diffusion(t + dt, b.yhat, *b.ws0);
    reversible_heun::correct(noise, b.y, dt, b.mu, b.mu1, b.sigma, b.sigma1, dw);
    b.mu.swap(b.mu1);
    b.sigma.swap(b.sigma1);
}

template <typename Scalar>
void startReversible(const DifferentiableSde<Scalar>& m, Block<Scalar>& b, Scalar t) {
    b.mu = m.drift(t, b.yhat, *b.ws0);
    b.sigma = m.diffusion(t, b.yhat, *b.ws0);
}

template <typename Scalar>
void forwardStep(SdeGradScheme scheme, const DifferentiableSde<Scalar>& m, Block<Scalar>& b, long n,
                 Scalar t, Scalar dt, const Increment<Scalar>& dw) {
    withNoise(m, b, [&](const auto& noise) {
        switch (scheme) {
            case SdeGradScheme::EulerMaruyama:
                eulerStep(m, b, noise, n, t, dt, dw);
                break;
            case SdeGradScheme::StochasticHeun:
                heunStep(m, b, noise, n, t, dt, dw);
                break;
            case SdeGradScheme::ReversibleHeun:
                reversibleStep(m, b, noise, t, dt, dw);
                break;
        }
    });
}

// --- backward steps: (ay, ayhat) at n + 1 -> at n, parameters into b.grad ----------------

template <typename Scalar, typename Noise>
void eulerBack(const DifferentiableSde<Scalar>& m, Block<Scalar>& b, const Noise& noise, long n,
               const Matrix<Scalar>& yn, Scalar t, Scalar dt, const Increment<Scalar>& dw) {
    auto& ws = slot(b, n, 0);
    b.w = b.ay;
    if (!b.taped) m.drift(t, yn, ws);
    b.tmp.noalias() = dt * b.ay;
    m.driftVjp(b.tmp, ws, b.grad.data(), &b.w);
    if (!b.taped) m.diffusion(t, yn, ws);
    m.diffusionVjp(noise.cotangent(b.ay.array(), dw, b.tmp), ws, b.grad.data(), &b.w);
    b.ay.swap(b.w);
}

template <typename Scalar, typename Noise>
void heunBack(const DifferentiableSde<Scalar>& m, Block<Scalar>& b, const Noise& noise, long n,
              const Matrix<Scalar>& yn, Scalar t, Scalar dt, const Increment<Scalar>& dw) {
    const Scalar half = Scalar(0.5);
    auto& ws0 = slot(b, n, 0);
    auto& ws1 = slot(b, n, 1);
    if (!b.taped) {
        const auto& f0 = m.drift(t, yn, ws0);
        const auto& g0 = m.diffusion(t, yn, ws0);
        b.p.array() = yn.array() + dt * f0.array() + noise.term(g0, dw);
        m.drift(t + dt, b.p, ws1);
        m.diffusion(t + dt, b.p, ws1);
    }
    b.w.setZero(yn.rows(), yn.cols());  // dL/dp
    b.tmp.noalias() = (half * dt) * b.ay;
    m.driftVjp(b.tmp, ws1, b.grad.data(), &b.w);
    m.diffusionVjp(noise.cotangent(half * b.ay.array(), dw, b.tmp), ws1, b.grad.data(), &b.w);
    b.tmp.array() = (half * dt) * b.ay.array() + dt * b.w.array();
    const auto& cotangent0 = noise.cotangent(half * b.ay.array() + b.w.array(), dw, b.tmp2);
    b.ay += b.w;
    m.driftVjp(b.tmp, ws0, b.grad.data(), &b.ay);
    m.diffusionVjp(cotangent0, ws0, b.grad.data(), &b.ay);
}

// The reversible step's VJP, split at the network evaluations so that the adjoint, which
// has the forward pass at yhat_{n+1} in ws1 already, and the stored-state backprop share it.
// Part 1: cotangent ay of y_{n+1} and ayhat (direct) of yhat_{n+1}, ws1 = nets at yhat_{n+1}
// with pending cotangents (b.cmu, b.csigma) on f(yhat_{n+1}), g(yhat_{n+1}) from step n + 1.
// Leaves (ay, ayhat) for (y_n, yhat_n) and the pending cotangents on f(yhat_n), g(yhat_n).
template <typename Scalar, typename Noise>
void reversibleBack(const DifferentiableSde<Scalar>& m, Block<Scalar>& b, const Noise& noise,
                    Scalar dt, const Increment<Scalar>& dw) {
    reversible_heun::correctorCotangents(noise, b.ay, dt, dw, b.cmu, b.csigma);
    m.driftVjp(b.cmu, *b.ws1, b.grad.data(), &b.ayhat);
    m.diffusionVjp(b.csigma, *b.ws1, b.grad.data(), &b.ayhat);
    reversible_heun::predictorCotangents(noise, b.ay, b.ayhat, dt, dw, b.cmu, b.csigma);
}

// Final VJP at yhat_0 (ws1 holds the nets there); dL/dy0 = ay + ayhat since yhat_0 = y_0.
template <typename Scalar>
void reversibleFinish(const DifferentiableSde<Scalar>& m, Block<Scalar>& b) {
    m.driftVjp(b.cmu, *b.ws1, b.grad.data(), &b.ayhat);
    m.diffusionVjp(b.csigma, *b.ws1, b.grad.data(), &b.ayhat);
    b.ay += b.ayhat;
}

template <typename Scalar>
void startBackward(const DifferentiableSde<Scalar>& m, Block<Scalar>& b) {
    const Index dim = m.dimension();
    b.ay.setZero(dim, b.cols);
    b.ayhat.setZero(dim, b.cols);
    b.cmu.setZero(dim, b.cols);
    b.csigma.setZero(m.diffusionRows(), b.cols);  // general noise: dim*m rows
}

template <typename Scalar>
void addObservationGrad(const Plan& plan, long n, const std::vector<Matrix<Scalar>>& obsGrad,
                        Block<Scalar>& b) {
    const int k = plan.observationAt[static_cast<std::size_t>(n)];
    if (k >= 0) b.ay += obsGrad[static_cast<std::size_t>(k)].middleCols(b.col, b.cols);
}

// Runs the forward pass on every block, keeping checkpoints (every `every` steps; 0: none)
// and the observed states; then evaluates the loss on the whole batch.
template <typename Scalar>
Scalar forwardAndLoss(const DifferentiableSde<Scalar>& model, const SdeStates<Scalar>& y0,
                      const Increments<Scalar>& dW, const SdeGradOptions& options,
                      SdeGradScheme scheme, const Plan& plan, long every,
                      std::vector<Block<Scalar>>& blocks, const SdeLoss<Scalar>& loss,
                      std::vector<Matrix<Scalar>>& obsGrad, Matrix<Scalar>& terminal) {
    const Index dim = y0.rows();
    std::vector<Matrix<Scalar>> obsY(plan.observationSteps.size(), Matrix<Scalar>(dim, y0.cols()));
    const Scalar dt = static_cast<Scalar>(options.dt);
    const bool reversible = scheme == SdeGradScheme::ReversibleHeun;
    terminal.resize(dim, y0.cols());
#pragma omp parallel for schedule(static, 1) num_threads(static_cast <int>(blocks.size()))
    for (std::size_t bi = 0; bi < blocks.size(); ++bi) {
        auto& b = blocks[bi];
        b.y = y0.middleCols(b.col, b.cols);
        if (reversible) {
            b.yhat = b.y;
            startReversible(model, b, timeAt<Scalar>(options, 0));
        }
        if (every > 0) {
            b.checkpoints.resize(static_cast<std::size_t>(plan.steps / every + 1));
            if (reversible) b.checkpointsHat.resize(b.checkpoints.size());
        }
        for (long n = 0;; ++n) {
            if (every > 0 && n % every == 0) {
                b.checkpoints[static_cast<std::size_t>(n / every)] = b.y;
                if (reversible) b.checkpointsHat[static_cast<std::size_t>(n / every)] = b.yhat;
            }
            const int k = plan.observationAt[static_cast<std::size_t>(n)];
            if (k >= 0) obsY[static_cast<std::size_t>(k)].middleCols(b.col, b.cols) = b.y;
            if (n == plan.steps) break;
            forwardStep(scheme, model, b, n, timeAt<Scalar>(options, n), dt, dW.at(n, b));
        }
        terminal.middleCols(b.col, b.cols) = b.y;
    }
    Scalar total = 0;
    obsGrad.resize(obsY.size());
    for (std::size_t k = 0; k < obsY.size(); ++k) {
        obsGrad[k].setZero(dim, y0.cols());
        total += loss(k, obsY[k], obsGrad[k]);
        if (obsGrad[k].rows() != dim || obsGrad[k].cols() != y0.cols())
            throw Error("SDE gradients: the loss must write a dim x paths gradient");
    }
    return total;
}

template <typename Scalar>
SdeGradResult<Scalar> collect(const std::vector<Block<Scalar>>& blocks, Index dim, Index paths,
                              Index parameters) {
    SdeGradResult<Scalar> r;
    r.dTheta.setZero(parameters);
    r.dY0.resize(dim, paths);
    for (const auto& b : blocks) {
        r.dTheta += b.grad;
        r.dY0.middleCols(b.col, b.cols) = b.ay;
    }
    return r;
}

}  // namespace sde_tape

}  // namespace driftlab::core
