#pragma once
// What the samplers ask of a model: the score of the noised data at time t (diffusion
// processes) or the velocity and score of a stochastic interpolant. Trained networks and the
// exact Gaussian-mixture reference both implement these, so every sampler can be checked
// against the exact score before a network is involved. Evaluations take a whole batch.
#include "core/diffusion/sde_process.h"

namespace driftlab::core::diffusion {

class ScoreField {
public:
    virtual ~ScoreField() = default;
    // out = grad_x log p_t(x), 2 x n (resized).
    virtual void score(const Points& x, double t, Points& out) const = 0;
    // The score and its divergence (the trace of its Jacobian) per point. The default uses
    // central differences (4 extra evaluations); implementations override it with the exact
    // trace.
    virtual void scoreWithDivergence(const Points& x, double t, Points& out,
                                     Eigen::VectorXd& divergence) const;
};

// The exact score of a Gaussian-mixture data law noised by a process.
class MixtureScoreField final : public ScoreField {
public:
    MixtureScoreField(const DiffusionProcess& process, GaussianMixture2D data)
        : process_(process), data_(std::move(data)) {
        data_.validate();
    }
    void score(const Points& x, double t, Points& out) const override;
    void scoreWithDivergence(const Points& x, double t, Points& out,
                             Eigen::VectorXd& divergence) const override;

private:
    DiffusionProcess process_;
    GaussianMixture2D data_;
};

// Stochastic interpolant x_t = alpha(t) x0 + beta(t) x1 + gamma(t) z, x0 ~ N(0, I) (noise at
// t = 0), x1 the data (t = 1), z ~ N(0, I) independent.
enum class InterpolantKind { Linear, Trigonometric };

struct InterpolantConfig {
    InterpolantKind kind = InterpolantKind::Linear;
    double gammaScale = 0.0;  // a in gamma(t) = a sqrt(t (1 - t)); 0 is flow matching
};

class StochasticInterpolant {
public:
    // ConfigError for a negative or non-finite gamma scale.
    explicit StochasticInterpolant(const InterpolantConfig& config);
    const InterpolantConfig& config() const { return config_; }

    double alpha(double t) const;
    double beta(double t) const;
    double gamma(double t) const;
    double alphaDot(double t) const;
    double betaDot(double t) const;
    double gammaDot(double t) const;  // infinite at t = 0 and 1 when a > 0; callers stay inside
    // x0 and z together are one Gaussian of this std, so the score of x_t is
    // -E[noise | x_t] / noiseStd with noise = (alpha x0 + gamma z) / noiseStd.
    double noiseStd(double t) const;

private:
    InterpolantConfig config_;
};

class VelocityField {
public:
    virtual ~VelocityField() = default;
    virtual const StochasticInterpolant& interpolant() const = 0;
    // Velocity b(x, t) and, when score is non-null, the score of x_t; one evaluation.
    virtual void velocityAndScore(const Points& x, double t, Points& velocity,
                                  Points* score) const = 0;
    // The velocity and its divergence per point, for the exact likelihood. The default uses
    // central differences (4 extra evaluations); networks override it with the exact trace.
    virtual void velocityWithDivergence(const Points& x, double t, Points& velocity,
                                        Eigen::VectorXd& divergence) const;
};

}  // namespace driftlab::core::diffusion
