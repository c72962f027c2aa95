#pragma once
// Summaries of many simulated paths that views draw: quantile bands and histograms, plus
// closed-form densities where the equation has one.
#include "core/equations/equation_spec.h"
#include "core/solvers/simulation.h"

#include <Eigen/Core>
#include <optional>
#include <vector>

namespace driftlab::core {

// Per component: rows are mean, q05, q25, q50, q75, q95; columns the saved times.
// Non-finite values are ignored.
struct QuantileBands {
    enum Row { Mean = 0, Q05, Q25, Q50, Q75, Q95, RowCount };
    std::vector<Eigen::MatrixXd> perComponent;
};
QuantileBands computeQuantileBands(const SimulationResult& result);

struct Histogram {
    double lo = 0.0;
    double hi = 1.0;
    // Counts divided by (all paths x binWidth), so each bin estimates the true density without
    // bias: sum(density) * binWidth == fraction of paths finite and inside [lo, hi] (about
    // 0.99 x the finite fraction, as the range is the 0.5..99.5 % quantiles).
    std::vector<double> density;
    double binWidth() const { return density.empty() ? 0.0 : (hi - lo) / density.size(); }
};
// Range from the 0.5 %..99.5 % quantiles (so a few outliers don't squash the picture).
Histogram computeHistogram(const SimulationResult& result, int component, int timeIndex, int bins);

// Density of component 0 at time t (since t0 with x(t0) = initial[0]) for equations whose
// spec.analytic says a closed form exists: BM dx = mu dt + sigma dW, OU dx = theta(mu - x)dt
// + sigma dW, GBM dx = mu x dt + sigma x dW (Itô). Parameters are read by those names.
std::optional<double> analyticDensity(const EquationSpec& spec, double t0, double t, double x);

}  // namespace driftlab::core
