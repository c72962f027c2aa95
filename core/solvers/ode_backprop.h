#pragma once
// Gradients of a loss on the terminal state of an ODE solve, dL/dtheta and dL/dy0, for a
// DifferentiableOdeSystem (e.g. models::NeuralOde).
//
//  - odeBackprop: discretise-then-optimise through an adaptive explicit Runge–Kutta solve
//    (Dopri5, Tsit5, BS3, or any explicit tableau). integrate() chooses the steps; the
//    accepted steps are then replayed with their sizes held fixed, storing y and the stage
//    values of every step, and the backward pass runs through the RK stages. Step sizes are
//    treated as constants, as torchdiffeq and diffrax do by default: the result is the exact
//    gradient of the replayed (fixed-grid) solve, which a finite-difference check on odeReplay
//    confirms to round-off.
//  - ERNODE (Pal et al. 2021): R = sum over steps of ||err_n||_2 |h_n|, err_n = h sum_j
//    (b_j - bhat_j) k_j the embedded error estimate, is differentiable through the same
//    stages, so a loss L + lambda R trains towards vector fields the solver finds cheap.
//  - Stiffness regulariser (after Pal et al. 2021's solver-heuristic regularisation):
//    R_S = sum over steps of rho_n, Hairer's estimate |k_s - k_{s-1}| / |g_s - g_{s-1}| of
//    the dominant eigenvalue's modulus from the last two stages of an FSAL pair (the number
//    the solver diagnostics show times h), differentiable through the same stages, so a
//    loss L + lambda_S R_S trains away from vector fields that make the solve stiff.
//  - odeAdjoint: optimise-then-discretise (Chen et al. 2018, "backsolve"): integrates the
//    augmented system [y, a, g]' = [f, -a^T df/dy, -a^T df/dtheta] from t1 back to t0 with
//    integrate(). Memory is constant in the number of steps; the gradient agrees with the
//    discrete one only to the tolerances of both solves (the backward solve re-integrates y
//    and so does not retrace the forward path exactly).
#include <functional>
#include <utility>
#include <vector>

#include "core/solvers/differentiable_ode.h"
#include "core/solvers/ode_solve.h"

namespace driftlab::core {

// Returns L(y1) and writes dL/dy1 into grad (resized by the callee).
using OdeTerminalLoss = std::function<double(const Eigen::VectorXd& y1, Eigen::VectorXd& grad)>;

struct OdeBackpropOptions {
    OdeOptions solve;                  // method must be an explicit Runge–Kutta method
    double errorRegularization = 0.0;  // lambda: dTheta and dY0 are of L + lambda R
    // lambda_S: dTheta and dY0 also include lambda_S dR_S (needs an FSAL pair: bs3, dp5, tsit5).
    double stiffnessRegularization = 0.0;
    // Also return dR/dtheta and dR_S/dtheta on their own (one more backward pass each).
    bool regularizerGradient = false;
};

struct OdeGradResult {
    double loss = 0.0;
    double regularizer = 0.0;  // R (odeBackprop with an error estimate; else 0)
    Eigen::VectorXd dTheta;
    Eigen::VectorXd dY0;
    Eigen::VectorXd dThetaRegularizer;           // dR/dtheta when requested
    double stiffnessRegularizer = 0.0;           // R_S (methods with a stiffness estimate; else 0)
    Eigen::VectorXd dThetaStiffnessRegularizer;  // dR_S/dtheta when requested
    Eigen::VectorXd terminal;
    long steps = 0;  // accepted steps of the forward solve
    long nfe = 0;    // right-hand sides (and VJPs) over forward and backward
};

// (t_n, h_n) of the accepted steps of a recorded solve.
std::vector<std::pair<double, double>> acceptedSteps(const OdeSolution& solution);

// The explicit RK solve on a fixed grid of (t, h); writes R into *regularizer and R_S into
// *stiffnessRegularizer when non-null.
Eigen::VectorXd odeReplay(const OdeSystem& system, const ButcherTableau& tableau,
                          const Eigen::VectorXd& y0,
                          const std::vector<std::pair<double, double>>& steps,
                          double* regularizer = nullptr, double* stiffnessRegularizer = nullptr);

// The tableau behind an explicit RK method; throws ConfigError for implicit methods.
ButcherTableau explicitTableau(OdeMethod method);

// Throws SolverError when the forward solve fails.
OdeGradResult odeBackprop(const DifferentiableOdeSystem& system, const Eigen::VectorXd& y0,
                          double t0, double t1, const OdeTerminalLoss& loss,
                          const OdeBackpropOptions& options = {});

// forward solves y0 -> y1; backward solves the augmented system back (its tolerances apply
// to all of [y, a, g]). Throws SolverError when either solve fails.
OdeGradResult odeAdjoint(const DifferentiableOdeSystem& system, const Eigen::VectorXd& y0,
                         double t0, double t1, const OdeTerminalLoss& loss,
                         const OdeOptions& forward = {}, const OdeOptions& backward = {});

}  // namespace driftlab::core
