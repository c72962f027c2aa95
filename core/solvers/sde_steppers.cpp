#include "core/solvers/sde_steppers.h"

#include "core/common/error.h"
#include "core/solvers/sde_noise.h"
#include "core/solvers/solver_registry.h"

namespace driftlab::core {

void StepScratch::resize(Eigen::Index dim, Eigen::Index n) {
    // Eigen's resize keeps the allocation when the size is unchanged.
    f0.resize(dim, n);
    g0.resize(dim, n);
    f1.resize(dim, n);
    g1.resize(dim, n);
    predictor.resize(dim, n);
}

namespace {

// The schemes that take any noise without assuming it commutes: what to use instead.
std::string schemesForAnyNoise() {
    return listSolvers([](const SolverInfo& row) {
        return !row.isOde() && row.noise.general && !row.noise.needsCommutingNoise;
    });
}

}  // namespace

bool SdeStepper::handles(const SdeSystem& system) const {
    const NoiseType noise = system.noiseType();
    if (supports(noise)) return !needsCommutativeNoise() || system.hasCommutativeNoise();
    return noise == NoiseType::General && system.hasCommutativeNoise() &&
           supportsCommutativeNoise();
}

void SdeStepper::requireSupport(const SdeSystem& system) const {
    if (handles(system)) return;
    if (supports(system.noiseType()))
        throw SolverError(name() + " needs commuting noise; this system's " +
                          toString(system.noiseType()) +
                          " noise has a g_i that reads another "
                          "component x_k, so the columns of g do not commute and the scheme "
                          "would lose its order - use " +
                          schemesForAnyNoise());
    if (system.noiseType() == NoiseType::General && supportsCommutativeNoise())
        throw SolverError(name() +
                          " handles general noise only when its columns commute "
                          "(its iterated integrals would need Lévy areas otherwise); this "
                          "system does not declare commuting noise - use " +
                          schemesForAnyNoise());
    requireSupport(system.noiseType());
}

void SdeStepper::requireSupport(NoiseType noise) const {
    if (supports(noise)) return;
    std::string handled;
    for (NoiseType type :
         {NoiseType::Diagonal, NoiseType::Scalar, NoiseType::Additive, NoiseType::General})
        if (supports(type)) handled += (handled.empty() ? "" : ", ") + toString(type);
    throw SolverError(name() + " handles " + handled + " noise only; this system has " +
                      toString(noise) + " noise - choose a solver that supports it");
}

void SdeStepper::begin(SdeWorker&, double, const Eigen::Ref<const Eigen::MatrixXd>&,
                       StepScratch&) const {}

void SdeStepper::stepWithArea(SdeWorker& worker, double t, double dt, Eigen::Ref<Eigen::MatrixXd> y,
                              const Eigen::Ref<const Eigen::MatrixXd>& dW,
                              const Eigen::Ref<const Eigen::MatrixXd>&,
                              StepScratch& scratch) const {
    step(worker, t, dt, y, dW, scratch);
}

// --- Euler–Maruyama ---------------------------------------------------------------------

double EulerMaruyamaStepper::strongOrder(NoiseType noise) const {
    return noise == NoiseType::Additive ? 1.0 : 0.5;
}

StepCost EulerMaruyamaStepper::evaluationsPerStep(bool deterministic) const {
    return {1, deterministic ? 0 : 1};
}

bool EulerMaruyamaStepper::supports(NoiseType) const { return true; }

void EulerMaruyamaStepper::step(SdeWorker& worker, double t, double dt,
                                Eigen::Ref<Eigen::MatrixXd> y,
                                const Eigen::Ref<const Eigen::MatrixXd>& dW, StepScratch& s) const {
    s.f0.resize(y.rows(), y.cols());
    worker.drift(t, y, s.f0);
    if (dW.cols() == 0) {
        y.noalias() += dt * s.f0;
        return;
    }
    if (worker.matrixNoiseColumns() > 0) {
        evaluateDiffusion(worker, t, y, s.g0);
        y.noalias() += dt * s.f0;
        addDiffusion(s.g0, dW, y);
        return;
    }
    // Diagonal noise in one pass: this is the loop the neural-SDE benchmark times.
    s.g0.resize(y.rows(), y.cols());
    worker.diffusion(t, y, s.g0);
    y.array() += dt * s.f0.array() + s.g0.array() * dW.array();
}

// --- Stochastic Heun --------------------------------------------------------------------

double StochasticHeunStepper::strongOrder(NoiseType noise) const {
    return noise == NoiseType::General ? 0.5 : 1.0;
}

StepCost StochasticHeunStepper::evaluationsPerStep(bool deterministic) const {
    return {2, deterministic ? 0 : 2};
}

bool StochasticHeunStepper::supports(NoiseType) const { return true; }

void StochasticHeunStepper::step(SdeWorker& worker, double t, double dt,
                                 Eigen::Ref<Eigen::MatrixXd> y,
                                 const Eigen::Ref<const Eigen::MatrixXd>& dW,
                                 StepScratch& s) const {
    s.resize(y.rows(), y.cols());
    worker.drift(t, y, s.f0);
    if (dW.cols() == 0) {
        // Heun's method (explicit trapezoid) for ODEs.
        s.predictor = y + dt * s.f0;
        worker.drift(t + dt, s.predictor, s.f1);
        y.array() += (0.5 * dt) * (s.f0.array() + s.f1.array());
        return;
    }
    if (worker.matrixNoiseColumns() > 0) {
        s.noise0.resize(y.rows(), y.cols());
        s.noise1.resize(y.rows(), y.cols());
        evaluateDiffusion(worker, t, y, s.g0);
        applyDiffusion(s.g0, dW, s.noise0);
        s.predictor = y + dt * s.f0 + s.noise0;
        worker.drift(t + dt, s.predictor, s.f1);
        evaluateDiffusion(worker, t + dt, s.predictor, s.g1);
        applyDiffusion(s.g1, dW, s.noise1);
        y += (0.5 * dt) * (s.f0 + s.f1) + 0.5 * (s.noise0 + s.noise1);
        return;
    }
    worker.diffusion(t, y, s.g0);
    s.predictor.array() = y.array() + dt * s.f0.array() + s.g0.array() * dW.array();
    worker.drift(t + dt, s.predictor, s.f1);
    worker.diffusion(t + dt, s.predictor, s.g1);
    y.array() += (0.5 * dt) * (s.f0.array() + s.f1.array()) +
                 0.5 * (s.g0.array() + s.g1.array()) * dW.array();
}

}  // namespace driftlab::core
