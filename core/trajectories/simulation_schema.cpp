// The simulation settings of the Trajectories experiment. The help texts are the tooltips a
// student reads, so they explain what a value does to the picture, not only what it is.
#include "core/solvers/solver_registry.h"
#include "core/trajectories/trajectory_config.h"
#include "core/trajectories/trajectory_run.h"

#include <string>
#include <utility>

namespace driftlab::core {

namespace {

// The unit reads best before the long help texts here.
SchemaField integerWithUnit(std::string key, std::string label, double defaultValue, double min,
                            double max, std::string unit, std::string help) {
    return numberField(FieldType::Integer, std::move(key), std::move(label), defaultValue, min, max,
                       std::move(help), std::move(unit));
}

// The solver field's help: what the choice means, then every registered solver with its
// row's own words and numbers, so the text names exactly the solvers the menu offers.
std::string solverHelp() {
    std::string help =
        "How each time step is taken. A scheme that evaluates the noise strength at the "
        "start of the step solves the Itô interpretation of the equation; one that averages "
        "it over the step converges to the Stratonovich interpretation. With additive noise "
        "both describe the same process; with multiplicative noise they do not (geometric "
        "Brownian motion grows at rate mu in Itô but mu + sigma^2/2 in Stratonovich) - try "
        "one of each on the GBM preset. The ODE methods apply to equations with zero "
        "diffusion.";
    for (const auto& row : trajectorySolverChoices())
        help += "\n" + row.displayName + " (" + row.id + "): " + row.help + " " +
                describeSolver(row) + ".";
    return help;
}

// Which solvers read the tolerances, from their rows.
std::string toleranceHelp() {
    const auto adaptive = [](bool ode) {
        return listSolvers(
            [ode](const SolverInfo& row) { return row.isOde() == ode && row.can.errorEstimate; },
            true, "and");
    };
    return "Adaptive solvers (the ODE methods " + adaptive(true) + ", and the adaptive path of " +
           adaptive(false) +
           " in the solver diagnostics) shrink the step until the estimated error of each "
           "step is below atol + rtol * |state|. Smaller tolerances: more accurate, more "
           "steps. Fixed-step solvers ignore it.";
}

}  // namespace

const Schema& simulationSchema() {
    // Largest integer a double (and so every JSON reader) holds exactly.
    constexpr double kMaxSeed = 9007199254740991.0;
    SchemaField solver;
    solver.key = "solver";
    solver.label = "Solver";
    solver.type = FieldType::Choice;
    solver.defaultText = SimulationSettings{}.solver;  // one default, the engine's
    for (const auto& choice : trajectorySolverChoices()) solver.choices.push_back(choice.id);
    solver.help = solverHelp();

    static const Schema schema(
        "simulation",
        {
            integerWithUnit("paths", "Paths", 1000, 1, 1e6, "paths",
                            "How many independent sample paths are simulated, each driven by its "
                            "own Brownian motion. More paths make the mean and the quantile bands "
                            "smoother - the Monte-Carlo error shrinks like 1/sqrt(paths) - and "
                            "cost proportionally more time."),
            integerWithUnit("steps", "Time steps", 1000, 1, 1e7, "steps",
                            "Number of equal time steps from start to end; the step size is "
                            "dt = (end - start) / steps. Smaller steps follow the equation more "
                            "faithfully: Euler-Maruyama's error shrinks like sqrt(dt) for single "
                            "paths and like dt for averages. Too few steps can make stiff or "
                            "chaotic systems (Lorenz, Van der Pol) blow up."),
            realField("t0", "Start time", 0.0, -1e6, 1e6,
                      "Time at which every path starts from the initial condition."),
            realField("t1", "End time", 5.0, -1e6, 1e6,
                      "Time at which the simulation stops; must be later than the start time. "
                      "Choose it long enough to see the behaviour settle, e.g. a few times "
                      "1/theta for an Ornstein-Uhlenbeck process to reach its stationary "
                      "spread."),
            integerWithUnit("saved_times", "Saved times", 500, 2, 100000, "times",
                            "States are kept only at this many evenly spread times (start and "
                            "end included), not at every step. Paths, bands and histograms are "
                            "drawn from them, and memory grows with paths x saved times x "
                            "components x 8 bytes; more steps than saved times costs no memory."),
            integerWithUnit("seed", "Random seed", 1, 0, kMaxSeed, "",
                            "Start value of the random number generator. The same seed and "
                            "settings give exactly the same paths on any machine and with any "
                            "number of threads; change it to see another random sample."),
            solver,
            integerWithUnit("threads", "Threads", 0, 0, 256, "threads",
                            "CPU threads that share the paths; 0 uses all cores. The numbers do "
                            "not depend on it, because every path has its own random stream."),
            integerWithUnit("drawn_paths", "Drawn paths", 200, 0, 10000, "paths",
                            "How many paths are drawn individually as lines. The mean and the "
                            "quantile bands always use all paths; drawing fewer keeps the "
                            "picture readable and fast."),
            realField("rtol", "Relative tolerance", 1e-4, 1e-12, 1.0, toleranceHelp()),
            realField("atol", "Absolute tolerance", 1e-6, 1e-14, 1.0,
                      "The error allowed where the state is near zero (see relative "
                      "tolerance)."),
            realField("hurst", "Hurst index H", 0.5, 0.01, 0.99,
                      "Roughness and memory of the noise driving every path. H = 0.5 is "
                      "ordinary Brownian motion: independent increments. H > 0.5 gives "
                      "smoother, persistent noise - a push up tends to be followed by another "
                      "push up, so paths wander further. H < 0.5 gives rough, anti-persistent "
                      "noise that keeps reversing itself. Other values of H use fractional "
                      "Brownian motion (Riemann-Liouville type, variance t^(2H) / (2H "
                      "Gamma(H+1/2)^2)), approximated as a weighted sum of 10 "
                      "Ornstein-Uhlenbeck processes sharing one Brownian motion, with weights "
                      "chosen to fit it best over the simulated time span (Daems et al., "
                      "ICLR 2024)."),
        });
    return schema;
}

}  // namespace driftlab::core
