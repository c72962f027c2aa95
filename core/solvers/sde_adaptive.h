#pragma once
// Adaptive step-size control for one SDE path: a stepper with an embedded error estimate
// (SRA1) driven by a queryable Brownian path, so a rejected step is retried on the SAME
// Brownian motion (the tree answers any sub-interval consistently). Without that, rejecting
// steps would bias the solution. Records every attempted step like the ODE solver does, so
// the solver-diagnostics view shows both.
#include "core/solvers/brownian_path.h"
#include "core/solvers/ode_solve.h"
#include "core/solvers/sde_steppers.h"
#include "core/solvers/sde_system.h"

#include <Eigen/Core>
#include <string>
#include <vector>

namespace driftlab::core {

struct AdaptiveSdeOptions {
    double rtol = 1e-3;
    double atol = 1e-3;
    double dt0 = 0.0;    // 0: (t1 - t0) / 100
    double dtmin = 0.0;  // 0: 1e-12 (t1 - t0)
    double dtmax = 0.0;  // 0: t1 - t0
    long maxSteps = 200000;
    double safety = 0.9;
    double facmin = 0.2;
    double facmax = 5.0;
    // Integral, ProportionalIntegral or ProportionalIntegralDerivative (the error exponent
    // is the strong order). Unlike the ODE solver, a step after a rejection may grow.
    StepController controller = StepController::Integral;
    // Steps are shortened to land on these times (inside [t0, t1], increasing); empty: t0,
    // t1 and every accepted step are saved.
    std::vector<double> saveAt;
};

struct AdaptiveSdeSolution {
    std::vector<double> t;
    std::vector<Eigen::VectorXd> y;
    OdeStats stats;  // nfe counts drift + diffusion evaluations
    OdeStatus status = OdeStatus::Success;
    std::string message;
    std::string solver;
    bool ok() const { return status == OdeStatus::Success; }
};

// brownian: the path's Brownian motion is column 0 of the source (a BrownianPath, or
// BrownianTree::path(p) for path p of a batch), queried over each attempted step.
// Throws SolverError if the stepper has no error estimate or does not support the noise,
// ConfigError for invalid options; failures during the solve come back as a status and
// message with the partial solution, as for ODEs.
AdaptiveSdeSolution integrateSdeAdaptive(const SdeSystem& system, const SdeStepper& stepper,
                                         const Eigen::VectorXd& y0, double t0, double t1,
                                         const BrownianSource& brownian,
                                         const AdaptiveSdeOptions& options = {});

}  // namespace driftlab::core
