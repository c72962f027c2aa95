#pragma once
// Forward noising processes of score-based models (Song et al. 2021), all linear:
//   dx = f(t) x dt + g(t) dW,   x_t | x_0 ~ N(alpha(t) x_0, sigma(t)^2 I).
//  - VP:     beta(t) = betaMin + t (betaMax - betaMin), f = -beta/2, g = sqrt(beta),
//            alpha = exp(-B(t)/2) with B the integral of beta, sigma^2 = 1 - alpha^2.
//  - sub-VP: same f and alpha, g^2 = beta (1 - exp(-2B)), sigma = 1 - alpha^2.
//  - VE:     s(t) = sigmaMin (sigmaMax/sigmaMin)^t, f = 0, g^2 = d s^2/dt, alpha = 1,
//            sigma^2 = s(t)^2 - sigmaMin^2 (the noise actually added since t = 0, so the
//            marginals of a known data law are exact).
// DPM-Solver works in lambda(t) = log(alpha/sigma), half the log-SNR, which every process
// here makes strictly decreasing, so it can be inverted.
#include <cstdint>
#include <string>

#include "core/diffusion/toy_datasets.h"

namespace driftlab::core::diffusion {

enum class ProcessKind { VP, SubVP, VE };
std::string processKindName(ProcessKind kind);
ProcessKind processKindFromName(const std::string& name);

struct ProcessConfig {
    ProcessKind kind = ProcessKind::VP;
    double betaMin = 0.1;    // VP, sub-VP
    double betaMax = 20.0;   // VP, sub-VP
    double sigmaMin = 0.01;  // VE
    double sigmaMax = 10.0;  // VE
};

class DiffusionProcess {
public:
    // ConfigError with the offending values for betaMin < 0, betaMax <= betaMin,
    // sigmaMin <= 0, sigmaMax <= sigmaMin, or non-finite numbers.
    explicit DiffusionProcess(const ProcessConfig& config);
    const ProcessConfig& config() const { return config_; }
    ProcessKind kind() const { return config_.kind; }

    double beta(double t) const;              // VP/sub-VP rate (VE: d log s^2/dt)
    double integratedBeta(double t) const;    // B(t)
    double meanCoefficient(double t) const;   // alpha(t)
    double marginalStd(double t) const;       // sigma(t)
    double driftCoefficient(double t) const;  // f(t): the drift is f(t) x
    double diffusion(double t) const;         // g(t)
    double logSnrHalf(double t) const { return std::log(meanCoefficient(t) / marginalStd(t)); }
    // Inverse of logSnrHalf on (0, 1]; bisection, to double precision.
    double timeFromLogSnrHalf(double lambda) const;

    // Standard deviation of the prior the reverse process starts from at t = 1
    // (1 for VP and sub-VP, sigmaMax for VE).
    double priorStd() const;
    Points samplePrior(Index n, std::uint64_t seed) const;
    Eigen::VectorXd priorLogDensity(const Points& x) const;

    // x_t = alpha x_0 + sigma z for given data and noise (the forward marginal draw).
    Points perturb(const Points& x0, double t, const Points& noise) const;

    // The exact law of x_t when x_0 follows a Gaussian mixture, and its score.
    GaussianMixture2D noisedMixture(const GaussianMixture2D& data, double t) const;
    Points mixtureScore(const GaussianMixture2D& data, const Points& x, double t) const;

private:
    ProcessConfig config_;
};

}  // namespace driftlab::core::diffusion
