#include "core/timeseries/generators.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "core/common/error.h"
#include "core/common/random.h"

namespace driftlab::core::timeseries {

namespace {

using State = Eigen::Vector2d;  // every system here has at most two components

struct System {
    Eigen::Index dim;
    // One Euler–Maruyama step of size h with standard normals xi (scaled by sqrt(h) here).
    void (*step)(State& x, double h, const State& xi, int label);
    void (*start)(State& x, RandomStream& rng, int label);
};

constexpr double kOuTheta = 1.0, kOuSigma = 0.5;
constexpr double kWellSigma = 0.7;
constexpr double kLvSigma = 0.1;
constexpr double kVdpMu = 1.0, kVdpSigma = 0.3;
constexpr double kSpiralDecay = 0.1, kSpiralOmega = 1.0, kSpiralSigma = 0.1;

double uniform(RandomStream& rng, double lo, double hi) { return lo + (hi - lo) * rng.uniform(); }

const System& systemFor(GeneratorKind kind) {
    static const std::array<System, 5> systems{{
        // dX = -theta X dt + sigma dW
        {1,
         [](State& x, double h, const State& xi, int) {
             x(0) += -kOuTheta * x(0) * h + kOuSigma * std::sqrt(h) * xi(0);
         },
         [](State& x, RandomStream& rng, int) { x(0) = uniform(rng, -2.0, 2.0); }},
        // dX = (X - X^3) dt + sigma dW: wells at +-1, hops between them
        {1,
         [](State& x, double h, const State& xi, int) {
             x(0) += (x(0) - x(0) * x(0) * x(0)) * h + kWellSigma * std::sqrt(h) * xi(0);
         },
         [](State& x, RandomStream& rng, int) { x(0) = uniform(rng, -1.5, 1.5); }},
        // dx = x (1 - y) dt + s x dW1, dy = y (x - 1) dt + s y dW2, stepped in log coordinates
        // (Ito: d log x = (1 - y - s^2/2) dt + s dW1) so populations stay positive.
        {2,
         [](State& x, double h, const State& xi, int) {
             const double sq = std::sqrt(h), c = 0.5 * kLvSigma * kLvSigma;
             const double lx = std::log(x(0)) + (1.0 - x(1) - c) * h + kLvSigma * sq * xi(0);
             const double ly = std::log(x(1)) + (x(0) - 1.0 - c) * h + kLvSigma * sq * xi(1);
             x << std::exp(lx), std::exp(ly);
         },
         [](State& x, RandomStream& rng, int) {
             x << uniform(rng, 0.5, 2.0), uniform(rng, 0.5, 2.0);
         }},
        // dx = y dt, dy = (mu (1 - x^2) y - x) dt + sigma dW
        {2,
         [](State& x, double h, const State& xi, int) {
             const double vx = x(1), vy = kVdpMu * (1.0 - x(0) * x(0)) * x(1) - x(0);
             x(0) += vx * h;
             x(1) += vy * h + kVdpSigma * std::sqrt(h) * xi(1);
         },
         [](State& x, RandomStream& rng, int) {
             x << uniform(rng, -2.0, 2.0), uniform(rng, -2.0, 2.0);
         }},
        // dz = A z dt + sigma dW with A = [-a, -w; w, -a], w's sign set by the label
        {2,
         [](State& x, double h, const State& xi, int label) {
             const double w = label == 0 ? kSpiralOmega : -kSpiralOmega;
             const State v(-kSpiralDecay * x(0) - w * x(1), w * x(0) - kSpiralDecay * x(1));
             x += v * h + kSpiralSigma * std::sqrt(h) * xi;
         },
         [](State& x, RandomStream& rng, int) {
             const double r = uniform(rng, 1.5, 2.5), a = uniform(rng, 0.0, 2.0 * M_PI);
             x << r * std::cos(a), r * std::sin(a);
         }},
    }};
    return systems[static_cast<std::size_t>(kind)];
}

void checkOptions(const GeneratorOptions& o) {
    if (o.seriesCount < 1 || o.seriesCount > 1000000)
        throw ConfigError("generator: series count must be in [1, 1e6]");
    if (!(o.length > 0.0) || !std::isfinite(o.length))
        throw ConfigError("generator: length must be a positive number");
    if (o.observations < 2 || o.observations > 1000000)
        throw ConfigError("generator: observations per series must be in [2, 1e6]");
    if (!(o.observationNoise >= 0.0) || !std::isfinite(o.observationNoise))
        throw ConfigError("generator: observation noise must be >= 0");
    if (!(o.missingRate >= 0.0 && o.missingRate <= 0.9))
        throw ConfigError("generator: missing rate must lie in [0, 0.9]");
    if (!(o.fineDt > 0.0) || o.length / o.fineDt > 1e8)
        throw ConfigError("generator: internal step must be positive and at most 1e8 steps");
}

}  // namespace

std::string generatorName(GeneratorKind kind) {
    switch (kind) {
        case GeneratorKind::OrnsteinUhlenbeck:
            return "ou";
        case GeneratorKind::DoubleWell:
            return "double_well";
        case GeneratorKind::LotkaVolterra:
            return "lotka_volterra";
        case GeneratorKind::VanDerPol:
            return "van_der_pol";
        case GeneratorKind::Spirals:
            return "spirals";
    }
    return "?";
}

GeneratorKind generatorFromName(const std::string& name) {
    for (int k = 0; k < 5; ++k)
        if (generatorName(GeneratorKind(k)) == name) return GeneratorKind(k);
    throw ConfigError("unknown time-series generator '" + name +
                      "' (ou, double_well, lotka_volterra, van_der_pol, spirals)");
}

Eigen::Index generatorChannels(GeneratorKind kind) { return systemFor(kind).dim; }

TimeSeriesDataset generate(GeneratorKind kind, const GeneratorOptions& o) {
    checkOptions(o);
    const System& sys = systemFor(kind);
    std::vector<std::string> channels;
    // Spelt out: GCC 12 gives a false -Wrestrict on "x" + std::to_string(c).
    for (Eigen::Index c = 0; c < sys.dim; ++c) channels.push_back(c == 0 ? "x0" : "x1");
    TimeSeriesDataset data(generatorName(kind), channels);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const auto& zt = zigguratTables();

    for (int i = 0; i < o.seriesCount; ++i) {
        RandomStream rng(o.seed, static_cast<std::uint64_t>(i));
        const int label =
            kind == GeneratorKind::Spirals ? (rng.uniform() < 0.5 ? 0 : 1) : static_cast<int>(kind);
        std::vector<double> times(static_cast<std::size_t>(o.observations));
        if (o.irregular) {
            // The first time is 0 so every series covers the same window; the rest are
            // uniform order statistics (distinct with probability one, checked below).
            times[0] = 0.0;
            for (std::size_t j = 1; j < times.size(); ++j)
                times[j] = o.length * rng.uniformPositive();
            std::sort(times.begin(), times.end());
            times.erase(std::unique(times.begin(), times.end()), times.end());
        } else {
            for (std::size_t j = 0; j < times.size(); ++j)
                times[j] = o.length * double(j) / double(times.size() - 1);
        }

        State x = State::Zero(), xi = State::Zero();
        sys.start(x, rng, label);
        const Eigen::Index n = static_cast<Eigen::Index>(times.size());
        Eigen::MatrixXd values(sys.dim, n);
        Mask observed(sys.dim, n);
        double t = 0.0;
        for (Eigen::Index j = 0; j < n; ++j) {
            const double target = times[std::size_t(j)];
            // Equal substeps no longer than fineDt, landing exactly on the observation.
            const auto sub = static_cast<long>(std::ceil((target - t) / o.fineDt - 1e-9));
            for (long k = 0; k < sub; ++k) {
                const double h = (target - t) / double(sub - k);
                for (Eigen::Index c = 0; c < sys.dim; ++c) xi(c) = rng.normal(zt);
                sys.step(x, h, xi, label);
                t += h;
            }
            t = target;
            for (Eigen::Index c = 0; c < sys.dim; ++c) {
                observed(c, j) = !(rng.uniform() < o.missingRate);
                const double noise = o.observationNoise * rng.normal(zt);
                values(c, j) = observed(c, j) ? x(c) + noise : nan;
            }
        }
        if (!x.allFinite())
            throw SolverError("generator " + generatorName(kind) + ": series " + std::to_string(i) +
                              " diverged; use a smaller internal step");

        Series s;
        s.label = label;
        std::vector<Eigen::Index> keep;
        for (Eigen::Index j = 0; j < n; ++j)
            if (observed.col(j).any()) keep.push_back(j);
        s.values.resize(sys.dim, Eigen::Index(keep.size()));
        s.observed.resize(sys.dim, Eigen::Index(keep.size()));
        for (std::size_t k = 0; k < keep.size(); ++k) {
            s.times.push_back(times[std::size_t(keep[k])]);
            s.values.col(Eigen::Index(k)) = values.col(keep[k]);
            s.observed.col(Eigen::Index(k)) = observed.col(keep[k]);
        }
        data.add(std::move(s));
    }
    return data;
}

}  // namespace driftlab::core::timeseries
