#pragma once
// Internals of the adaptive latent neural ODE (adaptive_series_ode.cpp), apart so that file
// stays readable: config checks, the control path and the latent drift as a differentiable
// ODE system. Network shapes and the encoder input are shared with the fixed-step models
// (series_networks.h).
#include <vector>

#include "core/models/series_interpolation.h"
#include "core/models/series_model.h"
#include "core/nn/mlp.h"
#include "core/solvers/differentiable_ode.h"

namespace driftlab::core::models::adaptive_parts {

// Returns c, or throws ConfigError naming the field.
const SeriesModelConfig& checked(const SeriesModelConfig& c);
// X(t) of one series: every channel interpolated through its context cells (empty for
// ControlPath::None).
std::vector<timeseries::ChannelInterpolant> controlPath(ControlPath path,
                                                        const timeseries::Series& s,
                                                        const timeseries::Mask& context);

// dz/dtau = f(z[, tau][, X(t0 + tau)]) for one series, tau = time since its first
// observation. Counts every evaluation (forward, replay, vector-Jacobian products): NFE.
class LatentDrift final : public DifferentiableOdeSystem {
public:
    LatentDrift(const nn::Mlp<double>& drift, nn::Index latentDim, bool seesTime,
                const std::vector<timeseries::ChannelInterpolant>* control, double t0)
        : drift_(drift),
          d_(latentDim),
          seesTime_(seesTime),
          control_(control),
          t0_(t0),
          input_(drift.inputDim(), 1) {}

    int dimension() const override { return static_cast<int>(d_); }
    bool isAutonomous() const override { return !seesTime_ && (!control_ || control_->empty()); }
    Eigen::Index parameterCount() const override { return drift_.parameterCount(); }
    long evaluations() const { return evaluations_; }

    void rhs(double t, const Eigen::VectorXd& y, Eigen::VectorXd& dydt) const override {
        dydt = forward(t, y);
    }

    void vjp(double t, const Eigen::VectorXd& y, const Eigen::VectorXd& v, Eigen::VectorXd& dy,
             Eigen::VectorXd& dtheta, Eigen::VectorXd* value) const override {
        const Eigen::MatrixXd& f = forward(t, y);
        if (value) *value = f;
        const Eigen::MatrixXd& inputGrad = drift_.backward(v, ws_, dtheta.data(), true);
        dy += inputGrad.topRows(d_);
    }

private:
    const Eigen::MatrixXd& forward(double t, const Eigen::VectorXd& y) const {
        ++evaluations_;
        input_.topRows(d_) = y;
        if (control_)
            for (std::size_t i = 0; i < control_->size(); ++i)
                input_(d_ + nn::Index(i), 0) = (*control_)[i].value(t0_ + t);
        return seesTime_ ? drift_.forward(input_, t, ws_) : drift_.forward(input_, ws_);
    }

    const nn::Mlp<double>& drift_;
    nn::Index d_;
    bool seesTime_;
    const std::vector<timeseries::ChannelInterpolant>* control_;
    double t0_;
    mutable Eigen::MatrixXd input_;
    mutable nn::MlpWorkspace<double> ws_;
    mutable long evaluations_ = 0;
};

}  // namespace driftlab::core::models::adaptive_parts
