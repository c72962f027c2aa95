#include "core/solvers/fractional_noise.h"

#include "core/common/error.h"

#include <Eigen/Dense>

#include <cmath>
#include <limits>
#include <string>

namespace driftlab::core {

namespace {

// Series for P(a, x), converges fast for x < a + 1.
double lowerGammaSeries(double a, double x) {
    double term = 1.0 / a;
    double sum = term;
    for (int n = 1; n < 1000; ++n) {
        term *= x / (a + n);
        sum += term;
        if (std::fabs(term) < std::fabs(sum) * 1e-17) break;
    }
    return sum * std::exp(-x + a * std::log(x) - std::lgamma(a));
}

// Continued fraction (modified Lentz) for Q(a, x) = 1 - P(a, x), converges fast for x >= a + 1.
double upperGammaFraction(double a, double x) {
    constexpr double tiny = 1e-300;
    double b = x + 1.0 - a;
    double c = 1.0 / tiny;
    double d = 1.0 / b;
    double h = d;
    for (int i = 1; i < 1000; ++i) {
        const double an = -i * (i - a);
        b += 2.0;
        d = an * d + b;
        if (std::fabs(d) < tiny) d = tiny;
        c = b + an / c;
        if (std::fabs(c) < tiny) c = tiny;
        d = 1.0 / d;
        const double delta = d * c;
        h *= delta;
        if (std::fabs(delta - 1.0) < 1e-16) break;
    }
    return std::exp(-x + a * std::log(x) - std::lgamma(a)) * h;
}

}  // namespace

double regularizedLowerGamma(double a, double x) {
    if (x <= 0.0) return 0.0;
    if (x < a + 1.0) return lowerGammaSeries(a, x);
    return 1.0 - upperGammaFraction(a, x);
}

Eigen::VectorXd maFbmSpeeds(int processes, double horizon) {
    // Ratio of neighbouring speeds, and how far the grid leans to fast processes. Fast ones
    // carry the kernel's singular short-time part, which small H needs; slow ones all look
    // alike (like W itself) over [0, T]. With 10 processes this spans 8^-2.5 .. 8^6.5 / T and
    // keeps the variance within 0.5 % of type II fBM over [T/20, T] for H in [0.2, 0.99],
    // 5 % at H = 0.1 and ~20 % at H = 0.05 (very rough noise needs ever faster processes).
    constexpr double ratio = 8.0;
    constexpr double lean = 2.0;
    Eigen::VectorXd gamma(processes);
    const double centre = (processes + 1) / 2.0 - lean;
    for (int k = 1; k <= processes; ++k) gamma[k - 1] = std::pow(ratio, k - centre) / horizon;
    return gamma;
}

Eigen::VectorXd maFbmWeights(const Eigen::VectorXd& gamma, double hurst, double horizon) {
    const int n = static_cast<int>(gamma.size());
    const double T = horizon;
    const double a = hurst + 0.5;
    Eigen::MatrixXd A(n, n);
    Eigen::VectorXd b(n);
    for (int i = 0; i < n; ++i) {
        for (int j = 0; j < n; ++j) {
            const double s = gamma[i] + gamma[j];
            A(i, j) = (T + std::expm1(-s * T) / s) / s;
        }
        const double g = gamma[i];
        b[i] = std::pow(g, -a) * (T * regularizedLowerGamma(a, g * T) -
                                  a / g * regularizedLowerGamma(a + 1.0, g * T));
    }
    // A is a Gram matrix of nearly parallel functions (condition number ~1e12 for the default
    // grid); a pivoted QR keeps the solve accurate where a plain Cholesky would lose digits.
    return A.colPivHouseholderQr().solve(b);
}

double maFbmVariance(const Eigen::VectorXd& gamma, const Eigen::VectorXd& omega, double t) {
    double v = 0.0;
    for (Eigen::Index i = 0; i < gamma.size(); ++i)
        for (Eigen::Index j = 0; j < gamma.size(); ++j) {
            const double s = gamma[i] + gamma[j];
            v += omega[i] * omega[j] * -std::expm1(-s * t) / s;
        }
    return v;
}

double typeTwoFbmVariance(double hurst, double t) {
    const double g = std::tgamma(hurst + 0.5);
    return std::pow(t, 2.0 * hurst) / (2.0 * hurst * g * g);
}

FractionalNoise::FractionalNoise(double hurst, double horizon, double dt, int processes) {
    if (!(hurst > 0.0 && hurst < 1.0))
        throw ConfigError("simulation.hurst: must lie strictly between 0 and 1, got " +
                          std::to_string(hurst));
    if (processes < 1 || processes > kMaxProcesses)
        throw ConfigError("fractional noise: between 1 and " + std::to_string(kMaxProcesses) +
                          " Ornstein-Uhlenbeck processes, got " + std::to_string(processes));
    if (!(horizon > 0.0) || !(dt > 0.0) || !std::isfinite(horizon))
        throw ConfigError("fractional noise: horizon and step must be positive");
    speeds_ = maFbmSpeeds(processes, horizon);
    weights_ = maFbmWeights(speeds_, hurst, horizon);
    decay_.resize(processes);
    Eigen::MatrixXd cov(processes, processes);
    for (int i = 0; i < processes; ++i) {
        decay_[i] = std::exp(-speeds_[i] * dt);
        for (int j = 0; j < processes; ++j) {
            const double s = speeds_[i] + speeds_[j];
            cov(i, j) = -std::expm1(-s * dt) / s;
        }
    }
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(cov);
    const Eigen::VectorXd& lambda = eig.eigenvalues();  // ascending
    const double cut = 1e-13 * lambda[processes - 1];
    int kept = 0;
    for (int i = processes - 1; i >= 0 && lambda[i] > cut; --i) ++kept;
    factor_.resize(processes, kept);
    for (int c = 0; c < kept; ++c) {
        const int i = processes - 1 - c;
        factor_.col(c) = eig.eigenvectors().col(i) * std::sqrt(lambda[i]);
    }
}

}  // namespace driftlab::core
