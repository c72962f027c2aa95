#pragma once
// Monte-Carlo simulation of many paths of an SDE: parallel over paths (OpenMP), one random
// stream per path so results are identical whatever the thread count, states kept only at
// the saved times.
#include "core/solvers/brownian_source.h"
#include "core/solvers/sde_system.h"

#include <Eigen/Core>
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace driftlab::core {

struct SimulationSettings {
    int paths = 1000;
    int steps = 1000;
    double t0 = 0.0;
    double t1 = 1.0;
    int savedTimes = 500;  // at most this many saved times, evenly spread, incl. t0 and t1
    std::uint64_t seed = 1;
    std::string solver = "euler_maruyama";  // or "stochastic_heun"
    int threads = 0;                        // 0: OpenMP's default
    int drawnPaths = 200;                   // how many individual paths views draw
    // Tolerances of the adaptive solvers (ODE methods with an error estimate, and the
    // one-path adaptive SDE solve shown in the solver diagnostics).
    double rtol = 1e-4;
    double atol = 1e-6;
    double hurst = 0.5;  // Hurst index of the driving noise; != 0.5: MA-fBM (fractional_noise.h)
};

struct SimulationStats {
    long long steps = 0;             // steps per path
    long long driftEvaluations = 0;  // over all paths
    long long diffusionEvaluations = 0;
    double wallSeconds = 0.0;
    double pathStepsPerSecond = 0.0;
    int nonFinitePaths = 0;           // paths that produced NaN/Inf (frozen from then on)
    double firstNonFiniteTime = 0.0;  // valid when nonFinitePaths > 0
    long long firstNonFiniteStep = 0;
};

struct SimulationResult {
    int dimension = 0;
    int paths = 0;
    std::vector<double> times;  // saved times
    // states[c](p, k): component c of path p at times[k]. Column k is contiguous over
    // paths, which is what quantiles and histograms at one time need.
    std::vector<Eigen::MatrixXd> states;
    SimulationStats stats;
    bool cancelled = false;
    std::string solverName;
    std::string calculus;  // "Ito" or "Stratonovich"
};

using ProgressCallback = std::function<void(double fraction)>;

// Throws ConfigError for unknown solvers or bad sizes, SolverError when a solver refuses
// the system's noise type. Returns early with cancelled = true when *cancel becomes true.
SimulationResult simulate(const SdeSystem& system, const std::vector<double>& initial,
                          const SimulationSettings& settings,
                          const std::atomic<bool>* cancel = nullptr,
                          const ProgressCallback& progress = {});

// The same solve driven by a given Brownian source (e.g. a BrownianTree with at least
// settings.paths paths covering [t0, t1]) instead of one random stream per path: step k of path
// p reads the increment (and, for SRA-type schemes, the area) of path p over
// [t0 + k dt, t0 + (k + 1) dt], so a gradient or adaptive solve reading the same source sees the
// same Brownian motion. ConfigError when the source does not fit or hurst != 0.5.
SimulationResult simulate(const SdeSystem& system, const std::vector<double>& initial,
                          const SimulationSettings& settings, const BrownianSource& brownian,
                          const std::atomic<bool>* cancel = nullptr,
                          const ProgressCallback& progress = {});

// Bytes simulate() will hold for the saved states; used to refuse absurd sizes up front.
double estimatedStateBytes(int dimension, const SimulationSettings& settings);

}  // namespace driftlab::core
