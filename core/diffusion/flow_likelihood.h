#pragma once
// The change-of-variables likelihood shared by the score models' probability-flow ODE and
// the interpolants' velocity ODE: integrate the points and the divergence of the flow from
// the data end to the noise end, then log p(x) = log p_base(x_end) + integral of div.
// In 2-D the divergence is exact, so the likelihood is too, up to the ODE tolerances.
#include <functional>

#include "core/diffusion/samplers.h"

namespace driftlab::core::diffusion {

// velocity = dx/ds at (s, positions) and divergence = its trace, one entry per point; the
// solve runs forward in s from s0 to s1.
using FlowWithDivergence = std::function<void(double s, const Eigen::Map<const Points>& positions,
                                              Points& velocity, Eigen::VectorXd& divergence)>;

LikelihoodResult flowLikelihood(const Points& x, double s0, double s1,
                                const FlowWithDivergence& flow,
                                const std::function<Eigen::VectorXd(const Points&)>& baseLogDensity,
                                double rtol, double atol);

}  // namespace driftlab::core::diffusion
