#pragma once
// A trained diffusion model as an immutable value, and the private evaluator each job builds
// from it. Training owns the only mutable network (DiffusionTrainer); what it publishes is a
// DiffusionSession: the config, the data and a copy of the EMA weights (one contiguous
// vector). The sample, scrub, density and shoot-out jobs read a session concurrently without
// locks, each through its own SessionModel (a network is not reentrant: its evaluations use
// scratch space), so sampling while training runs or is paused is safe.
#include "core/common/error.h"
#include "core/diffusion/diffusion_config.h"
#include "core/diffusion/diffusion_data.h"

#include <Eigen/Core>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

namespace driftlab::core {

struct DiffusionSession {
    DiffusionConfig config;  // the model family too (model, interpolant, gamma, epsilon)
    std::shared_ptr<const DiffusionData> data;
    Eigen::VectorXd parameters;                  // the EMA weights
    long iterations = 0;                         // done when the weights were copied
    std::vector<double> lossIterations, losses;  // one entry per report
    double trainSeconds = 0.0;

    bool isInterpolant() const { return config.family == DiffusionModelFamily::Interpolant; }
    bool customData() const { return data->customData; }
    const diffusion::Points& train() const { return data->train; }
    const diffusion::Points& heldOut() const { return data->heldOut; }
    // Samples go standardised -> user coordinates for display.
    diffusion::Points toUser(const diffusion::Points& standardised) const {
        return data->toUser(standardised);
    }
};

// What a job sees when its cancel flag is raised in the middle of a long computation (a
// sampler's steps, an ODE likelihood solve): the evaluations throw it, the job stops.
class DiffusionCancelled : public Error {
public:
    DiffusionCancelled() : Error("cancelled") {}
};

// One job's own network with a session's weights. Every evaluation first looks at cancel
// (when given) and throws DiffusionCancelled once it is set, so a long sampler or likelihood
// loop ends within one network evaluation.
class SessionModel {
public:
    SessionModel(const DiffusionConfig& config, const Eigen::VectorXd& parameters,
                 const std::atomic<bool>* cancel = nullptr);
    explicit SessionModel(const DiffusionSession& session,
                          const std::atomic<bool>* cancel = nullptr)
        : SessionModel(session.config, session.parameters, cancel) {}
    ~SessionModel();
    SessionModel(const SessionModel&) = delete;
    SessionModel& operator=(const SessionModel&) = delete;

    void setParameters(const Eigen::VectorXd& parameters);
    bool isInterpolant() const { return interpolant_ != nullptr; }
    const diffusion::DiffusionProcess& process() const { return process_; }
    const diffusion::ScoreField& scoreField() const;        // score models only
    const diffusion::VelocityField& velocityField() const;  // interpolants only
    const diffusion::NeuralModel& network() const;
    // Throws DiffusionCancelled when cancel is set.
    void checkCancel() const;

private:
    class Score;
    class Velocity;
    const std::atomic<bool>* cancel_;
    diffusion::DiffusionProcess process_;
    std::unique_ptr<diffusion::DiffusionModel> score_;
    std::unique_ptr<diffusion::InterpolantModel> interpolant_;
    std::unique_ptr<Score> scoreView_;
    std::unique_ptr<Velocity> velocityView_;
};

// The samplers a session can run: the diffusion samplers for a score model, the interpolant
// ODE and SDE for an interpolant.
std::vector<std::string> sessionSamplerNames(const DiffusionSession& session);
// The configured sampler's id (an interpolant: its SDE when epsilon > 0, else its ODE).
std::string configuredSampler(const DiffusionConfig& config);
// n prior noise points: an interpolant's N(0, I), else the process's prior (wider for VE).
diffusion::Points priorNoise(const DiffusionConfig& config, diffusion::Index n, std::uint64_t seed);
// The prior the configured sampler and the shoot-out start from (seed + 11, config.samples).
diffusion::Points samplePrior(const DiffusionConfig& config);

}  // namespace driftlab::core
