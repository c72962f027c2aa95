#include "core/solvers/brownian_path.h"

#include "core/common/error.h"
#include "core/common/random.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

namespace driftlab::core {

namespace {

// Components are independent one-dimensional trees; a per-component seed lets each walk the
// tree alone (no per-query arrays) while node n of component c still has its own stream.
std::uint64_t componentSeed(std::uint64_t seed, int component) {
    return seed ^ (static_cast<std::uint64_t>(component) * 0xA24BAED4963EE407ull);
}

}  // namespace

BrownianPath::BrownianPath(double t0, double t1, int dimension, std::uint64_t seed,
                           double tolerance)
    : t0_(t0), t1_(t1), dim_(dimension), seed_(seed) {
    if (!std::isfinite(t0) || !std::isfinite(t1) || !(t1 > t0))
        throw ConfigError("Brownian path: need finite t0 < t1, got [" + std::to_string(t0) + ", " +
                          std::to_string(t1) + "]");
    if (dimension < 1) throw ConfigError("Brownian path: dimension must be at least 1");
    if (!(tolerance >= 0.0)) throw ConfigError("Brownian path: tolerance must not be negative");
    const double span = t1 - t0;
    depth_ = tolerance > 0.0 ? static_cast<int>(std::ceil(std::log2(span / tolerance))) : 24;
    // 2^60 leaves is far below double resolution of time anyway; node indices fit in 64 bits.
    depth_ = std::clamp(depth_, 1, 60);
}

double BrownianPath::leafWidth() const { return std::ldexp(t1_ - t0_, -depth_); }

void BrownianPath::evaluate(double t, double* w, double* integral) const {
    const double span = t1_ - t0_;
    const double tau = std::clamp((t - t0_) / span, 0.0, 1.0);
    const double sqrtSpan = std::sqrt(span);
    // Conditional law of the left half (W1, H1) given the interval's (W, H), length h:
    // W1 = W/2 + 3H/2 + sqrt(h)/4 z1,  H1 = H/4 - sqrt(h)/8 z1 + sqrt(h/48) z2.
    const double invSqrt48 = 1.0 / std::sqrt(48.0);
    for (int c = 0; c < dim_; ++c) {
        const std::uint64_t cseed = componentSeed(seed_, c);
        RandomStream root(cseed, 0);
        double wa = 0.0;
        double wb = sqrtSpan * root.normal();
        double area = sqrtSpan * std::sqrt(1.0 / 12.0) * root.normal();
        double ia = 0.0;  // int_t0^a W
        double lo = 0.0, hi = 1.0;
        double h = span, sqrtH = sqrtSpan;
        std::uint64_t node = 1;
        for (int level = 0; level < depth_; ++level) {
            RandomStream rng(cseed, node);
            const double z1 = rng.normal();
            const double z2 = rng.normal();
            const double dw = wb - wa;
            const double w1 = 0.5 * dw + 1.5 * area + 0.25 * sqrtH * z1;
            const double h1 = 0.25 * area - 0.125 * sqrtH * z1 + invSqrt48 * sqrtH * z2;
            const double w2 = dw - w1;
            const double h2 = 2.0 * area - h1 - 0.5 * (w1 - w2);
            const double wm = wa + w1;
            const double mid = 0.5 * (lo + hi);
            const double half = 0.5 * h;
            if (tau < mid) {
                hi = mid;
                wb = wm;
                area = h1;
                node = 2 * node;
            } else {
                ia += half * (h1 + 0.5 * (wa + wm));
                lo = mid;
                wa = wm;
                area = h2;
                node = 2 * node + 1;
            }
            h = half;
            sqrtH *= 0.5 * std::numbers::sqrt2;
        }
        // Inside a leaf: the conditional mean of the path given its (W, H), a quadratic
        // whose mean over the leaf reproduces H exactly.
        const double u = (tau - lo) / (hi - lo);
        const double dw = wb - wa;
        w[c] = wa + u * dw + 6.0 * area * u * (1.0 - u);
        if (integral)
            integral[c] = ia + h * (wa * u + 0.5 * dw * u * u + area * u * u * (3.0 - 2.0 * u));
    }
}

Eigen::VectorXd BrownianPath::value(double t) const {
    Eigen::VectorXd w(dim_);
    evaluate(t, w.data(), nullptr);
    return w;
}

Eigen::VectorXd BrownianPath::increment(double s, double t) const {
    Eigen::VectorXd ws(dim_), wt(dim_);
    evaluate(s, ws.data(), nullptr);
    evaluate(t, wt.data(), nullptr);
    return wt - ws;
}

Eigen::VectorXd BrownianPath::spaceTimeArea(double s, double t) const {
    Eigen::VectorXd dW(dim_), H(dim_);
    increment(s, t, dW, H);
    return H;
}

void BrownianPath::increment(double s, double t, Eigen::Ref<Eigen::VectorXd> dW,
                             Eigen::Ref<Eigen::VectorXd> H) const {
    if (!(t > s))
        throw SolverError("Brownian path: the space-time area needs s < t, got s = " +
                          std::to_string(s) + ", t = " + std::to_string(t));
    Eigen::VectorXd ws(dim_), is(dim_), wt(dim_), it(dim_);
    evaluate(s, ws.data(), is.data());
    evaluate(t, wt.data(), it.data());
    const double h = std::clamp(t, t0_, t1_) - std::clamp(s, t0_, t1_);
    dW = wt - ws;
    if (h > 0.0)
        H = (it - is) / h - 0.5 * (ws + wt);
    else
        H.setZero();
}

namespace {
void checkOnePath(const BrownianPath& path, Eigen::Index first, Eigen::Index cols,
                  Eigen::Index rows) {
    if (first != 0 || cols != 1 || rows != path.dimension())
        throw SolverError("Brownian path: it is one path of " + std::to_string(path.dimension()) +
                          " Brownian motions; asked for " + std::to_string(cols) +
                          " columns from " + std::to_string(first) + " with " +
                          std::to_string(rows) + " rows");
}
}  // namespace

void BrownianPath::increments(double s, double t, Eigen::Index first,
                              Eigen::Ref<Eigen::MatrixXd> dW) const {
    checkOnePath(*this, first, dW.cols(), dW.rows());
    dW.col(0) = increment(s, t);
}

void BrownianPath::incrementsWithArea(double s, double t, Eigen::Index first,
                                      Eigen::Ref<Eigen::MatrixXd> dW,
                                      Eigen::Ref<Eigen::MatrixXd> H) const {
    checkOnePath(*this, first, dW.cols(), dW.rows());
    checkOnePath(*this, first, H.cols(), H.rows());
    increment(s, t, dW.col(0), H.col(0));
}

}  // namespace driftlab::core
