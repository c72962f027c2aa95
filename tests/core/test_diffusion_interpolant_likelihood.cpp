// The exact likelihood of stochastic interpolants under their ODE dx/dt = b(x, t). For
// Gaussian data the velocity is known in closed form, so the computed log-density must match
// the analytic one to the solver's tolerance; a trained network's exact divergence must match
// central differences; and a trained flow-matching model must put more probability on
// held-out two-moons points than the best Gaussian does.
#include <QtTest>
#include <cmath>
#include <cstdio>
#include <numbers>

#include "core/common/error.h"
#include "core/diffusion/samplers.h"
#include "core/diffusion/score_model.h"
#include "core/diffusion/toy_datasets.h"

using namespace driftlab::core;
using namespace driftlab::core::diffusion;

namespace {

// Data N(m, s^2 I) under the interpolant: x_t ~ N(beta m, v I), v = alpha^2 + beta^2 s^2 +
// gamma^2, and b = E[alpha' x0 + beta' x1 + gamma' z | x_t] = beta' m + (c / v)(x - beta m)
// with c = alpha alpha' + beta beta' s^2 + gamma gamma'. gamma gamma' = a^2 (1 - 2t) / 2 stays
// finite at t = 0 and 1, so the ODE can run over all of [0, 1].
class GaussianVelocityField final : public VelocityField {
public:
    GaussianVelocityField(const InterpolantConfig& config, Eigen::Vector2d mean, double std)
        : interpolant_(config), mean_(std::move(mean)), std_(std) {}
    const StochasticInterpolant& interpolant() const override { return interpolant_; }

    void velocityAndScore(const Points& x, double t, Points& velocity,
                          Points* score) const override {
        const double beta = interpolant_.beta(t), v = variance(t);
        const Points centred = x.colwise() - beta * mean_;
        velocity =
            ((centred * (coupling(t) / v)).colwise() + interpolant_.betaDot(t) * mean_).eval();
        if (score) *score = -centred / v;
    }

    double variance(double t) const {
        const double a = interpolant_.alpha(t), b = interpolant_.beta(t), g = interpolant_.gamma(t);
        return a * a + b * b * std_ * std_ + g * g;
    }
    Eigen::VectorXd logDensity(const Points& x, double t) const {
        const double v = variance(t);
        return ((x.colwise() - interpolant_.beta(t) * mean_)
                        .colwise()
                        .squaredNorm()
                        .transpose()
                        .array() *
                    (-0.5 / v) -
                std::log(2.0 * std::numbers::pi * v))
            .matrix();
    }

private:
    double coupling(double t) const {
        const double scale = interpolant_.config().gammaScale;
        return interpolant_.alpha(t) * interpolant_.alphaDot(t) +
               interpolant_.beta(t) * interpolant_.betaDot(t) * std_ * std_ +
               0.5 * scale * scale * (1.0 - 2.0 * t);
    }

    StochasticInterpolant interpolant_;
    Eigen::Vector2d mean_;
    double std_;
};

// Bits per dimension of points under the Gaussian fitted to them (per-coordinate moments).
double gaussianBitsPerDim(const Points& x) {
    const Eigen::Vector2d mean = x.rowwise().mean();
    const Eigen::Vector2d var = (x.colwise() - mean).array().square().rowwise().mean();
    const double nats = 0.5 * (2.0 * std::log(2.0 * std::numbers::pi) + 2.0 + std::log(var.prod()));
    return nats / (2.0 * std::log(2.0));
}

}  // namespace

class TestDiffusionInterpolantLikelihood : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void analyticGaussianLikelihoodIsMatched_data() {
        QTest::addColumn<int>("kind");
        QTest::addColumn<double>("gamma");
        QTest::newRow("linear, flow matching") << int(InterpolantKind::Linear) << 0.0;
        QTest::newRow("linear, gamma 0.8") << int(InterpolantKind::Linear) << 0.8;
        QTest::newRow("trigonometric, gamma 0.5") << int(InterpolantKind::Trigonometric) << 0.5;
    }
    // Over the whole of [0, 1] the law at t = 0 is exactly N(0, I), so the only error is the
    // solver's: within 1e-6 nats per point at tolerances 1e-9 (measured about 4e-9).
    void analyticGaussianLikelihoodIsMatched() {
        QFETCH(int, kind);
        QFETCH(double, gamma);
        const GaussianVelocityField field({InterpolantKind(kind), gamma}, {0.7, -0.4}, 0.3);
        Points x = 0.3 * Points::Random(2, 40);
        x.colwise() += Eigen::Vector2d(0.7, -0.4);
        x.col(0) << 2.0, 1.5;  // a point far in the tail
        const LikelihoodResult r = interpolantLikelihood(field, x, 0.0, 1.0, 1e-9, 1e-9);
        QVERIFY2(r.ok, r.message.c_str());
        const Eigen::VectorXd exact = field.logDensity(x, 1.0);
        const double error = (r.logDensity - exact).cwiseAbs().maxCoeff();
        std::printf("  max |log p - exact| = %.2e over %ld points, %ld NFE\n", error,
                    static_cast<long>(x.cols()), r.nfe);
        QVERIFY(error < 1e-6);
        QVERIFY(std::abs(r.bitsPerDim + exact.mean() / (2.0 * std::log(2.0))) < 1e-6);

        // Stopping short of the ends, as the network runs do, costs O(tStart) only: the law
        // at 1e-3 is N(0, I) up to beta and gamma there.
        const LikelihoodResult inner = interpolantLikelihood(field, x, 1e-3, 1.0, 1e-9, 1e-9);
        const double innerError = (inner.logDensity - exact).cwiseAbs().mean();
        std::printf("  from t = 1e-3: mean |log p - exact| = %.2e\n", innerError);
        QVERIFY(innerError < 0.01);  // measured up to 2.6e-3
    }

    void badRangesAreRefused() {
        const GaussianVelocityField field({}, {0.0, 0.0}, 1.0);
        const Points x = Points::Zero(2, 3);
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError, interpolantLikelihood(field, x, 0.5, 0.5));
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError, interpolantLikelihood(field, x, -0.1, 1.0));
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError, interpolantLikelihood(field, Points(2, 0)));
    }

    // Trains flow matching on two moons for a few seconds: the network's exact divergence
    // (two input VJPs) agrees with central differences, and held-out bits/dim are finite and
    // at least 0.15 below the fitted Gaussian's (about 2.05: standardised data).
    void trainedInterpolantBeatsAGaussian() {
        ToyDatasetOptions options;
        options.size = 1500;
        options.seed = 3;
        const Points raw = makeToyDataset(options);
        const Standardizer standardizer = Standardizer::fit(raw);
        const DataSplit split = splitTrainHeldOut(standardizer.apply(raw), 0.2, 9);
        ScoreNetConfig net;
        net.hiddenWidths = {64, 64};
        net.embeddingDim = 16;
        net.float32 = false;  // so the finite-difference comparison is not float32 noise
        TrainingConfig training;
        training.batchSize = 256;
        training.learningRate = 3e-3;
        training.emaDecay = 0.99;
        InterpolantModel model(StochasticInterpolant({InterpolantKind::Linear, 0.0}), net,
                               training);
        model.setData(split.train);
        model.train(1500);

        Points velocity, fdVelocity;
        Eigen::VectorXd divergence, fdDivergence;
        const Points probe = split.heldOut.leftCols(50);
        for (double t : {0.1, 0.5, 0.95}) {
            model.velocityWithDivergence(probe, t, velocity, divergence);
            model.VelocityField::velocityWithDivergence(probe, t, fdVelocity, fdDivergence);
            const double gap = (divergence - fdDivergence).cwiseAbs().maxCoeff();
            std::printf(
                "  t = %.2f: max |div exact - div central differences| = %.2e (|div| up to %.2f)\n",
                t, gap, divergence.cwiseAbs().maxCoeff());
            QVERIFY(gap < 1e-5 * std::max(1.0, divergence.cwiseAbs().maxCoeff()));
        }

        const double tEpsilon = training.tEpsilon;
        const LikelihoodResult r =
            interpolantLikelihood(model, split.heldOut, tEpsilon, 1.0 - tEpsilon, 1e-4, 1e-4);
        QVERIFY2(r.ok, r.message.c_str());
        const double gaussian = gaussianBitsPerDim(split.heldOut);
        std::printf("  held-out bits/dim: interpolant %.3f, fitted Gaussian %.3f (%ld NFE)\n",
                    r.bitsPerDim, gaussian, r.nfe);
        QVERIFY(std::isfinite(r.bitsPerDim));
        QVERIFY(r.logDensity.allFinite());
        QVERIFY(r.bitsPerDim < gaussian - 0.15);
    }
};

QTEST_GUILESS_MAIN(TestDiffusionInterpolantLikelihood)
#include "test_diffusion_interpolant_likelihood.moc"
