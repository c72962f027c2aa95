#pragma once
// Step-size control shared by every time loop (integrate() for ODEs, the adaptive SDE solve,
// PDE time stepping): a StepSizeController turns what an attempted step reported (its scaled
// error norm, the order of that error, accepted or not) into the size of the next attempt.
// The loops keep what is theirs (error norms, dtmin/dtmax policy, saving); what is left here
// is the control law, written once.
//
// Two helpers compose with any controller:
//   - LimitedController caps every proposal by a limit read at that moment, e.g. CflLimit's
//     dt <= cfl * dx / max|speed| for an explicit PDE scheme;
//   - OutputTimeClipper shortens (or slightly stretches) a step so that it ends exactly on the
//     next requested time, for methods that cannot interpolate.
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

namespace driftlab::core {

// The factory's choice (OdeOptions::controller, AdaptiveSdeOptions::controller).
enum class StepController {
    Constant,  // dt0 every step (the last one clipped to land on t1); nothing is rejected
    Integral,  // I: h *= safety * err^(-1/k), k = min(order, embedded order) + 1
    ProportionalIntegral,            // PI (Gustafsson): h *= safety * err^(-beta1) * errPrev^beta2
    ProportionalIntegralDerivative,  // PID (Söderlind's three-term filter), see PidCoefficients
};
std::string toString(StepController kind);

// Söderlind's digital-filter form of step-size control (G. Söderlind, "Digital filters in
// adaptive time-stepping", ACM TOMS 29(1), 2003, eq. (4) and Table III):
//   h_{n+1} = h_n * safety * e_n^(-beta1/k) * e_{n-1}^(-beta2/k) * e_{n-2}^(-beta3/k).
// The defaults are his H312PID filter, (1/18, 1/9, 1/18), the PID entry OrdinaryDiffEq.jl's
// PIDController documentation also lists; its gains sum to 2/9, so the step reacts more
// smoothly than under the PI controller to an error estimate that jumps from step to step.
// In this form Gustafsson's PI controller (beta1 = 0.7/k, beta2 = 0.4/k below) is
// (0.7, -0.4, 0), Söderlind's "PI34"; diffrax's pcoeff/icoeff/dcoeff map to
// beta1 = p + i + d, beta2 = -(p + 2d), beta3 = d.
struct PidCoefficients {
    double beta1 = 1.0 / 18.0;
    double beta2 = 1.0 / 9.0;
    double beta3 = 1.0 / 18.0;
};

struct StepControlSettings {
    double safety = 0.9;
    double facmin = 0.2;   // the step never shrinks by more than this factor
    double facmax = 10.0;  // nor grows by more than this
    // No growth on the step after a rejection (Hairer): the rejected size was too large.
    bool holdAfterRejection = true;
    // PI exponents; NaN picks the standard values beta1 = 0.7/k, beta2 = 0.4/k.
    double beta1 = std::numeric_limits<double>::quiet_NaN();
    double beta2 = std::numeric_limits<double>::quiet_NaN();
    PidCoefficients pid;
};

// What the time loop tells the controller about the step it just attempted.
struct StepOutcome {
    double dt = 0.0;  // signed size of the attempted step
    // Scaled error norm (a step passes at <= 1). Non-finite when the step produced a
    // non-finite state or error; the controller then shrinks by facmin.
    double errorNorm = std::numeric_limits<double>::quiet_NaN();
    // k: the local error behaves like |dt|^k. ODEs: min(order, embedded order) + 1; SDEs:
    // the strong order.
    double errorOrder = 1.0;
    bool accepted = false;
};

class StepSizeController {
public:
    virtual ~StepSizeController() = default;
    virtual std::string name() const = 0;
    // False for the constant controller: it needs no error estimate and rejects nothing.
    virtual bool isAdaptive() const { return true; }
    // The first attempt, given dt0 (signed; requested or chosen by the solver).
    virtual double start(double dt0) { return dt0; }
    // The next attempt (signed): the retry after a rejection or the step after an accepted
    // one. Called once per attempted step, after the loop has moved to the new state.
    virtual double propose(const StepOutcome& outcome) = 0;
    // Forget the error history, e.g. when a solve switches method.
    virtual void reset() {}
};

class ConstantController final : public StepSizeController {
public:
    std::string name() const override { return "constant"; }
    bool isAdaptive() const override { return false; }
    double start(double dt0) override { return dt_ = dt0; }
    double propose(const StepOutcome&) override { return dt_; }

private:
    double dt_ = 0.0;
};

// After a rejection every adaptive controller here uses the I formula, clamped to
// [facmin, 1]: the error history says nothing about a step size that just failed.
class IntegralController final : public StepSizeController {
public:
    explicit IntegralController(const StepControlSettings& settings = {}) : s_(settings) {}
    std::string name() const override { return "I"; }
    double propose(const StepOutcome& outcome) override;
    void reset() override { lastRejected_ = false; }

private:
    StepControlSettings s_;
    bool lastRejected_ = false;
};

class ProportionalIntegralController final : public StepSizeController {
public:
    explicit ProportionalIntegralController(const StepControlSettings& settings = {})
        : s_(settings) {}
    std::string name() const override { return "PI"; }
    double propose(const StepOutcome& outcome) override;
    void reset() override;

private:
    StepControlSettings s_;
    // Hairer's DOPRI5 starts (and restarts) the history at 1e-4 and floors it there.
    double errPrevious_ = 1e-4;
    bool lastRejected_ = false;
};

class PidController final : public StepSizeController {
public:
    explicit PidController(const StepControlSettings& settings = {}) : s_(settings) {}
    std::string name() const override { return "PID"; }
    double propose(const StepOutcome& outcome) override;
    void reset() override;

private:
    StepControlSettings s_;
    // The history starts neutral (as diffrax's PIDController) and is floored at 1e-4 like
    // the PI controller's, so one nearly exact step cannot inflate the next three.
    double errPrevious_ = 1.0;
    double errBeforePrevious_ = 1.0;
    bool lastRejected_ = false;
};

std::unique_ptr<StepSizeController> makeStepController(StepController kind,
                                                       const StepControlSettings& settings = {});

// Caps the inner controller's first step and every proposal at |dt| <= maxStep(), read at
// that moment (so a limit that follows the state, like a CFL condition, is current).
// maxStep() returning +inf means no limit.
class LimitedController final : public StepSizeController {
public:
    LimitedController(std::unique_ptr<StepSizeController> inner, std::function<double()> maxStep);
    std::string name() const override { return inner_->name() + " (limited)"; }
    bool isAdaptive() const override { return inner_->isAdaptive(); }
    double start(double dt0) override { return cap(inner_->start(dt0)); }
    double propose(const StepOutcome& outcome) override { return cap(inner_->propose(outcome)); }
    void reset() override { inner_->reset(); }
    // Whether the last step handed out was shortened by the limit.
    bool lastLimited() const { return lastLimited_; }

private:
    double cap(double dt);
    std::unique_ptr<StepSizeController> inner_;
    std::function<double()> maxStep_;
    bool lastLimited_ = false;
};

// The Courant–Friedrichs–Lewy limit of an explicit scheme: dt <= cfl * dx / max|speed|.
// maxSpeed returns the current largest |speed| (characteristic speed, |u| + c, ...); a zero
// speed sets no limit. Pass it to LimitedController.
class CflLimit {
public:
    // Throws ConfigError unless cfl > 0 and dx > 0 (finite).
    CflLimit(double cfl, double dx, std::function<double()> maxSpeed);
    // Throws SolverError when the speed is not finite: the state has blown up.
    double operator()() const;

private:
    double cfl_, dx_;
    std::function<double()> maxSpeed_;
};

// Makes steps end exactly on requested times (t1 among them), for methods without dense
// output. A step that would reach the next time within a factor (1 + stretch) of its size,
// or within tolerance of it, is set to end there: that avoids a sliver of a step right after.
class OutputTimeClipper {
public:
    // times: monotone in the direction of integration (equal neighbours allowed).
    OutputTimeClipper(std::vector<double> times, double direction, double stretch = 0.0,
                      double tolerance = 0.0);

    // The first requested time strictly ahead of t; NaN when none is left. t must not move
    // backwards between calls.
    double next(double t);

    struct Step {
        double dt;    // the step to take
        bool landed;  // shortened or stretched to end on a requested time
        double end;   // exactly that time when landed, else t + dt
    };
    Step clip(double t, double h);

private:
    std::vector<double> times_;
    double direction_, stretch_, tolerance_;
    std::size_t cursor_ = 0;
};

}  // namespace driftlab::core
