#include "core/diffusion/diffusion_shootout.h"

#include "core/common/error.h"
#include "core/diffusion/diffusion_config.h"
#include "core/diffusion/metrics.h"

#include <cmath>
#include <cstdio>
#include <limits>

namespace driftlab::core {

namespace {

using diffusion::SamplerKind;

constexpr SamplerKind kFixedBudgetSamplers[] = {
    SamplerKind::ReverseSde, SamplerKind::PredictorCorrector, SamplerKind::ProbabilityFlow,
    SamplerKind::Ddim,       SamplerKind::DpmSolver1,         SamplerKind::DpmSolver2,
    SamplerKind::DpmSolver3, SamplerKind::DpmSolverPP2M};

ShootoutRow score(ShootoutRow row, const diffusion::SampleResult& result,
                  const diffusion::Points& heldOut, const ShootoutOptions& options) {
    row.nfe = result.nfe;
    row.seconds = result.seconds;
    row.ok = result.ok;
    row.message = result.message;
    if (!result.ok) {
        row.sw2 = row.mmd2 = std::numeric_limits<double>::quiet_NaN();
        return row;
    }
    row.sw2 =
        diffusion::slicedWasserstein2(result.samples, heldOut, options.directions, options.seed);
    const diffusion::Index m = std::min({options.mmdPoints, result.samples.cols(), heldOut.cols()});
    row.mmd2 = diffusion::mmdSquaredUnbiased(result.samples.leftCols(m), heldOut.leftCols(m));
    return row;
}

void checkInputs(const ShootoutOptions& options, const diffusion::Points& prior,
                 const diffusion::Points& heldOut) {
    if (options.budgets.empty()) throw ConfigError("shoot-out: no NFE budgets given");
    for (int budget : options.budgets)
        if (budget < 1 || budget > 1000000)
            throw ConfigError("shoot-out: NFE budget " + std::to_string(budget) +
                              " is outside [1, 1000000]");
    if (prior.cols() < 2 || heldOut.cols() < 2)
        throw ConfigError("shoot-out: needs at least two samples and two held-out points");
}

}  // namespace

std::vector<ShootoutRow> runShootout(const diffusion::DiffusionProcess& process,
                                     const diffusion::ScoreField& field,
                                     const diffusion::Points& prior,
                                     const diffusion::Points& heldOut,
                                     const ShootoutOptions& options,
                                     const ShootoutProgress& progress,
                                     const std::atomic<bool>* cancel) {
    checkInputs(options, prior, heldOut);

    struct Job {
        SamplerKind kind;
        int budget;
        double tolerance;
    };
    std::vector<Job> jobs;
    for (SamplerKind kind : kFixedBudgetSamplers)
        for (int budget : options.budgets)
            if (budget >= minimumNfe(kind)) jobs.push_back({kind, budget, 0.0});
    for (double tolerance : options.adaptiveTolerances)
        jobs.push_back({SamplerKind::ProbabilityFlowAdaptive, 0, tolerance});

    std::vector<ShootoutRow> rows;
    for (std::size_t j = 0; j < jobs.size(); ++j) {
        if (cancel && cancel->load(std::memory_order_relaxed)) break;
        const Job& job = jobs[j];
        diffusion::SamplerOptions o =
            samplerOptionsForNfe(job.kind, std::max(job.budget, 1), options.seed);
        ShootoutRow row;
        row.sampler = diffusion::samplerName(job.kind);
        row.budget = job.budget;
        if (job.kind == SamplerKind::ProbabilityFlowAdaptive) {
            o.rtol = o.atol = job.tolerance;
            row.tolerance = job.tolerance;
        }
        rows.push_back(score(row, diffusion::sampleDiffusion(job.kind, process, field, prior, o),
                             heldOut, options));
        if (progress) progress(rows.back(), static_cast<double>(j + 1) / jobs.size());
    }
    return rows;
}

std::vector<ShootoutRow> runInterpolantShootout(const diffusion::VelocityField& field,
                                                double epsilon, const diffusion::Points& prior,
                                                const diffusion::Points& heldOut,
                                                const ShootoutOptions& options,
                                                const ShootoutProgress& progress,
                                                const std::atomic<bool>* cancel) {
    checkInputs(options, prior, heldOut);
    if (!(epsilon >= 0.0)) throw ConfigError("shoot-out: epsilon must be >= 0");
    struct Job {
        bool stochastic;
        int budget;
    };
    std::vector<Job> jobs;
    for (int budget : options.budgets)
        if (budget >= 2) jobs.push_back({false, budget});  // Heun: two evaluations a step
    if (epsilon > 0.0)
        for (int budget : options.budgets) jobs.push_back({true, budget});

    std::vector<ShootoutRow> rows;
    for (std::size_t j = 0; j < jobs.size(); ++j) {
        if (cancel && cancel->load(std::memory_order_relaxed)) break;
        const Job& job = jobs[j];
        ShootoutRow row;
        row.sampler = job.stochastic ? "interpolant_sde" : "interpolant_ode";
        row.budget = job.budget;
        const diffusion::SamplerOptions o =
            interpolantOptionsForNfe(job.stochastic, job.budget, epsilon, options.seed);
        rows.push_back(score(row, diffusion::sampleInterpolant(field, prior, job.stochastic, o),
                             heldOut, options));
        if (progress) progress(rows.back(), static_cast<double>(j + 1) / jobs.size());
    }
    return rows;
}

std::string shootoutCsv(const std::vector<ShootoutRow>& rows) {
    std::string text = "sampler,budget,tolerance,nfe,sw2,mmd2,seconds,ok\n";
    char line[256];
    for (const ShootoutRow& r : rows) {
        std::snprintf(line, sizeof line, "%s,%d,%g,%ld,%.6g,%.6g,%.6g,%d\n", r.sampler.c_str(),
                      r.budget, r.tolerance, r.nfe, r.sw2, r.mmd2, r.seconds, r.ok ? 1 : 0);
        text += line;
    }
    return text;
}

}  // namespace driftlab::core
