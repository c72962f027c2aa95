#pragma once
// The one table of solvers: every SDE scheme and ODE method the engine offers, with what it
// is (orders, calculus, the noise it takes, what it can do) and how to build its stepper.
// Menus, help texts, config validation and capability checks read this table instead of
// naming solvers, so adding a solver is its stepper class plus one row in
// solver_registry.cpp. The rows repeat what the steppers report about themselves so that
// callers need not build one to ask; test_solver_registry checks that they agree.
#include "core/solvers/sde_system.h"

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace driftlab::core {

class OdeStepper;
class SdeStepper;
enum class OdeMethod;  // ode_steppers.h

enum class SolverCalculus { Ito, Stratonovich, Ode };

// The noise an SDE scheme takes (SdeStepper::supports and friends as data).
struct NoiseSupport {
    bool diagonal = false;
    bool scalar = false;
    bool additive = false;
    bool general = false;
    // General noise only when its columns commute (Milstein: products of increments then
    // stand in for the iterated integrals).
    bool commutingGeneral = false;
    // The order rests on commuting noise for every type taken: diagonal noise whose g_i
    // reads another x_k is refused.
    bool needsCommutingNoise = false;

    bool supports(NoiseType noise) const;
    // SdeStepper::handles for a system with this noise type and commutativity.
    bool handles(NoiseType noise, bool commutative) const;
};

// Strong order per noise type (0 where the scheme does not take it; for commutingGeneral,
// the order on commuting columns) and the weak order. The strong orders are measured in the
// convergence tests (tests/core/sde_measured_orders.h lists where).
struct SdeOrders {
    double diagonal = 0.0;
    double scalar = 0.0;
    double additive = 0.0;
    double general = 0.0;
    double weak = 0.0;

    double strong(NoiseType noise) const;
};

struct SolverCapabilities {
    bool errorEstimate = false;    // a local error estimate, so steps can adapt
    bool denseOutput = false;      // interpolates inside a step
    bool spaceTimeArea = false;    // needs each step's space-time Lévy area besides dW
    bool fractionalNoise = false;  // may be driven by fractional noise (Hurst != 0.5)
    bool stiff = false;            // implicit, or hands over to an implicit method when stiff
    bool trainable = false;        // gradients through the solve (backprop or adjoint) exist
};

struct SolverInfo {
    std::string id;           // the config value, "euler_maruyama"
    std::string name;         // what the stepper calls itself in messages, "Euler–Maruyama"
    std::string displayName;  // the menu entry, "Euler–Maruyama (Itô)"
    std::string help;         // what it does, for the schema's help text
    SolverCalculus calculus = SolverCalculus::Ito;

    // ODE rows: the method (autoSwitch: starts with it and hands over to Rosenbrock 2(3)
    // when Hairer's stiffness estimate fires) and its orders (embeddedOrder 0: no estimate).
    OdeMethod odeMethod{};
    bool autoSwitch = false;
    int order = 0;
    int embeddedOrder = 0;

    // SDE rows.
    SdeOrders sdeOrders;
    NoiseSupport noise;

    SolverCapabilities can;

    // Exactly one is set, by kind.
    std::unique_ptr<SdeStepper> (*makeSde)() = nullptr;
    std::unique_ptr<OdeStepper> (*makeOde)(bool forceFiniteDifferenceJacobian) = nullptr;

    bool isOde() const { return calculus == SolverCalculus::Ode; }
};

// Every row, in menu order: SDE schemes, then ODE methods.
const std::vector<SolverInfo>& solverRegistry();
// nullptr for an unknown id.
const SolverInfo* findSolver(std::string_view id);
// Throws ConfigError naming the valid ids for an unknown id.
const SolverInfo& solverInfo(std::string_view id);
std::vector<const SolverInfo*> sdeSolvers();
std::vector<const SolverInfo*> odeSolvers();

// "A, B or C": the names (or ids) of the rows `which` selects, in table order.
std::string listSolvers(const std::function<bool(const SolverInfo&)>& which, bool byId = false,
                        const std::string& conjunction = "or");
// The row's numbers and flags in words: "Itô; strong order 0.5 (1 for additive noise), weak
// order 1; any noise" or "Order 5, adaptive steps from an embedded order-4 estimate".
std::string describeSolver(const SolverInfo& row);

}  // namespace driftlab::core
