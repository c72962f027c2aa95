#include "core/solvers/step_controller.h"

#include "core/common/error.h"

#include <algorithm>
#include <cmath>

namespace driftlab::core {

std::string toString(StepController kind) {
    switch (kind) {
        case StepController::Constant:
            return "constant";
        case StepController::Integral:
            return "I";
        case StepController::ProportionalIntegral:
            return "PI";
        case StepController::ProportionalIntegralDerivative:
            return "PID";
    }
    return "unknown";
}

namespace {

// A failed step (non-finite or too large an error). Every controller shrinks the same way,
// so the expressions below must stay as they are: the solvers' step counts depend on them.
double rejectedStep(const StepControlSettings& s, const StepOutcome& o) {
    if (!std::isfinite(o.errorNorm)) return o.dt * s.facmin;
    const double fac = std::max(s.facmin, s.safety * std::pow(o.errorNorm, -1.0 / o.errorOrder));
    return o.dt * std::min(1.0, fac);
}

double clampGrowth(const StepControlSettings& s, double fac, bool lastRejected) {
    return std::clamp(fac, s.facmin, lastRejected && s.holdAfterRejection ? 1.0 : s.facmax);
}

}  // namespace

double IntegralController::propose(const StepOutcome& o) {
    if (!o.accepted || !std::isfinite(o.errorNorm)) {
        lastRejected_ = true;
        return rejectedStep(s_, o);
    }
    const double err = std::max(o.errorNorm, 1e-10);
    const double fac =
        clampGrowth(s_, s_.safety * std::pow(err, -1.0 / o.errorOrder), lastRejected_);
    lastRejected_ = false;
    return o.dt * fac;
}

double ProportionalIntegralController::propose(const StepOutcome& o) {
    if (!o.accepted || !std::isfinite(o.errorNorm)) {
        lastRejected_ = true;
        return rejectedStep(s_, o);
    }
    const double k = o.errorOrder;
    const double beta1 = std::isnan(s_.beta1) ? 0.7 / k : s_.beta1;
    const double beta2 = std::isnan(s_.beta2) ? 0.4 / k : s_.beta2;
    const double err = std::max(o.errorNorm, 1e-10);
    const double fac = clampGrowth(
        s_, s_.safety * std::pow(err, -beta1) * std::pow(errPrevious_, beta2), lastRejected_);
    errPrevious_ = std::max(o.errorNorm, 1e-4);
    lastRejected_ = false;
    return o.dt * fac;
}

void ProportionalIntegralController::reset() {
    errPrevious_ = 1e-4;
    lastRejected_ = false;
}

double PidController::propose(const StepOutcome& o) {
    if (!o.accepted || !std::isfinite(o.errorNorm)) {
        lastRejected_ = true;
        return rejectedStep(s_, o);
    }
    const double k = o.errorOrder;
    const PidCoefficients& c = s_.pid;
    const double err = std::max(o.errorNorm, 1e-10);
    const double fac =
        clampGrowth(s_,
                    s_.safety * std::pow(err, -c.beta1 / k) * std::pow(errPrevious_, -c.beta2 / k) *
                        std::pow(errBeforePrevious_, -c.beta3 / k),
                    lastRejected_);
    errBeforePrevious_ = errPrevious_;
    errPrevious_ = std::max(o.errorNorm, 1e-4);
    lastRejected_ = false;
    return o.dt * fac;
}

void PidController::reset() {
    errPrevious_ = errBeforePrevious_ = 1.0;
    lastRejected_ = false;
}

std::unique_ptr<StepSizeController> makeStepController(StepController kind,
                                                       const StepControlSettings& settings) {
    switch (kind) {
        case StepController::Constant:
            return std::make_unique<ConstantController>();
        case StepController::Integral:
            return std::make_unique<IntegralController>(settings);
        case StepController::ProportionalIntegral:
            return std::make_unique<ProportionalIntegralController>(settings);
        case StepController::ProportionalIntegralDerivative:
            return std::make_unique<PidController>(settings);
    }
    throw ConfigError("unknown step-size controller");
}

LimitedController::LimitedController(std::unique_ptr<StepSizeController> inner,
                                     std::function<double()> maxStep)
    : inner_(std::move(inner)), maxStep_(std::move(maxStep)) {
    if (!inner_ || !maxStep_)
        throw ConfigError("a limited controller needs a controller and a limit");
}

double LimitedController::cap(double dt) {
    const double limit = maxStep_();
    lastLimited_ = std::abs(dt) > limit;
    return lastLimited_ ? std::copysign(limit, dt) : dt;
}

CflLimit::CflLimit(double cfl, double dx, std::function<double()> maxSpeed)
    : cfl_(cfl), dx_(dx), maxSpeed_(std::move(maxSpeed)) {
    if (!(cfl > 0.0 && std::isfinite(cfl))) throw ConfigError("the CFL number must be positive");
    if (!(dx > 0.0 && std::isfinite(dx))) throw ConfigError("the grid spacing must be positive");
    if (!maxSpeed_) throw ConfigError("the CFL limit needs the current maximum speed");
}

double CflLimit::operator()() const {
    const double speed = std::abs(maxSpeed_());
    if (!std::isfinite(speed)) {
        throw SolverError("the CFL limit cannot be computed: the largest speed is not finite");
    }
    return speed > 0.0 ? cfl_ * dx_ / speed : std::numeric_limits<double>::infinity();
}

OutputTimeClipper::OutputTimeClipper(std::vector<double> times, double direction, double stretch,
                                     double tolerance)
    : times_(std::move(times)),
      direction_(direction >= 0.0 ? 1.0 : -1.0),
      stretch_(stretch),
      tolerance_(tolerance) {}

double OutputTimeClipper::next(double t) {
    while (cursor_ < times_.size() && !(direction_ * (times_[cursor_] - t) > 0.0)) ++cursor_;
    return cursor_ < times_.size() ? times_[cursor_] : std::numeric_limits<double>::quiet_NaN();
}

OutputTimeClipper::Step OutputTimeClipper::clip(double t, double h) {
    const double stop = next(t);
    // Written as a comparison of end points, not of their difference with 0, so that both
    // loops' historical landing tests are reproduced bit for bit.
    if (!std::isnan(stop) &&
        direction_ * (t + (1.0 + stretch_) * h) >= direction_ * stop - tolerance_) {
        return {stop - t, true, stop};
    }
    return {h, false, t + h};
}

}  // namespace driftlab::core
