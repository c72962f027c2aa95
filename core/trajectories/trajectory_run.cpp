#include "core/trajectories/trajectory_run.h"

#include "core/common/error.h"
#include "core/equations/compiled_equation.h"
#include "core/equations/typed_ode_system.h"
#include "core/solvers/brownian_path.h"
#include "core/solvers/ode_steppers.h"
#include "core/solvers/sde_adaptive.h"
#include "core/solvers/sde_steppers.h"

#include <chrono>
#include <cmath>
#include <limits>
#include <sstream>

namespace driftlab::core {
namespace {

// Fixed-step SDE solves record one (identical) step per step; beyond this many they would
// cost more memory than they tell.
constexpr long kMaxFixedStepRecords = 200000;

struct Cancelled {};

std::string formatTolerance(double rtol, double atol) {
    std::ostringstream text;
    text << "rtol " << rtol << ", atol " << atol;
    return text.str();
}

// Evenly spread save times, the same grid simulate() uses when steps is a multiple.
std::vector<double> saveTimes(const SimulationSettings& s) {
    const int count = static_cast<int>(std::min<long long>(s.savedTimes, 1LL + s.steps));
    std::vector<double> times(count);
    for (int k = 0; k < count; ++k) times[k] = s.t0 + (s.t1 - s.t0) * k / (count - 1);
    times.back() = s.t1;
    return times;
}

TrajectoryRun runOde(const CompiledEquation& equation, const TrajectoryConfig& config,
                     const std::atomic<bool>* cancel, const ProgressCallback& progress) {
    const SimulationSettings& s = config.simulation;
    const TypedOdeSystem system(equation);
    const SolverInfo& row = solverInfo(s.solver);
    OdeOptions options;
    options.method = row.odeMethod;
    options.autoSwitch = row.autoSwitch;
    const auto stepper = row.makeOde(false);
    if (stepper->hasErrorEstimate()) {
        options.controller = StepController::ProportionalIntegral;
        options.rtol = s.rtol;
        options.atol = s.atol;
    } else {
        options.controller = StepController::Constant;
        options.dt0 = (s.t1 - s.t0) / s.steps;
        options.maxSteps = s.steps + 10;
    }
    options.saveAt = saveTimes(s);
    const double span = s.t1 - s.t0;
    auto lastReport = std::chrono::steady_clock::now();
    options.observer = [&](const OdeStepRecord& record) {
        if (cancel && cancel->load(std::memory_order_relaxed)) throw Cancelled{};
        const auto now = std::chrono::steady_clock::now();
        if (progress && now - lastReport > std::chrono::milliseconds(30)) {
            lastReport = now;
            progress(std::clamp((record.t + record.dt - s.t0) / span, 0.0, 1.0));
        }
    };

    const Eigen::VectorXd y0 =
        Eigen::Map<const Eigen::VectorXd>(config.equation.initial.data(), equation.dimension());
    const auto started = std::chrono::steady_clock::now();
    OdeSolution solution;
    try {
        solution = integrate(system, y0, s.t0, s.t1, options);
    } catch (const Cancelled&) {
        return {};
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

    // All paths of an ODE from one initial condition coincide: keep one.
    auto result = std::make_shared<SimulationResult>();
    result->dimension = equation.dimension();
    result->paths = 1;
    result->times = solution.t;
    result->states.assign(result->dimension, Eigen::MatrixXd(1, solution.t.size()));
    for (size_t k = 0; k < solution.t.size(); ++k)
        for (int c = 0; c < result->dimension; ++c) result->states[c](0, k) = solution.y[k](c);
    result->stats.steps = solution.stats.accepted;
    result->stats.driftEvaluations = solution.stats.nfe;
    result->stats.wallSeconds = seconds;
    result->stats.pathStepsPerSecond = seconds > 0 ? solution.stats.accepted / seconds : 0.0;
    if (solution.status == OdeStatus::NonFiniteState) {
        result->stats.nonFinitePaths = 1;
        result->stats.firstNonFiniteTime = solution.t.empty() ? s.t0 : solution.t.back();
        result->stats.firstNonFiniteStep = solution.stats.accepted + solution.stats.rejected;
    }
    result->solverName = solution.solver;
    result->calculus = "ODE";
    if (result->times.size() < 2) {
        throw SolverError(solution.solver +
                          " stopped before the first saved time: " + solution.message);
    }

    TrajectoryRun run;
    run.diagnostics.solverName = solution.solver;
    run.diagnostics.scope = "the ODE solve" + (stepper->hasErrorEstimate()
                                                   ? " (" + formatTolerance(s.rtol, s.atol) + ")"
                                                   : std::string(" with fixed steps"));
    run.diagnostics.stats = std::move(solution.stats);
    run.diagnostics.message = solution.message;
    run.result = std::move(result);
    if (progress) progress(1.0);
    return run;
}

// Step records for a fixed-step SDE solve: every step the same, no error estimate.
SolverDiagnostics fixedStepDiagnostics(const SdeStepper& stepper, const SimulationResult& result,
                                       const SimulationSettings& s) {
    SolverDiagnostics d;
    d.solverName = stepper.name();
    d.scope = "fixed steps (dt = " + std::to_string((s.t1 - s.t0) / s.steps) +
              "); this solver has no error estimate to adapt them";
    d.stats.accepted = s.steps;
    d.stats.nfe =
        result.paths > 0
            ? (result.stats.driftEvaluations + result.stats.diffusionEvaluations) / result.paths
            : 0;
    if (s.steps <= kMaxFixedStepRecords) {
        const double dt = (s.t1 - s.t0) / s.steps;
        d.stats.steps.reserve(s.steps);
        for (long k = 0; k < s.steps; ++k) {
            OdeStepRecord r;
            r.step = k + 1;
            r.t = s.t0 + k * dt;
            r.dt = dt;
            r.errorNorm = std::numeric_limits<double>::quiet_NaN();
            r.accepted = true;
            r.stiffness = std::numeric_limits<double>::quiet_NaN();
            d.stats.steps.push_back(r);
        }
    }
    return d;
}

// A solver with an error estimate shows what adaptive stepping does on one path.
SolverDiagnostics adaptiveDiagnostics(const CompiledEquation& equation, const SdeStepper& stepper,
                                      const TrajectoryConfig& config) {
    const SimulationSettings& s = config.simulation;
    const BrownianPath path(s.t0, s.t1, equation.brownianDimension(), s.seed);
    AdaptiveSdeOptions options;
    options.rtol = s.rtol;
    options.atol = s.atol;
    const Eigen::VectorXd y0 =
        Eigen::Map<const Eigen::VectorXd>(config.equation.initial.data(), equation.dimension());
    auto solution = integrateSdeAdaptive(equation, stepper, y0, s.t0, s.t1, path, options);
    SolverDiagnostics d;
    d.solverName = solution.solver;
    d.scope = "one path solved adaptively on its own Brownian tree (seed " +
              std::to_string(s.seed) + ", " + formatTolerance(s.rtol, s.atol) +
              "); the paths drawn use fixed steps";
    d.stats = std::move(solution.stats);
    d.message = solution.message;
    return d;
}

}  // namespace

const std::vector<SolverInfo>& trajectorySolverChoices() { return solverRegistry(); }

bool isOdeSolverId(const std::string& id) {
    const SolverInfo* row = findSolver(id);
    return row && row->isOde();
}

std::string solverRefusal(const std::string& solverId, const CompiledEquation& equation,
                          double hurst) {
    const SolverInfo& row = solverInfo(solverId);
    if (row.isOde()) {
        return equation.isDeterministic()
                   ? ""
                   : "an ODE method: it needs zero diffusion, and this equation has noise";
    }
    if (equation.isDeterministic()) return "";
    const NoiseType noise = equation.noiseType();
    if (!row.noise.handles(noise, equation.hasCommutativeNoise())) {
        if (!equation.noiseCoupling().empty() && row.noise.supports(noise))
            return row.name +
                   " assumes each g_i reads only its own variable (commuting "
                   "noise); here " +
                   equation.noiseCoupling() + ", so it would lose its order";
        if (noise == NoiseType::General && row.noise.commutingGeneral)
            return row.name +
                   " needs the noise matrix's columns to commute; this "
                   "equation's general noise reads the state, so they need not";
        return row.name + " does not handle " + toString(noise) +
               " noise, which this "
               "equation has";
    }
    if (hurst != 0.5 && !row.can.fractionalNoise) {
        return row.name +
               " assumes Brownian noise; it cannot be driven by fractional "
               "noise (Hurst index " +
               std::to_string(hurst).substr(0, 4) + ")";
    }
    return "";
}

TrajectoryRun runTrajectory(const TrajectoryConfig& config, const std::atomic<bool>* cancel,
                            const ProgressCallback& progress) {
    const CompiledEquation equation(config.equation);
    const std::string refusal =
        solverRefusal(config.simulation.solver, equation, config.simulation.hurst);
    if (!refusal.empty()) {
        throw ConfigError("solver " + config.simulation.solver + " cannot run \"" +
                          config.equation.name + "\": " + refusal);
    }
    const SolverInfo& row = solverInfo(config.simulation.solver);
    if (row.isOde()) return runOde(equation, config, cancel, progress);

    auto result = std::make_shared<SimulationResult>(
        simulate(equation, config.equation.initial, config.simulation, cancel, progress));
    if (result->cancelled) return {};
    TrajectoryRun run;
    const auto stepper = row.makeSde();
    const bool adaptive =
        row.can.errorEstimate && !equation.isDeterministic() && config.simulation.hurst == 0.5;
    run.diagnostics = adaptive ? adaptiveDiagnostics(equation, *stepper, config)
                               : fixedStepDiagnostics(*stepper, *result, config.simulation);
    run.result = std::move(result);
    return run;
}

}  // namespace driftlab::core
