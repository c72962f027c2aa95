#pragma once
// integrate(): drives an OdeStepper from t0 to t1 with a step-size controller, saves the
// requested output, and records what every attempted step did. The statistics are part of
// the result, not debug output: the solver-diagnostics view plots them.
//
// Invalid options throw ConfigError. A solve that cannot go on (step size below dtmin, too
// many steps, non-finite state) does not throw: it returns with status != Success, a
// message naming time, step and cause, and everything computed up to there.
#include "core/solvers/ode_steppers.h"
#include "core/solvers/ode_system.h"
#include "core/solvers/step_controller.h"  // StepController, PidCoefficients

#include <Eigen/Core>
#include <functional>
#include <limits>
#include <string>
#include <vector>

namespace driftlab::core {

enum class JacobianSource {
    Automatic,         // the system's analytic Jacobian when it has one
    FiniteDifference,  // always forward differences
};

struct OdeStepRecord {
    long step = 0;           // 1-based count of attempted steps
    double t = 0.0;          // start of the step
    double dt = 0.0;         // signed step size attempted
    double errorNorm = 0.0;  // scaled RMS error estimate; NaN without estimate or if non-finite
    bool accepted = false;
    double stiffness = 0.0;    // h * |lambda| estimate; NaN when the method gives none
    bool stiffSolver = false;  // taken by the stiff method of an auto-switching solve
};

struct OdeOptions {
    OdeMethod method = OdeMethod::DormandPrince5;
    StepController controller = StepController::ProportionalIntegral;

    // Error test per component: |err_i| <= atol_i + rtol_i * max(|y_i|, |y_new_i|), in the
    // RMS norm. The per-component vectors, when set, replace the scalars.
    double rtol = 1e-6;
    double atol = 1e-8;
    Eigen::VectorXd rtolPerComponent;
    Eigen::VectorXd atolPerComponent;

    double dt0 = 0.0;    // first step; 0 lets the solver choose (Hairer's starting step)
    double dtmin = 0.0;  // 0: only the floating-point limit (16 eps |t|)
    double dtmax = std::numeric_limits<double>::infinity();
    long maxSteps = 100000;  // attempted steps, rejected ones included

    // Controller coefficients; NaN picks the standard values: beta1 = 0.7/k, beta2 = 0.4/k.
    double safety = 0.9;
    double facmin = 0.2;
    double facmax = 10.0;
    double beta1 = std::numeric_limits<double>::quiet_NaN();
    double beta2 = std::numeric_limits<double>::quiet_NaN();
    PidCoefficients pid;  // for StepController::ProportionalIntegralDerivative

    // Times to save at (monotone in the direction of integration, inside [t0, t1]); filled
    // by dense output, or by landing on them for methods without one. Empty: t0 and every
    // accepted step.
    std::vector<double> saveAt;
    bool recordSteps = true;  // keep the per-step records in OdeStats::steps

    JacobianSource jacobian = JacobianSource::Automatic;

    // Stiffness (Hairer–Wanner II, IV.2): an accepted explicit step with stiffness estimate
    // above the method's stability boundary counts as stiff; a run of 6 non-stiff steps
    // clears the count. stiffSteps counted steps flag the problem as stiff and, with
    // autoSwitch, hand it to stiffMethod. The stiff solver hands it back after
    // nonstiffSteps accepted steps whose h * rho(J) is below nonstiffFraction * boundary.
    bool autoSwitch = false;
    OdeMethod stiffMethod = OdeMethod::Rosenbrock23;
    int stiffSteps = 15;
    int nonstiffSteps = 5;
    double nonstiffFraction = 0.9;

    // Called after every attempted step, accepted or not.
    std::function<void(const OdeStepRecord&)> observer;
};

struct OdeStats {
    long nfe = 0;  // right-hand-side evaluations, finite-difference Jacobians included
    long accepted = 0;
    long rejected = 0;
    long jacobianEvaluations = 0;
    long factorizations = 0;
    long methodSwitches = 0;
    bool stiffnessDetected = false;
    double stiffnessDetectedAt = std::numeric_limits<double>::quiet_NaN();
    double maxStiffness = 0.0;
    std::vector<OdeStepRecord> steps;
};

enum class OdeStatus { Success, StepSizeTooSmall, MaxStepsExceeded, NonFiniteState };
std::string toString(OdeStatus status);

struct OdeSolution {
    std::vector<double> t;
    std::vector<Eigen::VectorXd> y;
    OdeStats stats;
    OdeStatus status = OdeStatus::Success;
    std::string message;  // empty on success
    std::string solver;   // e.g. "Dormand–Prince 5(4)" or "... / Rosenbrock 2(3) (auto-switch)"

    bool ok() const { return status == OdeStatus::Success; }
};

OdeSolution integrate(const OdeSystem& system, const Eigen::VectorXd& y0, double t0, double t1,
                      const OdeOptions& options = {});

}  // namespace driftlab::core
