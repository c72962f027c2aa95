#include "core/diffusion/diffusion_session.h"

namespace driftlab::core {

namespace cd = diffusion;

class SessionModel::Score final : public cd::ScoreField {
public:
    Score(const SessionModel& owner, const cd::DiffusionModel& model)
        : owner_(owner), model_(model) {}
    void score(const cd::Points& x, double t, cd::Points& out) const override {
        owner_.checkCancel();
        model_.score(x, t, out);
    }
    void scoreWithDivergence(const cd::Points& x, double t, cd::Points& out,
                             Eigen::VectorXd& divergence) const override {
        owner_.checkCancel();
        model_.scoreWithDivergence(x, t, out, divergence);
    }

private:
    const SessionModel& owner_;
    const cd::DiffusionModel& model_;
};

class SessionModel::Velocity final : public cd::VelocityField {
public:
    Velocity(const SessionModel& owner, const cd::InterpolantModel& model)
        : owner_(owner), model_(model) {}
    const cd::StochasticInterpolant& interpolant() const override { return model_.interpolant(); }
    void velocityAndScore(const cd::Points& x, double t, cd::Points& velocity,
                          cd::Points* score) const override {
        owner_.checkCancel();
        model_.velocityAndScore(x, t, velocity, score);
    }
    void velocityWithDivergence(const cd::Points& x, double t, cd::Points& velocity,
                                Eigen::VectorXd& divergence) const override {
        owner_.checkCancel();
        model_.velocityWithDivergence(x, t, velocity, divergence);
    }

private:
    const SessionModel& owner_;
    const cd::InterpolantModel& model_;
};

SessionModel::SessionModel(const DiffusionConfig& config, const Eigen::VectorXd& parameters,
                           const std::atomic<bool>* cancel)
    : cancel_(cancel), process_(config.process) {
    if (config.family == DiffusionModelFamily::Interpolant) {
        interpolant_ = std::make_unique<cd::InterpolantModel>(
            cd::StochasticInterpolant(config.interpolant), config.net, config.training);
        velocityView_ = std::make_unique<Velocity>(*this, *interpolant_);
    } else {
        score_ = std::make_unique<cd::DiffusionModel>(process_, config.prediction, config.net,
                                                      config.training);
        scoreView_ = std::make_unique<Score>(*this, *score_);
    }
    setParameters(parameters);
}

SessionModel::~SessionModel() = default;

void SessionModel::setParameters(const Eigen::VectorXd& parameters) {
    if (interpolant_)
        interpolant_->setEmaParameters(parameters);
    else
        score_->setEmaParameters(parameters);
}

const cd::ScoreField& SessionModel::scoreField() const {
    if (!scoreView_) throw Error("an interpolant has no score-SDE field");
    return *scoreView_;
}

const cd::VelocityField& SessionModel::velocityField() const {
    if (!velocityView_) throw Error("a score model has no interpolant velocity");
    return *velocityView_;
}

const cd::NeuralModel& SessionModel::network() const {
    if (interpolant_) return *interpolant_;
    return *score_;
}

void SessionModel::checkCancel() const {
    if (cancel_ && cancel_->load(std::memory_order_relaxed)) throw DiffusionCancelled();
}

std::vector<std::string> sessionSamplerNames(const DiffusionSession& session) {
    if (session.isInterpolant()) return {"interpolant_ode", "interpolant_sde"};
    std::vector<std::string> names;
    for (auto kind : {cd::SamplerKind::ReverseSde, cd::SamplerKind::PredictorCorrector,
                      cd::SamplerKind::ProbabilityFlow, cd::SamplerKind::Ddim,
                      cd::SamplerKind::DpmSolver1, cd::SamplerKind::DpmSolver2,
                      cd::SamplerKind::DpmSolver3, cd::SamplerKind::DpmSolverPP2M})
        names.push_back(cd::samplerName(kind));
    return names;
}

std::string configuredSampler(const DiffusionConfig& config) {
    if (config.family == DiffusionModelFamily::Interpolant)
        return config.epsilon > 0 ? "interpolant_sde" : "interpolant_ode";
    return cd::samplerName(config.sampler);
}

cd::Points priorNoise(const DiffusionConfig& config, cd::Index n, std::uint64_t seed) {
    if (config.family == DiffusionModelFamily::Interpolant)
        return cd::DiffusionProcess(cd::ProcessConfig{}).samplePrior(n, seed);
    return cd::DiffusionProcess(config.process).samplePrior(n, seed);
}

cd::Points samplePrior(const DiffusionConfig& config) {
    return priorNoise(config, config.samples, config.data.seed + 11);
}

}  // namespace driftlab::core
