#include "core/diffusion/fields.h"

#include <cmath>
#include <numbers>

#include "core/common/error.h"

namespace driftlab::core::diffusion {

void ScoreField::scoreWithDivergence(const Points& x, double t, Points& out,
                                     Eigen::VectorXd& divergence) const {
    score(x, t, out);
    const double h = 1e-4;
    divergence.setZero(x.cols());
    Points shifted, sp, sm;
    for (int d = 0; d < 2; ++d) {
        shifted = x;
        shifted.row(d).array() += h;
        score(shifted, t, sp);
        shifted.row(d).array() -= 2 * h;
        score(shifted, t, sm);
        divergence += ((sp.row(d) - sm.row(d)) / (2 * h)).transpose();
    }
}

void VelocityField::velocityWithDivergence(const Points& x, double t, Points& velocity,
                                           Eigen::VectorXd& divergence) const {
    velocityAndScore(x, t, velocity, nullptr);
    const double h = 1e-4;
    divergence.setZero(x.cols());
    Points shifted, vp, vm;
    for (int d = 0; d < 2; ++d) {
        shifted = x;
        shifted.row(d).array() += h;
        velocityAndScore(shifted, t, vp, nullptr);
        shifted.row(d).array() -= 2 * h;
        velocityAndScore(shifted, t, vm, nullptr);
        divergence += ((vp.row(d) - vm.row(d)) / (2 * h)).transpose();
    }
}

void MixtureScoreField::score(const Points& x, double t, Points& out) const {
    out = process_.mixtureScore(data_, x, t);
}

void MixtureScoreField::scoreWithDivergence(const Points& x, double t, Points& out,
                                            Eigen::VectorXd& divergence) const {
    const GaussianMixture2D noised = process_.noisedMixture(data_, t);
    out = noised.score(x);
    divergence = noised.scoreDivergence(x);
}

StochasticInterpolant::StochasticInterpolant(const InterpolantConfig& config) : config_(config) {
    if (!(std::isfinite(config.gammaScale) && config.gammaScale >= 0.0))
        throw ConfigError("stochastic interpolant: the gamma scale a must be finite and >= 0");
}

namespace {
constexpr double kHalfPi = 0.5 * std::numbers::pi;
}

double StochasticInterpolant::alpha(double t) const {
    return config_.kind == InterpolantKind::Linear ? 1.0 - t : std::cos(kHalfPi * t);
}
double StochasticInterpolant::beta(double t) const {
    return config_.kind == InterpolantKind::Linear ? t : std::sin(kHalfPi * t);
}
double StochasticInterpolant::alphaDot(double t) const {
    return config_.kind == InterpolantKind::Linear ? -1.0 : -kHalfPi * std::sin(kHalfPi * t);
}
double StochasticInterpolant::betaDot(double t) const {
    return config_.kind == InterpolantKind::Linear ? 1.0 : kHalfPi * std::cos(kHalfPi * t);
}
double StochasticInterpolant::gamma(double t) const {
    return config_.gammaScale * std::sqrt(std::max(0.0, t * (1.0 - t)));
}
double StochasticInterpolant::gammaDot(double t) const {
    if (config_.gammaScale == 0.0) return 0.0;
    return config_.gammaScale * (1.0 - 2.0 * t) / (2.0 * std::sqrt(t * (1.0 - t)));
}
double StochasticInterpolant::noiseStd(double t) const { return std::hypot(alpha(t), gamma(t)); }

}  // namespace driftlab::core::diffusion
