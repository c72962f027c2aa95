#include "core/diffusion/diffusion_trainer.h"

#include "core/diffusion/diffusion_sampling.h"

#include <algorithm>

namespace driftlab::core {

namespace cd = diffusion;

namespace {
constexpr int kPreviewSamples = 400;
constexpr int kPreviewNfe = 10;
}  // namespace

DiffusionTrainer::DiffusionTrainer(const DiffusionConfig& config,
                                   std::shared_ptr<const DiffusionData> data)
    : config_(config), data_(std::move(data)) {
    if (!data_) throw Error("diffusion training: no data");
    if (config_.family == DiffusionModelFamily::Interpolant) {
        interpolant_ = std::make_unique<cd::InterpolantModel>(
            cd::StochasticInterpolant(config_.interpolant), config_.net, config_.training);
    } else {
        score_ =
            std::make_unique<cd::DiffusionModel>(cd::DiffusionProcess(config_.process),
                                                 config_.prediction, config_.net, config_.training);
    }
    network().setData(data_->train);
}

DiffusionTrainer::~DiffusionTrainer() = default;

cd::NeuralModel& DiffusionTrainer::network() {
    if (interpolant_) return *interpolant_;
    return *score_;
}

const cd::NeuralModel& DiffusionTrainer::network() const {
    if (interpolant_) return *interpolant_;
    return *score_;
}

long DiffusionTrainer::iterations() const { return network().iterations(); }

cd::TrainResult DiffusionTrainer::train(long n, const cd::TrainCallback& callback,
                                        const std::atomic<bool>* cancel) {
    const long left = std::max(0L, config_.iterations - iterations());
    const long count = std::clamp(n, 0L, left);
    const double before = seconds_;
    const auto report = [&](const cd::TrainProgress& progress) {
        cd::TrainProgress p = progress;
        p.seconds += before;
        lossIterations_.push_back(double(p.iteration));
        losses_.push_back(p.loss);
        bucketLoss_ = p.bucketLoss;
        if (callback) callback(p);
    };
    // The window closes at the last iteration only, as in one call for the whole run.
    cd::TrainResult result =
        network().train(count, report, cancel, iterations() + count >= config_.iterations);
    seconds_ += result.seconds;
    result.seconds = seconds_;
    return result;
}

std::shared_ptr<const DiffusionSession> DiffusionTrainer::publish() const {
    auto session = std::make_shared<DiffusionSession>();
    session->config = config_;
    session->data = data_;
    session->parameters = network().emaParameters();
    session->iterations = iterations();
    session->lossIterations = lossIterations_;
    session->losses = losses_;
    session->trainSeconds = seconds_;
    return session;
}

const char* DiffusionTrainer::previewSamplerName(const DiffusionConfig& config) {
    return config.family == DiffusionModelFamily::Interpolant ? "interpolant_ode" : "dpm_solver_2";
}

cd::Points DiffusionTrainer::preview() {
    if (previewNoise_.cols() == 0)
        previewNoise_ = priorNoise(config_, kPreviewSamples, config_.data.seed + 11);
    const Eigen::VectorXd weights = network().emaParameters();
    if (!previewModel_)
        previewModel_ = std::make_unique<SessionModel>(config_, weights);
    else
        previewModel_->setParameters(weights);
    const cd::SampleResult run = runSessionSampler(
        *previewModel_, config_, previewSamplerName(config_), previewNoise_, kPreviewNfe, 0);
    return data_->toUser(run.samples);
}

}  // namespace driftlab::core
