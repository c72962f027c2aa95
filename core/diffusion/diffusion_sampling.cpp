#include "core/diffusion/diffusion_sampling.h"

#include "core/diffusion/metrics.h"

#include <algorithm>
#include <cmath>

namespace driftlab::core {

namespace cd = diffusion;
using cd::Index;
using cd::Points;

namespace {

constexpr int kPathSteps = 200;

// The recorder keeps one 2 x particles state per time; the view wants one polyline per
// particle, in the user's coordinates.
std::vector<Points> perParticle(const DiffusionData& data, const std::vector<Points>& states) {
    if (states.empty()) return {};
    const Index particles = states.front().cols();
    std::vector<Points> paths(static_cast<std::size_t>(particles),
                              Points(2, static_cast<Index>(states.size())));
    for (std::size_t k = 0; k < states.size(); ++k) {
        const Points user = data.toUser(states[k]);
        for (Index i = 0; i < particles; ++i) paths[i].col(static_cast<Index>(k)) = user.col(i);
    }
    return paths;
}

}  // namespace

SampleMetrics scoreSamples(const Points& samples, const Points& heldOut,
                           const ShootoutOptions& options) {
    SampleMetrics m;
    m.sw2 = cd::slicedWasserstein2(samples, heldOut, options.directions, options.seed);
    m.mmdPoints = std::min({options.mmdPoints, samples.cols(), heldOut.cols()});
    m.mmd2 = cd::mmdSquaredUnbiased(samples.leftCols(m.mmdPoints), heldOut.leftCols(m.mmdPoints));
    return m;
}

cd::SampleResult runSessionSampler(const SessionModel& model, const DiffusionConfig& config,
                                   const std::string& name, const Points& noise, int nfe,
                                   std::uint64_t seed, int record) {
    if (model.isInterpolant()) {
        const bool stochastic = name == "interpolant_sde";
        // The SDE needs a positive epsilon; with epsilon at 0 the drawn paths still show one.
        const double epsilon = config.epsilon > 0 ? config.epsilon : 1.0;
        cd::SamplerOptions options = interpolantOptionsForNfe(stochastic, nfe, epsilon, seed);
        options.recordParticles = record;
        return cd::sampleInterpolant(model.velocityField(), noise, stochastic, options);
    }
    const cd::SamplerKind kind = cd::samplerFromName(name);
    cd::SamplerOptions options = samplerOptionsForNfe(kind, nfe, seed);
    options.recordParticles = record;
    return cd::sampleDiffusion(kind, model.process(), model.scoreField(), noise, options);
}

DiffusionSample sampleSession(const DiffusionSession& session, const ShootoutOptions& metrics,
                              int particles, const std::atomic<bool>* cancel) {
    const DiffusionConfig& config = session.config;
    const SessionModel model(session, cancel);
    DiffusionSample out;
    const Points prior = samplePrior(config);
    out.sampler = configuredSampler(config);
    const cd::SampleResult result =
        runSessionSampler(model, config, out.sampler, prior, config.nfe, config.data.seed + 5);
    if (!result.ok) throw Error(out.sampler + " stopped: " + result.message);
    out.samples = result.samples;
    out.nfe = result.nfe;
    out.seconds = result.seconds;
    const SampleMetrics scored = scoreSamples(result.samples, session.heldOut(), metrics);
    out.sw2 = scored.sw2;
    out.mmd2 = scored.mmd2;
    out.mmdPoints = scored.mmdPoints;

    if (particles > 0) {
        // The same initial noise through both dynamics: where the SDE's paths jitter and
        // the ODE's glide is the visible difference between the two.
        const Points start = prior.leftCols(std::min<Index>(particles, prior.cols()));
        const int record = static_cast<int>(start.cols());
        const bool interpolant = session.isInterpolant();
        // At epsilon 0 the drawn SDE paths use the stand-in 1; the legend says so (in ASCII:
        // the VTK font has no Greek).
        out.stochasticName = !interpolant           ? "reverse-SDE"
                             : config.epsilon > 0.0 ? "interpolant SDE"
                                                    : "interpolant SDE (eps = 1)";
        out.deterministicName = interpolant ? "interpolant ODE" : "probability-flow ODE";
        const auto sdeRun =
            runSessionSampler(model, config, interpolant ? "interpolant_sde" : "reverse_sde", start,
                              kPathSteps, 5, record);
        const auto odeRun =
            runSessionSampler(model, config, interpolant ? "interpolant_ode" : "probability_flow",
                              start, kPathSteps, 5, record);
        out.sdePaths = perParticle(*session.data, sdeRun.paths);
        out.odePaths = perParticle(*session.data, odeRun.paths);
        out.pathsRecorded = !out.sdePaths.empty() && !out.odePaths.empty();
    }
    return out;
}

std::vector<ShootoutRow> runSessionShootout(const DiffusionSession& session,
                                            const ShootoutOptions& options,
                                            const std::atomic<bool>* cancel,
                                            const ShootoutProgress& progress) {
    const SessionModel model(session, cancel);
    const Points prior = samplePrior(session.config);
    if (session.isInterpolant())
        return runInterpolantShootout(model.velocityField(), session.config.epsilon, prior,
                                      session.heldOut(), options, progress, cancel);
    return runShootout(model.process(), model.scoreField(), prior, session.heldOut(), options,
                       progress, cancel);
}

Box displayBox(const DiffusionData& data) {
    const Points user = data.toUser(data.train);
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

double scaleArrows(const DiffusionData& data, const Points& field, double cell, Points& vectors,
                   double reference) {
    // A standardised displacement d is scale .* d in the user's coordinates.
    const Points user = data.standardizer.scale.asDiagonal() * field;
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

std::shared_ptr<const FieldArrows> learnedFieldArrows(const DiffusionSession& session, double t,
                                                      int grid) {
    const SessionModel model(session);
    auto arrows = std::make_shared<FieldArrows>();
    arrows->time = std::clamp(t, 1e-3, 1.0);
    const Box box = displayBox(*session.data);
    arrows->positions = gridPoints(box, grid);
    const Points x = session.data->standardizer.apply(arrows->positions);
    Points field;
    if (session.isInterpolant()) {
        // Interpolant time runs from noise (0) to data (1); keep clear of the ends.
        model.velocityField().velocityAndScore(x, std::clamp(1.0 - arrows->time, 1e-3, 0.999),
                                               field, nullptr);
    } else {
        model.scoreField().score(x, arrows->time, field);
    }
    const double cell = std::min(box.x1 - box.x0, box.y1 - box.y0) / grid;
    scaleArrows(*session.data, field, cell, arrows->vectors);
    return arrows;
}

}  // namespace driftlab::core
