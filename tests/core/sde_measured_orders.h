#pragma once
// Where each SDE solver's declared strong order is measured. The convergence tests take the
// slope they expect from here, and test_solver_registry asserts that the registry's rows
// declare exactly these numbers and that every SDE row has at least one entry: a row cannot
// claim an order no test measures.
#include "core/solvers/sde_system.h"

#include <cstring>
#include <stdexcept>
#include <string>

namespace driftlab::test {

struct MeasuredStrongOrder {
    const char* solver;  // registry id
    core::NoiseType noise;
    double order;
    const char* measuredBy;  // test executable and slot
};

inline constexpr MeasuredStrongOrder kMeasuredStrongOrders[] = {
    {"euler_maruyama", core::NoiseType::Diagonal, 0.5,
     "test_sde_convergence eulerMaruyamaStrongOrderOnGbm"},
    {"euler_maruyama", core::NoiseType::General, 0.5, "test_sde_general_noise strongOrders"},
    {"stochastic_heun", core::NoiseType::Diagonal, 1.0,
     "test_sde_convergence stochasticHeunStrongOrderOnStratonovichGbm"},
    {"milstein", core::NoiseType::Diagonal, 1.0,
     "test_sde_higher_order milsteinItoStrongOrderOnGbm"},
    // General noise with commuting columns, the only general noise Milstein takes.
    {"milstein", core::NoiseType::General, 1.0, "test_sde_general_noise strongOrders"},
    {"milstein_stratonovich", core::NoiseType::Diagonal, 1.0,
     "test_sde_higher_order stratonovichSchemesStrongOrderOnGbm"},
    {"milstein_stratonovich", core::NoiseType::General, 1.0, "test_sde_general_noise strongOrders"},
    {"euler_heun", core::NoiseType::Diagonal, 1.0,
     "test_sde_higher_order stratonovichSchemesStrongOrderOnGbm"},
    {"reversible_heun", core::NoiseType::Additive, 1.0,
     "test_sde_higher_order reversibleHeunStrongOrderOnAdditiveNoise"},
    {"sra1", core::NoiseType::Additive, 1.5,
     "test_sde_higher_order sra1StrongOrderOnNonlinearAdditiveNoise"},
    {"sriw1", core::NoiseType::Diagonal, 1.5, "test_sde_sri strongOrderOnNonlinearDiagonalNoise"},
};

// The order a convergence test holds `solver` to on `noise`; throws when the pair is not
// listed, so a test cannot measure against a number this table does not carry.
inline double measuredStrongOrder(const char* solver, core::NoiseType noise) {
    for (const auto& entry : kMeasuredStrongOrders)
        if (std::strcmp(entry.solver, solver) == 0 && entry.noise == noise) return entry.order;
    throw std::logic_error(std::string("no measured strong order listed for ") + solver);
}

}  // namespace driftlab::test
