#pragma once
// One Trajectories run, shared by the GUI and --headless: picks the engine path the chosen
// solver needs (Monte-Carlo SDE simulation, or one deterministic ODE solve for ODE methods)
// and records what the solver did, step by step, for the solver-diagnostics view.
#include "core/solvers/ode_solve.h"
#include "core/solvers/simulation.h"
#include "core/solvers/solver_registry.h"
#include "core/trajectories/trajectory_config.h"

#include <atomic>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace driftlab::core {

class CompiledEquation;

struct SolverDiagnostics {
    std::string solverName;
    // What the step records describe, e.g. "the ODE solve" or "one path solved adaptively
    // with SRA1 on its own Brownian tree (seed 1), rtol 1e-3, atol 1e-3".
    std::string scope;
    OdeStats stats;
    std::string message;  // failure of the solve, empty on success
};

struct TrajectoryRun {
    std::shared_ptr<const SimulationResult> result;  // null when cancelled
    SolverDiagnostics diagnostics;
};

// Every solver the Trajectories experiment offers, in menu order: all rows of the solver
// registry (SDE schemes, then ODE methods).
const std::vector<SolverInfo>& trajectorySolverChoices();
// True for a registered ODE method (which needs an equation with zero diffusion).
bool isOdeSolverId(const std::string& id);

// Why solverId cannot run this equation with this Hurst index, or "" if it can; the GUI
// greys out menu entries with this text as the reason.
std::string solverRefusal(const std::string& solverId, const CompiledEquation& equation,
                          double hurst);

// Throws driftlab::Error for anything the config cannot do. Cancellation returns a run with
// a null result.
TrajectoryRun runTrajectory(const TrajectoryConfig& config, const std::atomic<bool>* cancel,
                            const ProgressCallback& progress);

}  // namespace driftlab::core
