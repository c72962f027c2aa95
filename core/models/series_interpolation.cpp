#include "core/models/series_interpolation.h"

#include <algorithm>

#include "core/common/error.h"

namespace driftlab::core::timeseries {

ChannelInterpolant::ChannelInterpolant(InterpolationKind kind, std::vector<double> times,
                                       std::vector<double> values)
    : kind_(kind), times_(std::move(times)), values_(std::move(values)) {
    if (times_.size() != values_.size())
        throw ConfigError("interpolation: " + std::to_string(times_.size()) + " times but " +
                          std::to_string(values_.size()) + " values");
    for (std::size_t i = 1; i < times_.size(); ++i)
        if (!(times_[i] > times_[i - 1]))
            throw ConfigError("interpolation: times must increase strictly (point " +
                              std::to_string(i) + ")");
    const std::size_t n = times_.size();
    if (kind_ != InterpolationKind::NaturalCubic || n < 3) return;
    // Tridiagonal system for the interior second derivatives (Thomas algorithm; the matrix
    // is strictly diagonally dominant, so no pivoting is needed).
    secondDerivatives_.assign(n, 0.0);
    std::vector<double> diag(n, 0.0), rhs(n, 0.0), upper(n, 0.0);
    for (std::size_t i = 1; i + 1 < n; ++i) {
        const double hl = times_[i] - times_[i - 1], hr = times_[i + 1] - times_[i];
        diag[i] = 2.0 * (hl + hr);
        upper[i] = hr;
        rhs[i] = 6.0 * ((values_[i + 1] - values_[i]) / hr - (values_[i] - values_[i - 1]) / hl);
        if (i > 1) {
            const double m = hl / diag[i - 1];
            diag[i] -= m * upper[i - 1];
            rhs[i] -= m * rhs[i - 1];
        }
    }
    for (std::size_t i = n - 2; i >= 1; --i) {
        secondDerivatives_[i] = (rhs[i] - upper[i] * secondDerivatives_[i + 1]) / diag[i];
        if (i == 1) break;
    }
}

std::size_t ChannelInterpolant::segment(double t) const {
    const auto it = std::upper_bound(times_.begin(), times_.end(), t);
    const auto i = static_cast<std::size_t>(it - times_.begin());
    return std::min(i == 0 ? 0 : i - 1, times_.size() - 2);
}

double ChannelInterpolant::value(double t) const {
    if (times_.empty()) return 0.0;
    if (t <= times_.front()) return values_.front();
    if (t >= times_.back()) return values_.back();
    const std::size_t i = segment(t);
    const double h = times_[i + 1] - times_[i], a = (times_[i + 1] - t) / h, b = 1.0 - a;
    double y = a * values_[i] + b * values_[i + 1];
    if (!secondDerivatives_.empty())
        y += ((a * a * a - a) * secondDerivatives_[i] +
              (b * b * b - b) * secondDerivatives_[i + 1]) *
             h * h / 6.0;
    return y;
}

double ChannelInterpolant::derivative(double t) const {
    if (times_.size() < 2 || t < times_.front() || t > times_.back()) return 0.0;
    const std::size_t i = segment(t);
    const double h = times_[i + 1] - times_[i], a = (times_[i + 1] - t) / h, b = 1.0 - a;
    double dy = (values_[i + 1] - values_[i]) / h;
    if (!secondDerivatives_.empty())
        dy += (-(3.0 * a * a - 1.0) * secondDerivatives_[i] +
               (3.0 * b * b - 1.0) * secondDerivatives_[i + 1]) *
              h / 6.0;
    return dy;
}

std::vector<ChannelInterpolant> contextInterpolants(InterpolationKind kind, const Series& s,
                                                    const Mask& context) {
    if (context.rows() != s.channels() || context.cols() != s.length())
        throw ConfigError("interpolation: context mask does not match the series' shape");
    std::vector<ChannelInterpolant> out;
    for (Eigen::Index ch = 0; ch < s.channels(); ++ch) {
        std::vector<double> t, y;
        for (Eigen::Index j = 0; j < s.length(); ++j)
            if (context(ch, j)) {
                t.push_back(s.times[std::size_t(j)]);
                y.push_back(s.values(ch, j));
            }
        out.emplace_back(kind, std::move(t), std::move(y));
    }
    return out;
}

Eigen::MatrixXd interpolateContext(InterpolationKind kind, const Series& s, const Mask& context,
                                   const std::vector<double>& at) {
    const auto interpolants = contextInterpolants(kind, s, context);
    Eigen::MatrixXd out(s.channels(), static_cast<Eigen::Index>(at.size()));
    for (Eigen::Index ch = 0; ch < s.channels(); ++ch)
        for (std::size_t k = 0; k < at.size(); ++k)
            out(ch, Eigen::Index(k)) = interpolants[std::size_t(ch)].value(at[k]);
    return out;
}

}  // namespace driftlab::core::timeseries
