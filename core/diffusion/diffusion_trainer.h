#pragma once
// The one training loop of a diffusion experiment, for the window (a steppable RunJob that
// trains one iteration per step, diffusion_jobs.h) and the headless run (one call for every
// iteration) alike. It owns the only mutable network of an experiment; what leaves it is an
// immutable DiffusionSession with a copy of the EMA weights. Training one iteration per call
// reports exactly as one long call does (the report window stays open between calls), so
// the loss history and the weights do not depend on how the work was cut.
#include "core/diffusion/diffusion_session.h"

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

namespace driftlab::core {

class DiffusionTrainer {
public:
    // ConfigError for a bad network or training config.
    DiffusionTrainer(const DiffusionConfig& config, std::shared_ptr<const DiffusionData> data);
    ~DiffusionTrainer();
    DiffusionTrainer(const DiffusionTrainer&) = delete;
    DiffusionTrainer& operator=(const DiffusionTrainer&) = delete;

    const DiffusionConfig& config() const { return config_; }
    const std::shared_ptr<const DiffusionData>& data() const { return data_; }

    // Up to n more iterations, never past config().iterations; callback sees every report
    // (seconds: training time of this trainer so far), the loss history grows with them.
    // A non-finite loss throws driftlab::Error naming the iteration; the weights of the
    // iteration before are kept. cancel stops between iterations.
    diffusion::TrainResult train(long n, const diffusion::TrainCallback& callback = {},
                                 const std::atomic<bool>* cancel = nullptr);
    long iterations() const;  // done so far
    bool finished() const { return iterations() >= config_.iterations; }
    double seconds() const { return seconds_; }
    const std::vector<double>& lossIterations() const { return lossIterations_; }
    const std::vector<double>& losses() const { return losses_; }
    const std::vector<double>& bucketLoss() const { return bucketLoss_; }  // of the last report

    diffusion::NeuralModel& network();
    const diffusion::NeuralModel& network() const;
    // The current EMA weights with the data and the loss history, as an immutable session.
    std::shared_ptr<const DiffusionSession> publish() const;
    // A few hundred samples of the current model (user coordinates) from one fixed noise
    // draw, so the cloud condenses instead of flickering; 10 network evaluations.
    diffusion::Points preview();
    static const char* previewSamplerName(const DiffusionConfig& config);

    // Held by whoever drives the network: a run's step, or a new run taking over the
    // trainer while a cancelled one finishes its last iteration.
    std::mutex& mutex() { return mutex_; }

private:
    DiffusionConfig config_;
    std::shared_ptr<const DiffusionData> data_;
    std::unique_ptr<diffusion::DiffusionModel> score_;
    std::unique_ptr<diffusion::InterpolantModel> interpolant_;
    std::vector<double> lossIterations_, losses_, bucketLoss_;
    double seconds_ = 0.0;
    diffusion::Points previewNoise_;
    std::unique_ptr<SessionModel> previewModel_;
    std::mutex mutex_;
};

}  // namespace driftlab::core
