#pragma once
// Samplers of the shoot-out. Each returns its samples, the number of score/velocity
// evaluations (NFE; one per batch evaluation, whatever the batch size), the wall time and,
// on request, the paths of the first few particles. Diffusion samplers run from t = 1 down
// to tEnd (> 0: the score is singular at 0), interpolant samplers from t = 0 up to 1.
#include <cstdint>
#include <string>
#include <vector>

#include "core/diffusion/fields.h"
#include "core/solvers/fixed_step_ode.h"

namespace driftlab::core::diffusion {

enum class SamplerKind {
    ReverseSde,               // Euler–Maruyama on the reverse SDE
    PredictorCorrector,       // reverse-diffusion predictor + Langevin corrector
    ProbabilityFlow,          // fixed steps (Euler / Heun / RK4)
    ProbabilityFlowAdaptive,  // Dormand–Prince 5(4) from the engine's ODE solver
    Ddim,                     // eta = 0, time-uniform steps
    DpmSolver1,
    DpmSolver2,
    DpmSolver3,     // singlestep, NFE budget
    DpmSolverPP2M,  // DPM-Solver++(2M) multistep
};
std::string samplerName(SamplerKind kind);
SamplerKind samplerFromName(const std::string& name);

using core::FixedStepMethod;  // Euler, Heun, Rk4 (core/solvers/fixed_step_ode.h)
// Where DPM-Solver places its steps: uniform in lambda = log(alpha/sigma) (the paper's
// choice for low-resolution data), uniform in t, or uniform in sqrt(t).
enum class StepSchedule { LogSnrUniform, TimeUniform, TimeQuadratic };
// What the singlestep DPM-Solver-2/3 extrapolate over a step. Noise prediction is the
// original DPM-Solver (Lu et al. 2022a); data prediction x0 = (x - sigma eps) / alpha is its
// DPM-Solver++ form (Lu et al. 2022b, "2S"/"3S"). In noise form the high-order corrections
// are scaled by sigma_t e^h = alpha_t sigma_s / alpha_s, the noise-to-signal ratio at the
// step's start (about 150 at t = 1 under the default VP), so any change of eps across a long
// step (network error, or the exact eps of sharp data, whose data part grows like e^lambda)
// is blown up: at 5 NFE with the exact score of eight standardised Gaussians DPM-Solver-3
// lands at SW2 3.0 instead of 0.12, whatever the step spacing. In data form they are scaled
// by alpha_t <= 1 and x0 stays bounded, so it is the default. Order 1 is the same in both.
enum class DpmForm { DataPrediction, NoisePrediction };

struct SamplerOptions {
    // Steps for the fixed-step samplers; the NFE budget for the DPM-Solvers (and for the
    // predictor–corrector: steps * (1 + correctorSteps) evaluations).
    int steps = 100;
    double tEnd = 1e-3;
    std::uint64_t seed = 0;                          // noise of the stochastic samplers
    int recordParticles = 0;                         // paths of the first k particles at every step
    int correctorSteps = 1;                          // predictor–corrector
    double snr = 0.16;                               // Langevin step: 2 a (snr |z| / |score|)^2
    FixedStepMethod method = FixedStepMethod::Heun;  // probability flow, interpolant ODE
    double rtol = 1e-5, atol = 1e-5;                 // adaptive probability flow
    StepSchedule schedule = StepSchedule::LogSnrUniform;  // DPM-Solvers
    DpmForm dpmForm = DpmForm::DataPrediction;            // singlestep DPM-Solver-2/3
    double epsilon = 1.0;                                 // interpolant SDE diffusion coefficient
};

struct SampleResult {
    Points samples;
    long nfe = 0;
    double seconds = 0.0;
    std::vector<double> times;  // one per recorded state
    std::vector<Points> paths;  // 2 x recordParticles each
    bool ok = true;
    std::string message;  // why an adaptive solve stopped, when !ok
};

// Validates the options (ConfigError: steps < 1 or > 1e6, tEnd outside (0, 1), DPM-Solver
// budgets below its order, negative snr/epsilon) and runs the sampler from the prior noise xT.
SampleResult sampleDiffusion(SamplerKind kind, const DiffusionProcess& process,
                             const ScoreField& field, const Points& xT,
                             const SamplerOptions& options);

// The interpolant from x0 ~ N(0, I) at t = 0 to data at t = 1: the ODE dX = b dt
// (options.method, options.steps), or with epsilon > 0 the SDE
// dX = (b + epsilon s) dt + sqrt(2 epsilon) dW (Euler–Maruyama up to 1 - tEnd, then one
// deterministic step, as the score blows up at t = 1).
SampleResult sampleInterpolant(const VelocityField& field, const Points& x0, bool stochastic,
                               const SamplerOptions& options);

// The time grid DPM-Solver uses for `intervals` outer steps from 1 to tEnd.
std::vector<double> dpmTimeSteps(const DiffusionProcess& process, int intervals, double tEnd,
                                 StepSchedule schedule);

struct LikelihoodResult {
    Eigen::VectorXd logDensity;  // log p_tStart(x) per point, in the coordinates of x
    double bitsPerDim = 0.0;     // -mean(log p) / (2 ln 2)
    long nfe = 0;
    bool ok = true;
    std::string message;
};

// Exact log-likelihood under the probability-flow ODE (instantaneous change of variables):
// log p(x) = log p_1(x(1)) + integral from tStart to 1 of div v(x(t), t) dt, with
// v = f x - g^2 s / 2 and div v = 2 f - g^2 div s / 2, the divergence exact (no trace
// estimator) and the whole batch solved by adaptive Dormand–Prince.
LikelihoodResult probabilityFlowLikelihood(const DiffusionProcess& process, const ScoreField& field,
                                           const Points& x, double tStart = 1e-5,
                                           double rtol = 1e-6, double atol = 1e-6);

// Exact log-likelihood under an interpolant's ODE dx/dt = b(x, t), which carries N(0, I) at
// t = 0 to the data law at t = 1: log p_tEnd(x) = log N(x(tStart); 0, I) - integral from
// tStart to tEnd of div b(x(t), t) dt, solved backwards from x(tEnd) = x by adaptive
// Dormand–Prince with the exact divergence. tStart > 0 and tEnd < 1 keep to the times the
// network was trained on; the law at tStart is then N(0, I) only up to O(tStart) (beta and
// gamma of the interpolant there), which the result ignores.
LikelihoodResult interpolantLikelihood(const VelocityField& field, const Points& x,
                                       double tStart = 1e-3, double tEnd = 1.0 - 1e-3,
                                       double rtol = 1e-6, double atol = 1e-6);

}  // namespace driftlab::core::diffusion
