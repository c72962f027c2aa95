#pragma once
// Shared ODE test problems for the test_ode_*.cpp suites.
#include "core/solvers/ode_solve.h"
#include "core/solvers/ode_system.h"

#include <Eigen/Core>
#include <cmath>
#include <vector>

namespace driftlab::test {

// y1' = y1 cos t, y2' = -y2 + t, y3' = y4, y4' = -y3: non-autonomous, nonlinear in t,
// one decaying and one oscillating mode; exact solution below.
inline core::FunctionOdeSystem knownSolutionProblem() {
    return core::FunctionOdeSystem(4, [](double t, const Eigen::VectorXd& y, Eigen::VectorXd& f) {
        f(0) = y(0) * std::cos(t);
        f(1) = -y(1) + t;
        f(2) = y(3);
        f(3) = -y(2);
    });
}
inline Eigen::VectorXd knownSolutionInitial() { return Eigen::Vector4d(1.0, 1.0, 1.0, 0.0); }
inline Eigen::VectorXd knownSolutionExact(double t) {
    return Eigen::Vector4d(std::exp(std::sin(t)), t - 1.0 + 2.0 * std::exp(-t), std::cos(t),
                           -std::sin(t));
}

inline core::FunctionOdeSystem lorenz() {
    return core::FunctionOdeSystem(
        3,
        [](double, const Eigen::VectorXd& y, Eigen::VectorXd& f) {
            f(0) = 10.0 * (y(1) - y(0));
            f(1) = y(0) * (28.0 - y(2)) - y(1);
            f(2) = y(0) * y(1) - 8.0 / 3.0 * y(2);
        },
        {}, true);
}

// x'' = mu (1 - x^2) x' - x as a first-order system, with its analytic Jacobian.
inline core::FunctionOdeSystem vanDerPol(double mu) {
    return core::FunctionOdeSystem(
        2,
        [mu](double, const Eigen::VectorXd& y, Eigen::VectorXd& f) {
            f(0) = y(1);
            f(1) = mu * (1.0 - y(0) * y(0)) * y(1) - y(0);
        },
        [mu](double, const Eigen::VectorXd& y, Eigen::MatrixXd& J) {
            J(0, 0) = 0.0;
            J(0, 1) = 1.0;
            J(1, 0) = -2.0 * mu * y(0) * y(1) - 1.0;
            J(1, 1) = mu * (1.0 - y(0) * y(0));
        },
        true);
}

// Robertson's chemical kinetics (Hairer–Wanner II, IV.1), the classic stiff test.
inline core::FunctionOdeSystem robertson(bool withJacobian) {
    core::FunctionOdeSystem::Jacobian jac;
    if (withJacobian) {
        jac = [](double, const Eigen::VectorXd& y, Eigen::MatrixXd& J) {
            J << -0.04, 1e4 * y(2), 1e4 * y(1),               //
                0.04, -1e4 * y(2) - 6e7 * y(1), -1e4 * y(1),  //
                0.0, 6e7 * y(1), 0.0;
        };
    }
    return core::FunctionOdeSystem(
        3,
        [](double, const Eigen::VectorXd& y, Eigen::VectorXd& f) {
            f(0) = -0.04 * y(0) + 1e4 * y(1) * y(2);
            f(2) = 3e7 * y(1) * y(1);
            f(1) = -f(0) - f(2);
        },
        jac, true);
}

// Least-squares slope of log(y) against log(x).
inline double logLogSlope(const std::vector<double>& x, const std::vector<double>& y) {
    const int n = static_cast<int>(x.size());
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (int i = 0; i < n; ++i) {
        const double lx = std::log(x[i]), ly = std::log(y[i]);
        sx += lx;
        sy += ly;
        sxx += lx * lx;
        sxy += lx * ly;
    }
    return (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

// Max-norm error of the final state relative to max(1, |reference|) per component.
inline double relativeStateError(const Eigen::VectorXd& y, const Eigen::VectorXd& reference) {
    return ((y - reference).array().abs() / reference.array().abs().max(1.0)).maxCoeff();
}

}  // namespace driftlab::test
