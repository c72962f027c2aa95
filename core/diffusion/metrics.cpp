#include "core/diffusion/metrics.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/common/error.h"
#include "core/common/random.h"

namespace driftlab::core::diffusion {

namespace {

// Exact W2^2 between two empirical 1-D measures with sorted supports.
double w2SquaredSorted(const std::vector<double>& x, const std::vector<double>& y) {
    const auto n = x.size(), m = y.size();
    if (n == m) {
        double s = 0.0;
        for (std::size_t i = 0; i < n; ++i) s += (x[i] - y[i]) * (x[i] - y[i]);
        return s / static_cast<double>(n);
    }
    // Walk the merged breakpoints i/n and j/m (compared as i*m vs j*n, exact in integers).
    std::size_t i = 0, j = 0;
    double s = 0.0;
    std::size_t prev = 0;  // position in units of 1/(n m)
    while (i < n && j < m) {
        const std::size_t nextX = (i + 1) * m, nextY = (j + 1) * n;
        const std::size_t next = std::min(nextX, nextY);
        const double d = x[i] - y[j];
        s += d * d * static_cast<double>(next - prev);
        prev = next;
        if (nextX == next) ++i;
        if (nextY == next) ++j;
    }
    return s / (static_cast<double>(n) * static_cast<double>(m));
}

}  // namespace

double slicedWasserstein2(const Points& a, const Points& b, int directions, std::uint64_t seed) {
    if (a.cols() < 1 || b.cols() < 1) throw ConfigError("sliced Wasserstein: an empty point set");
    if (directions < 1) throw ConfigError("sliced Wasserstein: needs at least one direction");
    RandomStream random(seed, 0x737732);
    std::vector<Eigen::Vector2d> dirs(static_cast<std::size_t>(directions));
    for (auto& d : dirs) {
        // A normalised Gaussian pair is uniform on the circle.
        do d = Eigen::Vector2d(random.normal(), random.normal());
        while (d.norm() < 1e-12);
        d.normalize();
    }
    double total = 0.0;
#pragma omp parallel for reduction(+ : total) schedule(dynamic, 8)
    for (int k = 0; k < directions; ++k) {
        const Eigen::Vector2d& d = dirs[static_cast<std::size_t>(k)];
        std::vector<double> pa(static_cast<std::size_t>(a.cols())),
            pb(static_cast<std::size_t>(b.cols()));
        for (Index i = 0; i < a.cols(); ++i) pa[i] = d.dot(a.col(i));
        for (Index i = 0; i < b.cols(); ++i) pb[i] = d.dot(b.col(i));
        std::sort(pa.begin(), pa.end());
        std::sort(pb.begin(), pb.end());
        total += w2SquaredSorted(pa, pb);
    }
    return std::sqrt(total / directions);
}

namespace {

// Sum of kernel values over pairs (i in a, j in b), skipping i == j when the sets are one.
double kernelSum(const Points& a, const Points& b, bool same) {
    constexpr double bandwidths[4] = {0.1, 0.2, 0.5, 1.0};
    double coeff[4];
    for (int k = 0; k < 4; ++k) coeff[k] = -0.5 / (bandwidths[k] * bandwidths[k]);
    double total = 0.0;
#pragma omp parallel for reduction(+ : total) schedule(dynamic, 64)
    for (Index i = 0; i < a.cols(); ++i) {
        const double ax = a(0, i), ay = a(1, i);
        double row = 0.0;
        for (Index j = same ? i + 1 : 0; j < b.cols(); ++j) {
            const double dx = ax - b(0, j), dy = ay - b(1, j);
            const double r2 = dx * dx + dy * dy;
            row += std::exp(coeff[0] * r2) + std::exp(coeff[1] * r2) + std::exp(coeff[2] * r2) +
                   std::exp(coeff[3] * r2);
        }
        total += row;
    }
    return same ? 2.0 * total : total;
}

}  // namespace

double mmdSquaredUnbiased(const Points& a, const Points& b) {
    const double n = static_cast<double>(a.cols()), m = static_cast<double>(b.cols());
    if (a.cols() < 2 || b.cols() < 2)
        throw ConfigError("unbiased MMD needs at least two points in each set");
    return kernelSum(a, a, true) / (n * (n - 1.0)) + kernelSum(b, b, true) / (m * (m - 1.0)) -
           2.0 * kernelSum(a, b, false) / (n * m);
}

}  // namespace driftlab::core::diffusion
