// Score networks: the exact input-Jacobian trace against finite differences, denoising score
// matching on eight Gaussians (loss level, sample quality, learned vs analytic noised score),
// flow matching / stochastic interpolants, cancellation, divergence and parameter files.
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <cstdio>

#include "core/common/error.h"
#include "core/diffusion/metrics.h"
#include "core/diffusion/samplers.h"
#include "core/diffusion/score_model.h"

using namespace driftlab::core;
using namespace driftlab::core::diffusion;

namespace {

const GaussianMixture2D kData = GaussianMixture2D::eightGaussians(1.5, 0.15);

ScoreNetConfig smallNet(bool float32 = true) {
    ScoreNetConfig c;
    c.hiddenWidths = {64, 64};
    c.embeddingDim = 16;
    c.float32 = float32;
    c.seed = 1;
    return c;
}

TrainingConfig smallTraining() {
    TrainingConfig t;
    t.batchSize = 256;
    t.learningRate = 3e-3;
    t.emaDecay = 0.99;
    t.reportEvery = 100;
    t.seed = 2;
    return t;
}

// E|s_model - s_exact|^2 / E|s_exact|^2 over points drawn from the noised mixture at t.
double relativeScoreError(const DiffusionModel& model, const DiffusionProcess& p, double t) {
    const Points x0 = kData.sample(2000, 31);
    const Points x = p.perturb(x0, t, p.samplePrior(2000, 32));
    Points s;
    model.score(x, t, s);
    const Points exact = p.mixtureScore(kData, x, t);
    return (s - exact).squaredNorm() / exact.squaredNorm();
}

constexpr long kIterations = 1500;

}  // namespace

class TestDiffusionTraining : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void divergenceIsTheJacobianTrace() {
        const DiffusionProcess p{ProcessConfig{}};
        for (Prediction pred : {Prediction::Noise, Prediction::Score}) {
            DiffusionModel model(p, pred, smallNet(false), smallTraining());
            Points x(2, 3);
            x << 0.3, -1.0, 0.5, 0.1, 0.7, -0.4;
            Points s, sp, sm;
            Eigen::VectorXd div;
            model.scoreWithDivergence(x, 0.4, s, div);
            Eigen::VectorXd fd = Eigen::VectorXd::Zero(3);
            const double h = 1e-5;
            for (int d = 0; d < 2; ++d) {
                Points a = x, b = x;
                a.row(d).array() += h;
                b.row(d).array() -= h;
                model.score(a, 0.4, sp);
                model.score(b, 0.4, sm);
                fd += ((sp.row(d) - sm.row(d)) / (2 * h)).transpose();
            }
            QVERIFY2((div - fd).cwiseAbs().maxCoeff() < 1e-6 * (1 + fd.cwiseAbs().maxCoeff()),
                     qPrintable(QString("%1 vs %2").arg(div(0)).arg(fd(0))));
        }
    }

    void scoreMatchingLearnsEightGaussians() {
        const DiffusionProcess p{ProcessConfig{}};
        DiffusionModel model(p, Prediction::Noise, smallNet(), smallTraining());
        model.setData(kData.sample(4000, 1));
        const double before = model.evaluateLoss(8, 99);
        const double untrainedError = relativeScoreError(model, p, 0.5);
        std::vector<TrainProgress> reports;
        const TrainResult r =
            model.train(kIterations, [&](const TrainProgress& pr) { reports.push_back(pr); });
        const double after = model.evaluateLoss(8, 99);
        std::printf("  DSM (eps) loss %.4f -> %.4f after %ld iterations, %.2f s\n", before, after,
                    r.iterations, r.seconds);
        QCOMPARE(r.iterations, kIterations);
        QCOMPARE(model.iterations(), kIterations);
        QCOMPARE(reports.size(), std::size_t(kIterations / 100));
        QCOMPARE(reports.back().bucketLoss.size(), std::size_t{10});
        // The noise-prediction loss is 2 (the variance of z) for a useless net; the learned
        // level is set by the small-t buckets, where eps is hard to predict.
        QVERIFY2(after < 0.62, qPrintable(QString::number(after)));
        QVERIFY(reports.back().bucketLoss.front() > reports.back().bucketLoss.back());

        // Learned vs analytic score of the noised mixture. The bound must be able to fail:
        // the untrained network misses it by far.
        // Measured (1,500 iterations): 0.21, 0.014, 0.001, 0.001; the small-t score, sharp
        // around each mode, is the hard part.
        for (auto [t, bound] : {std::pair{0.1, 0.5}, std::pair{0.2, 0.05}, std::pair{0.4, 0.01},
                                std::pair{0.7, 0.01}}) {
            const double err = relativeScoreError(model, p, t);
            std::printf("  relative score error at t = %.1f: %.3f (bound %.2f)\n", t, err, bound);
            QVERIFY2(err < bound, qPrintable(QString("t=%1: %2").arg(t).arg(err)));
        }
        std::printf("  (untrained network at t = 0.5: %.3f)\n", untrainedError);
        QVERIFY(untrainedError > 1.0);

        const Points heldOut = kData.sample(2000, 77);
        const Points prior = p.samplePrior(2000, 78);
        for (auto [kind, steps] :
             {std::pair{SamplerKind::ReverseSde, 200}, std::pair{SamplerKind::DpmSolverPP2M, 20}}) {
            SamplerOptions o;
            o.steps = steps;
            const SampleResult s = sampleDiffusion(kind, p, model, prior, o);
            const double sw = slicedWasserstein2(s.samples, heldOut, 300, 3);
            std::printf("  %s %d steps: SW2 %.4f\n", samplerName(kind).c_str(), steps, sw);
            QVERIFY2(sw < 0.15, qPrintable(QString::number(sw)));
        }
        // Likelihood of held-out points through the network's exact divergence.
        const LikelihoodResult lik =
            probabilityFlowLikelihood(p, model, heldOut.leftCols(200), 1e-3, 1e-4, 1e-4);
        const double exactBpd =
            -kData.logDensity(heldOut.leftCols(200)).mean() / (2 * std::log(2.0));
        std::printf("  held-out bits/dim: model %.3f, exact mixture %.3f (NFE %ld)\n",
                    lik.bitsPerDim, exactBpd, lik.nfe);
        QVERIFY(lik.ok);
        // Measured 1.32 vs 0.80: the small net blurs the modes; a broken divergence or ODE
        // would be off by far more (or come out below the exact value).
        QVERIFY(lik.bitsPerDim > exactBpd - 0.1 && lik.bitsPerDim < exactBpd + 1.0);
    }

    void scorePredictionTrains() {
        const DiffusionProcess p{ProcessConfig{}};
        DiffusionModel model(p, Prediction::Score, smallNet(), smallTraining());
        model.setData(kData.sample(4000, 1));
        const double before = model.evaluateLoss(8, 99);
        model.train(400);
        const double after = model.evaluateLoss(8, 99);
        std::printf("  DSM (score) loss %.4f -> %.4f\n", before, after);
        QVERIFY(after < 0.5 * before);
    }

    void interpolantsLearnEightGaussians() {
        for (double a : {0.0, 0.5}) {
            InterpolantConfig ic;
            ic.gammaScale = a;
            ic.kind = a == 0.0 ? InterpolantKind::Linear : InterpolantKind::Trigonometric;
            InterpolantModel model(StochasticInterpolant(ic), smallNet(), smallTraining());
            model.setData(kData.sample(4000, 1));
            const double before = model.evaluateLoss(8, 5);
            model.train(kIterations);
            const double after = model.evaluateLoss(8, 5);
            const Points heldOut = kData.sample(2000, 77);
            const Points x0 = DiffusionProcess(ProcessConfig{}).samplePrior(2000, 79);
            SamplerOptions o;
            o.steps = 50;
            const double swOde =
                slicedWasserstein2(sampleInterpolant(model, x0, false, o).samples, heldOut, 300, 3);
            o.steps = 200;
            o.epsilon = 0.5;
            const double swSde =
                slicedWasserstein2(sampleInterpolant(model, x0, true, o).samples, heldOut, 300, 3);
            std::printf(
                "  interpolant a=%.1f: loss %.3f -> %.3f, ODE(Heun 50) SW2 %.4f, SDE(eps 0.5, 200) "
                "SW2 %.4f\n",
                a, before, after, swOde, swSde);
            QVERIFY(after < 0.8 * before);
            QVERIFY2(swOde < 0.15, qPrintable(QString::number(swOde)));
            QVERIFY2(swSde < 0.2, qPrintable(QString::number(swSde)));
        }
    }

    void cancelDivergeAndFiles() {
        const DiffusionProcess p{ProcessConfig{}};
        DiffusionModel model(p, Prediction::Noise, smallNet(), smallTraining());
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError, model.train(1));
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError, model.setData(Points(2, 0)));
        model.setData(kData.sample(500, 1));
        std::atomic<bool> cancel{false};
        const TrainResult r = model.train(
            1000,
            [&](const TrainProgress& pr) {
                if (pr.iteration >= 200) cancel = true;
            },
            &cancel);
        QVERIFY(r.cancelled);
        QCOMPARE(model.iterations(), 200L);
        model.train(10);  // resumes
        QCOMPARE(model.iterations(), 210L);

        QTemporaryDir dir;
        const std::string path = (dir.path() + "/score.dlp").toStdString();
        model.save(path);
        DiffusionModel copy(p, Prediction::Noise, smallNet(), smallTraining());
        copy.load(path);
        Points x = kData.sample(10, 3), a, b;
        model.score(x, 0.3, a);
        copy.score(x, 0.3, b);
        QVERIFY((a - b).cwiseAbs().maxCoeff() == 0.0);
        ScoreNetConfig other = smallNet();
        other.hiddenWidths = {32};
        DiffusionModel wrong(p, Prediction::Noise, other, smallTraining());
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError, wrong.load(path));

        TrainingConfig hot = smallTraining();
        hot.learningRate = 1e30;
        DiffusionModel diverging(p, Prediction::Score, smallNet(), hot);
        diverging.setData(kData.sample(500, 1));
        try {
            diverging.train(100);
            QFAIL("expected divergence");
        } catch (const driftlab::Error& e) {
            QVERIFY2(QString(e.what()).contains("diverged at iteration"), e.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestDiffusionTraining)
#include "test_diffusion_training.moc"
