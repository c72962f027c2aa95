#include "core/solvers/sde_adaptive.h"

#include "core/common/error.h"
#include "core/solvers/step_controller.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

namespace driftlab::core {
namespace {

std::string describeFailure(const std::string& cause, double t, long step) {
    std::ostringstream text;
    text.precision(6);
    text << cause << " at t=" << t << " (step " << step << ")";
    return text.str();
}

}  // namespace

AdaptiveSdeSolution integrateSdeAdaptive(const SdeSystem& system, const SdeStepper& stepper,
                                         const Eigen::VectorXd& y0, double t0, double t1,
                                         const BrownianSource& brownian,
                                         const AdaptiveSdeOptions& options) {
    if (!stepper.hasErrorEstimate()) {
        throw SolverError(stepper.name() +
                          " has no error estimate, so it cannot choose its own steps; use it "
                          "with fixed steps or pick SRA1 or SRI");
    }
    const NoiseType noise = system.noiseType();
    stepper.requireSupport(system);
    const int dim = system.dimension();
    const int noiseDim = system.brownianDimension();
    if (y0.size() != dim) throw ConfigError("initial state has the wrong number of components");
    if (!(t1 > t0)) throw ConfigError("adaptive SDE solve needs t1 > t0");
    if (!(options.rtol >= 0.0) || !(options.atol >= 0.0) || options.rtol + options.atol <= 0.0)
        throw ConfigError("tolerances must be non-negative and not both zero");
    if (brownian.dimension() != noiseDim || brownian.t0() > t0 || brownian.t1() < t1)
        throw ConfigError("the Brownian path does not cover the solve's interval or has " +
                          std::to_string(brownian.dimension()) +
                          " components where the "
                          "system has " +
                          std::to_string(noiseDim) + " Brownian motions");

    const double span = t1 - t0;
    const double dtmin = options.dtmin > 0.0 ? options.dtmin : 1e-12 * span;
    const double dtmax = options.dtmax > 0.0 ? options.dtmax : span;
    if (options.controller == StepController::Constant)
        throw ConfigError("the adaptive SDE solve needs an adaptive step-size controller");
    const double errorOrder = stepper.strongOrder(noise);
    StepControlSettings control;
    control.safety = options.safety;
    control.facmin = options.facmin;
    control.facmax = options.facmax;
    control.holdAfterRejection = false;
    const std::unique_ptr<StepSizeController> controller =
        makeStepController(options.controller, control);
    const StepCost cost = stepper.evaluationsPerStep(false);

    AdaptiveSdeSolution solution;
    solution.solver = stepper.name() + " (adaptive)";
    auto worker = system.makeWorker();
    StepScratch scratch;
    scratch.resize(dim, 1);

    const std::vector<double>& saveAt = options.saveAt;
    size_t nextSave = 0;
    // Steps land exactly on the save times inside (t0, t1) and on t1.
    std::vector<double> landing;
    for (double s : saveAt)
        if (s > t0 && s < t1) landing.push_back(s);
    landing.push_back(t1);
    OutputTimeClipper clipper(std::move(landing), 1.0, 0.0, 1e-14 * span);
    Eigen::MatrixXd y = y0;
    Eigen::MatrixXd candidate(dim, 1), dW(noiseDim, 1), H(noiseDim, 1);
    double t = t0;
    double h = std::clamp(options.dt0 > 0.0 ? options.dt0 : span / 100.0, dtmin, dtmax);
    auto save = [&](double time) {
        solution.t.push_back(time);
        solution.y.push_back(y.col(0));
    };
    if (saveAt.empty() || saveAt.front() <= t0) {
        save(t0);
        if (!saveAt.empty()) ++nextSave;
    }
    stepper.begin(*worker, t0, y, scratch);

    long attempts = 0;
    while (t < t1) {
        if (attempts >= options.maxSteps) {
            solution.status = OdeStatus::MaxStepsExceeded;
            solution.message = describeFailure(
                "maximum number of steps (" + std::to_string(options.maxSteps) + ") exceeded", t,
                attempts);
            break;
        }
        const OutputTimeClipper::Step clipped = clipper.clip(t, h);
        const bool lands = clipped.landed;
        const double dt = clipped.dt;

        brownian.incrementsWithArea(t, t + dt, 0, dW, H);
        candidate = y;
        stepper.stepWithArea(*worker, t, dt, candidate, dW, H, scratch);
        ++attempts;
        solution.stats.nfe += cost.drift + cost.diffusion;

        double sum = 0.0;
        bool finite = candidate.allFinite();
        for (int i = 0; i < dim && finite; ++i) {
            const double scale = options.atol + options.rtol * std::max(std::abs(y(i, 0)),
                                                                        std::abs(candidate(i, 0)));
            const double e = scratch.error(i, 0) / scale;
            sum += e * e;
        }
        const double errorNorm =
            finite ? std::sqrt(sum / dim) : std::numeric_limits<double>::quiet_NaN();
        const bool accepted = finite && errorNorm <= 1.0;

        OdeStepRecord record;
        record.step = attempts;
        record.t = t;
        record.dt = dt;
        record.errorNorm = errorNorm;
        record.accepted = accepted;
        record.stiffness = std::numeric_limits<double>::quiet_NaN();
        solution.stats.steps.push_back(record);

        const double proposed = controller->propose({dt, errorNorm, errorOrder, accepted});
        if (accepted) {
            ++solution.stats.accepted;
            y = candidate;
            t = clipped.end;
            if (saveAt.empty()) save(t);
            for (; nextSave < saveAt.size() && saveAt[nextSave] <= t; ++nextSave)
                if (saveAt[nextSave] == t) save(t);
            // A step shortened to land on a save time says nothing about the step size
            // the error allows; keep the controller's proposal.
            if (!lands || dt >= h) h = std::clamp(proposed, dtmin, dtmax);
        } else {
            ++solution.stats.rejected;
            h = proposed;
            if (h < dtmin) {
                solution.status = finite ? OdeStatus::StepSizeTooSmall : OdeStatus::NonFiniteState;
                std::ostringstream cause;
                cause.precision(4);
                cause << (finite ? "step size " : "state became non-finite; step size ") << h
                      << " below dtmin";
                solution.message = describeFailure(cause.str(), t, attempts);
                break;
            }
        }
    }
    return solution;
}

}  // namespace driftlab::core
