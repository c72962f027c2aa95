#include "core/stats/path_statistics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

namespace driftlab::core {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// Copies the finite values of one column into buffer.
void gatherFinite(const Eigen::MatrixXd& states, int timeIndex, std::vector<double>& buffer) {
    buffer.clear();
    const double* column = states.col(timeIndex).data();
    for (Eigen::Index p = 0; p < states.rows(); ++p)
        if (std::isfinite(column[p])) buffer.push_back(column[p]);
}

// Quantiles (linear interpolation between order statistics, "type 7") for increasing q, in
// O(n) each: every nth_element only searches above the previous rank.
void quantilesInPlace(std::vector<double>& v, const double* qs, int count, double* out) {
    const std::size_t n = v.size();
    std::size_t start = 0;
    for (int i = 0; i < count; ++i) {
        const double h = qs[i] * static_cast<double>(n - 1);
        const std::size_t lo = static_cast<std::size_t>(std::floor(h));
        std::nth_element(v.begin() + start, v.begin() + lo, v.end());
        start = lo;
        const double low = v[lo];
        const double frac = h - static_cast<double>(lo);
        if (frac > 0.0 && lo + 1 < n) {
            const double high = *std::min_element(v.begin() + lo + 1, v.end());
            out[i] = low + frac * (high - low);
        } else {
            out[i] = low;
        }
    }
}

double parameter(const EquationSpec& spec, const char* name, bool& found) {
    for (const auto& p : spec.parameters)
        if (p.name == name) return p.value;
    found = false;
    return 0.0;
}

double normalDensity(double x, double mean, double variance) {
    const double d = x - mean;
    return std::exp(-0.5 * d * d / variance) / std::sqrt(2.0 * std::numbers::pi * variance);
}

}  // namespace

QuantileBands computeQuantileBands(const SimulationResult& result) {
    static constexpr double qs[] = {0.05, 0.25, 0.50, 0.75, 0.95};
    QuantileBands bands;
    const int nTimes = static_cast<int>(result.times.size());
    for (const Eigen::MatrixXd& states : result.states) {
        const int columns = std::min<int>(nTimes, static_cast<int>(states.cols()));
        Eigen::MatrixXd rows = Eigen::MatrixXd::Constant(QuantileBands::RowCount, columns, nan);
        // Times are independent and each costs O(paths): parallel only when it pays.
        const bool parallel = static_cast<double>(states.rows()) * columns > 200000.0;
#pragma omp parallel if (parallel)
        {
            std::vector<double> buffer;
            buffer.reserve(states.rows());
#pragma omp for schedule(static)
            for (int k = 0; k < columns; ++k) {
                gatherFinite(states, k, buffer);
                if (buffer.empty()) continue;
                double sum = 0.0;
                for (double v : buffer) sum += v;
                rows(QuantileBands::Mean, k) = sum / static_cast<double>(buffer.size());
                double q[5];
                quantilesInPlace(buffer, qs, 5, q);
                for (int i = 0; i < 5; ++i) rows(QuantileBands::Q05 + i, k) = q[i];
            }
        }
        bands.perComponent.push_back(std::move(rows));
    }
    return bands;
}

Histogram computeHistogram(const SimulationResult& result, int component, int timeIndex, int bins) {
    Histogram histogram;
    if (component < 0 || component >= static_cast<int>(result.states.size()) || bins < 1)
        return histogram;
    const Eigen::MatrixXd& states = result.states[component];
    if (timeIndex < 0 || timeIndex >= states.cols() || states.rows() == 0) return histogram;
    std::vector<double> values;
    gatherFinite(states, timeIndex, values);
    histogram.density.assign(bins, 0.0);
    if (values.empty()) return histogram;
    static constexpr double range[] = {0.005, 0.995};
    std::vector<double> work = values;
    double edges[2];
    quantilesInPlace(work, range, 2, edges);
    double lo = edges[0], hi = edges[1];
    if (!(hi > lo)) {  // all (or nearly all) values equal: give the spike a visible width
        const double half = std::max(0.5, std::abs(lo) * 1e-3);
        lo -= half;
        hi += half;
    }
    histogram.lo = lo;
    histogram.hi = hi;
    const double width = (hi - lo) / bins;
    std::vector<long long> counts(bins, 0);
    for (double v : values) {
        if (v < lo || v > hi) continue;
        const int bin = std::min(bins - 1, static_cast<int>((v - lo) / width));
        ++counts[bin];
    }
    // Divided by all paths, not only those in range: then each bin estimates the true density
    // without bias, which is what an analytic overlay is compared with.
    const double scale = 1.0 / (static_cast<double>(states.rows()) * width);
    for (int i = 0; i < bins; ++i) histogram.density[i] = counts[i] * scale;
    return histogram;
}

std::optional<double> analyticDensity(const EquationSpec& spec, double t0, double t, double x) {
    const double tau = t - t0;
    if (!(tau > 0.0) || spec.initial.empty())
        return std::nullopt;  // at t0 the law is a point mass, not a density
    const double x0 = spec.initial[0];
    bool found = true;
    switch (spec.analytic) {
        case AnalyticKind::None:
            return std::nullopt;
        case AnalyticKind::BrownianMotion: {
            const double mu = parameter(spec, "mu", found);
            const double sigma = parameter(spec, "sigma", found);
            if (!found || sigma == 0.0) return std::nullopt;
            return normalDensity(x, x0 + mu * tau, sigma * sigma * tau);
        }
        case AnalyticKind::OrnsteinUhlenbeck: {
            const double theta = parameter(spec, "theta", found);
            const double mu = parameter(spec, "mu", found);
            const double sigma = parameter(spec, "sigma", found);
            if (!found || sigma == 0.0) return std::nullopt;
            const double decay = std::exp(-theta * tau);
            // (1 - e^{-2 theta tau}) / (2 theta), written so that theta -> 0 gives tau.
            const double variance =
                theta == 0.0 ? sigma * sigma * tau
                             : sigma * sigma * -std::expm1(-2.0 * theta * tau) / (2.0 * theta);
            if (!(variance > 0.0) || !std::isfinite(variance)) return std::nullopt;
            return normalDensity(x, mu + (x0 - mu) * decay, variance);
        }
        case AnalyticKind::GeometricBrownianMotion: {
            const double mu = parameter(spec, "mu", found);
            const double sigma = parameter(spec, "sigma", found);
            if (!found || sigma == 0.0 || x0 == 0.0) return std::nullopt;
            // X / x0 is lognormal; a negative start mirrors the law.
            const double r = x / x0;
            if (r <= 0.0) return 0.0;
            const double m = (mu - 0.5 * sigma * sigma) * tau;
            const double s2 = sigma * sigma * tau;
            const double lr = std::log(r);
            return normalDensity(lr, m, s2) / (r * std::abs(x0));
        }
    }
    return std::nullopt;
}

}  // namespace driftlab::core
