#include "core/diffusion/samplers.h"

#include <chrono>
#include <cmath>
#include <sstream>

#include "core/common/error.h"
#include "core/common/random.h"
#include "core/diffusion/flow_likelihood.h"
#include "core/solvers/ode_solve.h"

namespace driftlab::core::diffusion {

namespace {

using Clock = std::chrono::steady_clock;

const SamplerKind kAllSamplers[] = {SamplerKind::ReverseSde,
                                    SamplerKind::PredictorCorrector,
                                    SamplerKind::ProbabilityFlow,
                                    SamplerKind::ProbabilityFlowAdaptive,
                                    SamplerKind::Ddim,
                                    SamplerKind::DpmSolver1,
                                    SamplerKind::DpmSolver2,
                                    SamplerKind::DpmSolver3,
                                    SamplerKind::DpmSolverPP2M};

// Keeps the first k particles' states; does nothing when k is 0.
struct PathRecorder {
    SampleResult& result;
    Index particles;
    void operator()(double t, const Points& x) const {
        if (particles == 0) return;
        result.times.push_back(t);
        result.paths.push_back(x.leftCols(particles));
    }
};

void addNoise(Points& x, double scale, RandomStream& random) {
    const ZigguratTables& zt = zigguratTables();
    for (Index i = 0; i < x.size(); ++i) x.data()[i] += scale * random.normal(zt);
}

Points gaussian(Index cols, RandomStream& random) {
    Points z(2, cols);
    const ZigguratTables& zt = zigguratTables();
    for (Index i = 0; i < z.size(); ++i) z.data()[i] = random.normal(zt);
    return z;
}

std::vector<double> uniformTimes(int steps, double t0, double t1) {
    std::vector<double> t(static_cast<std::size_t>(steps) + 1);
    for (int i = 0; i <= steps; ++i) t[i] = t0 + (t1 - t0) * i / steps;
    return t;
}

// Probability-flow velocity f x - g^2 s / 2.
void flowVelocity(const DiffusionProcess& p, const ScoreField& field, const Points& x, double t,
                  Points& v, long& nfe) {
    field.score(x, t, v);
    ++nfe;
    v = p.driftCoefficient(t) * x - 0.5 * p.diffusion(t) * p.diffusion(t) * v;
}

void reverseSde(const DiffusionProcess& p, const ScoreField& field, Points& x,
                const SamplerOptions& o, SampleResult& r, const PathRecorder& rec) {
    const auto t = uniformTimes(o.steps, 1.0, o.tEnd);
    RandomStream random(o.seed, 0x726576);
    Points s;
    for (int i = 0; i < o.steps; ++i) {
        const double dt = t[i] - t[i + 1], g = p.diffusion(t[i]);
        field.score(x, t[i], s);
        ++r.nfe;
        x += (-p.driftCoefficient(t[i]) * x + g * g * s) * dt;
        // The last step returns the mean: noise added there would only blur the samples.
        if (i + 1 < o.steps) addNoise(x, g * std::sqrt(dt), random);
        rec(t[i + 1], x);
    }
}

void predictorCorrector(const DiffusionProcess& p, const ScoreField& field, Points& x,
                        const SamplerOptions& o, SampleResult& r, const PathRecorder& rec) {
    const auto t = uniformTimes(o.steps, 1.0, o.tEnd);
    RandomStream random(o.seed, 0x7063);
    Points s;
    for (int i = 0; i < o.steps; ++i) {
        // Exact forward transition from t[i+1] to t[i]: x_i = a x_{i+1} + G z.
        const double a = p.meanCoefficient(t[i]) / p.meanCoefficient(t[i + 1]);
        const double g2 = std::max(
            0.0, std::pow(p.marginalStd(t[i]), 2) - a * a * std::pow(p.marginalStd(t[i + 1]), 2));
        // Langevin corrector at t[i] (Song et al., Algorithm 5), the step set by the
        // signal-to-noise ratio of update to noise.
        const double langevinAlpha = p.kind() == ProcessKind::VE ? 1.0 : 1.0 / (a * a);
        for (int c = 0; c < o.correctorSteps; ++c) {
            field.score(x, t[i], s);
            ++r.nfe;
            const Points z = gaussian(x.cols(), random);
            const double gradNorm = s.colwise().norm().mean();
            const double noiseNorm = z.colwise().norm().mean();
            if (!(gradNorm > 0.0)) break;
            const double step = 2.0 * langevinAlpha * std::pow(o.snr * noiseNorm / gradNorm, 2);
            x += step * s + std::sqrt(2.0 * step) * z;
        }
        // Reverse-diffusion predictor: x_{i+1} = x - (a - 1) x + G^2 s + G z.
        field.score(x, t[i], s);
        ++r.nfe;
        x = (2.0 - a) * x + g2 * s;
        if (i + 1 < o.steps) addNoise(x, std::sqrt(g2), random);
        rec(t[i + 1], x);
    }
}

void probabilityFlowFixed(const DiffusionProcess& p, const ScoreField& field, Points& x,
                          const SamplerOptions& o, SampleResult& r, const PathRecorder& rec) {
    const auto t = uniformTimes(o.steps, 1.0, o.tEnd);
    FixedStepStages<Points> k;
    const auto velocity = [&](const Points& y, double at, Points& v) {
        flowVelocity(p, field, y, at, v, r.nfe);
    };
    for (int i = 0; i < o.steps; ++i) {
        fixedStep(o.method, velocity, x, t[i], t[i + 1], k);
        rec(t[i + 1], x);
    }
}

void probabilityFlowAdaptive(const DiffusionProcess& p, const ScoreField& field, Points& x,
                             const SamplerOptions& o, SampleResult& r, const PathRecorder& rec) {
    const Index n = x.cols();
    long nfe = 0;
    FunctionOdeSystem system(
        static_cast<int>(2 * n), [&](double t, const Eigen::VectorXd& y, Eigen::VectorXd& dy) {
            Points v;
            flowVelocity(p, field, Eigen::Map<const Points>(y.data(), 2, n), t, v, nfe);
            dy = Eigen::Map<const Eigen::VectorXd>(v.data(), 2 * n);
        });
    OdeOptions options;
    options.rtol = o.rtol;
    options.atol = o.atol;
    options.recordSteps = false;
    if (rec.particles > 0)
        options.saveAt = uniformTimes(50, 1.0, o.tEnd);
    else
        options.saveAt = {o.tEnd};
    const OdeSolution sol =
        integrate(system, Eigen::Map<const Eigen::VectorXd>(x.data(), 2 * n), 1.0, o.tEnd, options);
    r.nfe = sol.stats.nfe;
    r.ok = sol.ok();
    r.message = sol.message;
    if (sol.y.empty()) return;
    for (std::size_t k = 0; k < sol.y.size(); ++k)
        rec(sol.t[k], Eigen::Map<const Points>(sol.y[k].data(), 2, n));
    x = Eigen::Map<const Points>(sol.y.back().data(), 2, n);
}

// Noise prediction from the score: eps = -sigma_t s.
void noisePrediction(const DiffusionProcess& p, const ScoreField& field, const Points& x, double t,
                     Points& eps, long& nfe) {
    field.score(x, t, eps);
    ++nfe;
    eps *= -p.marginalStd(t);
}

void ddim(const DiffusionProcess& p, const ScoreField& field, Points& x, const SamplerOptions& o,
          SampleResult& r, const PathRecorder& rec) {
    const auto t = uniformTimes(o.steps, 1.0, o.tEnd);
    Points eps;
    for (int i = 0; i < o.steps; ++i) {
        noisePrediction(p, field, x, t[i], eps, r.nfe);
        const double as = p.meanCoefficient(t[i]), ss = p.marginalStd(t[i]);
        const double at = p.meanCoefficient(t[i + 1]), st = p.marginalStd(t[i + 1]);
        x = (at / as) * (x - ss * eps) + st * eps;
        rec(t[i + 1], x);
    }
}

// Orders of the singlestep DPM-Solver outer steps for an NFE budget (Lu et al. 2022, the
// "fast" recipe of the reference implementation): as many order-k steps as fit, the rest
// spent on one lower-order step so the budget is met exactly.
std::vector<int> dpmOrders(int order, int nfe) {
    std::vector<int> orders;
    if (order == 1) {
        orders.assign(static_cast<std::size_t>(nfe), 1);
    } else if (order == 2) {
        orders.assign(static_cast<std::size_t>(nfe / 2), 2);
        if (nfe % 2 == 1) orders.push_back(1);
    } else {
        const int k = nfe / 3 + 1;
        if (nfe % 3 == 0) {
            orders.assign(static_cast<std::size_t>(k - 2), 3);
            orders.push_back(2);
            orders.push_back(1);
        } else {
            orders.assign(static_cast<std::size_t>(k - 1), 3);
            orders.push_back(nfe % 3);
        }
    }
    return orders;
}

// Data prediction x0 = (x - sigma eps) / alpha, the quantity DPM-Solver++ extrapolates.
void dataPrediction(const DiffusionProcess& p, const ScoreField& field, const Points& x, double t,
                    Points& x0, long& nfe) {
    noisePrediction(p, field, x, t, x0, nfe);
    x0 = (x - p.marginalStd(t) * x0) / p.meanCoefficient(t);
}

// One singlestep DPM-Solver step of order k from s to t in noise form (Lu et al. 2022a,
// Algorithms 1 and 2 with r1 = 1/2, resp. r1 = 1/3, r2 = 2/3): exponential integrator of
// the linear part, eps Taylor-expanded in lambda from intermediate evaluations.
void dpmNoiseStep(const DiffusionProcess& p, const ScoreField& field, Points& x, int order,
                  double s, double t, long& nfe) {
    const double ls = p.logSnrHalf(s), h = p.logSnrHalf(t) - ls;
    auto alpha = [&](double u) { return p.meanCoefficient(u); };
    auto sigma = [&](double u) { return p.marginalStd(u); };
    Points e0, e1, e2, u;
    noisePrediction(p, field, x, s, e0, nfe);
    const Points base = (alpha(t) / alpha(s)) * x - sigma(t) * std::expm1(h) * e0;
    if (order == 1) {
        x = base;
    } else if (order == 2) {
        const double r1 = 0.5, s1 = p.timeFromLogSnrHalf(ls + r1 * h);
        u = (alpha(s1) / alpha(s)) * x - sigma(s1) * std::expm1(r1 * h) * e0;
        noisePrediction(p, field, u, s1, e1, nfe);
        x = base - (sigma(t) / (2.0 * r1)) * std::expm1(h) * (e1 - e0);
    } else {
        const double r1 = 1.0 / 3.0, r2 = 2.0 / 3.0;
        const double s1 = p.timeFromLogSnrHalf(ls + r1 * h), s2 = p.timeFromLogSnrHalf(ls + r2 * h);
        u = (alpha(s1) / alpha(s)) * x - sigma(s1) * std::expm1(r1 * h) * e0;
        noisePrediction(p, field, u, s1, e1, nfe);
        u = (alpha(s2) / alpha(s)) * x - sigma(s2) * std::expm1(r2 * h) * e0 -
            (sigma(s2) * r2 / r1) * (std::expm1(r2 * h) / (r2 * h) - 1.0) * (e1 - e0);
        noisePrediction(p, field, u, s2, e2, nfe);
        x = base - (sigma(t) / r2) * (std::expm1(h) / h - 1.0) * (e2 - e0);
    }
}

// The same step in data form (DPM-Solver++ 2S/3S, Lu et al. 2022b; the formulas of the
// reference implementation's singlestep updates with algorithm_type "dpmsolver++").
void dpmDataStep(const DiffusionProcess& p, const ScoreField& field, Points& x, int order, double s,
                 double t, long& nfe) {
    const double ls = p.logSnrHalf(s), h = p.logSnrHalf(t) - ls;
    auto alpha = [&](double u) { return p.meanCoefficient(u); };
    auto sigma = [&](double u) { return p.marginalStd(u); };
    Points d0, d1, d2, u;
    dataPrediction(p, field, x, s, d0, nfe);
    const Points base = (sigma(t) / sigma(s)) * x - alpha(t) * std::expm1(-h) * d0;
    if (order == 1) {
        x = base;
    } else if (order == 2) {
        const double r1 = 0.5, s1 = p.timeFromLogSnrHalf(ls + r1 * h);
        u = (sigma(s1) / sigma(s)) * x - alpha(s1) * std::expm1(-r1 * h) * d0;
        dataPrediction(p, field, u, s1, d1, nfe);
        x = base - (0.5 / r1) * alpha(t) * std::expm1(-h) * (d1 - d0);
    } else {
        const double r1 = 1.0 / 3.0, r2 = 2.0 / 3.0;
        const double s1 = p.timeFromLogSnrHalf(ls + r1 * h), s2 = p.timeFromLogSnrHalf(ls + r2 * h);
        u = (sigma(s1) / sigma(s)) * x - alpha(s1) * std::expm1(-r1 * h) * d0;
        dataPrediction(p, field, u, s1, d1, nfe);
        u = (sigma(s2) / sigma(s)) * x - alpha(s2) * std::expm1(-r2 * h) * d0 +
            (r2 / r1) * alpha(s2) * (std::expm1(-r2 * h) / (r2 * h) + 1.0) * (d1 - d0);
        dataPrediction(p, field, u, s2, d2, nfe);
        x = base + (1.0 / r2) * alpha(t) * (std::expm1(-h) / h + 1.0) * (d2 - d0);
    }
}

void dpmSolverSinglestep(const DiffusionProcess& p, const ScoreField& field, Points& x, int order,
                         const SamplerOptions& o, SampleResult& r, const PathRecorder& rec) {
    const std::vector<int> orders = dpmOrders(order, o.steps);
    const auto t = dpmTimeSteps(p, static_cast<int>(orders.size()), o.tEnd, o.schedule);
    for (std::size_t i = 0; i < orders.size(); ++i) {
        if (o.dpmForm == DpmForm::DataPrediction)
            dpmDataStep(p, field, x, orders[i], t[i], t[i + 1], r.nfe);
        else
            dpmNoiseStep(p, field, x, orders[i], t[i], t[i + 1], r.nfe);
        rec(t[i + 1], x);
    }
}

void dpmSolverPP2M(const DiffusionProcess& p, const ScoreField& field, Points& x,
                   const SamplerOptions& o, SampleResult& r, const PathRecorder& rec) {
    const int steps = o.steps;
    const auto t = dpmTimeSteps(p, steps, o.tEnd, o.schedule);
    Points eps, d0, dPrev;
    double hPrev = 0.0;
    for (int i = 0; i < steps; ++i) {
        const double s = t[i], tt = t[i + 1];
        const double h = p.logSnrHalf(tt) - p.logSnrHalf(s);
        noisePrediction(p, field, x, s, eps, r.nfe);
        // Data prediction x0 = (x - sigma eps) / alpha: DPM-Solver++ integrates in it, which
        // keeps large steps stable.
        d0 = (x - p.marginalStd(s) * eps) / p.meanCoefficient(s);
        // Few-step runs end with a first-order step, as the reference implementation does:
        // the last interval is the stiffest.
        const bool firstOrder = i == 0 || (steps < 10 && i == steps - 1);
        Points d = d0;
        if (!firstOrder) {
            const double ratio = hPrev / h;
            d = (1.0 + 0.5 / ratio) * d0 - (0.5 / ratio) * dPrev;
        }
        x = (p.marginalStd(tt) / p.marginalStd(s)) * x - p.meanCoefficient(tt) * std::expm1(-h) * d;
        dPrev = d0;
        hPrev = h;
        rec(tt, x);
    }
}

void validate(const SamplerOptions& o, int minSteps, const std::string& name) {
    if (o.steps < minSteps || o.steps > 1000000)
        throw ConfigError(name + ": steps/NFE must lie in [" + std::to_string(minSteps) +
                          ", 1000000] (got " + std::to_string(o.steps) + ")");
    if (!(o.tEnd > 0.0 && o.tEnd < 1.0))
        throw ConfigError(name + ": the end time must lie in (0, 1)");
    if (o.correctorSteps < 0 || !(o.snr >= 0.0) || !(o.epsilon >= 0.0) || !std::isfinite(o.epsilon))
        throw ConfigError(name + ": corrector steps, snr and epsilon must not be negative");
    if (o.recordParticles < 0) throw ConfigError(name + ": recordParticles must not be negative");
}

}  // namespace

std::string samplerName(SamplerKind kind) {
    switch (kind) {
        case SamplerKind::ReverseSde:
            return "reverse_sde";
        case SamplerKind::PredictorCorrector:
            return "predictor_corrector";
        case SamplerKind::ProbabilityFlow:
            return "probability_flow";
        case SamplerKind::ProbabilityFlowAdaptive:
            return "probability_flow_dopri5";
        case SamplerKind::Ddim:
            return "ddim";
        case SamplerKind::DpmSolver1:
            return "dpm_solver_1";
        case SamplerKind::DpmSolver2:
            return "dpm_solver_2";
        case SamplerKind::DpmSolver3:
            return "dpm_solver_3";
        case SamplerKind::DpmSolverPP2M:
            return "dpm_solver_pp_2m";
    }
    return "unknown";
}

SamplerKind samplerFromName(const std::string& name) {
    for (auto k : kAllSamplers)
        if (samplerName(k) == name) return k;
    throw ConfigError("unknown sampler '" + name + "'");
}

std::vector<double> dpmTimeSteps(const DiffusionProcess& p, int intervals, double tEnd,
                                 StepSchedule schedule) {
    std::vector<double> t(static_cast<std::size_t>(intervals) + 1);
    const double l0 = p.logSnrHalf(1.0), l1 = p.logSnrHalf(tEnd);
    for (int i = 0; i <= intervals; ++i) {
        const double u = static_cast<double>(i) / intervals;
        switch (schedule) {
            case StepSchedule::LogSnrUniform:
                t[i] = p.timeFromLogSnrHalf(l0 + u * (l1 - l0));
                break;
            case StepSchedule::TimeUniform:
                t[i] = 1.0 + u * (tEnd - 1.0);
                break;
            case StepSchedule::TimeQuadratic: {
                const double r = 1.0 + u * (std::sqrt(tEnd) - 1.0);
                t[i] = r * r;
                break;
            }
        }
    }
    t.front() = 1.0;
    t.back() = tEnd;
    return t;
}

SampleResult sampleDiffusion(SamplerKind kind, const DiffusionProcess& process,
                             const ScoreField& field, const Points& xT, const SamplerOptions& o) {
    const int minSteps = kind == SamplerKind::DpmSolver2   ? 2
                         : kind == SamplerKind::DpmSolver3 ? 3
                                                           : 1;
    validate(o, minSteps, samplerName(kind));
    SampleResult r;
    const auto start = Clock::now();
    Points x = xT;
    const PathRecorder rec{r, std::min<Index>(o.recordParticles, x.cols())};
    rec(1.0, x);
    switch (kind) {
        case SamplerKind::ReverseSde:
            reverseSde(process, field, x, o, r, rec);
            break;
        case SamplerKind::PredictorCorrector:
            predictorCorrector(process, field, x, o, r, rec);
            break;
        case SamplerKind::ProbabilityFlow:
            probabilityFlowFixed(process, field, x, o, r, rec);
            break;
        case SamplerKind::ProbabilityFlowAdaptive:
            r.times.clear();
            r.paths.clear();
            probabilityFlowAdaptive(process, field, x, o, r, rec);
            break;
        case SamplerKind::Ddim:
            ddim(process, field, x, o, r, rec);
            break;
        case SamplerKind::DpmSolver1:
            dpmSolverSinglestep(process, field, x, 1, o, r, rec);
            break;
        case SamplerKind::DpmSolver2:
            dpmSolverSinglestep(process, field, x, 2, o, r, rec);
            break;
        case SamplerKind::DpmSolver3:
            dpmSolverSinglestep(process, field, x, 3, o, r, rec);
            break;
        case SamplerKind::DpmSolverPP2M:
            dpmSolverPP2M(process, field, x, o, r, rec);
            break;
    }
    r.samples = std::move(x);
    if (r.ok && !r.samples.allFinite()) {
        r.ok = false;
        r.message = samplerName(kind) + ": the samples became non-finite";
    }
    r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return r;
}

SampleResult sampleInterpolant(const VelocityField& field, const Points& x0, bool stochastic,
                               const SamplerOptions& o) {
    validate(o, 1, stochastic ? "interpolant SDE" : "interpolant ODE");
    SampleResult r;
    const auto start = Clock::now();
    Points x = x0, k1, s;
    const PathRecorder rec{r, std::min<Index>(o.recordParticles, x.cols())};
    rec(0.0, x);
    auto b = [&](const Points& y, double t, Points& out) {
        field.velocityAndScore(y, t, out, nullptr);
        ++r.nfe;
    };
    if (!stochastic || o.epsilon == 0.0) {
        const auto t = uniformTimes(o.steps, 0.0, 1.0);
        FixedStepStages<Points> k;
        for (int i = 0; i < o.steps; ++i) {
            fixedStep(o.method, b, x, t[i], t[i + 1], k);
            rec(t[i + 1], x);
        }
    } else {
        const auto t = uniformTimes(o.steps, 0.0, 1.0);
        RandomStream random(o.seed, 0x697364);
        for (int i = 0; i < o.steps; ++i) {
            const double h = t[i + 1] - t[i];
            if (i + 1 == o.steps) {
                b(x, t[i], k1);
                x += h * k1;
            } else {
                field.velocityAndScore(x, t[i], k1, &s);
                ++r.nfe;
                x += h * (k1 + o.epsilon * s);
                addNoise(x, std::sqrt(2.0 * o.epsilon * h), random);
            }
            rec(t[i + 1], x);
        }
    }
    r.samples = std::move(x);
    if (!r.samples.allFinite()) {
        r.ok = false;
        r.message = "interpolant sampler: the samples became non-finite";
    }
    r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return r;
}

LikelihoodResult probabilityFlowLikelihood(const DiffusionProcess& p, const ScoreField& field,
                                           const Points& x, double tStart, double rtol,
                                           double atol) {
    if (!(tStart >= 0.0 && tStart < 1.0))
        throw ConfigError("likelihood: the start time must lie in [0, 1)");
    if (x.cols() < 1) throw ConfigError("likelihood: no points");
    const auto flow = [&](double t, const Eigen::Map<const Points>& pos, Points& velocity,
                          Eigen::VectorXd& divergence) {
        Points s;
        field.scoreWithDivergence(pos, t, s, divergence);
        const double f = p.driftCoefficient(t), g2 = p.diffusion(t) * p.diffusion(t);
        velocity = f * pos - 0.5 * g2 * s;
        divergence = (2.0 * f - 0.5 * g2 * divergence.array()).matrix();
    };
    return flowLikelihood(
        x, tStart, 1.0, flow, [&](const Points& noise) { return p.priorLogDensity(noise); }, rtol,
        atol);
}

}  // namespace driftlab::core::diffusion
