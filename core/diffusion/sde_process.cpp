#include "core/diffusion/sde_process.h"

#include <cmath>
#include <numbers>
#include <sstream>

#include "core/common/error.h"
#include "core/common/random.h"

namespace driftlab::core::diffusion {

namespace {
std::string num(double v) {
    std::ostringstream s;
    s << v;
    return s.str();
}
}  // namespace

std::string processKindName(ProcessKind kind) {
    switch (kind) {
        case ProcessKind::VP:
            return "vp";
        case ProcessKind::SubVP:
            return "subvp";
        case ProcessKind::VE:
            return "ve";
    }
    return "unknown";
}

ProcessKind processKindFromName(const std::string& name) {
    for (auto k : {ProcessKind::VP, ProcessKind::SubVP, ProcessKind::VE})
        if (processKindName(k) == name) return k;
    throw ConfigError("unknown forward process '" + name + "' (expected vp, subvp or ve)");
}

DiffusionProcess::DiffusionProcess(const ProcessConfig& c) : config_(c) {
    const std::string name = processKindName(c.kind) + " process: ";
    if (c.kind == ProcessKind::VE) {
        if (!(std::isfinite(c.sigmaMin) && std::isfinite(c.sigmaMax)))
            throw ConfigError(name + "sigma_min and sigma_max must be finite");
        if (c.sigmaMin <= 0.0)
            throw ConfigError(name + "sigma_min must be positive (got " + num(c.sigmaMin) + ")");
        if (c.sigmaMax <= c.sigmaMin)
            throw ConfigError(name + "sigma_max (" + num(c.sigmaMax) + ") must exceed sigma_min (" +
                              num(c.sigmaMin) + ")");
    } else {
        if (!(std::isfinite(c.betaMin) && std::isfinite(c.betaMax)))
            throw ConfigError(name + "beta_min and beta_max must be finite");
        if (c.betaMin < 0.0)
            throw ConfigError(name + "beta_min must not be negative (got " + num(c.betaMin) + ")");
        if (c.betaMax <= c.betaMin)
            throw ConfigError(name + "beta_max (" + num(c.betaMax) + ") must exceed beta_min (" +
                              num(c.betaMin) + ")");
    }
}

double DiffusionProcess::beta(double t) const {
    if (config_.kind == ProcessKind::VE) return 2.0 * std::log(config_.sigmaMax / config_.sigmaMin);
    return config_.betaMin + t * (config_.betaMax - config_.betaMin);
}

double DiffusionProcess::integratedBeta(double t) const {
    if (config_.kind == ProcessKind::VE) return beta(t) * t;
    return config_.betaMin * t + 0.5 * t * t * (config_.betaMax - config_.betaMin);
}

double DiffusionProcess::meanCoefficient(double t) const {
    if (config_.kind == ProcessKind::VE) return 1.0;
    return std::exp(-0.5 * integratedBeta(t));
}

double DiffusionProcess::marginalStd(double t) const {
    switch (config_.kind) {
        case ProcessKind::VP:
            return std::sqrt(-std::expm1(-integratedBeta(t)));
        case ProcessKind::SubVP:
            return -std::expm1(-integratedBeta(t));
        case ProcessKind::VE: {
            const double s = config_.sigmaMin * std::pow(config_.sigmaMax / config_.sigmaMin, t);
            return std::sqrt(std::max(0.0, s * s - config_.sigmaMin * config_.sigmaMin));
        }
    }
    return 0.0;
}

double DiffusionProcess::driftCoefficient(double t) const {
    return config_.kind == ProcessKind::VE ? 0.0 : -0.5 * beta(t);
}

double DiffusionProcess::diffusion(double t) const {
    switch (config_.kind) {
        case ProcessKind::VP:
            return std::sqrt(beta(t));
        case ProcessKind::SubVP:
            return std::sqrt(beta(t) * -std::expm1(-2.0 * integratedBeta(t)));
        case ProcessKind::VE: {
            const double s = config_.sigmaMin * std::pow(config_.sigmaMax / config_.sigmaMin, t);
            return s * std::sqrt(beta(t));
        }
    }
    return 0.0;
}

double DiffusionProcess::timeFromLogSnrHalf(double lambda) const {
    double lo = 1e-12, hi = 1.0;  // lambda decreases in t
    for (int i = 0; i < 200 && hi - lo > 1e-15; ++i) {
        const double mid = 0.5 * (lo + hi);
        if (logSnrHalf(mid) > lambda)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

double DiffusionProcess::priorStd() const {
    return config_.kind == ProcessKind::VE ? marginalStd(1.0) : 1.0;
}

Points DiffusionProcess::samplePrior(Index n, std::uint64_t seed) const {
    RandomStream random(seed, 0x707269);
    Points out(2, n);
    const double s = priorStd();
    for (Index i = 0; i < out.size(); ++i) out.data()[i] = s * random.normal();
    return out;
}

Eigen::VectorXd DiffusionProcess::priorLogDensity(const Points& x) const {
    const double v = priorStd() * priorStd();
    return (x.colwise().squaredNorm().transpose().array() * (-0.5 / v) -
            std::log(2.0 * std::numbers::pi * v))
        .matrix();
}

Points DiffusionProcess::perturb(const Points& x0, double t, const Points& noise) const {
    return meanCoefficient(t) * x0 + marginalStd(t) * noise;
}

GaussianMixture2D DiffusionProcess::noisedMixture(const GaussianMixture2D& data, double t) const {
    return data.transformed(meanCoefficient(t), marginalStd(t));
}

Points DiffusionProcess::mixtureScore(const GaussianMixture2D& data, const Points& x,
                                      double t) const {
    return noisedMixture(data, t).score(x);
}

}  // namespace driftlab::core::diffusion
