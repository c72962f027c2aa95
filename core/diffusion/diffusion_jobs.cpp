#include "core/diffusion/diffusion_jobs.h"

#include <chrono>

namespace driftlab::core {

namespace cd = diffusion;

namespace {

class TrainingJob final : public RunJob {
public:
    explicit TrainingJob(std::shared_ptr<DiffusionTrainer> trainer)
        : trainer_(std::move(trainer)) {}

    void step(RunContext& context) override {
        std::lock_guard lock(trainer_->mutex());
        try {
            trainer_->train(1, {}, &context.stopFlag());
        } catch (const DiffusionCancelled&) {
            throw;
        } catch (const Error& e) {
            // The weights of the iteration before are kept; the run stops and says why.
            diverged_ = e.what();
        }
        const long done = trainer_->iterations();
        const long total = trainer_->config().iterations;
        context.setProgress(total > 0 ? double(done) / double(total) : 1.0, double(done));
    }

    Status status() const override {
        if (!diverged_.empty()) return Status::Diverged;
        return trainer_->finished() ? Status::Finished : Status::More;
    }
    std::string message() const override { return diverged_; }

    std::shared_ptr<const Snapshot> snapshot(bool full) override {
        std::lock_guard lock(trainer_->mutex());
        auto s = std::make_shared<DiffusionTrainingSnapshot>();
        s->iteration = trainer_->iterations();
        s->totalIterations = trainer_->config().iterations;
        s->seconds = trainer_->seconds();
        // The curve is one entry per report (tens per second at most): copying it is cheap
        // next to the publication interval, and the snapshot stays immutable.
        s->lossIterations = trainer_->lossIterations();
        s->losses = trainer_->losses();
        s->bucketLoss = trainer_->bucketLoss();
        s->previewSampler = DiffusionTrainer::previewSamplerName(trainer_->config());
        if (full || preview_.cols() == 0) preview_ = trainer_->preview();
        s->preview = preview_;
        if (full) s->session = trainer_->publish();
        return s;
    }

private:
    std::shared_ptr<DiffusionTrainer> trainer_;
    cd::Points preview_;
    std::string diverged_;
};

class TaskJob final : public RunJob {
public:
    TaskJob(DiffusionTask task, std::shared_ptr<const DiffusionSession> session,
            DiffusionTaskOptions options)
        : task_(task), session_(std::move(session)), options_(std::move(options)) {
        if (!session_) throw Error("no trained model: train one first");
    }

    void step(RunContext& context) override {
        const auto start = std::chrono::steady_clock::now();
        const std::atomic<bool>* cancel = &context.stopFlag();
        auto result = std::make_shared<DiffusionResultSnapshot>();
        result->task = task_;
        result->session = session_;
        try {
            switch (task_) {
                case DiffusionTask::Sample:
                    result->sample = std::make_shared<const DiffusionSample>(
                        sampleSession(*session_, options_.metrics, options_.particles, cancel));
                    break;
                case DiffusionTask::Scrub:
                    result->frames = computeScrubFrames(*session_, 41, 1000, 21, cancel);
                    break;
                case DiffusionTask::Density:
                    result->density = computeDensityMaps(*session_, options_.densityGrid, cancel,
                                                         options_.likelihoodPoints);
                    break;
                case DiffusionTask::Shootout:
                    result->shootout =
                        runSessionShootout(*session_, options_.metrics, cancel,
                                           [&context](const ShootoutRow&, double fraction) {
                                               context.setProgress(fraction);
                                           });
                    break;
            }
        } catch (const DiffusionCancelled&) {
            done_ = true;  // the Run sees the stop flag and settles as Cancelled
            return;
        }
        if (context.stopRequested()) {
            done_ = true;
            return;
        }
        result->iteration = 1;
        result->totalIterations = 1;
        result->seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        result_ = std::move(result);
        context.setProgress(1.0);
        done_ = true;
    }

    Status status() const override { return done_ ? Status::Finished : Status::More; }
    std::shared_ptr<const Snapshot> snapshot(bool) override { return result_; }
    bool steppable() const override { return false; }
    std::string workUnit() const override { return {}; }

private:
    DiffusionTask task_;
    std::shared_ptr<const DiffusionSession> session_;
    DiffusionTaskOptions options_;
    std::shared_ptr<const DiffusionResultSnapshot> result_;
    bool done_ = false;
};

}  // namespace

std::unique_ptr<RunJob> makeDiffusionTrainingJob(std::shared_ptr<DiffusionTrainer> trainer) {
    if (!trainer) throw Error("diffusion training: no trainer");
    return std::make_unique<TrainingJob>(std::move(trainer));
}

std::unique_ptr<RunJob> makeDiffusionTaskJob(DiffusionTask task,
                                             std::shared_ptr<const DiffusionSession> session,
                                             DiffusionTaskOptions options) {
    return std::make_unique<TaskJob>(task, std::move(session), std::move(options));
}

}  // namespace driftlab::core
