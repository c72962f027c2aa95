// Singlestep DPM-Solver-2/3 at very small budgets, driven by the EXACT score of eight
// standardised Gaussians (no training, so only the solver is measured). The budget is split
// as the reference implementation does ("DPM-Solver-fast": NFE 5 at order 3 is one order-3
// and one order-2 step, at order 2 two order-2 steps and one order-1 step) over steps uniform
// in logSNR down to t = 1e-3. With that spacing the noise-prediction form still blows up at
// 5 NFE (SW2 ~3 for DPM-Solver-3): its corrections are scaled by the noise-to-signal ratio
// at the step's start. The data-prediction form (DPM-Solver++ singlestep), the default, is
// what these bounds hold for.
#include <QtTest>
#include <cmath>
#include <cstdio>

#include "core/diffusion/metrics.h"
#include "core/diffusion/samplers.h"

using namespace driftlab::core::diffusion;

namespace {

constexpr Index kPoints = 4000;
constexpr int kDirections = 300;

// Eight Gaussians of radius 2 and mode std 0.1, standardised: each coordinate has variance
// 4 / 2 + 0.1^2 = 2.01 about a zero mean.
GaussianMixture2D standardisedEightGaussians() {
    GaussianMixture2D g = GaussianMixture2D::eightGaussians(2.0, 0.1);
    const double scale = std::sqrt(2.01);
    for (auto& m : g.means) m /= scale;
    for (auto& s : g.stds) s /= scale;
    return g;
}

struct Fixture {
    DiffusionProcess process{ProcessConfig{}};  // VP, beta 0.1 -> 20
    GaussianMixture2D data = standardisedEightGaussians();
    MixtureScoreField field{process, data};
    Points heldOut = data.sample(kPoints, 21);
    Points prior = process.samplePrior(kPoints, 22);

    SampleResult sample(SamplerKind kind, int nfe, DpmForm form = DpmForm::DataPrediction) const {
        SamplerOptions o;
        o.steps = nfe;
        o.seed = 3;
        o.dpmForm = form;
        return sampleDiffusion(kind, process, field, prior, o);
    }
    double sw2(const Points& samples) const {
        return slicedWasserstein2(samples, heldOut, kDirections, 9);
    }
};

}  // namespace

class TestDiffusionDpmLowNfe : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // Measured: floor 0.07; DPM-2 at 5 / 10 NFE 0.09 / 0.07, DPM-3 0.12 / 0.08.
    void dataFormIsAccurateAtFiveAndTenNfe() {
        const Fixture f;
        const double floor = f.sw2(f.data.sample(kPoints, 23));
        std::printf("  fresh data vs held-out: SW2 %.4f\n", floor);
        for (SamplerKind kind : {SamplerKind::DpmSolver2, SamplerKind::DpmSolver3}) {
            for (int nfe : {5, 10}) {
                const SampleResult r = f.sample(kind, nfe);
                QVERIFY2(r.ok, r.message.c_str());
                QVERIFY(r.samples.allFinite());
                QCOMPARE(r.nfe, static_cast<long>(nfe));
                const double sw = f.sw2(r.samples);
                std::printf("  %-14s NFE %2d  SW2 %.4f\n", samplerName(kind).c_str(), nfe, sw);
                QVERIFY2(sw < 0.2, qPrintable(QString("%1 at %2 NFE: SW2 %3")
                                                  .arg(QString::fromStdString(samplerName(kind)))
                                                  .arg(nfe)
                                                  .arg(sw)));
            }
        }
    }

    // The failure the data form removes, kept as a measured fact: same spacing, same orders,
    // same exact score, noise form (measured SW2 3.0 vs 0.12).
    void noiseFormBlowsUpAtFiveNfe() {
        const Fixture f;
        const double noise =
            f.sw2(f.sample(SamplerKind::DpmSolver3, 5, DpmForm::NoisePrediction).samples);
        const double data = f.sw2(f.sample(SamplerKind::DpmSolver3, 5).samples);
        std::printf("  dpm_solver_3 at 5 NFE: noise form SW2 %.3f, data form %.3f\n", noise, data);
        QVERIFY2(noise > 10.0 * data, qPrintable(QString("%1 vs %2").arg(noise).arg(data)));
    }

    // DPM-Solver-2 at 20 NFE against the 1000-step sampler of the same probability-flow ODE
    // from the same noise (DPM-Solver-1 = DDIM at 1000 steps): both are deterministic maps of
    // one prior sample, so the mode-weight fluctuation that dominates SW2 at 4,000 points is
    // shared and the factor measures the solver. (A reverse SDE draws its own fluctuation:
    // 0.047 here, below the fresh-data floor 0.073: too noisy to compare with.) Measured:
    // 0.0694 vs 0.0720, and the two sample sets 0.0095 apart.
    void dpmSolver2At20NfeMatchesThousandSteps() {
        const Fixture f;
        const SampleResult reference = f.sample(SamplerKind::DpmSolver1, 1000);
        const SampleResult dpm2 = f.sample(SamplerKind::DpmSolver2, 20);
        const double swRef = f.sw2(reference.samples), swDpm2 = f.sw2(dpm2.samples);
        const double apart = slicedWasserstein2(dpm2.samples, reference.samples, kDirections, 9);
        std::printf(
            "  1000-step DPM-Solver-1 SW2 %.4f, DPM-Solver-2 at 20 NFE SW2 %.4f, "
            "apart %.4f\n",
            swRef, swDpm2, apart);
        QVERIFY2(swDpm2 < 1.15 * swRef, qPrintable(QString("%1 vs %2").arg(swDpm2).arg(swRef)));
        QVERIFY2(apart < 0.02, qPrintable(QString::number(apart)));
    }
};

QTEST_GUILESS_MAIN(TestDiffusionDpmLowNfe)
#include "test_diffusion_dpm_low_nfe.moc"
