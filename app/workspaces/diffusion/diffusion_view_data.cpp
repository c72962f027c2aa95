#include "app/workspaces/diffusion/diffusion_view_data.h"

#include "core/common/error.h"
#include "core/diffusion/metrics.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <sstream>
#include <thread>

namespace driftlab::app {

namespace cd = core::diffusion;

namespace {

constexpr int kPreviewSamples = 400;
constexpr int kMetricDirections = 1000;  // the SW2 definition
constexpr int kPathSteps = 200;
constexpr Index kMinimumPoints = 10;  // a fifth held out leaves both parts usable

const char* const kInterpolantOde = "interpolant_ode";
const char* const kInterpolantSde = "interpolant_sde";

// The recorder keeps one 2 x particles state per time; the view wants one polyline per
// particle, in the user's coordinates.
std::vector<Points> perParticle(const DiffusionSession& session, const std::vector<Points>& states) {
    if (states.empty()) return {};
    const Index particles = states.front().cols();
    std::vector<Points> paths(static_cast<std::size_t>(particles),
                              Points(2, static_cast<Index>(states.size())));
    for (std::size_t k = 0; k < states.size(); ++k) {
        const Points user = session.toUser(states[k]);
        for (Index i = 0; i < particles; ++i) paths[i].col(static_cast<Index>(k)) = user.col(i);
    }
    return paths;
}

// The SDE needs a positive epsilon; with epsilon at 0 the paths still show one.
double pathEpsilon(const core::DiffusionConfig& config) {
    return config.epsilon > 0 ? config.epsilon : 1.0;
}

cd::SampleResult runSampler(const DiffusionSession& session, const std::string& name,
                            const Points& noise, int nfe, std::uint64_t seed,
                            int recordParticles = 0) {
    if (session.isInterpolant()) {
        const bool stochastic = name == kInterpolantSde;
        cd::SamplerOptions options =
            core::interpolantOptionsForNfe(stochastic, nfe, pathEpsilon(session.config), seed);
        options.recordParticles = recordParticles;
        return cd::sampleInterpolant(*session.interpolantModel, noise, stochastic, options);
    }
    const cd::SamplerKind kind = cd::samplerFromName(name);
    cd::SamplerOptions options = core::samplerOptionsForNfe(kind, nfe, seed);
    options.recordParticles = recordParticles;
    return cd::sampleDiffusion(kind, *session.process, *session.model, noise, options);
}

Points priorNoise(const DiffusionSession& session, Index n, std::uint64_t seed) {
    // Interpolants start from N(0, I); a diffusion starts from its process's prior (wider
    // for VE).
    if (session.isInterpolant()) return cd::DiffusionProcess(cd::ProcessConfig{}).samplePrior(n, seed);
    return session.process->samplePrior(n, seed);
}

std::string configuredSampler(const DiffusionSession& session) {
    if (session.isInterpolant()) return session.config.epsilon > 0 ? kInterpolantSde : kInterpolantOde;
    return cd::samplerName(session.config.sampler);
}

}  // namespace

cd::NeuralModel& DiffusionSession::network() const {
    if (interpolantModel) return *interpolantModel;
    return *model;
}

std::shared_ptr<DiffusionSession> makeDiffusionSession(const core::DiffusionConfig& config,
                                                       const Points* customPoints) {
    auto session = std::make_shared<DiffusionSession>();
    session->config = config;
    session->customData = customPoints != nullptr;
    if (customPoints) {
        const Index n = customPoints->cols();
        if (n == 0)
            throw ConfigError("no data: draw points in the data view or load a CSV, or switch "
                              "the data source back to the generated set");
        if (n < kMinimumPoints)
            throw ConfigError("the drawn data set has " + std::to_string(n) + " point" +
                              (n == 1 ? "" : "s") + "; draw at least " +
                              std::to_string(kMinimumPoints) +
                              " (a fifth is held out for the metrics)");
    }
    const Points raw = customPoints ? *customPoints : cd::makeToyDataset(config.data);
    session->standardizer = cd::Standardizer::fit(raw);
    const cd::DataSplit split =
        cd::splitTrainHeldOut(session->standardizer.apply(raw), 0.2, config.data.seed + 7);
    session->train = split.train;
    session->heldOut = split.heldOut;
    if (!customPoints && config.data.kind == cd::ToyDataset::GaussianMixture)
        session->mixture = config.data.mixture;
    if (!customPoints && config.data.kind == cd::ToyDataset::EightGaussians)
        session->mixture = cd::GaussianMixture2D::eightGaussians(2.0, config.data.noise);
    session->process = std::make_unique<cd::DiffusionProcess>(config.process);
    if (session->isInterpolant()) {
        session->interpolantModel = std::make_unique<cd::InterpolantModel>(
            cd::StochasticInterpolant(config.interpolant), config.net, config.training);
    } else {
        session->model = std::make_unique<cd::DiffusionModel>(*session->process, config.prediction,
                                                              config.net, config.training);
    }
    session->network().setData(session->train);
    return session;
}

Box displayBox(const DiffusionSession& session) {
    const Points user = session.toUser(session.train);
    const Eigen::Vector2d lo = user.rowwise().minCoeff(), hi = user.rowwise().maxCoeff();
    const Eigen::Vector2d margin = 0.15 * (hi - lo).cwiseMax(1e-6);
    return {lo.x() - margin.x(), hi.x() + margin.x(), lo.y() - margin.y(), hi.y() + margin.y()};
}

Points gridPoints(const Box& box, int grid) {
    Points x(2, Index(grid) * grid);
    for (int i = 0; i < grid; ++i)
        for (int j = 0; j < grid; ++j)
            x.col(Index(i) * grid + j) << box.x0 + (box.x1 - box.x0) * (j + 0.5) / grid,
                box.y0 + (box.y1 - box.y0) * (i + 0.5) / grid;
    return x;
}

double scaleArrows(const DiffusionSession& session, const Points& field, double cell,
                   Points& vectors, double reference) {
    // A standardised displacement d is scale .* d in the user's coordinates.
    const Points user = session.standardizer.scale.asDiagonal() * field;
    const Eigen::VectorXd lengths = user.colwise().norm().transpose();
    if (reference <= 0.0 && lengths.size() > 0) {
        // Near t = 0 the score is huge off the data; clipping at the 90th percentile keeps the
        // shape readable instead of a few arrows spanning the view.
        std::vector<double> sorted(lengths.data(), lengths.data() + lengths.size());
        std::sort(sorted.begin(), sorted.end());
        reference = sorted[sorted.size() * 9 / 10];
    }
    reference = std::max(reference, 1e-12);
    vectors.resize(2, user.cols());
    for (Index k = 0; k < user.cols(); ++k) {
        const double scale = 0.9 * cell * std::min(1.0, lengths(k) / reference);
        vectors.col(k) = lengths(k) > 0 ? Eigen::Vector2d(user.col(k) * (scale / lengths(k)))
                                        : Eigen::Vector2d::Zero();
    }
    return reference;
}

std::vector<std::string> sessionSamplerNames(const DiffusionSession& session) {
    if (session.isInterpolant()) return {kInterpolantOde, kInterpolantSde};
    std::vector<std::string> names;
    for (auto kind : {cd::SamplerKind::ReverseSde, cd::SamplerKind::PredictorCorrector,
                      cd::SamplerKind::ProbabilityFlow, cd::SamplerKind::Ddim,
                      cd::SamplerKind::DpmSolver1, cd::SamplerKind::DpmSolver2,
                      cd::SamplerKind::DpmSolver3, cd::SamplerKind::DpmSolverPP2M})
        names.push_back(cd::samplerName(kind));
    return names;
}

bool trainDiffusionSession(DiffusionSession& session, const std::atomic<bool>& cancel,
                           TrainingControl& control, SnapshotSlot& slot,
                           const std::function<void(double)>& progress) {
    const auto& config = session.config;
    cd::NeuralModel& network = session.network();
    const long start = network.iterations();
    // The preview reuses one noise draw so the cloud visibly condenses instead of flickering.
    const Points previewNoise = priorNoise(session, kPreviewSamples, config.data.seed + 11);
    const std::string previewSampler = session.isInterpolant() ? kInterpolantOde : "dpm_solver_2";
    std::vector<double> lastBuckets;
    const auto publish = [&](bool paused, double seconds) {
        const long done = network.iterations() - start;
        auto snapshot = std::make_shared<TrainingSnapshot>();
        snapshot->iteration = done;
        snapshot->totalIterations = config.iterations;
        snapshot->seconds = seconds;
        snapshot->paused = paused;
        snapshot->lossIterations = session.lossIterations;
        snapshot->losses = session.losses;
        snapshot->bucketLoss = lastBuckets;
        // Ten evaluations of a few hundred points: well under a millisecond per report, so
        // the preview costs training almost nothing.
        snapshot->preview = session.toUser(
            runSampler(session, previewSampler, previewNoise, 10, 0).samples);
        slot.publish(std::move(snapshot));
        if (progress) progress(double(done) / double(config.iterations));
    };
    const auto callback = [&](const cd::TrainProgress& report) {
        session.lossIterations.push_back(double(report.iteration));
        session.losses.push_back(report.loss);
        lastBuckets = report.bucketLoss;
        publish(false, report.seconds);
    };
    const auto clockStart = std::chrono::steady_clock::now();
    const auto elapsed = [&] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - clockStart).count();
    };
    bool pausedPublished = false;
    while (network.iterations() - start < config.iterations) {
        if (cancel.load()) break;
        if (control.paused.load()) {
            if (control.stepsRequested.load() > 0) {
                --control.stepsRequested;
                session.trainSeconds += network.train(1, callback).seconds;
                publish(true, elapsed());
            } else if (!pausedPublished) {
                publish(true, elapsed());
                pausedPublished = true;
            } else {
                // Paused: poll the flags at a few milliseconds, far below a frame.
                std::this_thread::sleep_for(std::chrono::milliseconds(2));
            }
            continue;
        }
        pausedPublished = false;
        const long remaining = config.iterations - (network.iterations() - start);
        session.trainSeconds += network.train(remaining, callback, &control.interrupt).seconds;
    }
    return !cancel.load();
}

std::shared_ptr<const SampleViewData> sampleDiffusionSession(const DiffusionSession& session,
                                                             int particles) {
    const auto& config = session.config;
    auto data = std::make_shared<SampleViewData>();
    const Points prior = priorNoise(session, config.samples, config.data.seed + 3);
    data->sampler = configuredSampler(session);
    const cd::SampleResult result =
        runSampler(session, data->sampler, prior, config.nfe, config.data.seed + 4);
    if (!result.ok) throw Error(data->sampler + " stopped: " + result.message);
    data->samples = result.samples;
    data->nfe = result.nfe;
    data->seconds = result.seconds;
    data->sw2 = cd::slicedWasserstein2(result.samples, session.heldOut, kMetricDirections, 1);
    data->mmd2 = cd::mmdSquaredUnbiased(result.samples, session.heldOut);

    if (particles > 0) {
        // The same initial noise through both dynamics: where the SDE's paths jitter and
        // the ODE's glide is the visible difference between the two.
        const Points start = prior.leftCols(std::min<Index>(particles, prior.cols()));
        const int record = static_cast<int>(start.cols());
        const bool interpolant = session.isInterpolant();
        // At epsilon 0 the drawn SDE paths use pathEpsilon's stand-in 1; the legend says so (in
        // ASCII: the VTK font has no Greek).
        data->stochasticName = !interpolant                  ? "reverse-SDE"
                               : session.config.epsilon > 0.0 ? "interpolant SDE"
                                                              : "interpolant SDE (eps = 1)";
        data->deterministicName = interpolant ? "interpolant ODE" : "probability-flow ODE";
        const auto sdeRun = runSampler(session, interpolant ? kInterpolantSde : "reverse_sde",
                                       start, kPathSteps, 5, record);
        const auto odeRun = runSampler(session, interpolant ? kInterpolantOde : "probability_flow",
                                       start, kPathSteps, 5, record);
        data->sdePaths = perParticle(session, sdeRun.paths);
        data->odePaths = perParticle(session, odeRun.paths);
        data->pathsRecorded = !data->sdePaths.empty() && !data->odePaths.empty();
    }
    return data;
}

std::shared_ptr<const FieldArrows> learnedFieldArrows(const DiffusionSession& session, double t,
                                                      int grid) {
    auto arrows = std::make_shared<FieldArrows>();
    arrows->time = std::clamp(t, 1e-3, 1.0);
    const Box box = displayBox(session);
    arrows->positions = gridPoints(box, grid);
    const Points x = session.standardizer.apply(arrows->positions);
    Points field;
    if (session.isInterpolant()) {
        // Interpolant time runs from noise (0) to data (1); keep clear of the ends.
        session.interpolantModel->velocityAndScore(x, std::clamp(1.0 - arrows->time, 1e-3, 0.999),
                                                   field, nullptr);
    } else {
        session.model->score(x, arrows->time, field);
    }
    const double cell = std::min(box.x1 - box.x0, box.y1 - box.y0) / grid;
    scaleArrows(session, field, cell, arrows->vectors);
    return arrows;
}

std::vector<ShootoutRow> runSessionShootout(const DiffusionSession& session,
                                            const std::vector<int>& budgets,
                                            const std::atomic<bool>& cancel,
                                            const std::function<void(double)>& progress) {
    const auto& config = session.config;
    core::ShootoutOptions options;
    options.budgets = budgets;
    // One adaptive row, at Sample's tolerance (samplerOptionsForNfe); headless sweeps three.
    options.adaptiveTolerances = {1e-3};
    options.directions = kMetricDirections;
    options.mmdPoints = session.heldOut.cols();
    options.seed = config.data.seed + 4;
    const Points prior = priorNoise(session, config.samples, config.data.seed + 3);
    const core::ShootoutProgress report = [&progress](const ShootoutRow&, double fraction) {
        if (progress) progress(fraction);
    };
    if (session.isInterpolant())
        return core::runInterpolantShootout(*session.interpolantModel, config.epsilon, prior,
                                            session.heldOut, options, report, &cancel);
    return core::runShootout(*session.process, *session.model, prior, session.heldOut, options,
                             report, &cancel);
}

}  // namespace driftlab::app
