#include "core/solvers/sde_sri.h"

#include "core/common/error.h"

#include <cmath>

namespace driftlab::core {

StepCost SriW1Stepper::evaluationsPerStep(bool deterministic) const {
    return {2, deterministic ? 0 : 4};
}

void SriW1Stepper::stepWithArea(SdeWorker& worker, double t, double dt,
                                Eigen::Ref<Eigen::MatrixXd> y,
                                const Eigen::Ref<const Eigen::MatrixXd>& dW,
                                const Eigen::Ref<const Eigen::MatrixXd>& H, StepScratch& s) const {
    s.resize(y.rows(), y.cols());
    s.error.resize(y.rows(), y.cols());
    worker.drift(t, y, s.f0);
    if (dW.cols() == 0) {
        // The drift part is Ralston's second-order Runge–Kutta method.
        s.predictor = y + (0.75 * dt) * s.f0;
        worker.drift(t + 0.75 * dt, s.predictor, s.f1);
        y += (dt / 3.0) * (s.f0 + 2.0 * s.f1);
        s.error = (2.0 * dt / 3.0) * (s.f1 - s.f0);
        return;
    }
    s.g2.resize(y.rows(), y.cols());
    s.g3.resize(y.rows(), y.cols());
    const double sqdt = std::sqrt(dt);
    // chi1 = I_(1,1)/sqrt(dt), chi2 = I_(1,0)/dt, chi3 = I_(1,1,1)/dt.
    const auto w = dW.array();
    const auto chi1 = (w.square() - dt) / (2.0 * sqdt);
    const auto chi2 = 0.5 * w + H.array();
    const auto chi3 = (w.cube() - 3.0 * dt * w) / (6.0 * dt);

    // Diffusion stages H1_1 .. H1_4 (g0 .. g3 below) at t, t + dt/4, t + dt, t + dt/4.
    worker.diffusion(t, y, s.g0);
    s.predictor = y + (0.25 * dt) * s.f0 + (0.5 * sqdt) * s.g0;
    worker.diffusion(t + 0.25 * dt, s.predictor, s.g1);
    s.predictor = y + dt * s.f0 - sqdt * s.g0;
    worker.diffusion(t + dt, s.predictor, s.g2);
    s.predictor = y + (0.25 * dt) * s.f0 + sqdt * (-5.0 * s.g0 + 3.0 * s.g1 + 0.5 * s.g2);
    worker.diffusion(t + 0.25 * dt, s.predictor, s.g3);
    // Drift stage H0_2 at t + 3dt/4.
    s.predictor.array() = y.array() + (0.75 * dt) * s.f0.array() + 1.5 * chi2 * s.g0.array();
    worker.drift(t + 0.75 * dt, s.predictor, s.f1);

    const auto g0 = s.g0.array();
    const auto g1 = s.g1.array();
    const auto g2 = s.g2.array();
    const auto g3 = s.g3.array();
    // The I_(1,0) and I_(1,1,1) terms: what order 1.5 adds to an order-1 scheme.
    s.noise0.resize(y.rows(), y.cols());
    s.noise0.array() = chi2 * (2.0 * g0 - (4.0 / 3.0) * g1 - (2.0 / 3.0) * g2) +
                       chi3 * (-2.0 * g0 + (5.0 / 3.0) * g1 - (2.0 / 3.0) * g2 + g3);
    y.array() += (dt / 3.0) * (s.f0.array() + 2.0 * s.f1.array()) +
                 w * (-g0 + (4.0 / 3.0) * g1 + (2.0 / 3.0) * g2) +
                 chi1 * (-g0 + (4.0 / 3.0) * g1 - (1.0 / 3.0) * g2) + s.noise0.array();
    s.error = (2.0 * dt / 3.0) * (s.f1 - s.f0) + s.noise0;
}

}  // namespace driftlab::core
