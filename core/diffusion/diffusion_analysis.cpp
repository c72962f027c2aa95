#include "core/diffusion/diffusion_analysis.h"

#include "core/diffusion/samplers.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

namespace driftlab::core {

namespace cd = diffusion;
using cd::Index;
using cd::Points;

namespace {

constexpr int kGenerationSteps = 200;
// The grid is a picture: 1e-3 changes log p by far less than a colour step and costs a
// fraction of the evaluations; bits/dim is a figure and gets the tighter tolerance.
constexpr double kGridTolerance = 1e-3;
constexpr double kHeldOutTolerance = 1e-4;

// The field the arrows show, in standardised coordinates, at diffusion time t.
Points learnedField(const SessionModel& model, const Points& x, double t) {
    Points field;
    if (model.isInterpolant()) {
        model.velocityField().velocityAndScore(x, std::clamp(1.0 - t, 1e-3, 0.999), field, nullptr);
    } else {
        model.scoreField().score(x, std::max(t, 1e-3), field);
    }
    return field;
}

}  // namespace

int ScrubFrames::frameAt(double t) const {
    if (times.empty()) return -1;
    const auto it = std::lower_bound(times.begin(), times.end(), t);
    if (it == times.end()) return static_cast<int>(times.size()) - 1;
    const int k = static_cast<int>(it - times.begin());
    if (k > 0 && t - times[k - 1] < *it - t) return k - 1;
    return k;
}

Points standardisedMixtureScore(const DiffusionSession& session, const Points& x, double t) {
    const cd::GaussianMixture2D& mixture = *session.data->mixture;
    const cd::Standardizer& standardizer = session.data->standardizer;
    const Eigen::Vector2d invScale = standardizer.scale.cwiseInverse();
    const cd::DiffusionProcess process(session.config.process);
    const double a = process.meanCoefficient(t);
    const double s = process.marginalStd(t);
    const std::size_t K = mixture.means.size();
    double weightSum = 0.0;
    for (double w : mixture.weights) weightSum += w;
    Points score = Points::Zero(2, x.cols());
    std::vector<double> logTerms(K);
    std::vector<Eigen::Vector2d> means(K), variances(K);
    for (std::size_t k = 0; k < K; ++k) {
        means[k] = a * invScale.cwiseProduct(mixture.means[k] - standardizer.mean);
        const Eigen::Vector2d componentVar =
            (mixture.stds[k] * invScale).cwiseAbs2();  // per axis after standardising
        variances[k] = (a * a) * componentVar + Eigen::Vector2d::Constant(s * s);
    }
    for (Index i = 0; i < x.cols(); ++i) {
        double top = -std::numeric_limits<double>::infinity();
        for (std::size_t k = 0; k < K; ++k) {
            const Eigen::Vector2d d = x.col(i) - means[k];
            logTerms[k] = std::log(mixture.weights[k] / weightSum) -
                          0.5 * (d.cwiseAbs2().cwiseQuotient(variances[k]).sum() +
                                 std::log(variances[k].prod()));
            top = std::max(top, logTerms[k]);
        }
        double norm = 0.0;
        Eigen::Vector2d sum = Eigen::Vector2d::Zero();
        for (std::size_t k = 0; k < K; ++k) {
            const double r = std::exp(logTerms[k] - top);  // responsibility, unnormalised
            norm += r;
            sum -= r * (x.col(i) - means[k]).cwiseQuotient(variances[k]);
        }
        score.col(i) = sum / norm;
    }
    return score;
}

std::shared_ptr<const ScrubFrames> computeScrubFrames(const DiffusionSession& session, int frames,
                                                      int particles, int grid,
                                                      const std::atomic<bool>* cancel) {
    auto out = std::make_shared<ScrubFrames>();
    const auto& config = session.config;
    const SessionModel model(session, cancel);
    const DiffusionData& data = *session.data;
    for (int k = 0; k < frames; ++k) out->times.push_back(double(k) / double(frames - 1));

    // Forward noising: one fixed noise draw per point, so each point visibly drifts.
    const Points x0 = data.train.leftCols(std::min<Index>(particles, data.train.cols()));
    const cd::DiffusionProcess standard{cd::ProcessConfig{}};
    const Points z = standard.samplePrior(x0.cols(), config.data.seed + 21);
    const Points z2 = standard.samplePrior(x0.cols(), config.data.seed + 22);
    for (double t : out->times) {
        if (session.isInterpolant()) {
            // x_s = alpha(s) noise + beta(s) data + gamma(s) z, with s = 1 - t.
            model.checkCancel();
            const cd::StochasticInterpolant& I = model.velocityField().interpolant();
            const double s = 1.0 - t;
            out->forward.push_back(
                session.toUser(I.alpha(s) * z + I.beta(s) * x0 + I.gamma(s) * z2));
        } else {
            model.checkCancel();
            out->forward.push_back(session.toUser(model.process().perturb(x0, t, z)));
        }
    }

    // Reverse generation: every particle recorded, then the state nearest each frame time.
    cd::SampleResult run;
    const Points noise = session.isInterpolant()
                             ? standard.samplePrior(particles, config.data.seed + 23)
                             : model.process().samplePrior(particles, config.data.seed + 23);
    if (session.isInterpolant()) {
        cd::SamplerOptions options;
        options.steps = kGenerationSteps;
        options.recordParticles = particles;
        options.epsilon = session.config.epsilon;
        options.seed = config.data.seed + 24;
        const bool stochastic = session.config.epsilon > 0;
        run = cd::sampleInterpolant(model.velocityField(), noise, stochastic, options);
        out->generator = stochastic ? "interpolant SDE" : "interpolant ODE";
        for (double& s : run.times) s = 1.0 - s;  // to diffusion time
    } else {
        cd::SamplerOptions options = samplerOptionsForNfe(cd::SamplerKind::ReverseSde,
                                                          kGenerationSteps, config.data.seed + 24);
        options.recordParticles = particles;
        run = cd::sampleDiffusion(cd::SamplerKind::ReverseSde, model.process(), model.scoreField(),
                                  noise, options);
        out->generator = "reverse SDE";
    }
    for (double t : out->times) {
        std::size_t best = 0;
        for (std::size_t k = 1; k < run.times.size(); ++k)
            if (std::abs(run.times[k] - t) < std::abs(run.times[best] - t)) best = k;
        out->reverse.push_back(run.paths.empty() ? Points(2, 0) : session.toUser(run.paths[best]));
    }

    // Arrows: the true field, where known, is drawn to the learned one's scale per frame so
    // their lengths compare.
    const Box box = displayBox(data);
    out->arrowPositions = gridPoints(box, grid);
    const Points x = data.standardizer.apply(out->arrowPositions);
    const double cell = std::min(box.x1 - box.x0, box.y1 - box.y0) / grid;
    out->fieldName = session.isInterpolant() ? "learned velocity" : "learned score";
    const bool truthKnown = data.mixture.has_value() && !session.isInterpolant();
    for (double t : out->times) {
        Points learned;
        const double reference = scaleArrows(data, learnedField(model, x, t), cell, learned);
        out->learned.push_back(std::move(learned));
        if (truthKnown) {
            Points truth;
            scaleArrows(data, standardisedMixtureScore(session, x, std::max(t, 1e-3)), cell, truth,
                        reference);
            out->truth.push_back(std::move(truth));
        }
    }
    return out;
}

cd::LikelihoodResult sessionLikelihood(const SessionModel& model, const DiffusionConfig& config,
                                       const Points& x, double tolerance) {
    // Start where training started: below tEpsilon (and, for interpolants, above
    // 1 - tEpsilon) the network never saw a time.
    const double tEpsilon = config.training.tEpsilon;
    if (model.isInterpolant())
        return cd::interpolantLikelihood(model.velocityField(), x, tEpsilon, 1.0 - tEpsilon,
                                         tolerance, tolerance);
    return cd::probabilityFlowLikelihood(model.process(), model.scoreField(), x, tEpsilon,
                                         tolerance, tolerance);
}

std::shared_ptr<const DensityMaps> computeDensityMaps(const DiffusionSession& session, int grid,
                                                      const std::atomic<bool>* cancel,
                                                      Index heldOutPoints) {
    const auto start = std::chrono::steady_clock::now();
    const SessionModel model(session, cancel);
    const DiffusionData& data = *session.data;
    auto maps = std::make_shared<DensityMaps>();
    maps->grid = grid;
    maps->box = displayBox(data);
    const Box& box = maps->box;
    const double cellArea = (box.x1 - box.x0) * (box.y1 - box.y0) / (double(grid) * grid);

    const Points user = data.toUser(data.train);
    maps->dataDensity = Eigen::VectorXd::Zero(Index(grid) * grid);
    for (Index i = 0; i < user.cols(); ++i) {
        const int j =
            std::clamp(int((user(0, i) - box.x0) / (box.x1 - box.x0) * grid), 0, grid - 1);
        const int k =
            std::clamp(int((user(1, i) - box.y0) / (box.y1 - box.y0) * grid), 0, grid - 1);
        maps->dataDensity(Index(k) * grid + j) += 1.0;
    }
    maps->dataDensity /= double(user.cols()) * cellArea;

    const auto onGrid = sessionLikelihood(
        model, session.config, data.standardizer.apply(gridPoints(box, grid)), kGridTolerance);
    const Index m = std::min<Index>(std::max<Index>(heldOutPoints, 1), data.heldOut.cols());
    const auto heldOut =
        sessionLikelihood(model, session.config, data.heldOut.leftCols(m), kHeldOutTolerance);
    maps->nfe = onGrid.nfe + heldOut.nfe;
    // The change of variables to the user's coordinates adds log |det d(std)/dx|.
    maps->modelLogDensity = onGrid.logDensity.array() + data.standardizer.logDetJacobian();
    maps->heldOutBitsPerDim = heldOut.bitsPerDim;
    if (!onGrid.ok) maps->message = "grid likelihood: " + onGrid.message;
    if (!heldOut.ok)
        maps->message += (maps->message.empty() ? "" : "; ") +
                         std::string("held-out likelihood: ") + heldOut.message;
    maps->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return maps;
}

}  // namespace driftlab::core
