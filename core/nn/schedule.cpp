#include "core/nn/schedule.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "core/common/error.h"

namespace driftlab::core::nn {

void LearningRateSchedule::validate() const {
    if (!(baseRate >= 0.0) || !(minRate >= 0.0))
        throw ConfigError("learning-rate schedule: rates must not be negative");
    if (kind == Kind::Step && stepSize <= 0)
        throw ConfigError("learning-rate schedule: step size must be positive");
    if (kind == Kind::Cosine && totalSteps <= warmupSteps)
        throw ConfigError(
            "learning-rate schedule: cosine decay needs more total steps than "
            "warm-up steps");
    if (warmupSteps < 0) throw ConfigError("learning-rate schedule: negative warm-up");
}

double LearningRateSchedule::rate(std::int64_t step) const {
    validate();
    step = std::max<std::int64_t>(step, 0);
    if (step < warmupSteps)
        return baseRate * static_cast<double>(step + 1) / static_cast<double>(warmupSteps);
    const std::int64_t s = step - warmupSteps;
    switch (kind) {
        case Kind::Constant:
            return baseRate;
        case Kind::Step:
            return baseRate * std::pow(gamma, static_cast<double>(s / stepSize));
        case Kind::Cosine: {
            const double span = static_cast<double>(totalSteps - warmupSteps);
            const double progress = std::min(static_cast<double>(s) / span, 1.0);
            return minRate +
                   0.5 * (baseRate - minRate) * (1.0 + std::cos(std::numbers::pi * progress));
        }
    }
    return baseRate;
}

}  // namespace driftlab::core::nn
