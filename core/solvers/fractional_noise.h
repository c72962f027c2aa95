#pragma once
// Markov-approximate fractional Brownian motion (MA-fBM), after Daems, Opper, Crevecoeur and
// Birdal, "Variational Inference for SDEs Driven by Fractional Noise" (ICLR 2024).
//
// Type II (Riemann-Liouville) fBM, B^H(t) = 1/Gamma(H+1/2) * int_0^t (t-s)^(H-1/2) dW(s), is
// not Markov, so it cannot be stepped like Brownian motion. Writing the kernel
// (t-s)^(H-1/2) as a mixture of exponentials e^(-gamma (t-s)) and keeping K of them gives
//     B^H(t) ~ sum_k omega_k Y_k(t),   dY_k = -gamma_k Y_k dt + dW,   Y_k(0) = 0,
// K Ornstein-Uhlenbeck processes all driven by the SAME Brownian motion W. The weights omega
// are the closed-form minimisers of int_0^T E[(B^H(t) - sum_k omega_k Y_k(t))^2] dt, so the
// approximation is best on average over the simulated interval [0, T].
//
// As a driver: simulate() hands the increments of sum_k omega_k Y_k to the stepper in place
// of dW. The approximation is a semimartingale, dB = -sum_k omega_k gamma_k Y_k dt
// + (sum_k omega_k) dW, so the equation stays an ordinary SDE in (x, Y) and Euler-Maruyama
// (Ito) and the pathwise Stratonovich schemes (Heun, Euler-Heun, reversible Heun, Stratonovich
// Milstein) converge to their usual limits. Ito Milstein's (dW^2 - dt) term would need
// (sum omega)^2 dt and SRA1 a Brownian Levy area, so simulate() refuses those two.
//
// Variance convention: type II fBM has Var B^H(t) = t^(2H) / (2H Gamma(H+1/2)^2), which is
// t^(2H) only at H = 1/2. That normalisation is what the paper approximates and what the
// simulation drives equations with; typeTwoFbmVariance() gives it.
#include "core/common/random.h"

#include <Eigen/Core>

namespace driftlab::core {

// Processes in the bank by default: with maFbmSpeeds' grid, K = 10 keeps the variance within
// 0.5 % of the type II fBM variance over [T/20, T] for H in [0.2, 0.99] (5 % at H = 0.1);
// stepping needs only about 4 normals per step since the bank's step covariance is nearly
// of low rank.
constexpr int kDefaultFbmProcesses = 10;

// Mean-reversion speeds gamma_k = r^(k - (K+1)/2 + 2) / T, k = 1..K, r = 8: a geometric grid
// scaled by the horizon (so the weights do not depend on the time unit), leaning towards fast
// processes, which the rough short-time behaviour of small H needs.
Eigen::VectorXd maFbmSpeeds(int processes, double horizon);

// The optimal weights: the solution of A omega = b with
//   A_ij = int_0^T E[Y_i Y_j] dt = (T - (1 - e^(-s T)) / s) / s,          s = gamma_i + gamma_j
//   b_k  = int_0^T E[B^H Y_k] dt = gamma_k^-(H+1/2) [T P(H+1/2, gamma_k T)
//                                   - (H+1/2)/gamma_k P(H+3/2, gamma_k T)]
// (P the regularised lower incomplete gamma function); the paper's A and b carry an extra
// common factor 2 that cancels.
Eigen::VectorXd maFbmWeights(const Eigen::VectorXd& speeds, double hurst, double horizon);

// Var[sum_k omega_k Y_k(t)] = sum_ij omega_i omega_j (1 - e^(-(gamma_i+gamma_j) t)) /
// (gamma_i+gamma_j).
double maFbmVariance(const Eigen::VectorXd& speeds, const Eigen::VectorXd& weights, double t);

// Var B^H(t) of type II fBM: t^(2H) / (2H Gamma(H+1/2)^2).
double typeTwoFbmVariance(double hurst, double t);

// Regularised lower incomplete gamma function P(a, x), a > 0, x >= 0.
double regularizedLowerGamma(double a, double x);

// One bank of K OU processes per noise component, stepped EXACTLY in distribution: over a
// step of length dt,
//     Y_k(t+dt) = e^(-gamma_k dt) Y_k(t) + xi_k,   xi_k = int_t^(t+dt) e^(-gamma_k (t+dt-s)) dW(s),
// and the xi_k are jointly Gaussian (one W drives them all) with covariance
//     C_ij = (1 - e^(-(gamma_i+gamma_j) dt)) / (gamma_i+gamma_j).
// xi is drawn as F z with F F^T = C from the eigen-decomposition of C, keeping only the
// directions whose eigenvalue exceeds 1e-13 of the largest: C is nearly of rank one when
// gamma dt is small, so this needs only a few normals per step, and the variance dropped is
// below 1e-13 relative. Hence the sampled B^H at the grid times has exactly the law of the
// MA-fBM (no time-discretisation error; the only error is the approximation of fBM by K OU
// processes, which maFbmVariance() measures).
class FractionalNoise {
public:
    FractionalNoise(double hurst, double horizon, double dt, int processes = kDefaultFbmProcesses);

    int processes() const { return static_cast<int>(speeds_.size()); }
    int normalsPerStep() const { return static_cast<int>(factor_.cols()); }
    const Eigen::VectorXd& speeds() const { return speeds_; }
    const Eigen::VectorXd& weights() const { return weights_; }

    // Advances one bank (processes() values at state, zero at the start) by one step and
    // returns the increment of sum_k omega_k Y_k over it: the fractional noise increment.
    double increment(double* state, RandomStream& rng, const ZigguratTables& tables) const {
        const int k = processes();
        const int r = normalsPerStep();
        double xi[kMaxProcesses];
        for (int i = 0; i < k; ++i) xi[i] = 0.0;
        for (int j = 0; j < r; ++j) {
            const double z = rng.normal(tables);
            for (int i = 0; i < k; ++i) xi[i] += factor_(i, j) * z;
        }
        double db = 0.0;
        for (int i = 0; i < k; ++i) {
            const double next = decay_[i] * state[i] + xi[i];
            db += weights_[i] * (next - state[i]);
            state[i] = next;
        }
        return db;
    }

    static constexpr int kMaxProcesses = 32;

private:
    Eigen::VectorXd speeds_;
    Eigen::VectorXd weights_;
    Eigen::VectorXd decay_;   // e^(-gamma_k dt)
    Eigen::MatrixXd factor_;  // K x r, factor_ factor_^T = C
};

}  // namespace driftlab::core
