#pragma once
// Continuous interpolation of irregular, masked observations: what a controlled-path model
// reads as X(t). Linear interpolation or the natural cubic spline (second derivative zero at
// both ends) through one channel's observed points; outside the observed range the value is
// held at the first or last observation, so a forecast never sees past its context.
#include <vector>

#include "core/models/series_dataset.h"

namespace driftlab::core::timeseries {

enum class InterpolationKind { Linear, NaturalCubic };

class ChannelInterpolant {
public:
    // times strictly increasing, same length as values; empty gives the zero function.
    // Throws ConfigError on a size mismatch or times that do not increase.
    ChannelInterpolant(InterpolationKind kind, std::vector<double> times,
                       std::vector<double> values);

    double value(double t) const;
    double derivative(double t) const;  // 0 outside the observed range

private:
    std::size_t segment(double t) const;  // i with times[i] <= t <= times[i + 1]

    InterpolationKind kind_;
    std::vector<double> times_, values_;
    std::vector<double> secondDerivatives_;  // natural cubic spline only (M_i)
};

// One interpolant per channel through its context cells (the zero function for channels
// without any).
std::vector<ChannelInterpolant> contextInterpolants(InterpolationKind kind, const Series& s,
                                                    const Mask& context);

// channels x at.size(): every channel of s interpolated through its context cells at the
// given times; rows of channels without any context cell are zero.
Eigen::MatrixXd interpolateContext(InterpolationKind kind, const Series& s, const Mask& context,
                                   const std::vector<double>& at);

}  // namespace driftlab::core::timeseries
