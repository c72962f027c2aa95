// The simulation settings of the Trajectories experiment. The help texts are the tooltips a
// student reads, so they explain what a value does to the picture, not only what it is.
#include "core/trajectories/trajectory_config.h"
#include "core/trajectories/trajectory_run.h"

#include <string>
#include <utility>

namespace driftlab::core {

namespace {

// The unit reads best before the long help texts here.
SchemaField integerWithUnit(std::string key, std::string label, double defaultValue, double min,
                            double max, std::string unit, std::string help) {
    return numberField(FieldType::Integer, std::move(key), std::move(label), defaultValue, min,
                       max, std::move(help), std::move(unit));
}

}  // namespace

const Schema& simulationSchema() {
    // Largest integer a double (and so every JSON reader) holds exactly.
    constexpr double kMaxSeed = 9007199254740991.0;
    SchemaField solver;
    solver.key = "solver";
    solver.label = "Solver";
    solver.type = FieldType::Choice;
    solver.defaultText = "euler_maruyama";
    for (const auto& choice : trajectorySolverChoices()) solver.choices.push_back(choice.id);
    solver.help =
        "How each time step is taken. euler_maruyama evaluates the noise strength at the "
        "start of the step: this is the Itô interpretation of the equation (strong order 0.5, "
        "1 for additive noise). stochastic_heun is a predictor-corrector that averages the "
        "noise strength over the step: it converges to the Stratonovich interpretation. With "
        "additive noise both describe the same process; with multiplicative noise they do "
        "not (geometric Brownian motion grows at rate mu in Itô but mu + sigma^2/2 in "
        "Stratonovich) - try both on the GBM preset. milstein adds the correction term "
        "that lifts Euler-Maruyama to strong order 1 (Itô); milstein_stratonovich is its "
        "Stratonovich form. euler_heun is the cheapest Stratonovich scheme (one drift "
        "evaluation per step). reversible_heun is a Stratonovich scheme that can be run "
        "backwards exactly, which memory-free gradients rely on (strong order 0.5, 1 for "
        "additive noise). sra1 reaches strong order 1.5 but only for additive noise (noise "
        "strength not depending on the state); it refuses other equations, and with its error "
        "estimate it can choose its own steps (the solver diagnostics show one path solved "
        "that way). sriw1 reaches strong order 1.5 for diagonal noise (each noise strength "
        "depending on its own variable only) and adapts its steps the same way. For "
        "equations with zero diffusion (ODEs) the ODE methods apply: euler, "
        "midpoint, heun and rk4 take the fixed steps; bs3, dp5 (Dormand-Prince) and tsit5 "
        "(Tsitouras) choose their steps from an embedded error estimate to meet the "
        "tolerances; rosenbrock23 is implicit and handles stiff equations, rodas4 is its "
        "fourth-order sibling (far fewer steps at tight tolerances); auto_stiff starts "
        "with Dormand-Prince and switches to Rosenbrock when it detects stiffness.";

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
            realField("rtol", "Relative tolerance", 1e-4, 1e-12, 1.0,
                      "Adaptive solvers (bs3, dp5, tsit5, rosenbrock23, rodas4, auto_stiff, and the "
                      "sra1/sriw1 adaptive path in the solver diagnostics) shrink the step until the "
                      "estimated error of each step is below atol + rtol * |state|. Smaller "
                      "tolerances: more accurate, more steps. Fixed-step solvers ignore it."),
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
