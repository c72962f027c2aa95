#include "core/diffusion/diffusion_session.h"

#include <algorithm>

namespace driftlab::core {

namespace cd = diffusion;

namespace {

// Big batches are evaluated a slice at a time with a look at the cancel flag in between, so a
// cancel is seen within one slice however many points a job pushes through. The network
// itself works in chunks of 256 columns; slices on multiples of that leave every chunk, and
// so every number, as one call would compute it.
constexpr cd::Index kSlice = 1024;

template <class Evaluate>
void sliced(const SessionModel& owner, const cd::Points& x, cd::Points& out,
            Eigen::VectorXd* divergence, Evaluate evaluate) {
    owner.checkCancel();
    const cd::Index n = x.cols();
    if (n <= kSlice) {
        evaluate(x, out, divergence);
        return;
    }
    out.resize(2, n);
    if (divergence) divergence->resize(n);
    cd::Points part;
    Eigen::VectorXd partDivergence;
    for (cd::Index c0 = 0; c0 < n; c0 += kSlice) {
        if (c0 > 0) owner.checkCancel();
        const cd::Index nc = std::min(kSlice, n - c0);
        evaluate(x.middleCols(c0, nc), part, divergence ? &partDivergence : nullptr);
        out.middleCols(c0, nc) = part;
        if (divergence) divergence->segment(c0, nc) = partDivergence;
    }
}

}  // namespace

class SessionModel::Score final : public cd::ScoreField {
public:
    Score(const SessionModel& owner, const cd::DiffusionModel& model)
        : owner_(owner), model_(model) {}
    void score(const cd::Points& x, double t, cd::Points& out) const override {
        sliced(owner_, x, out, nullptr, [&](const cd::Points& xs, cd::Points& o, Eigen::VectorXd*) {
            model_.score(xs, t, o);
        });
    }
    void scoreWithDivergence(const cd::Points& x, double t, cd::Points& out,
                             Eigen::VectorXd& divergence) const override {
        sliced(owner_, x, out, &divergence,
               [&](const cd::Points& xs, cd::Points& o, Eigen::VectorXd* d) {
                   model_.scoreWithDivergence(xs, t, o, *d);
               });
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
        if (!score) {
            sliced(owner_, x, velocity, nullptr,
                   [&](const cd::Points& xs, cd::Points& v, Eigen::VectorXd*) {
                       model_.velocityAndScore(xs, t, v, nullptr);
                   });
            return;
        }
        // Velocity and score come from one evaluation: slice both together.
        owner_.checkCancel();
        const cd::Index n = x.cols();
        if (n <= kSlice) {
            model_.velocityAndScore(x, t, velocity, score);
            return;
        }
        velocity.resize(2, n);
        score->resize(2, n);
        cd::Points v, s;
        for (cd::Index c0 = 0; c0 < n; c0 += kSlice) {
            if (c0 > 0) owner_.checkCancel();
            const cd::Index nc = std::min(kSlice, n - c0);
            model_.velocityAndScore(x.middleCols(c0, nc), t, v, &s);
            velocity.middleCols(c0, nc) = v;
            score->middleCols(c0, nc) = s;
        }
    }
    void velocityWithDivergence(const cd::Points& x, double t, cd::Points& velocity,
                                Eigen::VectorXd& divergence) const override {
        sliced(owner_, x, velocity, &divergence,
               [&](const cd::Points& xs, cd::Points& v, Eigen::VectorXd* d) {
                   model_.velocityWithDivergence(xs, t, v, *d);
               });
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
    for (auto kind :
         {cd::SamplerKind::ReverseSde, cd::SamplerKind::PredictorCorrector,
          cd::SamplerKind::ProbabilityFlow, cd::SamplerKind::Ddim, cd::SamplerKind::DpmSolver1,
          cd::SamplerKind::DpmSolver2, cd::SamplerKind::DpmSolver3, cd::SamplerKind::DpmSolverPP2M})
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
