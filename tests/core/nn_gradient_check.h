#pragma once
// Central finite differences for the network tests: the reference every analytic gradient
// and VJP in core/nn is checked against.
#include "core/common/random.h"

#include <Eigen/Core>
#include <algorithm>
#include <cstdint>

namespace driftlab::test {

// Standard normal entries from the seeded stream (seed, stream): each suite uses its own
// stream so their inputs differ.
inline Eigen::MatrixXd randomMatrix(Eigen::Index rows, Eigen::Index cols, std::uint64_t seed,
                                    std::uint64_t stream) {
    core::RandomStream random(seed, stream);
    Eigen::MatrixXd m(rows, cols);
    for (Eigen::Index k = 0; k < m.size(); ++k) m.data()[k] = random.normal();
    return m;
}

// Gradient of the scalar function f at x; f takes the perturbed vector by const reference.
template <typename F>
Eigen::VectorXd centralDifferences(F&& f, Eigen::VectorXd x, double h = 1e-6) {
    Eigen::VectorXd grad(x.size());
    for (Eigen::Index i = 0; i < x.size(); ++i) {
        const double saved = x[i];
        x[i] = saved + h;
        const double up = f(x);
        x[i] = saved - h;
        const double down = f(x);
        x[i] = saved;
        grad[i] = (up - down) / (2.0 * h);
    }
    return grad;
}

// Norm-wise relative error, which stays meaningful when single entries are near zero.
inline double relativeError(const Eigen::VectorXd& analytic, const Eigen::VectorXd& reference) {
    return (analytic - reference).norm() / std::max(reference.norm(), 1e-12);
}

template <typename M>
Eigen::VectorXd flat(const M& m) {
    Eigen::MatrixXd copy = m;
    return Eigen::Map<const Eigen::VectorXd>(copy.data(), copy.size());
}

}  // namespace driftlab::test
