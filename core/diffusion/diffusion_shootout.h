#pragma once
// The sampler shoot-out of the Diffusion workspace, Qt-free so the headless runner and the
// GUI measure the same thing: every diffusion sampler at every NFE budget from the same prior
// noise, scored against held-out data by SW2 and unbiased MMD^2 (core/diffusion/metrics.h),
// with its wall time. Adaptive Dopri5 takes no budget: it runs once per tolerance instead.
#include "core/diffusion/samplers.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace driftlab::core {

struct ShootoutOptions {
    std::vector<int> budgets{5, 10, 20, 50, 100, 1000};
    std::vector<double> adaptiveTolerances{1e-2, 1e-3, 1e-5};
    int directions = 1000;              // SW2 projections (the definition)
    diffusion::Index mmdPoints = 2000;  // MMD^2 on the first points of each set (O(n^2))
    std::uint64_t seed = 0;             // noise of the stochastic samplers; SW2 directions
};

struct ShootoutRow {
    std::string sampler;     // samplerName(), "probability_flow_dopri5" with its tolerance
    int budget = 0;          // 0 for adaptive Dopri5
    double tolerance = 0.0;  // adaptive Dopri5 only
    long nfe = 0;
    double sw2 = 0.0;
    double mmd2 = 0.0;
    double seconds = 0.0;  // sampling wall time (metrics not included)
    bool ok = true;
    std::string message;  // why a run failed (non-finite samples, solver gave up)
};

// Called after each row with the fraction done; a set *cancel stops between rows.
using ShootoutProgress = std::function<void(const ShootoutRow&, double fraction)>;

// ConfigError for no budgets or a budget outside [1, 1e6]. Budgets below a sampler's
// smallest (DPM-Solver-3 at 2) are skipped for that sampler. A sampler that fails gives a
// row with ok = false and NaN metrics; the others still run.
std::vector<ShootoutRow> runShootout(const diffusion::DiffusionProcess& process,
                                     const diffusion::ScoreField& field,
                                     const diffusion::Points& prior,
                                     const diffusion::Points& heldOut,
                                     const ShootoutOptions& options,
                                     const ShootoutProgress& progress = {},
                                     const std::atomic<bool>* cancel = nullptr);

// The interpolant's shoot-out: the ODE (Heun, budget / 2 steps; budgets from 2) and, when
// epsilon > 0, the SDE with that epsilon (Euler–Maruyama, one evaluation per step) at every
// budget, from the same N(0, I) noise. Rows are named interpolant_ode / interpolant_sde.
std::vector<ShootoutRow> runInterpolantShootout(const diffusion::VelocityField& field,
                                                double epsilon, const diffusion::Points& prior,
                                                const diffusion::Points& heldOut,
                                                const ShootoutOptions& options,
                                                const ShootoutProgress& progress = {},
                                                const std::atomic<bool>* cancel = nullptr);

// "sampler,budget,tolerance,nfe,sw2,mmd2,seconds,ok" and one line per row.
std::string shootoutCsv(const std::vector<ShootoutRow>& rows);

}  // namespace driftlab::core
