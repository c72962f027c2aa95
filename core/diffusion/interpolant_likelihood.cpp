#include <cmath>
#include <numbers>

#include "core/common/error.h"
#include "core/diffusion/flow_likelihood.h"
#include "core/solvers/ode_solve.h"

namespace driftlab::core::diffusion {

LikelihoodResult flowLikelihood(const Points& x, double s0, double s1,
                                const FlowWithDivergence& flow,
                                const std::function<Eigen::VectorXd(const Points&)>& baseLogDensity,
                                double rtol, double atol) {
    const Index n = x.cols();
    long nfe = 0;
    // State: positions (2n), then the divergence integral (n).
    FunctionOdeSystem system(static_cast<int>(3 * n),
                             [&](double s, const Eigen::VectorXd& y, Eigen::VectorXd& dy) {
                                 const Eigen::Map<const Points> pos(y.data(), 2, n);
                                 Points velocity;
                                 Eigen::VectorXd divergence;
                                 flow(s, pos, velocity, divergence);
                                 ++nfe;
                                 Eigen::Map<Points>(dy.data(), 2, n) = velocity;
                                 dy.tail(n) = divergence;
                             });
    Eigen::VectorXd y0(3 * n);
    y0.head(2 * n) = Eigen::Map<const Eigen::VectorXd>(x.data(), 2 * n);
    y0.tail(n).setZero();
    OdeOptions options;
    options.rtol = rtol;
    options.atol = atol;
    options.recordSteps = false;
    options.saveAt = {s1};
    const OdeSolution sol = integrate(system, y0, s0, s1, options);
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
    r.logDensity = baseLogDensity(Eigen::Map<const Points>(y1.data(), 2, n)) + y1.tail(n);
    r.bitsPerDim = -r.logDensity.mean() / (2.0 * std::log(2.0));
    return r;
}

LikelihoodResult interpolantLikelihood(const VelocityField& field, const Points& x, double tStart,
                                       double tEnd, double rtol, double atol) {
    if (!(tStart >= 0.0 && tStart < tEnd && tEnd <= 1.0))
        throw ConfigError("interpolant likelihood: need 0 <= tStart < tEnd <= 1");
    if (x.cols() < 1) throw ConfigError("interpolant likelihood: no points");
    // Solved in u = tEnd - t, so the flow runs forward from the data to the noise: there
    // dx/du = -b and its divergence is -div b.
    const auto flow = [&](double u, const Eigen::Map<const Points>& pos, Points& velocity,
                          Eigen::VectorXd& divergence) {
        field.velocityWithDivergence(pos, tEnd - u, velocity, divergence);
        velocity = -velocity;
        divergence = -divergence;
    };
    const auto standardNormal = [](const Points& noise) -> Eigen::VectorXd {
        return (noise.colwise().squaredNorm().transpose().array() * -0.5 -
                std::log(2.0 * std::numbers::pi))
            .matrix();
    };
    return flowLikelihood(x, 0.0, tEnd - tStart, flow, standardNormal, rtol, atol);
}

}  // namespace driftlab::core::diffusion
