// Toy data sets, standardisation, splits, CSV import, forward-process marginals and the
// sample metrics (SW2, unbiased MMD^2).
#include <QtTest>
#include <cmath>

#include "core/common/error.h"
#include "core/common/random.h"
#include "core/diffusion/metrics.h"
#include "core/diffusion/sde_process.h"
#include "core/diffusion/toy_datasets.h"

using namespace driftlab::core;
using namespace driftlab::core::diffusion;

namespace {

void expectConfigError(const std::function<void()>& f, const QString& fragment) {
    try {
        f();
        QFAIL(qPrintable("expected ConfigError containing '" + fragment + "'"));
    } catch (const driftlab::ConfigError& e) {
        QVERIFY2(QString(e.what()).contains(fragment), e.what());
    }
}

}  // namespace

class TestDiffusionData : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void datasetsHaveShapeAndSeed() {
        for (auto kind :
             {ToyDataset::TwoMoons, ToyDataset::EightGaussians, ToyDataset::Checkerboard,
              ToyDataset::TwoSpirals, ToyDataset::ConcentricRings, ToyDataset::SwissRoll}) {
            ToyDatasetOptions o;
            o.kind = kind;
            o.size = 500;
            o.seed = 3;
            const Points a = makeToyDataset(o), b = makeToyDataset(o);
            QCOMPARE(a.cols(), Index{500});
            QVERIFY(a.allFinite());
            QVERIFY(a == b);
            o.seed = 4;
            QVERIFY(makeToyDataset(o) != a);
            QCOMPARE(toyDatasetFromName(toyDatasetName(kind)), kind);
            QVERIFY(a.cwiseAbs().maxCoeff() < 5.0);
        }
        // Checkerboard points lie on the light squares only.
        const Points c = makeCheckerboard(2000, 1);
        for (Index i = 0; i < c.cols(); ++i) {
            const int parity = static_cast<int>(std::floor(c(0, i)) + std::floor(c(1, i))) & 1;
            QCOMPARE(parity, 1);
        }
        expectConfigError([] { makeTwoMoons(0, 0.1, 0); }, "size");
        expectConfigError([] { makeTwoMoons(10, -1.0, 0); }, "noise");
    }

    void mixtureDensityAndScore() {
        GaussianMixture2D m;
        m.means = {Eigen::Vector2d(-1, 0), Eigen::Vector2d(1.5, 0.5)};
        m.stds = {0.3, 0.6};
        m.weights = {1.0, 3.0};
        Points x(2, 3);
        x << 0.1, -1.0, 2.0, 0.2, 0.0, 1.0;
        const Points s = m.score(x);
        const Eigen::VectorXd div = m.scoreDivergence(x);
        const double h = 1e-5;
        for (Index i = 0; i < x.cols(); ++i) {
            double fdDiv = 0.0;
            for (int d = 0; d < 2; ++d) {
                Points p = x.col(i), q = x.col(i);
                p(d) += h;
                q(d) -= h;
                const double fd = (m.logDensity(p)(0) - m.logDensity(q)(0)) / (2 * h);
                QVERIFY(std::fabs(fd - s(d, i)) < 1e-6 * (1 + std::fabs(fd)));
                fdDiv += (m.score(p)(d, 0) - m.score(q)(d, 0)) / (2 * h);
            }
            QVERIFY(std::fabs(fdDiv - div(i)) < 1e-5 * (1 + std::fabs(fdDiv)));
        }
        // Density integrates to one (grid sum).
        double mass = 0.0;
        const double step = 0.05;
        Points grid(2, 1);
        for (double gx = -4; gx < 5; gx += step)
            for (double gy = -4; gy < 5; gy += step) {
                grid << gx, gy;
                mass += std::exp(m.logDensity(grid)(0)) * step * step;
            }
        QVERIFY(std::fabs(mass - 1.0) < 1e-3);
        GaussianMixture2D bad = m;
        bad.stds[1] = 0.0;
        expectConfigError([&] { bad.validate(); }, "std");
        bad = m;
        bad.weights.pop_back();
        expectConfigError([&] { bad.validate(); }, "weights");
    }

    void standardiseAndSplit() {
        const Points raw = makeTwoMoons(4000, 0.05, 9);
        const Standardizer st = Standardizer::fit(raw);
        const Points z = st.apply(raw);
        QVERIFY(z.rowwise().mean().cwiseAbs().maxCoeff() < 1e-12);
        const Eigen::Vector2d var = z.rowwise().squaredNorm() / z.cols();
        QVERIFY((var.array() - 1.0).abs().maxCoeff() < 1e-12);
        QVERIFY((st.invert(z) - raw).cwiseAbs().maxCoeff() < 1e-12);
        expectConfigError([] { Standardizer::fit(Points::Zero(2, 1)); }, "two points");
        Points line(2, 3);
        line << 1, 2, 3, 5, 5, 5;
        expectConfigError([&] { Standardizer::fit(line); }, "no spread");

        const DataSplit split = splitTrainHeldOut(raw, 0.25, 2);
        QCOMPARE(split.heldOut.cols(), Index{1000});
        QCOMPARE(split.train.cols(), Index{3000});
        // A permutation: the column sums are preserved.
        const Eigen::Vector2d sum = split.train.rowwise().sum() + split.heldOut.rowwise().sum();
        QVERIFY((sum - raw.rowwise().sum()).norm() < 1e-9);
        expectConfigError([&] { splitTrainHeldOut(raw.leftCols(1), 0.5, 0); }, "non-empty");
    }

    void csvImport() {
        const Points p = parsePointsCsv("x,y\n1,2\n\n 3.5 , -4e-1\n");
        QCOMPARE(p.cols(), Index{2});
        QCOMPARE(p(1, 1), -0.4);
        QCOMPARE(parsePointsCsv("0,0\n1,1\n").cols(), Index{2});
        expectConfigError([] { parsePointsCsv("x,y\n1,2\n3,abc\n", "pts.csv"); },
                          "pts.csv, line 3: y value 'abc' is not a number");
        expectConfigError([] { parsePointsCsv("1,2\n3,nan\n"); },
                          "line 2: y value 'nan' is not finite");
        expectConfigError([] { parsePointsCsv("1,2\ninf,1\n"); },
                          "line 2: x value 'inf' is not finite");
        expectConfigError([] { parsePointsCsv("1,2\n1,2,3\n"); }, "line 2: expected 2 values");
        expectConfigError([] { parsePointsCsv("1,2\n1\n"); }, "line 2: expected 2 values");
        expectConfigError([] { parsePointsCsv("1,2\n1,\n"); },
                          "line 2: y value '' is not a number");
        expectConfigError([] { parsePointsCsv("x,y\n"); }, "no points");
        expectConfigError([] { readPointsCsv("/nonexistent/none.csv"); }, "cannot open");
    }

    void processValidation() {
        ProcessConfig c;
        c.betaMax = 0.1;
        expectConfigError([&] { DiffusionProcess p(c); },
                          "beta_max (0.1) must exceed beta_min (0.1)");
        c = ProcessConfig{};
        c.kind = ProcessKind::VE;
        c.sigmaMin = 0.0;
        expectConfigError([&] { DiffusionProcess p(c); }, "sigma_min must be positive");
        c.sigmaMin = 2.0;
        c.sigmaMax = 1.0;
        expectConfigError([&] { DiffusionProcess p(c); }, "sigma_max (1) must exceed");
    }

    // The closed-form marginals against an Euler–Maruyama simulation of the forward SDE, and
    // g^2 = d sigma^2/dt - 2 f sigma^2 (the variance ODE) by finite differences.
    void marginalsMatchSimulation() {
        for (auto kind : {ProcessKind::VP, ProcessKind::SubVP, ProcessKind::VE}) {
            ProcessConfig c;
            c.kind = kind;
            c.sigmaMax = 5.0;
            const DiffusionProcess p(c);
            for (double t : {0.1, 0.4, 0.9}) {
                const double h = 1e-6;
                const double s2 = [&](double u) { return p.marginalStd(u) * p.marginalStd(u); }(t);
                const double ds2 =
                    (std::pow(p.marginalStd(t + h), 2) - std::pow(p.marginalStd(t - h), 2)) /
                    (2 * h);
                const double g2 = p.diffusion(t) * p.diffusion(t);
                QVERIFY2(std::fabs(ds2 - 2 * p.driftCoefficient(t) * s2 - g2) < 1e-5 * (1 + g2),
                         qPrintable(QString::fromStdString(processKindName(kind))));
                const double da = (p.meanCoefficient(t + h) - p.meanCoefficient(t - h)) / (2 * h);
                QVERIFY(std::fabs(da - p.driftCoefficient(t) * p.meanCoefficient(t)) < 1e-6);
                QVERIFY(std::fabs(p.timeFromLogSnrHalf(p.logSnrHalf(t)) - t) < 1e-9);
            }
            // Monte Carlo: x0 = 1.5, 4000 paths, 400 steps to t = 0.5.
            const int paths = 4000, steps = 400;
            const double t1 = 0.5, dt = t1 / steps;
            RandomStream random(11, 0);
            Eigen::ArrayXd x = Eigen::ArrayXd::Constant(paths, 1.5);
            for (int k = 0; k < steps; ++k) {
                const double t = k * dt;
                for (int i = 0; i < paths; ++i)
                    x(i) += p.driftCoefficient(t) * x(i) * dt +
                            p.diffusion(t) * std::sqrt(dt) * random.normal();
            }
            const double mean = x.mean(), sd = std::sqrt((x - mean).square().mean());
            const double sdTrue = p.marginalStd(t1);
            QVERIFY(std::fabs(mean - 1.5 * p.meanCoefficient(t1)) <
                    4 * sdTrue / std::sqrt(paths) + 0.01);
            QVERIFY(std::fabs(sd / sdTrue - 1.0) < 0.05);
        }
    }

    void noisedMixtureScore() {
        const DiffusionProcess p(ProcessConfig{});
        const GaussianMixture2D data = GaussianMixture2D::eightGaussians(2.0, 0.1);
        const GaussianMixture2D at = p.noisedMixture(data, 0.3);
        const double a = p.meanCoefficient(0.3), s = p.marginalStd(0.3);
        QVERIFY(std::fabs(at.stds[0] - std::sqrt(a * a * 0.01 + s * s)) < 1e-12);
        // Monte Carlo second moment of x_t against the mixture's.
        const Points x0 = data.sample(20000, 1);
        const Points xt = p.perturb(x0, 0.3, p.samplePrior(20000, 2));
        const double m2 = xt.colwise().squaredNorm().mean();
        const double m2True = a * a * 4.0 + 2 * (a * a * 0.01 + s * s);
        QVERIFY(std::fabs(m2 / m2True - 1.0) < 0.02);
    }

    void metrics() {
        const Points a = makeTwoMoons(2000, 0.05, 1), b = makeTwoMoons(2000, 0.05, 2);
        const Points c = makeCheckerboard(2000, 3);
        const double same = slicedWasserstein2(a, b, 200), other = slicedWasserstein2(a, c, 200);
        QVERIFY2(same < 0.04, qPrintable(QString::number(same)));
        QVERIFY2(other > 0.3, qPrintable(QString::number(other)));
        QCOMPARE(slicedWasserstein2(a, a, 50), 0.0);
        // Unequal sizes: a set against itself repeated twice is distance 0.
        Points twice(2, 4000);
        twice << a, a;
        QVERIFY(slicedWasserstein2(a, twice, 50) < 1e-12);
        // A shift by v has SW2 = |v| / sqrt(2) exactly in the limit of many directions.
        const Points shifted = a.colwise() + Eigen::Vector2d(0.3, 0.0);
        QVERIFY(std::fabs(slicedWasserstein2(a, shifted, 1000) - 0.3 / std::sqrt(2.0)) < 0.01);

        const double mmdSame = mmdSquaredUnbiased(a.leftCols(800), b.leftCols(800));
        const double mmdOther = mmdSquaredUnbiased(a.leftCols(800), c.leftCols(800));
        QVERIFY2(std::fabs(mmdSame) < 0.01, qPrintable(QString::number(mmdSame)));
        QVERIFY2(mmdOther > 0.2, qPrintable(QString::number(mmdOther)));
    }
};

QTEST_GUILESS_MAIN(TestDiffusionData)
#include "test_diffusion_data.moc"
