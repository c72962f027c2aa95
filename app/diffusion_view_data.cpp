#include "app/diffusion_view_data.h"

#include "core/diffusion/metrics.h"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace driftlab::app {

namespace cd = core::diffusion;

namespace {

constexpr int kPreviewSamples = 400;
constexpr int kMetricDirections = 1000;  // the SW2 definition

// The recorder keeps one 2 x particles state per time; the view wants one polyline per
// particle.
std::vector<Points> perParticle(const std::vector<Points>& states) {
    if (states.empty()) return {};
    const Index particles = states.front().cols();
    std::vector<Points> paths(static_cast<std::size_t>(particles),
                              Points(2, static_cast<Index>(states.size())));
    for (std::size_t k = 0; k < states.size(); ++k)
        for (Index i = 0; i < particles; ++i) paths[i].col(static_cast<Index>(k)) = states[k].col(i);
    return paths;
}

}  // namespace

std::shared_ptr<DiffusionSession> makeDiffusionSession(const core::DiffusionConfig& config) {
    auto session = std::make_shared<DiffusionSession>();
    session->config = config;
    const Points raw = cd::makeToyDataset(config.data);
    const cd::Standardizer standardizer = cd::Standardizer::fit(raw);
    const cd::DataSplit split =
        cd::splitTrainHeldOut(standardizer.apply(raw), 0.2, config.data.seed + 7);
    session->train = split.train;
    session->heldOut = split.heldOut;
    session->process = std::make_unique<cd::DiffusionProcess>(config.process);
    session->model = std::make_unique<cd::DiffusionModel>(*session->process, config.prediction,
                                                          config.net, config.training);
    session->model->setData(session->train);
    return session;
}

bool trainDiffusionSession(DiffusionSession& session, const std::atomic<bool>& cancel,
                           SnapshotSlot& slot, const std::function<void(double)>& progress) {
    const auto& config = session.config;
    const long start = session.model->iterations();
    // The preview reuses one noise draw so the cloud visibly condenses instead of flickering.
    const Points previewNoise = session.process->samplePrior(kPreviewSamples, config.data.seed + 11);
    const auto callback = [&](const cd::TrainProgress& report) {
        session.lossIterations.push_back(double(report.iteration));
        session.losses.push_back(report.loss);
        auto snapshot = std::make_shared<TrainingSnapshot>();
        snapshot->iteration = report.iteration - start;
        snapshot->totalIterations = config.iterations;
        snapshot->seconds = report.seconds;
        snapshot->lossIterations = session.lossIterations;
        snapshot->losses = session.losses;
        snapshot->bucketLoss = report.bucketLoss;
        // Ten DPM-Solver-2 evaluations of a few hundred points: well under a millisecond
        // per report, so the preview costs training almost nothing.
        snapshot->preview = cd::sampleDiffusion(cd::SamplerKind::DpmSolver2, *session.process,
                                                *session.model, previewNoise,
                                                core::samplerOptionsForNfe(
                                                    cd::SamplerKind::DpmSolver2, 10, 0))
                                .samples;
        slot.publish(std::move(snapshot));
        if (progress) progress(double(report.iteration - start) / double(config.iterations));
    };
    const cd::TrainResult result = session.model->train(config.iterations, callback, &cancel);
    session.trainSeconds += result.seconds;
    return !result.cancelled;
}

std::shared_ptr<const SampleViewData> sampleDiffusionSession(const DiffusionSession& session,
                                                             int particles) {
    const auto& config = session.config;
    auto data = std::make_shared<SampleViewData>();
    const Points prior = session.process->samplePrior(config.samples, config.data.seed + 3);
    const cd::SampleResult result =
        cd::sampleDiffusion(config.sampler, *session.process, *session.model, prior,
                            core::samplerOptionsForNfe(config.sampler, config.nfe,
                                                       config.data.seed + 4));
    data->samples = result.samples;
    data->sampler = cd::samplerName(config.sampler);
    data->nfe = result.nfe;
    data->seconds = result.seconds;
    data->sw2 = cd::slicedWasserstein2(result.samples, session.heldOut, kMetricDirections, 1);
    data->mmd2 = cd::mmdSquaredUnbiased(result.samples, session.heldOut);

    if (particles > 0) {
        // The same initial noise through both dynamics: where the SDE's paths jitter and
        // the ODE's glide is the visible difference between the two.
        const Points start = prior.leftCols(std::min<Index>(particles, prior.cols()));
        cd::SamplerOptions sde = core::samplerOptionsForNfe(cd::SamplerKind::ReverseSde, 200, 5);
        sde.recordParticles = static_cast<int>(start.cols());
        cd::SamplerOptions ode =
            core::samplerOptionsForNfe(cd::SamplerKind::ProbabilityFlow, 200, 5);
        ode.recordParticles = sde.recordParticles;
        const auto sdeRun = cd::sampleDiffusion(cd::SamplerKind::ReverseSde, *session.process,
                                                *session.model, start, sde);
        const auto odeRun = cd::sampleDiffusion(cd::SamplerKind::ProbabilityFlow,
                                                *session.process, *session.model, start, ode);
        data->sdePaths = perParticle(sdeRun.paths);
        data->odePaths = perParticle(odeRun.paths);
        data->pathsRecorded = !data->sdePaths.empty() && !data->odePaths.empty();
    }
    return data;
}

std::shared_ptr<const FieldArrows> learnedScoreArrows(const DiffusionSession& session, double t,
                                                      int grid, double extent) {
    auto arrows = std::make_shared<FieldArrows>();
    arrows->time = std::clamp(t, 1e-3, 1.0);
    Points& x = arrows->positions;
    x.resize(2, Index(grid) * grid);
    const double spacing = 2.0 * extent / (grid - 1);
    for (int i = 0; i < grid; ++i)
        for (int j = 0; j < grid; ++j)
            x.col(Index(i) * grid + j) << -extent + j * spacing, -extent + i * spacing;
    Points score;
    session.model->score(x, arrows->time, score);
    // Near t = 0 the score is huge off the data; arrows are clipped at the 90th percentile
    // of the lengths, so the shape stays readable instead of a few arrows spanning the view.
    Eigen::VectorXd lengths = score.colwise().norm().transpose();
    std::vector<double> sorted(lengths.data(), lengths.data() + lengths.size());
    std::sort(sorted.begin(), sorted.end());
    const double reference = std::max(1e-12, sorted[sorted.size() * 9 / 10]);
    arrows->vectors.resize(2, x.cols());
    for (Index k = 0; k < x.cols(); ++k) {
        const double scale = 0.9 * spacing * std::min(1.0, lengths(k) / reference);
        arrows->vectors.col(k) =
            lengths(k) > 0 ? Eigen::Vector2d(score.col(k) * (scale / lengths(k)))
                           : Eigen::Vector2d::Zero();
    }
    return arrows;
}

std::vector<ShootoutRow> runShootout(const DiffusionSession& session,
                                     const std::vector<int>& budgets,
                                     const std::atomic<bool>& cancel,
                                     const std::function<void(double)>& progress) {
    using cd::SamplerKind;
    const auto& config = session.config;
    const Points prior = session.process->samplePrior(config.samples, config.data.seed + 3);
    std::vector<std::pair<SamplerKind, int>> runs;
    for (int budget : budgets)
        for (auto kind : {SamplerKind::ReverseSde, SamplerKind::PredictorCorrector,
                          SamplerKind::ProbabilityFlow, SamplerKind::Ddim,
                          SamplerKind::DpmSolver1, SamplerKind::DpmSolver2,
                          SamplerKind::DpmSolver3, SamplerKind::DpmSolverPP2M})
            if (budget >= core::minimumNfe(kind)) runs.emplace_back(kind, budget);
    runs.emplace_back(SamplerKind::ProbabilityFlowAdaptive, 0);

    std::vector<ShootoutRow> rows;
    for (std::size_t i = 0; i < runs.size(); ++i) {
        if (cancel.load(std::memory_order_relaxed)) break;
        const auto [kind, budget] = runs[i];
        ShootoutRow row;
        row.sampler = cd::samplerName(kind);
        row.budget = budget;
        try {
            const auto result = cd::sampleDiffusion(
                kind, *session.process, *session.model, prior,
                core::samplerOptionsForNfe(kind, std::max(budget, 1), config.data.seed + 4));
            row.nfe = result.nfe;
            row.seconds = result.seconds;
            if (!result.ok) row.error = result.message;
            row.sw2 = cd::slicedWasserstein2(result.samples, session.heldOut, kMetricDirections, 1);
            row.mmd2 = cd::mmdSquaredUnbiased(result.samples, session.heldOut);
        } catch (const std::exception& e) {
            row.error = e.what();
        }
        rows.push_back(std::move(row));
        if (progress) progress(double(i + 1) / double(runs.size()));
    }
    return rows;
}

}  // namespace driftlab::app
