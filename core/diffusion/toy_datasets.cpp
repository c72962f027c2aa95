#include "core/diffusion/toy_datasets.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>

#include "core/common/error.h"
#include "core/common/random.h"

namespace driftlab::core::diffusion {

namespace {

constexpr double kPi = std::numbers::pi;

void checkSize(Index n) {
    if (n < 1)
        throw ConfigError("toy dataset: size must be at least 1 (got " + std::to_string(n) + ")");
}

void checkNoise(double noise) {
    if (!std::isfinite(noise) || noise < 0.0)
        throw ConfigError("toy dataset: noise must be finite and non-negative (got " +
                          std::to_string(noise) + ")");
}

// Per-row log-sum-exp of component log-weights plus log-densities; also returns the
// responsibilities, which the score and its divergence are built from.
struct MixtureTerms {
    Eigen::MatrixXd logTerms;  // components x points
    Eigen::VectorXd logSum;
};

MixtureTerms mixtureTerms(const GaussianMixture2D& m, const Points& x) {
    const auto k = static_cast<Index>(m.means.size());
    const double wsum = std::accumulate(m.weights.begin(), m.weights.end(), 0.0);
    MixtureTerms out{Eigen::MatrixXd(k, x.cols()), Eigen::VectorXd(x.cols())};
    for (Index c = 0; c < k; ++c) {
        const double v = m.stds[c] * m.stds[c];
        const double constant = std::log(m.weights[c] / wsum) - std::log(2.0 * kPi * v);
        out.logTerms.row(c) =
            ((x.colwise() - m.means[c]).colwise().squaredNorm().array() * (-0.5 / v) + constant)
                .matrix();
    }
    for (Index i = 0; i < x.cols(); ++i) {
        const double top = out.logTerms.col(i).maxCoeff();
        out.logSum(i) = top + std::log((out.logTerms.col(i).array() - top).exp().sum());
    }
    return out;
}

}  // namespace

std::string toyDatasetName(ToyDataset kind) {
    switch (kind) {
        case ToyDataset::TwoMoons:
            return "two_moons";
        case ToyDataset::EightGaussians:
            return "eight_gaussians";
        case ToyDataset::Checkerboard:
            return "checkerboard";
        case ToyDataset::TwoSpirals:
            return "two_spirals";
        case ToyDataset::ConcentricRings:
            return "rings";
        case ToyDataset::SwissRoll:
            return "swiss_roll";
        case ToyDataset::GaussianMixture:
            return "gaussian_mixture";
    }
    return "unknown";
}

ToyDataset toyDatasetFromName(const std::string& name) {
    for (auto kind : {ToyDataset::TwoMoons, ToyDataset::EightGaussians, ToyDataset::Checkerboard,
                      ToyDataset::TwoSpirals, ToyDataset::ConcentricRings, ToyDataset::SwissRoll,
                      ToyDataset::GaussianMixture})
        if (toyDatasetName(kind) == name) return kind;
    throw ConfigError("unknown toy dataset '" + name + "'");
}

void GaussianMixture2D::validate() const {
    if (means.empty()) throw ConfigError("Gaussian mixture: no components");
    if (stds.size() != means.size() || weights.size() != means.size())
        throw ConfigError("Gaussian mixture: " + std::to_string(means.size()) + " means but " +
                          std::to_string(stds.size()) + " stds and " +
                          std::to_string(weights.size()) + " weights");
    for (std::size_t k = 0; k < means.size(); ++k) {
        const std::string which = "Gaussian mixture component " + std::to_string(k + 1);
        if (!means[k].allFinite()) throw ConfigError(which + ": mean is not finite");
        if (!(std::isfinite(stds[k]) && stds[k] > 0.0))
            throw ConfigError(which + ": std must be positive and finite");
        if (!(std::isfinite(weights[k]) && weights[k] > 0.0))
            throw ConfigError(which + ": weight must be positive and finite");
    }
}

GaussianMixture2D GaussianMixture2D::transformed(double scale, double noiseStd) const {
    GaussianMixture2D out = *this;
    for (std::size_t k = 0; k < means.size(); ++k) {
        out.means[k] = scale * means[k];
        out.stds[k] = std::sqrt(scale * scale * stds[k] * stds[k] + noiseStd * noiseStd);
    }
    return out;
}

Eigen::VectorXd GaussianMixture2D::logDensity(const Points& x) const {
    validate();
    return mixtureTerms(*this, x).logSum;
}

Points GaussianMixture2D::score(const Points& x) const {
    validate();
    const MixtureTerms terms = mixtureTerms(*this, x);
    Points s = Points::Zero(2, x.cols());
    for (std::size_t c = 0; c < means.size(); ++c) {
        const double v = stds[c] * stds[c];
        const Eigen::ArrayXd r =
            (terms.logTerms.row(static_cast<Index>(c)).transpose() - terms.logSum).array().exp();
        s -= ((x.colwise() - means[c]).array().rowwise() * (r.transpose() / v)).matrix();
    }
    return s;
}

Eigen::VectorXd GaussianMixture2D::scoreDivergence(const Points& x) const {
    validate();
    // Hessian of log sum_k r_k N_k: sum_k r_k (s_k s_k^T - I / v_k) - s s^T, s_k the component
    // scores and s their r-weighted mean.
    const MixtureTerms terms = mixtureTerms(*this, x);
    const Points s = score(x);
    Eigen::VectorXd div = -s.colwise().squaredNorm().transpose();
    for (std::size_t c = 0; c < means.size(); ++c) {
        const double v = stds[c] * stds[c];
        const Eigen::ArrayXd r =
            (terms.logTerms.row(static_cast<Index>(c)).transpose() - terms.logSum).array().exp();
        const Eigen::ArrayXd d2 = (x.colwise() - means[c]).colwise().squaredNorm().transpose();
        div += (r * (d2 / (v * v) - 2.0 / v)).matrix();
    }
    return div;
}

Points GaussianMixture2D::sample(Index n, std::uint64_t seed) const {
    validate();
    checkSize(n);
    std::vector<double> cumulative(weights.size());
    std::partial_sum(weights.begin(), weights.end(), cumulative.begin());
    RandomStream random(seed, 0x6d6978);
    Points out(2, n);
    for (Index i = 0; i < n; ++i) {
        const double u = random.uniform() * cumulative.back();
        auto k = static_cast<std::size_t>(
            std::upper_bound(cumulative.begin(), cumulative.end(), u) - cumulative.begin());
        k = std::min(k, means.size() - 1);
        out(0, i) = means[k](0) + stds[k] * random.normal();
        out(1, i) = means[k](1) + stds[k] * random.normal();
    }
    return out;
}

GaussianMixture2D GaussianMixture2D::eightGaussians(double radius, double std) {
    GaussianMixture2D m;
    for (int k = 0; k < 8; ++k) {
        const double angle = 2.0 * kPi * k / 8.0;
        m.means.emplace_back(radius * std::cos(angle), radius * std::sin(angle));
        m.stds.push_back(std);
        m.weights.push_back(1.0);
    }
    return m;
}

Points makeTwoMoons(Index n, double noise, std::uint64_t seed) {
    checkSize(n);
    checkNoise(noise);
    RandomStream random(seed, 1);
    Points out(2, n);
    for (Index i = 0; i < n; ++i) {
        const double theta = kPi * random.uniform();
        // Same shapes as scikit-learn's make_moons: the outer moon, then the inner one
        // shifted right and down, the halves alternating so any prefix is balanced.
        if (i % 2 == 0) {
            out(0, i) = std::cos(theta);
            out(1, i) = std::sin(theta);
        } else {
            out(0, i) = 1.0 - std::cos(theta);
            out(1, i) = 0.5 - std::sin(theta);
        }
        out(0, i) += noise * random.normal();
        out(1, i) += noise * random.normal();
    }
    return out;
}

Points makeCheckerboard(Index n, std::uint64_t seed) {
    checkSize(n);
    RandomStream random(seed, 2);
    Points out(2, n);
    // Eight unit squares of a 4 x 4 board on [-2, 2]^2, alternating colours.
    for (Index i = 0; i < n; ++i) {
        const double x = 4.0 * random.uniform() - 2.0;
        const double column = std::floor(x);
        const double yIn = random.uniform() - 2.0 * static_cast<double>(random.next() & 1u);
        const double parity = std::fmod(std::fabs(column), 2.0);
        out(0, i) = x;
        out(1, i) = yIn + (parity == 0.0 ? 1.0 : 0.0);
    }
    return out;
}

Points makeTwoSpirals(Index n, double noise, std::uint64_t seed) {
    checkSize(n);
    checkNoise(noise);
    RandomStream random(seed, 3);
    Points out(2, n);
    for (Index i = 0; i < n; ++i) {
        // sqrt(u) spreads the points evenly along the arm rather than bunching at the centre.
        const double r = std::sqrt(random.uniform()) * 3.0 * kPi;
        const double sign = i % 2 == 0 ? 1.0 : -1.0;
        out(0, i) = sign * (-std::cos(r) * r) / 3.0 + noise * random.normal();
        out(1, i) = sign * (std::sin(r) * r) / 3.0 + noise * random.normal();
    }
    return out;
}

Points makeConcentricRings(Index n, double noise, std::uint64_t seed) {
    checkSize(n);
    checkNoise(noise);
    RandomStream random(seed, 4);
    Points out(2, n);
    const double radii[3] = {0.5, 1.0, 1.5};
    for (Index i = 0; i < n; ++i) {
        // Rings get points in proportion to their circumference (radius 1 : 2 : 3).
        const double u = random.uniform() * 6.0;
        const double radius = u < 1.0 ? radii[0] : (u < 3.0 ? radii[1] : radii[2]);
        const double angle = 2.0 * kPi * random.uniform();
        out(0, i) = radius * std::cos(angle) + noise * random.normal();
        out(1, i) = radius * std::sin(angle) + noise * random.normal();
    }
    return out;
}

Points makeSwissRoll(Index n, double noise, std::uint64_t seed) {
    checkSize(n);
    checkNoise(noise);
    RandomStream random(seed, 5);
    Points out(2, n);
    for (Index i = 0; i < n; ++i) {
        // scikit-learn's make_swiss_roll projected on (x, z), scaled to about [-2, 2].
        const double t = 1.5 * kPi * (1.0 + 2.0 * random.uniform());
        out(0, i) = t * std::cos(t) / 5.0 + noise * random.normal();
        out(1, i) = t * std::sin(t) / 5.0 + noise * random.normal();
    }
    return out;
}

Points makeToyDataset(const ToyDatasetOptions& o) {
    switch (o.kind) {
        case ToyDataset::TwoMoons:
            return makeTwoMoons(o.size, o.noise, o.seed);
        case ToyDataset::EightGaussians:
            checkNoise(o.noise);
            if (o.noise <= 0.0) throw ConfigError("eight Gaussians: the mode std must be positive");
            return GaussianMixture2D::eightGaussians(2.0, o.noise).sample(o.size, o.seed);
        case ToyDataset::Checkerboard:
            return makeCheckerboard(o.size, o.seed);
        case ToyDataset::TwoSpirals:
            return makeTwoSpirals(o.size, o.noise, o.seed);
        case ToyDataset::ConcentricRings:
            return makeConcentricRings(o.size, o.noise, o.seed);
        case ToyDataset::SwissRoll:
            return makeSwissRoll(o.size, o.noise, o.seed);
        case ToyDataset::GaussianMixture:
            return o.mixture.sample(o.size, o.seed);
    }
    throw ConfigError("unknown toy dataset");
}

Standardizer Standardizer::fit(const Points& points) {
    if (points.cols() < 2)
        throw ConfigError("standardisation needs at least two points (got " +
                          std::to_string(points.cols()) + ")");
    if (!points.allFinite()) throw ConfigError("standardisation: the points are not all finite");
    Standardizer s;
    s.mean = points.rowwise().mean();
    const Points centered = points.colwise() - s.mean;
    s.scale = (centered.rowwise().squaredNorm() / static_cast<double>(points.cols())).cwiseSqrt();
    for (int d = 0; d < 2; ++d)
        if (!(s.scale(d) > 1e-12 * std::max(1.0, std::fabs(s.mean(d)))))
            throw ConfigError(std::string("standardisation: coordinate ") + (d == 0 ? "x" : "y") +
                              " has no spread (all points share it)");
    return s;
}

Points Standardizer::apply(const Points& points) const {
    return (points.colwise() - mean).array().colwise() / scale.array();
}

Points Standardizer::invert(const Points& standardized) const {
    return (standardized.array().colwise() * scale.array()).matrix().colwise() + mean;
}

double Standardizer::logDetJacobian() const { return -std::log(scale(0)) - std::log(scale(1)); }

DataSplit splitTrainHeldOut(const Points& points, double heldOutFraction, std::uint64_t seed) {
    if (!(heldOutFraction > 0.0 && heldOutFraction < 1.0))
        throw ConfigError("held-out fraction must lie in (0, 1)");
    const Index n = points.cols();
    const auto held = static_cast<Index>(std::llround(heldOutFraction * static_cast<double>(n)));
    if (held < 1 || held >= n)
        throw ConfigError("cannot split " + std::to_string(n) +
                          " points into non-empty training and held-out parts");
    std::vector<Index> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), Index{0});
    RandomStream random(seed, 6);
    for (Index i = n - 1; i > 0; --i) {
        const auto j = static_cast<Index>(random.next() % static_cast<std::uint64_t>(i + 1));
        std::swap(order[i], order[j]);
    }
    DataSplit split{Points(2, n - held), Points(2, held)};
    for (Index i = 0; i < n; ++i) {
        if (i < held)
            split.heldOut.col(i) = points.col(order[i]);
        else
            split.train.col(i - held) = points.col(order[i]);
    }
    return split;
}

}  // namespace driftlab::core::diffusion
