#include "core/solvers/sde_steppers_higher.h"

#include "core/common/error.h"
#include "core/solvers/sde_noise.h"

#include <cmath>
#include <limits>

namespace driftlab::core {

// --- Milstein ---------------------------------------------------------------------------

std::string MilsteinStepper::id() const {
    return calculus_ == Calculus::Ito ? "milstein" : "milstein_stratonovich";
}

std::string MilsteinStepper::name() const {
    return calculus_ == Calculus::Ito ? "Milstein (Itô)" : "Milstein (Stratonovich)";
}

namespace {

// The forward-difference step along direction g for a state y: perturbations ~sqrt(eps)
// relative to the state balance truncation and rounding (~1e-8 relative error).
double differenceStep(const Eigen::Ref<const Eigen::VectorXd>& y,
                      const Eigen::Ref<const Eigen::VectorXd>& g) {
    const double rootEps = std::sqrt(std::numeric_limits<double>::epsilon());
    const double gNorm = g.cwiseAbs().maxCoeff();
    return gNorm > 0.0 ? rootEps * (1.0 + y.cwiseAbs().maxCoeff()) / gNorm : 0.0;
}

}  // namespace

StepCost MilsteinStepper::evaluationsPerStep(bool deterministic) const {
    return {1, deterministic ? 0 : 2};
}

StepCost MilsteinStepper::evaluationsPerStepWithMatrixNoise(int matrixNoiseColumns) const {
    return {1, 1 + matrixNoiseColumns};
}

void MilsteinStepper::step(SdeWorker& worker, double t, double dt, Eigen::Ref<Eigen::MatrixXd> y,
                           const Eigen::Ref<const Eigen::MatrixXd>& dW, StepScratch& s) const {
    s.resize(y.rows(), y.cols());
    worker.drift(t, y, s.f0);
    if (dW.cols() == 0) {
        y.noalias() += dt * s.f0;
        return;
    }
    if (worker.matrixNoiseColumns() > 0) {
        stepCommutativeMatrixNoise(worker, t, dt, y, dW, s);
        return;
    }
    worker.diffusion(t, y, s.g0);
    for (Eigen::Index j = 0; j < y.cols(); ++j) {
        const double h = differenceStep(y.col(j), s.g0.col(j));
        s.f1(0, j) = h;  // f1's first row holds the per-path difference step
        s.predictor.col(j) = y.col(j) + h * s.g0.col(j);
    }
    worker.diffusion(t, s.predictor, s.g1);
    for (Eigen::Index j = 0; j < y.cols(); ++j) {
        const double h = s.f1(0, j);
        if (h > 0.0)
            s.g1.col(j) = (s.g1.col(j) - s.g0.col(j)) / h;  // (g . grad) g
        else
            s.g1.col(j).setZero();
    }
    const double shift = calculus_ == Calculus::Ito ? dt : 0.0;
    y.array() += dt * s.f0.array() + s.g0.array() * dW.array() +
                 0.5 * s.g1.array() * (dW.array().square() - shift);
}

void MilsteinStepper::stepCommutativeMatrixNoise(SdeWorker& worker, double t, double dt,
                                                 Eigen::Ref<Eigen::MatrixXd> y,
                                                 const Eigen::Ref<const Eigen::MatrixXd>& dW,
                                                 StepScratch& s) const {
    // With commuting columns I_(j,k) + I_(k,j) = dW_j dW_k, so the Milstein term is
    // 1/2 sum_{j,k} (L^j g_k) (dW_j dW_k - [Itô] dt delta_jk), L^j = g_j . grad. Column j of
    // the correction needs the derivative of the whole matrix g along g_j: one extra
    // diffusion evaluation per Brownian motion.
    const Eigen::Index dim = y.rows();
    const int m = worker.matrixNoiseColumns();
    evaluateDiffusion(worker, t, y, s.g0);
    s.noise0.setZero(dim, y.cols());
    for (int k = 0; k < m; ++k) {
        for (Eigen::Index j = 0; j < y.cols(); ++j) {
            const auto column = s.g0.col(j).segment(k * dim, dim);
            const double h = differenceStep(y.col(j), column);
            s.f1(0, j) = h;
            s.predictor.col(j) = y.col(j) + h * column;
        }
        evaluateDiffusion(worker, t, s.predictor, s.g1);
        for (Eigen::Index j = 0; j < y.cols(); ++j) {
            const double h = s.f1(0, j);
            if (!(h > 0.0)) continue;
            s.g1.col(j) = (s.g1.col(j) - s.g0.col(j)) / h;  // L^k g, all columns
            const Eigen::Map<const Eigen::MatrixXd> derivative(s.g1.col(j).data(), dim, m);
            s.noise0.col(j).noalias() += (0.5 * dW(k, j)) * derivative * dW.col(j);
            if (calculus_ == Calculus::Ito) s.noise0.col(j) -= (0.5 * dt) * derivative.col(k);
        }
    }
    y.noalias() += dt * s.f0 + s.noise0;
    addDiffusion(s.g0, dW, y);
}

// --- Euler–Heun -------------------------------------------------------------------------

double EulerHeunStepper::strongOrder(NoiseType noise) const {
    return noise == NoiseType::General ? 0.5 : 1.0;
}

StepCost EulerHeunStepper::evaluationsPerStep(bool deterministic) const {
    return {1, deterministic ? 0 : 2};
}

void EulerHeunStepper::step(SdeWorker& worker, double t, double dt, Eigen::Ref<Eigen::MatrixXd> y,
                            const Eigen::Ref<const Eigen::MatrixXd>& dW, StepScratch& s) const {
    s.resize(y.rows(), y.cols());
    worker.drift(t, y, s.f0);
    if (dW.cols() == 0) {
        y.noalias() += dt * s.f0;
        return;
    }
    if (worker.matrixNoiseColumns() > 0) {
        s.noise0.resize(y.rows(), y.cols());
        s.noise1.resize(y.rows(), y.cols());
        evaluateDiffusion(worker, t, y, s.g0);
        applyDiffusion(s.g0, dW, s.noise0);
        s.predictor = y + s.noise0;
        evaluateDiffusion(worker, t, s.predictor, s.g1);
        applyDiffusion(s.g1, dW, s.noise1);
        y += dt * s.f0 + 0.5 * (s.noise0 + s.noise1);
        return;
    }
    worker.diffusion(t, y, s.g0);
    s.predictor.array() = y.array() + s.g0.array() * dW.array();
    worker.diffusion(t, s.predictor, s.g1);
    y.array() += dt * s.f0.array() + 0.5 * (s.g0.array() + s.g1.array()) * dW.array();
}

// --- Reversible Heun --------------------------------------------------------------------

double ReversibleHeunStepper::strongOrder(NoiseType noise) const {
    return noise == NoiseType::Additive ? 1.0 : 0.5;
}

StepCost ReversibleHeunStepper::evaluationsPerStep(bool deterministic) const {
    return {1, deterministic ? 0 : 1};
}

void ReversibleHeunStepper::begin(SdeWorker& worker, double t0,
                                  const Eigen::Ref<const Eigen::MatrixXd>& y0,
                                  StepScratch& s) const {
    s.resize(y0.rows(), y0.cols());
    s.z = y0;
    s.fz.resize(y0.rows(), y0.cols());
    worker.drift(t0, s.z, s.fz);
    // Evaluated even for deterministic systems (g = 0 there), so one begin serves both.
    evaluateDiffusion(worker, t0, s.z, s.gz);
    s.started = true;
}

namespace {

void requireStarted(const StepScratch& s, Eigen::Index rows, Eigen::Index cols) {
    if (!s.started || s.z.rows() != rows || s.z.cols() != cols)
        throw SolverError(
            "Reversible Heun: begin() was not called for this batch; it sets up "
            "the second state the scheme carries from step to step");
}

}  // namespace

void ReversibleHeunStepper::step(SdeWorker& worker, double t, double dt,
                                 Eigen::Ref<Eigen::MatrixXd> y,
                                 const Eigen::Ref<const Eigen::MatrixXd>& dW,
                                 StepScratch& s) const {
    requireStarted(s, y.rows(), y.cols());
    const bool noisy = dW.cols() != 0;
    // z_{n+1} = 2 y_n - z_n + f(z_n) dt + g(z_n) dW
    s.predictor.array() = 2.0 * y.array() - s.z.array() + dt * s.fz.array();
    if (noisy) addDiffusion(s.gz, dW, s.predictor);
    worker.drift(t + dt, s.predictor, s.f1);
    y.array() += (0.5 * dt) * (s.fz.array() + s.f1.array());
    if (noisy) {
        evaluateDiffusion(worker, t + dt, s.predictor, s.g1);
        if (s.gz.rows() == y.rows() && dW.rows() == y.rows()) {
            y.array() += 0.5 * (s.gz.array() + s.g1.array()) * dW.array();
        } else {
            addDiffusion(s.gz, dW, y, 0.5);
            addDiffusion(s.g1, dW, y, 0.5);
        }
        s.gz.swap(s.g1);
    }
    s.z.swap(s.predictor);
    s.fz.swap(s.f1);
}

void ReversibleHeunStepper::stepBack(SdeWorker& worker, double t, double dt,
                                     Eigen::Ref<Eigen::MatrixXd> y,
                                     const Eigen::Ref<const Eigen::MatrixXd>& dW,
                                     StepScratch& s) const {
    requireStarted(s, y.rows(), y.cols());
    const bool noisy = dW.cols() != 0;
    // z_n = 2 y_{n+1} - z_{n+1} - f(z_{n+1}) dt - g(z_{n+1}) dW: the forward update solved
    // for z_n, which only needs what the forward step left behind.
    s.predictor.array() = 2.0 * y.array() - s.z.array() - dt * s.fz.array();
    if (noisy) addDiffusion(s.gz, dW, s.predictor, -1.0);
    worker.drift(t, s.predictor, s.f1);
    y.array() -= (0.5 * dt) * (s.f1.array() + s.fz.array());
    if (noisy) {
        evaluateDiffusion(worker, t, s.predictor, s.g1);
        if (s.gz.rows() == y.rows() && dW.rows() == y.rows()) {
            y.array() -= 0.5 * (s.g1.array() + s.gz.array()) * dW.array();
        } else {
            addDiffusion(s.g1, dW, y, -0.5);
            addDiffusion(s.gz, dW, y, -0.5);
        }
        s.gz.swap(s.g1);
    }
    s.z.swap(s.predictor);
    s.fz.swap(s.f1);
}

// --- SRA1, SRIW1 ------------------------------------------------------------------------

void AreaSrkStepper::step(SdeWorker& worker, double t, double dt, Eigen::Ref<Eigen::MatrixXd> y,
                          const Eigen::Ref<const Eigen::MatrixXd>& dW, StepScratch& s) const {
    if (dW.cols() != 0)
        throw SolverError(name() +
                          " needs the space-time Lévy area of each step besides the "
                          "Brownian increment (stepWithArea)");
    stepWithArea(worker, t, dt, y, dW, dW, s);
}

// --- SRA1 -------------------------------------------------------------------------------

StepCost Sra1Stepper::evaluationsPerStep(bool deterministic) const {
    return {2, deterministic ? 0 : 2};
}

void Sra1Stepper::stepWithArea(SdeWorker& worker, double t, double dt,
                               Eigen::Ref<Eigen::MatrixXd> y,
                               const Eigen::Ref<const Eigen::MatrixXd>& dW,
                               const Eigen::Ref<const Eigen::MatrixXd>& H, StepScratch& s) const {
    // Rößler's SRA1 tableau: c0 = (0, 3/4), c1 = (1, 0), A0_21 = 3/4, B0_21 = 3/2,
    // alpha = (1/3, 2/3), beta1 = (1, 0), beta2 = (-1, 1); with additive g the diffusion
    // stages reduce to g(t) and g(t + dt). chi = I_(1,0) / dt = dW/2 + H.
    s.resize(y.rows(), y.cols());
    s.error.resize(y.rows(), y.cols());
    worker.drift(t, y, s.f0);
    const bool noisy = dW.cols() != 0;
    s.predictor.array() = y.array() + (0.75 * dt) * s.f0.array();
    if (noisy) {
        worker.diffusion(t, y, s.g0);
        worker.diffusion(t + dt, y, s.g1);
        // error temporarily holds chi.
        s.error.array() = 0.5 * dW.array() + H.array();
        s.predictor.array() += 1.5 * s.error.array() * s.g1.array();
    }
    worker.drift(t + 0.75 * dt, s.predictor, s.f1);
    if (noisy) {
        y.array() += (dt / 3.0) * (s.f0.array() + 2.0 * s.f1.array()) +
                     s.error.array() * (s.g0.array() - s.g1.array()) + dW.array() * s.g1.array();
        s.error.array() = (2.0 * dt / 3.0) * (s.f1.array() - s.f0.array()) +
                          (s.error.array() - dW.array()) * (s.g0.array() - s.g1.array());
    } else {
        y.array() += (dt / 3.0) * (s.f0.array() + 2.0 * s.f1.array());
        s.error.array() = (2.0 * dt / 3.0) * (s.f1.array() - s.f0.array());
    }
}

}  // namespace driftlab::core
