#pragma once
// Small builders and measurements shared by the SDE test suites.
#include "core/equations/equation_spec.h"
#include "core/solvers/simulation.h"

#include <cmath>
#include <cstring>
#include <utility>
#include <vector>

namespace driftlab::test {

inline core::Parameter param(const char* name, double value) {
    core::Parameter p;
    p.name = name;
    p.value = value;
    return p;
}

// dx = drift dt + diffusion dW in one variable x.
inline core::EquationSpec spec1d(const char* drift, const char* diffusion,
                                 std::vector<core::Parameter> params, double x0) {
    core::EquationSpec spec;
    spec.name = "test";
    spec.variables = {"x"};
    spec.drift = {drift};
    spec.diffusion = {diffusion};
    spec.parameters = std::move(params);
    spec.initial = {x0};
    return spec;
}

// Bit-for-bit equality of every saved state.
inline bool sameStates(const core::SimulationResult& a, const core::SimulationResult& b) {
    if (a.states.size() != b.states.size()) return false;
    for (std::size_t c = 0; c < a.states.size(); ++c) {
        const auto& x = a.states[c];
        const auto& y = b.states[c];
        if (x.rows() != y.rows() || x.cols() != y.cols() ||
            std::memcmp(x.data(), y.data(), sizeof(double) * x.size()) != 0)
            return false;
    }
    return true;
}

// Least-squares slope of log|error| against log(dt): the measured convergence order.
inline double logLogSlope(const std::vector<double>& dt, const std::vector<double>& error) {
    const std::size_t n = dt.size();
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double x = std::log(dt[i]), y = std::log(std::abs(error[i]));
        sx += x;
        sy += y;
        sxx += x * x;
        sxy += x * y;
    }
    return (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

}  // namespace driftlab::test
