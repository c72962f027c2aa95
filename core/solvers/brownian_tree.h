#pragma once
// Many seeded Brownian paths as one BrownianSource: path p is the virtual Brownian tree
// BrownianPath(t0, t1, dimension, pathSeed(seed, p), tolerance). Nothing is stored (a path
// is rebuilt from its seed at every query), so a solver reading it holds no noise between
// steps, and a path can be handed on its own to a one-path solver (path(p)).
#include "core/solvers/brownian_path.h"
#include "core/solvers/brownian_source.h"

namespace driftlab::core {

class BrownianTree final : public BrownianSource {
public:
    // tolerance as for BrownianPath (0: span * 2^-24).
    BrownianTree(double t0, double t1, int dimension, Eigen::Index paths, std::uint64_t seed,
                 double tolerance = 0.0);

    static std::uint64_t pathSeed(std::uint64_t seed, Eigen::Index path);
    BrownianPath path(Eigen::Index p) const;

    int dimension() const override { return dim_; }
    Eigen::Index paths() const override { return paths_; }
    double t0() const override { return t0_; }
    double t1() const override { return t1_; }
    void increments(double s, double t, Eigen::Index first,
                    Eigen::Ref<Eigen::MatrixXd> dW) const override;
    void incrementsWithArea(double s, double t, Eigen::Index first, Eigen::Ref<Eigen::MatrixXd> dW,
                            Eigen::Ref<Eigen::MatrixXd> H) const override;

private:
    void checkColumns(Eigen::Index first, Eigen::Index count, Eigen::Index rows) const;

    double t0_, t1_;
    int dim_;
    Eigen::Index paths_;
    std::uint64_t seed_;
    double tolerance_;
};

}  // namespace driftlab::core
