#pragma once
// 2-D toy data for the diffusion workspace. Points are stored one per column (2 x n), the
// layout the networks and samplers use, so no copy is needed between them. Every generator
// is a pure function of (size, seed, shape parameters).
#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "core/diffusion/point_csv.h"  // the CSV import of user points lives there

namespace driftlab::core::diffusion {

using Index = Eigen::Index;
using Points = Eigen::Matrix2Xd;

enum class ToyDataset {
    TwoMoons,
    EightGaussians,
    Checkerboard,
    TwoSpirals,
    ConcentricRings,
    SwissRoll,
    GaussianMixture,
};

std::string toyDatasetName(ToyDataset kind);
// Accepts the names toyDatasetName produces; throws ConfigError.
ToyDataset toyDatasetFromName(const std::string& name);

// Isotropic Gaussian mixture: component k is N(means[k], stds[k]^2 I) with weight
// weights[k] (normalised on use). Its density and score are analytic, and so are those of
// its noised versions, which is what makes it the reference for samplers and learned scores.
struct GaussianMixture2D {
    std::vector<Eigen::Vector2d> means;
    std::vector<double> stds;
    std::vector<double> weights;

    // ConfigError for no components, mismatched sizes, non-positive std or weight, or
    // non-finite numbers.
    void validate() const;
    // The law of scale * X + noiseStd * Z, X from this mixture and Z standard normal: still a
    // mixture, with means scaled and variances scale^2 s^2 + noiseStd^2.
    GaussianMixture2D transformed(double scale, double noiseStd) const;

    Eigen::VectorXd logDensity(const Points& x) const;
    Points score(const Points& x) const;
    // Trace of the Hessian of log p (the divergence of the score), per point.
    Eigen::VectorXd scoreDivergence(const Points& x) const;
    Points sample(Index n, std::uint64_t seed) const;

    // The eight-Gaussians layout: equal weights on a circle of the given radius.
    static GaussianMixture2D eightGaussians(double radius = 2.0, double std = 0.1);
};

struct ToyDatasetOptions {
    ToyDataset kind = ToyDataset::TwoMoons;
    Index size = 10000;
    std::uint64_t seed = 0;
    // Standard deviation of the Gaussian jitter (two moons, spirals, rings, Swiss roll) or of
    // each mode (eight Gaussians); ignored by the checkerboard and the user mixture.
    double noise = 0.05;
    GaussianMixture2D mixture;  // GaussianMixture only
};

// ConfigError for size < 1, negative or non-finite noise, or an invalid mixture.
Points makeToyDataset(const ToyDatasetOptions& options);

Points makeTwoMoons(Index n, double noise, std::uint64_t seed);
Points makeCheckerboard(Index n, std::uint64_t seed);
Points makeTwoSpirals(Index n, double noise, std::uint64_t seed);
Points makeConcentricRings(Index n, double noise, std::uint64_t seed);
Points makeSwissRoll(Index n, double noise, std::uint64_t seed);

// Per-coordinate affine map to zero mean and unit variance, kept so samples can be mapped
// back to the user's coordinates and densities corrected by the Jacobian.
struct Standardizer {
    Eigen::Vector2d mean = Eigen::Vector2d::Zero();
    Eigen::Vector2d scale = Eigen::Vector2d::Ones();  // the data's standard deviations

    // ConfigError for fewer than two points or a coordinate with zero spread (nothing to
    // scale by: a one-point or collinear-on-an-axis data set).
    static Standardizer fit(const Points& points);
    Points apply(const Points& points) const;
    Points invert(const Points& standardized) const;
    // log p_original(x) = log p_standardized(apply(x)) + logDetJacobian().
    double logDetJacobian() const;
};

struct DataSplit {
    Points train;
    Points heldOut;
};
// Random split after a seeded shuffle; heldOutFraction in (0, 1), both parts non-empty
// (ConfigError otherwise).
DataSplit splitTrainHeldOut(const Points& points, double heldOutFraction, std::uint64_t seed);

}  // namespace driftlab::core::diffusion
