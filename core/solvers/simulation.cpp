#include "core/solvers/simulation.h"

#include "core/common/error.h"
#include "core/common/random.h"
#include "core/solvers/fractional_noise.h"
#include "core/solvers/sde_steppers.h"
#include "core/solvers/solver_registry.h"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <memory>
#include <optional>

namespace driftlab::core {

namespace {

// Paths advanced together: big enough to amortise the per-step virtual calls and keep the
// worker's loops long, small enough that a block's state stays in L1 and cancel answers fast.
// Fixed (not derived from the thread count) so block contents never depend on threads.
constexpr int blockSize = 128;

void validate(const SdeSystem& system, const std::vector<double>& initial,
              const SimulationSettings& s) {
    const auto fail = [](const std::string& key, const std::string& why) {
        throw ConfigError("simulation." + key + ": " + why);
    };
    if (s.paths < 1) fail("paths", "must be at least 1, got " + std::to_string(s.paths));
    if (s.steps < 1) fail("steps", "must be at least 1, got " + std::to_string(s.steps));
    if (s.savedTimes < 2)
        fail("saved_times", "must be at least 2 (t0 and t1), got " + std::to_string(s.savedTimes));
    if (!std::isfinite(s.t0)) fail("t0", "must be a finite number");
    if (!std::isfinite(s.t1) || !(s.t1 > s.t0))
        fail("t1", "must be a finite number greater than t0 (" + std::to_string(s.t0) + ")");
    if (s.threads < 0)
        fail("threads", "must be 0 (automatic) or positive, got " + std::to_string(s.threads));
    if (s.drawnPaths < 0) fail("drawn_paths", "must not be negative");
    if (!(s.hurst > 0.0 && s.hurst < 1.0))
        fail("hurst", "must lie strictly between 0 and 1 (0.5: Brownian motion), got " +
                          std::to_string(s.hurst));
    const int dim = system.dimension();
    if (static_cast<int>(initial.size()) != dim)
        fail("initial", "has " + std::to_string(initial.size()) + " values but the system has " +
                            std::to_string(dim) + " components");
    for (double v : initial)
        if (!std::isfinite(v)) fail("initial", "values must be finite numbers");
}

// Step indices at which states are saved: evenly spread over 0..steps, first and last kept.
std::vector<long long> savedStepIndices(int steps, int savedTimes) {
    const long long count = std::min<long long>(savedTimes, static_cast<long long>(steps) + 1);
    std::vector<long long> indices(count);
    for (long long i = 0; i < count; ++i)
        indices[i] = static_cast<long long>(
            std::llround(static_cast<double>(i) * steps / static_cast<double>(count - 1)));
    indices.back() = steps;
    return indices;
}

struct NonFinite {
    int paths = 0;
    long long firstStep = std::numeric_limits<long long>::max();
};

}  // namespace

double estimatedStateBytes(int dimension, const SimulationSettings& settings) {
    const double saved =
        std::min<double>(std::max(settings.savedTimes, 0), std::max(settings.steps, 0) + 1.0);
    return 8.0 * dimension * static_cast<double>(settings.paths) * saved;
}

namespace {

// brownian: null draws each path's increments from its own random stream (seed, path).
SimulationResult simulateWith(const SdeSystem& system, const std::vector<double>& initial,
                              const SimulationSettings& settings, const BrownianSource* brownian,
                              const std::atomic<bool>* cancel, const ProgressCallback& progress) {
    validate(system, initial, settings);
    const auto stepper = makeSdeStepper(settings.solver);
    const bool deterministic = system.isDeterministic();
    if (!deterministic) stepper->requireSupport(system);

    const auto started = std::chrono::steady_clock::now();
    const int dim = system.dimension();
    // Rows of dW: one per Brownian motion (m for general noise, dim otherwise).
    const int noiseDim = system.brownianDimension();
    if (noiseDim < 1)
        throw ConfigError("simulation: the system reports " + std::to_string(noiseDim) +
                          " Brownian motions; it needs at least 1");
    const int paths = settings.paths;
    const int steps = settings.steps;
    const double t0 = settings.t0;
    const double dt = (settings.t1 - settings.t0) / steps;
    const double sqrtDt = std::sqrt(dt);
    const std::vector<long long> savedSteps = savedStepIndices(steps, settings.savedTimes);
    const int nSaved = static_cast<int>(savedSteps.size());
    // H = 0.5 takes no detour through the OU bank, so Brownian runs stay bit-identical.
    std::optional<FractionalNoise> fbm;
    if (!deterministic && settings.hurst != 0.5) {
        // Ito Milstein's correction (dW^2 - dt) and the space-time Levy area of the order-1.5
        // schemes assume Brownian increments; Euler-Maruyama and the pathwise Stratonovich
        // schemes do not (SolverCapabilities::fractionalNoise).
        if (!solverInfo(settings.solver).can.fractionalNoise)
            throw ConfigError(
                "simulation.hurst = " + std::to_string(settings.hurst) +
                ": fractional noise cannot drive " + settings.solver +
                ", which assumes Brownian increments; use " +
                listSolvers([](const SolverInfo& row) { return row.can.fractionalNoise; }, true) +
                ", or hurst = 0.5");
        fbm.emplace(settings.hurst, settings.t1 - settings.t0, dt);
    }
    const int fbmSize = fbm ? fbm->processes() : 0;
    if (brownian && !deterministic) {
        if (fbm)
            throw ConfigError("simulation.hurst = " + std::to_string(settings.hurst) +
                              ": fractional noise draws its own increments; a given Brownian "
                              "path needs hurst = 0.5");
        if (brownian->dimension() != noiseDim || brownian->paths() < paths ||
            !brownian->covers(t0, settings.t1))
            throw ConfigError(
                "simulation: the Brownian path has " + std::to_string(brownian->paths()) +
                " paths of " + std::to_string(brownian->dimension()) + " Brownian motions on [" +
                std::to_string(brownian->t0()) + ", " + std::to_string(brownian->t1()) +
                "]; the solve needs " + std::to_string(paths) + " of " + std::to_string(noiseDim) +
                " on [" + std::to_string(t0) + ", " + std::to_string(settings.t1) + "]");
    }

    SimulationResult result;
    result.dimension = dim;
    result.paths = paths;
    result.solverName = stepper->name();
    result.calculus = toString(stepper->calculus());
    result.times.resize(nSaved);
    for (int k = 0; k < nSaved; ++k) result.times[k] = t0 + savedSteps[k] * dt;
    result.times.back() = settings.t1;
    // NaN until written, so a cancelled run's unreached states read as missing, not as 0.
    result.states.assign(
        dim, Eigen::MatrixXd::Constant(paths, nSaved, std::numeric_limits<double>::quiet_NaN()));

    const int blocks = (paths + blockSize - 1) / blockSize;
    const int threads = std::max(
        1, std::min(settings.threads > 0 ? settings.threads : omp_get_max_threads(), blocks));
    // Workers are built here, one per thread, before the parallel region: building parsers
    // concurrently would touch muparser's shared static tables.
    std::vector<std::unique_ptr<SdeWorker>> workers;
    for (int i = 0; i < threads; ++i) workers.push_back(system.makeWorker());

    const long long totalBlockSteps = static_cast<long long>(blocks) * steps;
    std::atomic<long long> doneBlockSteps{0};
    std::atomic<bool> stopped{false};
    std::vector<long long> stepsDone(blocks, 0);
    NonFinite nonFinite;
    const StepCost cost = !deterministic && system.noiseType() == NoiseType::General
                              ? stepper->evaluationsPerStepWithMatrixNoise(noiseDim)
                              : stepper->evaluationsPerStep(deterministic);
    // SRA-type schemes also take each step's space-time Lévy area, N(0, dt/12).
    const bool needsArea = !deterministic && stepper->needsSpaceTimeArea();
    const double sqrtDt12 = std::sqrt(dt / 12.0);

#pragma omp parallel num_threads(threads)
    {
        const int thread = omp_get_thread_num();
        SdeWorker& worker = *workers[thread];
        StepScratch scratch;
        // Zero unless drawn: a driver without a known area keeps H = 0.
        Eigen::MatrixXd H = Eigen::MatrixXd::Zero(noiseDim, needsArea ? blockSize : 0);
        Eigen::MatrixXd y(dim, blockSize);
        Eigen::MatrixXd dW(noiseDim, deterministic ? 0 : blockSize);
        RandomStream streams[blockSize];
        bool frozen[blockSize];
        // One OU bank per (path, noise component), restarted at 0 for each block's paths.
        std::vector<double> banks(static_cast<std::size_t>(fbmSize) * noiseDim * blockSize);
        NonFinite local;
        const ZigguratTables& zigguratData = zigguratTables();
        auto lastReport = std::chrono::steady_clock::now();

#pragma omp for schedule(dynamic, 1)
        for (int b = 0; b < blocks; ++b) {
            if (stopped.load(std::memory_order_relaxed)) continue;
            const int p0 = b * blockSize;
            const int n = std::min(blockSize, paths - p0);
            auto yb = y.leftCols(n);
            for (int j = 0; j < n; ++j) {
                for (int c = 0; c < dim; ++c) yb(c, j) = initial[c];
                frozen[j] = false;
                if (!deterministic && !brownian)
                    streams[j] = RandomStream(settings.seed, static_cast<std::uint64_t>(p0 + j));
            }
            std::fill(banks.begin(), banks.end(), 0.0);
            const auto save = [&](int k) {
                for (int c = 0; c < dim; ++c)
                    result.states[c].col(k).segment(p0, n) = yb.row(c).transpose();
            };
            stepper->begin(worker, t0, yb, scratch);
            save(0);
            int nextSave = 1;
            int frozenInBlock = 0;
            long long k = 0;
            for (; k < steps; ++k) {
                if (cancel && cancel->load(std::memory_order_relaxed)) {
                    stopped.store(true, std::memory_order_relaxed);
                    break;
                }
                if (fbm) {
                    for (int j = 0; j < n; ++j)
                        for (int c = 0; c < noiseDim; ++c)
                            dW(c, j) = fbm->increment(&banks[(j * noiseDim + c) * fbmSize],
                                                      streams[j], zigguratData);
                } else if (brownian && !deterministic) {
                    // The same grid times as the gradient solvers' t0 + n dt, so one source
                    // gives both the same increments.
                    const double s = t0 + k * dt, e = t0 + (k + 1) * dt;
                    if (needsArea)
                        brownian->incrementsWithArea(s, e, p0, dW.leftCols(n), H.leftCols(n));
                    else
                        brownian->increments(s, e, p0, dW.leftCols(n));
                } else if (!deterministic) {
                    for (int j = 0; j < n; ++j) {
                        RandomStream& rng = streams[j];
                        for (int c = 0; c < noiseDim; ++c)
                            dW(c, j) = sqrtDt * rng.normal(zigguratData);
                        // After the increments, so every scheme sees the same dW per seed.
                        if (needsArea)
                            for (int c = 0; c < noiseDim; ++c)
                                H(c, j) = sqrtDt12 * rng.normal(zigguratData);
                    }
                }
                if (needsArea)
                    stepper->stepWithArea(worker, t0 + k * dt, dt, yb, dW.leftCols(n),
                                          H.leftCols(n), scratch);
                else
                    stepper->step(worker, t0 + k * dt, dt, yb,
                                  deterministic ? dW.leftCols(0) : dW.leftCols(n), scratch);
                if (!yb.allFinite()) [[unlikely]] {
                    for (int j = 0; j < n; ++j) {
                        if (frozen[j] || yb.col(j).allFinite()) continue;
                        frozen[j] = true;
                        ++frozenInBlock;
                        ++local.paths;
                        local.firstStep = std::min(local.firstStep, k + 1);
                    }
                }
                // A frozen path stays NaN: statistics and views skip it from here on.
                if (frozenInBlock > 0) [[unlikely]]
                    for (int j = 0; j < n; ++j)
                        if (frozen[j])
                            yb.col(j).setConstant(std::numeric_limits<double>::quiet_NaN());
                if (nextSave < nSaved && savedSteps[nextSave] == k + 1) save(nextSave++);
                if (((k + 1) & 15) == 0) doneBlockSteps.fetch_add(16, std::memory_order_relaxed);
                if (thread == 0 && progress && ((k + 1) & 15) == 0) {
                    const auto now = std::chrono::steady_clock::now();
                    if (now - lastReport > std::chrono::milliseconds(50)) {
                        lastReport = now;
                        progress(std::min(1.0, static_cast<double>(doneBlockSteps.load()) /
                                                   static_cast<double>(totalBlockSteps)));
                    }
                }
            }
            doneBlockSteps.fetch_add(k & 15, std::memory_order_relaxed);
            stepsDone[b] = k * n;
        }
#pragma omp critical(driftlab_simulation_nonfinite)
        {
            nonFinite.paths += local.paths;
            nonFinite.firstStep = std::min(nonFinite.firstStep, local.firstStep);
        }
    }

    long long pathSteps = 0;
    for (long long s : stepsDone) pathSteps += s;
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    SimulationStats& stats = result.stats;
    stats.steps = steps;
    stats.driftEvaluations = pathSteps * cost.drift;
    stats.diffusionEvaluations = pathSteps * cost.diffusion;
    stats.wallSeconds = wall;
    stats.pathStepsPerSecond = wall > 0.0 ? static_cast<double>(pathSteps) / wall : 0.0;
    stats.nonFinitePaths = nonFinite.paths;
    if (nonFinite.paths > 0) {
        stats.firstNonFiniteStep = nonFinite.firstStep;
        stats.firstNonFiniteTime = t0 + nonFinite.firstStep * dt;
    }
    result.cancelled = stopped.load();
    if (progress && !result.cancelled) progress(1.0);
    return result;
}

}  // namespace

SimulationResult simulate(const SdeSystem& system, const std::vector<double>& initial,
                          const SimulationSettings& settings, const std::atomic<bool>* cancel,
                          const ProgressCallback& progress) {
    return simulateWith(system, initial, settings, nullptr, cancel, progress);
}

SimulationResult simulate(const SdeSystem& system, const std::vector<double>& initial,
                          const SimulationSettings& settings, const BrownianSource& brownian,
                          const std::atomic<bool>* cancel, const ProgressCallback& progress) {
    return simulateWith(system, initial, settings, &brownian, cancel, progress);
}

}  // namespace driftlab::core
