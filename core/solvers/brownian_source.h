#pragma once
// The one interface every solver reads its Brownian motion through: a batch of paths, each
// driven by dimension() independent Brownian motions, answering the increment (and, where a
// scheme asks, the space-time Lévy area) over any [s, t]. Fixed-step simulation
// (simulation.h), adaptive stepping (sde_adaptive.h) and the gradient solvers
// (sde_backprop.h) all take one, so a seeded tree gives the same Brownian motion to each of
// them, and a solver that queries rather than stores (the reversible Heun adjoint) keeps its
// memory independent of the number of steps.
//
// A query fills a block of paths at once (one virtual call per block and step); what it costs
// per path is the implementation's (a tree walks about log2(span / tolerance) nodes).
#include <Eigen/Core>

#include <cstdint>

namespace driftlab::core {

class BrownianSource {
public:
    virtual ~BrownianSource() = default;

    virtual int dimension() const = 0;       // Brownian motions per path
    virtual Eigen::Index paths() const = 0;  // columns a query may ask for
    virtual double t0() const = 0;           // the interval the source covers
    virtual double t1() const = 0;

    // dW(:, j) = W_{first + j}(t) - W_{first + j}(s) for each column j of dW (dimension()
    // rows); s > t gives the negated increment.
    virtual void increments(double s, double t, Eigen::Index first,
                            Eigen::Ref<Eigen::MatrixXd> dW) const = 0;
    // The same increments and the space-time Lévy areas H_{s,t} of the same paths (s < t),
    // H = (1/h) int_s^t (W_u - W_s) du - (W_t - W_s) / 2, N(0, h/12) and independent of dW.
    virtual void incrementsWithArea(double s, double t, Eigen::Index first,
                                    Eigen::Ref<Eigen::MatrixXd> dW,
                                    Eigen::Ref<Eigen::MatrixXd> H) const = 0;

    // Whether [a, b] lies inside the covered interval (what solvers check before they start).
    bool covers(double a, double b) const { return t0() <= a && b <= t1(); }
};

}  // namespace driftlab::core
