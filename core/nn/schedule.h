#pragma once
// Learning-rate schedules as plain functions of the step index (counted from 0), so a run
// resumed at step k gets the same rate as an uninterrupted one.
#include <cstdint>

namespace driftlab::core::nn {

struct LearningRateSchedule {
    enum class Kind { Constant, Step, Cosine };
    Kind kind = Kind::Constant;
    double baseRate = 1e-3;
    // Step: baseRate * gamma^floor(s / stepSize).
    std::int64_t stepSize = 1000;
    double gamma = 0.1;
    // Cosine: from baseRate down to minRate over totalSteps (warm-up included), then minRate.
    std::int64_t totalSteps = 1000;
    double minRate = 0.0;
    // Linear warm-up: step k < warmupSteps gets baseRate (k + 1) / warmupSteps; the decay
    // schedule then starts, with s counted from the end of the warm-up.
    std::int64_t warmupSteps = 0;

    // Throws ConfigError for non-positive stepSize/totalSteps or negative rates.
    void validate() const;
    double rate(std::int64_t step) const;
};

}  // namespace driftlab::core::nn
