// Every sampler driven by the EXACT score of a noised Gaussian mixture under VP, so what is
// measured is the sampler's own error: sliced-Wasserstein distance of its samples to fresh
// mixture data, DPM-Solver-2 at 20 NFE against the 500-step reverse SDE, and the exact
// probability-flow likelihood of a Gaussian against its analytic log-density.
#include <QtTest>
#include <cmath>
#include <cstdio>

#include "core/common/error.h"
#include "core/diffusion/metrics.h"
#include "core/diffusion/samplers.h"

using namespace driftlab::core;
using namespace driftlab::core::diffusion;

namespace {

GaussianMixture2D testMixture() {
    GaussianMixture2D m;
    m.means = {Eigen::Vector2d(-1.2, -0.4), Eigen::Vector2d(1.0, 0.8), Eigen::Vector2d(0.6, -1.1)};
    m.stds = {0.15, 0.25, 0.2};
    m.weights = {0.5, 0.3, 0.2};
    return m;
}

constexpr Index kSamples = 2000;
constexpr int kDirections = 300;

struct Fixture {
    DiffusionProcess process{ProcessConfig{}};  // VP, beta 0.1 -> 20
    GaussianMixture2D data = testMixture();
    MixtureScoreField field{process, data};
    Points heldOut = data.sample(kSamples, 101);
    Points prior = process.samplePrior(kSamples, 7);

    double run(SamplerKind kind, const SamplerOptions& o, long* nfe = nullptr) const {
        const SampleResult r = sampleDiffusion(kind, process, field, prior, o);
        if (!r.ok) qWarning("%s: %s", samplerName(kind).c_str(), r.message.c_str());
        if (nfe) *nfe = r.nfe;
        const double sw = slicedWasserstein2(r.samples, heldOut, kDirections, 5);
        std::printf("  %-24s NFE %5ld  SW2 %.4f  %.3f s\n", samplerName(kind).c_str(), r.nfe, sw,
                    r.seconds);
        return sw;
    }
};

}  // namespace

class TestDiffusionSamplers : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // With well-separated modes, SW2 between two finite samples is dominated by the random
    // mode weights (a mass fluctuation delta moving a distance d costs sqrt(delta) d), so it
    // is noisy at 2,000 points; this is the floor every bound below sits above.
    void floorOfTwoDataSets() {
        const Fixture f;
        const double sw =
            slicedWasserstein2(f.data.sample(kSamples, 55), f.heldOut, kDirections, 5);
        std::printf("  fresh data vs held-out: SW2 %.4f\n", sw);
        QVERIFY(sw < 0.12);
    }

    // Orders of accuracy on Gaussian data, where the probability-flow ODE is solved exactly
    // (x scales by the ratio of marginal stds): the error must fall by about 2^order per
    // doubling of NFE in the asymptotic range.
    void ordersOfConvergence() {
        const DiffusionProcess p{ProcessConfig{}};
        GaussianMixture2D g;
        g.means = {Eigen::Vector2d::Zero()};
        g.stds = {0.2};
        g.weights = {1.0};
        const MixtureScoreField field(p, g);
        Points x(2, 1);
        x << 1.0, -0.5;
        auto sd = [&](double t) {
            return std::hypot(p.meanCoefficient(t) * 0.2, p.marginalStd(t));
        };
        const double tEnd = 1e-3;
        const Points exact = x * sd(tEnd) / sd(1.0);
        struct Case {
            SamplerKind kind;
            int n;
            double minRatio;
            DpmForm form = DpmForm::DataPrediction;
        };
        // Ratios at NFE n -> 2n (measured: DDIM 1.9, DPM-1 1.98, DPM-2 4.2 (noise form 4.2),
        // DPM-3 11 (noise form 25), DPM++(2M) 3.9).
        for (const Case& c :
             {Case{SamplerKind::Ddim, 48, 1.7}, Case{SamplerKind::DpmSolver1, 48, 1.8},
              Case{SamplerKind::DpmSolver2, 24, 3.5}, Case{SamplerKind::DpmSolver3, 12, 7.0},
              Case{SamplerKind::DpmSolver2, 24, 3.5, DpmForm::NoisePrediction},
              Case{SamplerKind::DpmSolver3, 12, 7.0, DpmForm::NoisePrediction},
              Case{SamplerKind::DpmSolverPP2M, 48, 3.3}}) {
            SamplerOptions o;
            o.tEnd = tEnd;
            o.steps = c.n;
            o.dpmForm = c.form;
            const double e1 = (sampleDiffusion(c.kind, p, field, x, o).samples - exact).norm();
            o.steps = 2 * c.n;
            const double e2 = (sampleDiffusion(c.kind, p, field, x, o).samples - exact).norm();
            std::printf("  %-18s %s error %.2e -> %.2e (ratio %.2f)\n", samplerName(c.kind).c_str(),
                        c.form == DpmForm::DataPrediction ? "data " : "noise", e1, e2, e1 / e2);
            QVERIFY2(e1 / e2 > c.minRatio, qPrintable(QString::fromStdString(samplerName(c.kind))));
        }
    }

    void reverseSdeAndDpmSolver2() {
        const Fixture f;
        SamplerOptions o;
        o.steps = 500;
        long nfe = 0;
        // 10,000 points here: the factor between two samplers needs the lower noise floor.
        const Index n = 10000;
        const Points heldOut = f.data.sample(n, 202), prior = f.process.samplePrior(n, 8);
        auto swOf = [&](SamplerKind kind, int steps, long& nfe) {
            o.steps = steps;
            const SampleResult r = sampleDiffusion(kind, f.process, f.field, prior, o);
            nfe = r.nfe;
            const double sw = slicedWasserstein2(r.samples, heldOut, kDirections, 5);
            std::printf("  %-24s NFE %5ld  SW2 %.4f  %.3f s (10,000 points)\n",
                        samplerName(kind).c_str(), r.nfe, sw, r.seconds);
            return sw;
        };
        const double floor = slicedWasserstein2(f.data.sample(n, 303), heldOut, kDirections, 5);
        std::printf("  fresh data vs held-out: SW2 %.4f (10,000 points)\n", floor);
        const double em = swOf(SamplerKind::ReverseSde, 500, nfe);
        QCOMPARE(nfe, 500L);
        QVERIFY2(em < 0.07, qPrintable(QString::number(em)));
        const double dpm2 = swOf(SamplerKind::DpmSolver2, 20, nfe);
        QCOMPARE(nfe, 20L);
        QVERIFY2(dpm2 < 0.07, qPrintable(QString::number(dpm2)));
        QVERIFY2(dpm2 < 1.5 * em, qPrintable(QString("%1 vs %2").arg(dpm2).arg(em)));
    }

    void everySamplerReachesTheData() {
        const Fixture f;
        struct Case {
            SamplerKind kind;
            int steps;
            FixedStepMethod method;
            double bound;
            long nfe;
        };
        const Case cases[] = {
            {SamplerKind::PredictorCorrector, 200, FixedStepMethod::Heun, 0.07, 400},
            {SamplerKind::ProbabilityFlow, 50, FixedStepMethod::Heun, 0.06, 100},
            {SamplerKind::ProbabilityFlow, 25, FixedStepMethod::Rk4, 0.06, 100},
            {SamplerKind::ProbabilityFlow, 200, FixedStepMethod::Euler, 0.08, 200},
            {SamplerKind::ProbabilityFlowAdaptive, 1, FixedStepMethod::Heun, 0.06, -1},
            {SamplerKind::Ddim, 50, FixedStepMethod::Heun, 0.06, 50},
            {SamplerKind::DpmSolver1, 50, FixedStepMethod::Heun, 0.06, 50},
            {SamplerKind::DpmSolver3, 21, FixedStepMethod::Heun, 0.06, 21},
            {SamplerKind::DpmSolver3, 20, FixedStepMethod::Heun, 0.06, 20},
            {SamplerKind::DpmSolverPP2M, 20, FixedStepMethod::Heun, 0.06, 20},
        };
        for (const Case& c : cases) {
            SamplerOptions o;
            o.steps = c.steps;
            o.method = c.method;
            o.rtol = o.atol = 1e-4;
            long nfe = 0;
            const double sw = f.run(c.kind, o, &nfe);
            QVERIFY2(sw < c.bound, qPrintable(QString::fromStdString(samplerName(c.kind)) +
                                              " SW2 " + QString::number(sw)));
            if (c.nfe > 0)
                QCOMPARE(nfe, c.nfe);
            else
                QVERIFY(nfe > 10);
        }
    }

    // Few steps: the higher-order solvers must beat DDIM at the same NFE (what they are for).
    void higherOrderPaysOffAtLowNfe() {
        const Fixture f;
        SamplerOptions o;
        o.steps = 10;
        const double ddim = f.run(SamplerKind::Ddim, o);
        const double pp2m = f.run(SamplerKind::DpmSolverPP2M, o);
        const double dpm3 = f.run(SamplerKind::DpmSolver3, o);
        // Singlestep DPM-Solver-2/-3 at 10 NFE take only 5 and 4 steps across modes of std
        // 0.15 and lose to DDIM there (measured 0.20 and 0.12 vs 0.094); reported, not bounded.
        f.run(SamplerKind::DpmSolver2, o);
        QVERIFY(pp2m < 0.8 * ddim);
        QVERIFY(dpm3 < 0.3);
    }

    void pathsAreRecorded() {
        const Fixture f;
        SamplerOptions o;
        o.steps = 10;
        o.recordParticles = 5;
        const SampleResult r =
            sampleDiffusion(SamplerKind::ReverseSde, f.process, f.field, f.prior, o);
        QCOMPARE(r.paths.size(), std::size_t{11});
        QCOMPARE(r.times.size(), std::size_t{11});
        QCOMPARE(r.paths.front().cols(), Index{5});
        QVERIFY(r.paths.back().isApprox(r.samples.leftCols(5)));
    }

    void absurdBudgetsAreRefused() {
        const Fixture f;
        SamplerOptions o;
        o.steps = 0;
        QVERIFY_THROWS_EXCEPTION(
            driftlab::ConfigError,
            sampleDiffusion(SamplerKind::ReverseSde, f.process, f.field, f.prior, o));
        o.steps = 2;
        QVERIFY_THROWS_EXCEPTION(
            driftlab::ConfigError,
            sampleDiffusion(SamplerKind::DpmSolver3, f.process, f.field, f.prior, o));
        o.steps = 10;
        o.tEnd = 0.0;
        QVERIFY_THROWS_EXCEPTION(
            driftlab::ConfigError,
            sampleDiffusion(SamplerKind::Ddim, f.process, f.field, f.prior, o));
    }

    // A Gaussian N(0, s^2 I) is a one-component mixture: its PF-ODE likelihood with the exact
    // score and divergence must reproduce the analytic log-density at tStart.
    void likelihoodOfAGaussianIsExact() {
        const DiffusionProcess process{ProcessConfig{}};
        GaussianMixture2D g;
        g.means = {Eigen::Vector2d::Zero()};
        g.stds = {0.7};
        g.weights = {1.0};
        const MixtureScoreField field(process, g);
        const Points x = g.sample(50, 3);
        const double tStart = 1e-5;
        const LikelihoodResult r = probabilityFlowLikelihood(process, field, x, tStart, 1e-8, 1e-8);
        QVERIFY2(r.ok, r.message.c_str());
        const Eigen::VectorXd exact = process.noisedMixture(g, tStart).logDensity(x);
        const double err = (r.logDensity - exact).cwiseAbs().maxCoeff();
        std::printf("  PF-ODE likelihood: max |log p - exact| = %.2e, NFE %ld, %.4f bits/dim\n",
                    err, r.nfe, r.bitsPerDim);
        // The prior at t = 1 is N(0, I) while the true marginal has variance
        // 1 - alpha(1)^2 (1 - s^2), alpha(1) = 0.0066: a mismatch of about 1e-5 in log p.
        // (A non-zero mean m would add about alpha(1) m x, 1e-2 here.)
        QVERIFY2(err < 5e-4, qPrintable(QString::number(err)));
        // The finite-difference divergence (the default) agrees too.
        struct FdField final : ScoreField {
            const MixtureScoreField& inner;
            explicit FdField(const MixtureScoreField& f) : inner(f) {}
            void score(const Points& y, double t, Points& out) const override {
                inner.score(y, t, out);
            }
        } fd(field);
        const LikelihoodResult r2 = probabilityFlowLikelihood(process, fd, x, tStart, 1e-6, 1e-6);
        QVERIFY((r2.logDensity - exact).cwiseAbs().maxCoeff() < 1e-2);
    }
};

QTEST_GUILESS_MAIN(TestDiffusionSamplers)
#include "test_diffusion_samplers.moc"
