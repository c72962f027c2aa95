#include <cmath>
#include <numbers>

#include "core/common/error.h"
#include "core/diffusion/samplers.h"
#include "core/solvers/ode_solve.h"

namespace driftlab::core::diffusion {

LikelihoodResult interpolantLikelihood(const VelocityField& field, const Points& x,
                                       double tStart, double tEnd, double rtol, double atol) {
    if (!(tStart >= 0.0 && tStart < tEnd && tEnd <= 1.0))
        throw ConfigError("interpolant likelihood: need 0 <= tStart < tEnd <= 1");
    if (x.cols() < 1) throw ConfigError("interpolant likelihood: no points");
    const Index n = x.cols();
    long nfe = 0;
    // Solved in u = tEnd - t, so the engine integrates forward from the data to the noise.
    // State: positions (2n), then the divergence integral (n).
    FunctionOdeSystem system(
        static_cast<int>(3 * n), [&](double u, const Eigen::VectorXd& y, Eigen::VectorXd& dy) {
            const Eigen::Map<const Points> pos(y.data(), 2, n);
            Points b;
            Eigen::VectorXd div;
            field.velocityWithDivergence(pos, tEnd - u, b, div);
            ++nfe;
            Eigen::Map<Points>(dy.data(), 2, n) = -b;
            dy.tail(n) = div;
        });
    Eigen::VectorXd y0(3 * n);
    y0.head(2 * n) = Eigen::Map<const Eigen::VectorXd>(x.data(), 2 * n);
    y0.tail(n).setZero();
    OdeOptions options;
    options.rtol = rtol;
    options.atol = atol;
    options.recordSteps = false;
    options.saveAt = {tEnd - tStart};
    const OdeSolution sol = integrate(system, y0, 0.0, tEnd - tStart, options);
    LikelihoodResult r;
    r.nfe = nfe;
    r.ok = sol.ok();
    r.message = sol.message;
    if (!r.ok || sol.y.empty()) {
        r.logDensity = Eigen::VectorXd::Constant(n, std::nan(""));
        r.bitsPerDim = std::nan("");
        return r;
    }
    const Eigen::VectorXd& y1 = sol.y.back();
    const Eigen::Map<const Points> noise(y1.data(), 2, n);
    const Eigen::VectorXd baseLogDensity =
        (noise.colwise().squaredNorm().transpose().array() * -0.5 - std::log(2.0 * std::numbers::pi))
            .matrix();
    r.logDensity = baseLogDensity - y1.tail(n);
    r.bitsPerDim = -r.logDensity.mean() / (2.0 * std::log(2.0));
    return r;
}

}  // namespace driftlab::core::diffusion
