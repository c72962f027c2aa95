#pragma once
// A seeded, queryable Brownian path: a virtual Brownian tree (Gaines & Lyons; diffrax's
// VirtualBrownianTree) that also carries the space-time Lévy area, as SRA-type schemes need.
//
// W on [t0, t1] is defined by recursive bisection of the dyadic intervals of [t0, t1]. Each
// interval node holds its increment W and space-time area H; the halves are drawn from the
// exact conditional law of Brownian motion given (W, H), with normals from a stream seeded by
// (seed, node index). Nothing is stored: every query walks down from the root, so the same
// query always gives the same answer, in any order, forwards or backwards. Below the leaf
// width the path is the conditional mean given the leaf's (W, H) - a quadratic - so W(t) and
// its running integral are one deterministic function of t, and every increment and area
// computed from them is consistent with every other (additivity holds to rounding).
//
// One path is a BrownianSource of one column (brownian_source.h); BrownianTree
// (brownian_tree.h) seeds many of them for a batch.
#include <Eigen/Core>
#include <cstdint>

#include "core/solvers/brownian_source.h"

namespace driftlab::core {

class BrownianPath final : public BrownianSource {
public:
    // tolerance: the leaf width bound; 0 picks (t1 - t0) * 2^-24. Queries cost one node per
    // level, about log2((t1 - t0) / tolerance) levels.
    BrownianPath(double t0, double t1, int dimension, std::uint64_t seed, double tolerance = 0.0);

    int dimension() const override { return dim_; }
    Eigen::Index paths() const override { return 1; }
    double t0() const override { return t0_; }
    double t1() const override { return t1_; }
    int depth() const { return depth_; }
    double leafWidth() const;

    // W(t) - W(t0); t is clamped to [t0, t1].
    Eigen::VectorXd value(double t) const;
    // W(t) - W(s). s > t is allowed and gives the negated increment.
    Eigen::VectorXd increment(double s, double t) const;
    // Space-time Lévy area H_{s,t} = (1/h) int_s^t (W_u - W_s) du - (W_t - W_s) / 2,
    // h = t - s > 0: N(0, h/12 I) and independent of the increment. I_(1,0) = h (dW/2 + H).
    Eigen::VectorXd spaceTimeArea(double s, double t) const;
    // Both at once (two tree walks instead of four); s < t.
    void increment(double s, double t, Eigen::Ref<Eigen::VectorXd> dW,
                   Eigen::Ref<Eigen::VectorXd> H) const;

    // BrownianSource: first must be 0 and the blocks one column wide.
    void increments(double s, double t, Eigen::Index first,
                    Eigen::Ref<Eigen::MatrixXd> dW) const override;
    void incrementsWithArea(double s, double t, Eigen::Index first, Eigen::Ref<Eigen::MatrixXd> dW,
                            Eigen::Ref<Eigen::MatrixXd> H) const override;

    // W(t) and int_t0^t W(u) du, written to w and integral (dimension() entries each).
    void evaluate(double t, double* w, double* integral) const;

private:
    double t0_, t1_;
    int dim_;
    std::uint64_t seed_;
    int depth_;
};

}  // namespace driftlab::core
