#pragma once
// Discretise-then-optimise through a chain of accepted explicit Runge–Kutta steps, with the
// solver-heuristic regularisers of Pal et al. ("Opening the Blackbox", ICML 2021) evaluated
// on the same stages so that they are differentiable:
//   error      R_E = sum_n w_n ||err_n||_2 |h_n|,    err_n = h sum_j (b_j - bhat_j) k_j
//   stiffness  R_S = sum_n w_n |h_n| ||k_s - k_{s-1}|| / ||g_s - g_{s-1}||
// R_S is Hairer's stiffness estimate as the Dopri5 stepper computes it (the last two stages
// of an FSAL tableau sit at the same time, so the quotient estimates the dominant
// eigenvalue's modulus); it needs an FSAL tableau, else it is 0. w_n = 1 gives the global
// regularisers, w_n = number of drawn times inside the step the local variant (Pal et al.,
// "Locally Regularized Neural Differential Equations").
//
// The step sizes are constants, as in torchdiffeq/diffrax and core/solvers/ode_backprop: the
// gradient is exact for the replayed fixed grid. Unlike odeBackprop, the loss may read the
// state after any step (observations inside the solve), and each step carries its own
// regularisation weight.
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "core/solvers/differentiable_ode.h"
#include "core/solvers/ode_tableaus.h"

namespace driftlab::core::models {

struct TapedStep {
    double t = 0.0, h = 0.0;
    double weight = 1.0;             // regularisation weight of this step
    Eigen::VectorXd y;               // state at the start of the step
    std::vector<Eigen::VectorXd> k;  // stage derivatives
};

struct TapeRegularizers {
    double error = 0.0;      // R_E
    double stiffness = 0.0;  // R_S
};

class RkTape {
public:
    explicit RkTape(ButcherTableau tableau) : tableau_(std::move(tableau)) {}
    const ButcherTableau& tableau() const { return tableau_; }

    // Replays the steps (t, h) from y0, keeping every step's start and stages; weights are
    // the per-step regularisation weights (empty: all 1). An FSAL tableau reuses the last
    // stage of a step as the first of the next, as the solver does. Returns the state after
    // every step (size steps.size()).
    std::vector<Eigen::VectorXd> replay(const OdeSystem& system, const Eigen::VectorXd& y0,
                                        const std::vector<std::pair<double, double>>& steps,
                                        const std::vector<double>& weights);
    const TapeRegularizers& regularizers() const { return regularizers_; }
    std::size_t size() const { return steps_.size(); }

    // Backward through step n: ybar holds d(objective)/d(y after step n) on entry and
    // d(objective)/d(y before step n) on return; the objective includes errorWeight * R_E
    // and stiffnessWeight * R_S (times the step's own weight). Adds to dTheta.
    void backStep(const DifferentiableOdeSystem& system, std::size_t n, Eigen::VectorXd& ybar,
                  double errorWeight, double stiffnessWeight, Eigen::VectorXd& dTheta);

private:
    void stageInput(const TapedStep& s, int i, Eigen::VectorXd& out) const;

    ButcherTableau tableau_;
    std::vector<TapedStep> steps_;
    TapeRegularizers regularizers_;
    // backward scratch
    std::vector<Eigen::VectorXd> kbar_, gbar_;
    Eigen::VectorXd work_, stageBar_, scratch_;
};

}  // namespace driftlab::core::models
