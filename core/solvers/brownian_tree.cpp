#include "core/solvers/brownian_tree.h"

#include <string>

#include "core/common/error.h"

namespace driftlab::core {

BrownianTree::BrownianTree(double t0, double t1, int dimension, Eigen::Index paths,
                           std::uint64_t seed, double tolerance)
    : t0_(t0), t1_(t1), dim_(dimension), paths_(paths), seed_(seed), tolerance_(tolerance) {
    if (paths < 1) throw ConfigError("Brownian tree: needs at least one path");
    // BrownianPath checks the interval, the dimension and the tolerance.
    (void)BrownianPath(t0, t1, dimension, seed, tolerance);
}

std::uint64_t BrownianTree::pathSeed(std::uint64_t seed, Eigen::Index path) {
    // splitmix64 of (seed, path): neighbouring paths get unrelated trees.
    std::uint64_t z = seed + 0x9E3779B97F4A7C15ull * (static_cast<std::uint64_t>(path) + 1);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

BrownianPath BrownianTree::path(Eigen::Index p) const {
    return BrownianPath(t0_, t1_, dim_, pathSeed(seed_, p), tolerance_);
}

void BrownianTree::checkColumns(Eigen::Index first, Eigen::Index count, Eigen::Index rows) const {
    if (first < 0 || first + count > paths_ || rows != dim_)
        throw SolverError("Brownian tree: asked for paths [" + std::to_string(first) + ", " +
                          std::to_string(first + count) + ") with " + std::to_string(rows) +
                          " rows; it has " + std::to_string(paths_) + " paths of " +
                          std::to_string(dim_) + " Brownian motions");
}

void BrownianTree::increments(double s, double t, Eigen::Index first,
                              Eigen::Ref<Eigen::MatrixXd> dW) const {
    checkColumns(first, dW.cols(), dW.rows());
    for (Eigen::Index j = 0; j < dW.cols(); ++j) dW.col(j) = path(first + j).increment(s, t);
}

void BrownianTree::incrementsWithArea(double s, double t, Eigen::Index first,
                                      Eigen::Ref<Eigen::MatrixXd> dW,
                                      Eigen::Ref<Eigen::MatrixXd> H) const {
    checkColumns(first, dW.cols(), dW.rows());
    checkColumns(first, H.cols(), H.rows());
    for (Eigen::Index j = 0; j < dW.cols(); ++j)
        path(first + j).increment(s, t, dW.col(j), H.col(j));
}

}  // namespace driftlab::core
