#include "core/solvers/ode_steppers.h"

#include "core/common/error.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace driftlab::core {

// ---------------------------------------------------------------------------------------
// Explicit Runge–Kutta

ExplicitRkStepper::ExplicitRkStepper(ButcherTableau tableau) : tableau_(std::move(tableau)) {}

void ExplicitRkStepper::prepare(const OdeSystem& system) {
    const int n = system.dimension();
    k_.assign(tableau_.stages, Eigen::VectorXd::Zero(n));
    stageInput_.resize(n);
    previousStageInput_.resize(n);
    yStart_.resize(n);
    stiffness_ = std::numeric_limits<double>::quiet_NaN();
}

void ExplicitRkStepper::step(const OdeSystem& system, double t, double h, const Eigen::VectorXd& y,
                             const Eigen::VectorXd& f0, Eigen::VectorXd& yNew,
                             Eigen::VectorXd& error) {
    const int s = tableau_.stages;
    const auto& a = tableau_.a;
    h_ = h;
    yStart_ = y;
    k_[0] = f0;
    for (int i = 1; i < s; ++i) {
        stageInput_ = y;
        for (int j = 0; j < i; ++j) {
            if (a(i, j) != 0.0) stageInput_.noalias() += (h * a(i, j)) * k_[j];
        }
        if (i == s - 2) previousStageInput_ = stageInput_;
        evaluate(system, t + tableau_.c(i) * h, stageInput_, k_[i]);
    }
    if (tableau_.fsal) {
        // The last stage was evaluated at y_new itself (its row of a equals b).
        yNew = stageInput_;
    } else {
        yNew = y;
        for (int j = 0; j < s; ++j) {
            if (tableau_.b(j) != 0.0) yNew.noalias() += (h * tableau_.b(j)) * k_[j];
        }
    }
    if (tableau_.hasErrorEstimate()) {
        error.setZero(y.size());
        for (int j = 0; j < s; ++j) {
            if (tableau_.bError(j) != 0.0) error.noalias() += (h * tableau_.bError(j)) * k_[j];
        }
    }
    stiffness_ = std::numeric_limits<double>::quiet_NaN();
    if (tableau_.fsal && tableau_.stabilityBoundary > 0.0 && s >= 3) {
        // Hairer–Wanner II, IV.2: the last two stages probe f at two nearby points, so the
        // quotient of differences estimates the dominant eigenvalue's modulus.
        const double num = (k_[s - 1] - k_[s - 2]).norm();
        const double den = (yNew - previousStageInput_).norm();
        stiffness_ = den > 0.0 ? std::abs(h) * num / den : 0.0;
    }
}

const Eigen::VectorXd* ExplicitRkStepper::endDerivative() const {
    return tableau_.fsal ? &k_[tableau_.stages - 1] : nullptr;
}

void ExplicitRkStepper::interpolate(double theta, Eigen::VectorXd& out) const {
    denseWeights(tableau_, theta, weights_);
    out = yStart_;
    for (int j = 0; j < tableau_.stages; ++j) {
        if (weights_(j) != 0.0) out.noalias() += (h_ * weights_(j)) * k_[j];
    }
}

// ---------------------------------------------------------------------------------------
// Rosenbrock 2(3)

namespace {
const double kGamma = 1.0 / (2.0 + std::sqrt(2.0));  // Shampine's d
const double kE32 = 6.0 + std::sqrt(2.0);

// Spectral radius by power iteration; the geometric mean of the last growth factors also
// settles for a dominant complex pair, where a single ratio oscillates.
double estimateSpectralRadius(const Eigen::MatrixXd& J) {
    const Eigen::Index n = J.rows();
    if (n == 0) return 0.0;
    Eigen::VectorXd v(n), w(n);
    for (Eigen::Index i = 0; i < n; ++i) v(i) = 1.0 + 0.37 * static_cast<double>(i % 7);
    v.normalize();
    constexpr int kIterations = 16;
    constexpr int kAveraged = 8;
    double logSum = 0.0;
    for (int it = 0; it < kIterations; ++it) {
        w.noalias() = J * v;
        const double growth = w.norm();
        if (!(growth > 0.0) || !std::isfinite(growth)) return std::isfinite(growth) ? 0.0 : growth;
        if (it >= kIterations - kAveraged) logSum += std::log(growth);
        v = w / growth;
    }
    return std::exp(logSum / kAveraged);
}
}  // namespace

RosenbrockStepper::RosenbrockStepper(bool forceFiniteDifferenceJacobian, double gamma)
    : forceFiniteDifference_(forceFiniteDifferenceJacobian), gamma_(gamma) {}

void RosenbrockStepper::prepareJacobian(const OdeSystem& system) {
    const int n = system.dimension();
    jacobian_.setZero(n, n);
    w_.resize(n, n);
    for (Eigen::VectorXd* v : {&dfdt_, &work_, &perturbed_, &jacobianY_}) v->setZero(n);
    jacobianValid_ = false;
    factorizedH_ = 0.0;
}

void RosenbrockStepper::refreshJacobian(const OdeSystem& system, double t, const Eigen::VectorXd& y,
                                        const Eigen::VectorXd& f0) {
    const double sqrtEps = std::sqrt(std::numeric_limits<double>::epsilon());
    ++jacobianEvaluations_;
    if (system.hasJacobian() && !forceFiniteDifference_) {
        system.jacobian(t, y, jacobian_);
    } else {
        perturbed_ = y;
        for (Eigen::Index j = 0; j < y.size(); ++j) {
            // The floor keeps the increment from vanishing (and the difference from being
            // all cancellation) when a component passes through zero.
            const double delta = sqrtEps * std::max(std::abs(y(j)), 1e-3);
            perturbed_(j) = y(j) + delta;
            const double actual = perturbed_(j) - y(j);  // the increment actually represented
            evaluate(system, t, perturbed_, work_);
            jacobian_.col(j) = (work_ - f0) / actual;
            perturbed_(j) = y(j);
        }
    }
    if (system.isAutonomous()) {
        dfdt_.setZero();
    } else {
        const double dt = sqrtEps * std::max(std::abs(t), 1e-3);
        evaluate(system, t + dt, y, work_);
        dfdt_ = (work_ - f0) / dt;
    }
    spectralRadius_ = estimateSpectralRadius(jacobian_);
    jacobianT_ = t;
    jacobianY_ = y;
    jacobianValid_ = true;
    factorizedH_ = 0.0;
}

void RosenbrockStepper::factorize(const OdeSystem& system, double t, double h,
                                  const Eigen::VectorXd& y, const Eigen::VectorXd& f0) {
    h_ = h;
    if (!jacobianValid_ || t != jacobianT_ || y != jacobianY_) refreshJacobian(system, t, y, f0);
    if (h != factorizedH_) {
        w_ = -(h * gamma_) * jacobian_;
        w_.diagonal().array() += 1.0;
        lu_.compute(w_);
        ++factorizations_;
        factorizedH_ = h;
    }
}

Rosenbrock23Stepper::Rosenbrock23Stepper(bool forceFiniteDifferenceJacobian)
    : RosenbrockStepper(forceFiniteDifferenceJacobian, kGamma) {}

void Rosenbrock23Stepper::prepare(const OdeSystem& system) {
    prepareJacobian(system);
    const int n = system.dimension();
    for (Eigen::VectorXd* v : {&k1_, &k2_, &k3_, &f1_, &f2_, &yStart_}) v->setZero(n);
}

void Rosenbrock23Stepper::step(const OdeSystem& system, double t, double h,
                               const Eigen::VectorXd& y, const Eigen::VectorXd& f0,
                               Eigen::VectorXd& yNew, Eigen::VectorXd& error) {
    yStart_ = y;
    factorize(system, t, h, y, f0);
    const double hd = h * kGamma;
    work_ = f0 + hd * dfdt_;
    k1_ = lu_.solve(work_);
    work_ = y + (0.5 * h) * k1_;
    evaluate(system, t + 0.5 * h, work_, f1_);
    work_ = f1_ - k1_;
    k2_ = lu_.solve(work_);
    k2_ += k1_;
    yNew = y + h * k2_;
    evaluate(system, t + h, yNew, f2_);
    work_ = f2_ - kE32 * (k2_ - f1_) - 2.0 * (k1_ - f0) + hd * dfdt_;
    k3_ = lu_.solve(work_);
    error = (h / 6.0) * (k1_ - 2.0 * k2_ + k3_);
}

void Rosenbrock23Stepper::interpolate(double theta, Eigen::VectorXd& out) const {
    const double denom = 1.0 - 2.0 * kGamma;
    const double w1 = theta * (1.0 - theta) / denom;
    const double w2 = theta * (theta - 2.0 * kGamma) / denom;
    out = yStart_ + h_ * (w1 * k1_ + w2 * k2_);
}

}  // namespace driftlab::core
