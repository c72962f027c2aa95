#include "core/models/adaptive_series_ode_parts.h"

#include <cmath>

#include "core/common/error.h"
#include "core/models/series_networks.h"

namespace driftlab::core::models::adaptive_parts {

using timeseries::Mask;
using timeseries::Series;

const SeriesModelConfig& checked(const SeriesModelConfig& c) {
    const std::string who = "adaptive neural ODE: ";
    if (c.kind != SeriesModelKind::NeuralOde || !c.adaptive)
        throw ConfigError(who + "needs kind = ode and adaptive = true");
    if (c.channels < 1 || c.latentDim < 1 || c.encoderObservations < 1)
        throw ConfigError(who + "channels, latent dimension and encoder observations must be >= 1");
    checkStateSpace(c, who);
    if (c.objective == SeriesObjective::Elbo)
        throw ConfigError(who + "objective 'elbo' needs an SDE kind; use 'mse' or 'nll'");
    if (!(c.rtol > 0.0) || !(c.atol > 0.0) || !std::isfinite(c.rtol) || !std::isfinite(c.atol))
        throw ConfigError(who + "rtol and atol must be positive and finite");
    if (!(c.errorRegularization >= 0.0) || !(c.stiffnessRegularization >= 0.0) ||
        !std::isfinite(c.errorRegularization) || !std::isfinite(c.stiffnessRegularization))
        throw ConfigError(who +
                          "error and stiffness regularisation weights must be finite and >= 0");
    if (c.localRegularizationPoints < 0 || c.localRegularizationPoints > 100000)
        throw ConfigError(who + "local regularisation points must be in [0, 100000]");
    if (c.classes < 0 || c.classes == 1)
        throw ConfigError(who + "classes must be 0 (regression) or >= 2");
    if (c.gradient == GradientMethod::Adjoint &&
        (c.errorRegularization > 0.0 || c.stiffnessRegularization > 0.0))
        throw ConfigError(
            who +
            "the ERNODE regularisers are sums over the discrete solver steps, "
            "which the continuous adjoint does not differentiate; use gradient = backprop");
    return c;
}

std::vector<timeseries::ChannelInterpolant> controlPath(ControlPath path, const Series& s,
                                                        const Mask& context) {
    std::vector<timeseries::ChannelInterpolant> channels;
    if (path == ControlPath::None) return channels;
    const auto kind = path == ControlPath::Linear ? timeseries::InterpolationKind::Linear
                                                  : timeseries::InterpolationKind::NaturalCubic;
    for (nn::Index i = 0; i < s.channels(); ++i) {
        std::vector<double> t, v;
        for (nn::Index j = 0; j < s.length(); ++j)
            if (context(i, j)) {
                t.push_back(s.times[std::size_t(j)]);
                v.push_back(s.values(i, j));
            }
        channels.emplace_back(kind, std::move(t), std::move(v));
    }
    return channels;
}

}  // namespace driftlab::core::models::adaptive_parts
