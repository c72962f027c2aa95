#include "core/solvers/ode_solve.h"

#include "core/common/error.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>

namespace driftlab::core {

std::string toString(OdeStatus status) {
    switch (status) {
        case OdeStatus::Success:
            return "success";
        case OdeStatus::StepSizeTooSmall:
            return "step size too small";
        case OdeStatus::MaxStepsExceeded:
            return "maximum number of steps exceeded";
        case OdeStatus::NonFiniteState:
            return "non-finite state";
    }
    return "unknown";
}

namespace {

constexpr double kEps = std::numeric_limits<double>::epsilon();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Consecutive non-finite attempts (each shrinking the step by facmin) before giving up:
// enough to step back from a blow-up caused by a too-large step, few enough to report a
// genuine singularity promptly.
constexpr int kMaxNonFiniteRetries = 6;

std::string fmt(double value) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.4g", value);
    return buffer;
}

// Times get more digits than sizes: near a singularity "t=1" would hide "t=0.999995".
std::string fmtTime(double t) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.6g", t);
    return buffer;
}

std::string where(double t, long step) {
    return "at t=" + fmtTime(t) + " (step " + std::to_string(step) + ")";
}

std::string firstNonFinite(const Eigen::VectorXd& v) {
    for (Eigen::Index i = 0; i < v.size(); ++i) {
        if (!std::isfinite(v(i))) {
            return std::string(std::isnan(v(i)) ? "NaN" : "Inf") + " in component " +
                   std::to_string(i);
        }
    }
    return "non-finite value";
}

void validate(const OdeSystem& system, const Eigen::VectorXd& y0, double t0, double t1,
              const OdeOptions& o, const OdeStepper& stepper) {
    const int n = system.dimension();
    if (n <= 0) throw ConfigError("ODE system has dimension " + std::to_string(n));
    if (y0.size() != n) {
        throw ConfigError("initial state has " + std::to_string(y0.size()) +
                          " components but the system has dimension " + std::to_string(n));
    }
    if (!y0.allFinite()) throw ConfigError("initial state is not finite");
    if (!std::isfinite(t0) || !std::isfinite(t1)) throw ConfigError("t0 and t1 must be finite");
    const bool adaptive = o.controller != StepController::Constant;
    if (adaptive && !stepper.hasErrorEstimate()) {
        throw ConfigError(stepper.name() +
                          " has no error estimate; use the constant step controller");
    }
    if (!adaptive && !(o.dt0 > 0.0)) {
        throw ConfigError("the constant step controller needs dt0 > 0");
    }
    if (o.dt0 < 0.0 || !std::isfinite(o.dt0)) throw ConfigError("dt0 must be finite and >= 0");
    if (o.dtmin < 0.0 || !(o.dtmax > 0.0) || o.dtmin > o.dtmax) {
        throw ConfigError("need 0 <= dtmin <= dtmax and dtmax > 0");
    }
    if (o.maxSteps <= 0) throw ConfigError("maxSteps must be positive");
    if (adaptive) {
        if (!(o.rtol >= 0.0) || !(o.atol >= 0.0)) throw ConfigError("rtol and atol must be >= 0");
        if (o.rtolPerComponent.size() != 0 && o.rtolPerComponent.size() != n) {
            throw ConfigError("rtol has " + std::to_string(o.rtolPerComponent.size()) +
                              " components, the system " + std::to_string(n));
        }
        if (o.atolPerComponent.size() != 0 && o.atolPerComponent.size() != n) {
            throw ConfigError("atol has " + std::to_string(o.atolPerComponent.size()) +
                              " components, the system " + std::to_string(n));
        }
        if ((o.rtolPerComponent.size() && (o.rtolPerComponent.array() < 0.0).any()) ||
            (o.atolPerComponent.size() && (o.atolPerComponent.array() < 0.0).any())) {
            throw ConfigError("tolerances must be >= 0");
        }
        if (!(o.safety > 0.0 && o.safety <= 1.0)) throw ConfigError("safety must be in (0, 1]");
        if (!(o.facmin > 0.0 && o.facmin < 1.0 && o.facmax > 1.0)) {
            throw ConfigError("need 0 < facmin < 1 < facmax");
        }
        if (o.controller == StepController::ProportionalIntegralDerivative &&
            !(std::isfinite(o.pid.beta1) && std::isfinite(o.pid.beta2) &&
              std::isfinite(o.pid.beta3))) {
            throw ConfigError("the PID controller's coefficients must be finite");
        }
    }
    const double dir = t1 >= t0 ? 1.0 : -1.0;
    double previous = t0;
    for (double s : o.saveAt) {
        if (!std::isfinite(s) || dir * (s - previous) < 0.0 || dir * (s - t1) > 0.0) {
            throw ConfigError("save time " + fmt(s) + " is outside [" + fmt(t0) + ", " + fmt(t1) +
                              "] or out of order");
        }
        previous = s;
    }
    if (o.autoSwitch) {
        if (!(stepper.stabilityBoundary() > 0.0)) {
            throw ConfigError(stepper.name() +
                              " gives no stiffness estimate, so it cannot auto-switch");
        }
        if (!adaptive) throw ConfigError("auto-switching needs an adaptive controller");
        if (o.stiffSteps <= 0 || o.nonstiffSteps <= 0) {
            throw ConfigError("stiffSteps and nonstiffSteps must be positive");
        }
    }
}

}  // namespace

OdeSolution integrate(const OdeSystem& system, const Eigen::VectorXd& y0, double t0, double t1,
                      const OdeOptions& options) {
    const bool forceFd = options.jacobian == JacobianSource::FiniteDifference;
    std::unique_ptr<OdeStepper> primary = makeOdeStepper(options.method, forceFd);
    validate(system, y0, t0, t1, options, *primary);
    std::unique_ptr<OdeStepper> stiff;
    if (options.autoSwitch) {
        stiff = makeOdeStepper(options.stiffMethod, forceFd);
        if (!stiff->isImplicit() || !stiff->hasErrorEstimate()) {
            throw ConfigError(stiff->name() + " is not a stiff solver with error estimate");
        }
        stiff->prepare(system);
    }
    primary->prepare(system);

    OdeSolution solution;
    solution.solver = primary->name() + (stiff ? " / " + stiff->name() + " (auto-switch)" : "");
    OdeStats& stats = solution.stats;
    const int n = system.dimension();
    const bool adaptive = options.controller != StepController::Constant;
    const double dir = t1 >= t0 ? 1.0 : -1.0;

    Eigen::VectorXd rtol = options.rtolPerComponent.size()
                               ? options.rtolPerComponent
                               : Eigen::VectorXd::Constant(n, options.rtol);
    Eigen::VectorXd atol = options.atolPerComponent.size()
                               ? options.atolPerComponent
                               : Eigen::VectorXd::Constant(n, options.atol);
    Eigen::VectorXd scale(n);
    auto errorNorm = [&](const Eigen::VectorXd& err, const Eigen::VectorXd& ya,
                         const Eigen::VectorXd& yb) {
        scale = atol.array() + rtol.array() * ya.array().abs().max(yb.array().abs());
        // Components with zero tolerance (atol = rtol = 0 and y = 0) must not divide by 0.
        scale = scale.cwiseMax(std::numeric_limits<double>::min());
        return std::sqrt((err.array() / scale.array()).square().sum() / n);
    };

    long driverEvaluations = 0;
    auto finish = [&](OdeStatus status, std::string message) {
        stats.nfe = driverEvaluations + primary->evaluations() + (stiff ? stiff->evaluations() : 0);
        stats.jacobianEvaluations =
            primary->jacobianEvaluations() + (stiff ? stiff->jacobianEvaluations() : 0);
        stats.factorizations = primary->factorizations() + (stiff ? stiff->factorizations() : 0);
        solution.status = status;
        solution.message = std::move(message);
        return std::move(solution);
    };

    double t = t0;
    Eigen::VectorXd y = y0, yNew(n), error = Eigen::VectorXd::Zero(n), f0(n), dense(n);
    std::size_t nextSave = 0;
    auto pushSave = [&](double ts, const Eigen::VectorXd& ys) {
        solution.t.push_back(ts);
        solution.y.push_back(ys);
    };
    if (options.saveAt.empty()) {
        pushSave(t0, y0);
    } else {
        while (nextSave < options.saveAt.size() && options.saveAt[nextSave] == t0) {
            pushSave(t0, y0);
            ++nextSave;
        }
    }
    if (t1 == t0) return finish(OdeStatus::Success, {});

    ++driverEvaluations;
    system.rhs(t0, y0, f0);
    if (!f0.allFinite()) {
        return finish(OdeStatus::NonFiniteState,
                      "right-hand side is " + firstNonFinite(f0) + " " + where(t0, 0));
    }

    OdeStepper* active = primary.get();
    auto controllerExponent = [&](const OdeStepper& s) {
        const int q = s.embeddedOrder() > 0 ? std::min(s.order(), s.embeddedOrder()) : s.order();
        return static_cast<double>(q + 1);
    };

    // Starting step: Hairer, Nørsett & Wanner I, II.4 (DOPRI5's HINIT).
    double h = options.dt0;
    if (!(h > 0.0)) {
        scale = atol.array() + rtol.array() * y0.array().abs();
        scale = scale.cwiseMax(std::numeric_limits<double>::min());
        const double d0 = std::sqrt((y0.array() / scale.array()).square().sum() / n);
        const double d1 = std::sqrt((f0.array() / scale.array()).square().sum() / n);
        double h0 = (d0 < 1e-5 || d1 < 1e-5) ? 1e-6 : 0.01 * d0 / d1;
        h0 = std::min({h0, options.dtmax, std::abs(t1 - t0)});
        Eigen::VectorXd y1 = y0 + (dir * h0) * f0, f1(n);
        ++driverEvaluations;
        system.rhs(t0 + dir * h0, y1, f1);
        const double d2 = std::sqrt((((f1 - f0).array() / scale.array()).square().sum()) / n) / h0;
        double h1;
        if (!std::isfinite(d2)) {
            h1 = h0 * 1e-3;
        } else if (std::max(d1, d2) <= 1e-15) {
            h1 = std::max(1e-6, h0 * 1e-3);
        } else {
            h1 = std::pow(0.01 / std::max(d1, d2), 1.0 / active->order());
        }
        h = std::min({100.0 * h0, h1, options.dtmax});
    }
    h = dir * std::min(h, options.dtmax);

    StepControlSettings control;
    control.safety = options.safety;
    control.facmin = options.facmin;
    control.facmax = options.facmax;
    control.beta1 = options.beta1;
    control.beta2 = options.beta2;
    control.pid = options.pid;
    const std::unique_ptr<StepSizeController> controller =
        makeStepController(options.controller, control);
    h = controller->start(h);
    // Where a step must end at the latest: t1, or the next save time for a method that
    // cannot interpolate. Stretch by up to 1% (adaptive) rather than leave a sliver of a last
    // step; a fixed grid only absorbs rounding.
    const double slack = adaptive ? 0.01 : 1e-8;
    OutputTimeClipper toEnd({t1}, dir, slack);
    std::vector<double> outputTimes = options.saveAt;
    outputTimes.push_back(t1);
    OutputTimeClipper toOutputs(std::move(outputTimes), dir, slack);

    int nonFiniteRetries = 0, cleanSteps = 0;
    int stiffCount = 0, nonstiffRun = 0, backCount = 0;
    long step = 0;

    while (dir * (t1 - t) > 0.0) {
        OutputTimeClipper& clipper = active->hasDenseOutput() ? toEnd : toOutputs;
        const double stop = clipper.next(t);
        const double dtminHere = std::max(options.dtmin, 16.0 * kEps * std::abs(t));
        if (std::abs(h) < dtminHere && std::abs(stop - t) > std::abs(h)) {
            return finish(OdeStatus::StepSizeTooSmall,
                          "step size " + fmt(std::abs(h)) + " below dtmin " + where(t, step));
        }
        if (step >= options.maxSteps) {
            return finish(OdeStatus::MaxStepsExceeded, "maximum number of steps (" +
                                                           std::to_string(options.maxSteps) +
                                                           ") exceeded " + where(t, step));
        }
        const OutputTimeClipper::Step clipped = clipper.clip(t, h);
        const double hStep = clipped.dt;
        ++step;
        active->step(system, t, hStep, y, f0, yNew, error);
        const double tNew = clipped.end;

        const bool finite = yNew.allFinite();
        double errNorm = kNaN;
        if (active->hasErrorEstimate() && finite) errNorm = errorNorm(error, y, yNew);
        const double stiffness = active->stiffnessEstimate();
        const bool usable = finite && (!adaptive || std::isfinite(errNorm));
        const bool accepted = usable && (!adaptive || errNorm <= 1.0);

        OdeStepRecord record{step, t, hStep, errNorm, accepted, stiffness, active != primary.get()};
        if (options.recordSteps) stats.steps.push_back(record);
        if (options.observer) options.observer(record);

        if (!usable) {
            // A too-large step can blow up a perfectly good solution; a few shrinking
            // retries tell that apart from a state that really leaves the reals.
            if (!adaptive || ++nonFiniteRetries > kMaxNonFiniteRetries) {
                return finish(OdeStatus::NonFiniteState,
                              "state became " + firstNonFinite(finite ? error : yNew) +
                                  " in the step from t=" + fmtTime(t) + " (step " +
                                  std::to_string(step) + ", dt=" + fmt(std::abs(hStep)) + ")");
            }
            ++stats.rejected;
            cleanSteps = 0;
            h = controller->propose({hStep, errNorm, controllerExponent(*active), false});
            continue;
        }
        // Forget earlier blow-ups only after a run of clean steps: creeping up on a true
        // singularity alternates short accepted steps with non-finite ones.
        if (accepted && ++cleanSteps >= 10) nonFiniteRetries = 0;

        if (!accepted) {
            ++stats.rejected;
            h = controller->propose({hStep, errNorm, controllerExponent(*active), false});
            continue;
        }

        ++stats.accepted;
        if (std::isfinite(stiffness)) stats.maxStiffness = std::max(stats.maxStiffness, stiffness);
        if (options.saveAt.empty()) {
            pushSave(tNew, yNew);
        } else {
            while (nextSave < options.saveAt.size() &&
                   dir * (options.saveAt[nextSave] - tNew) <= 0.0) {
                const double ts = options.saveAt[nextSave++];
                if (ts == tNew) {
                    pushSave(ts, yNew);
                } else {
                    active->interpolate((ts - t) / hStep, dense);
                    pushSave(ts, dense);
                }
            }
        }
        if (const Eigen::VectorXd* fNew = active->endDerivative()) {
            f0 = *fNew;
        } else {
            ++driverEvaluations;
            system.rhs(tNew, yNew, f0);
        }
        t = tNew;
        y.swap(yNew);

        const double proposed =
            controller->propose({hStep, errNorm, controllerExponent(*active), true});
        h = dir * std::min(std::abs(proposed), options.dtmax);

        // Stiffness bookkeeping (constant steps too: the estimate is free) and switching.
        if (active == primary.get()) {
            const double boundary = primary->stabilityBoundary();
            if (boundary > 0.0 && std::isfinite(stiffness)) {
                if (stiffness > boundary) {
                    nonstiffRun = 0;
                    if (++stiffCount >= options.stiffSteps) {
                        if (!stats.stiffnessDetected) {
                            stats.stiffnessDetected = true;
                            stats.stiffnessDetectedAt = t;
                        }
                        if (stiff) {
                            active = stiff.get();
                            ++stats.methodSwitches;
                            stiffCount = 0;
                            backCount = 0;
                            controller->reset();
                        }
                    }
                } else if (++nonstiffRun >= 6) {
                    stiffCount = 0;
                }
            }
        } else {
            const double boundary = primary->stabilityBoundary();
            if (std::isfinite(stiffness) && stiffness < options.nonstiffFraction * boundary) {
                if (++backCount >= options.nonstiffSteps) {
                    active = primary.get();
                    ++stats.methodSwitches;
                    backCount = 0;
                    stiffCount = 0;
                    nonstiffRun = 0;
                    controller->reset();
                }
            } else {
                backCount = 0;
            }
        }
    }
    return finish(OdeStatus::Success, {});
}

}  // namespace driftlab::core
