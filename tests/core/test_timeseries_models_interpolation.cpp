// The control paths of the time-series models (linear and natural cubic spline through the
// context cells), the fan-chart forecast and the diagnostic adaptive solve of the drift.
#include <QtTest>

#include <cmath>
#include <cstdio>

#include "core/common/error.h"
#include "core/models/series_interpolation.h"
#include "core/models/series_model.h"
#include "core/timeseries/generators.h"

using namespace driftlab::core;
using namespace driftlab::core::models;
using namespace driftlab::core::timeseries;

namespace {

std::vector<double> irregularTimes(int n, double t0, double t1) {
    std::vector<double> t;
    for (int i = 0; i < n; ++i) {
        const double u = double(i) / double(n - 1);
        t.push_back(t0 + (t1 - t0) * (u + 0.3 * u * (1 - u) * std::sin(7.0 * u)));
    }
    return t;
}

// Largest |spline - sin| (or of the derivatives) over the middle third of [0, 3] with n knots.
double sineError(int n, bool derivative) {
    const auto t = irregularTimes(n, 0.0, 3.0);
    std::vector<double> y;
    for (double ti : t) y.push_back(std::sin(ti));
    const ChannelInterpolant spline(InterpolationKind::NaturalCubic, t, y);
    double worst = 0.0;
    for (int i = 0; i <= 400; ++i) {
        const double s = 1.0 + double(i) / 400.0;
        worst = std::max(worst, derivative ? std::abs(spline.derivative(s) - std::cos(s))
                                           : std::abs(spline.value(s) - std::sin(s)));
    }
    return worst;
}

}  // namespace

class TestTimeseriesModelsInterpolation : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void linearIsExactForLinearData() {
        const auto t = irregularTimes(9, -1.0, 4.0);
        std::vector<double> y;
        for (double ti : t) y.push_back(2.5 - 0.75 * ti);
        for (auto kind : {InterpolationKind::Linear, InterpolationKind::NaturalCubic}) {
            const ChannelInterpolant f(kind, t, y);
            for (int i = 0; i <= 100; ++i) {
                const double s = -1.0 + 5.0 * double(i) / 100.0;
                QVERIFY(std::abs(f.value(s) - (2.5 - 0.75 * s)) < 1e-13);
                QVERIFY(std::abs(f.derivative(s) + 0.75) < 1e-12);
            }
            // Held constant outside the observed range: no extrapolated future.
            QCOMPARE(f.value(-3.0), y.front());
            QCOMPARE(f.value(9.0), y.back());
            QCOMPARE(f.derivative(9.0), 0.0);
        }
    }

    void naturalSplineInterpolatesSmoothly() {
        const auto t = irregularTimes(8, 0.0, 2.0);
        std::vector<double> y;
        for (double ti : t) y.push_back(ti * ti * ti - 2.0 * ti * ti + 0.5);
        const ChannelInterpolant spline(InterpolationKind::NaturalCubic, t, y);
        for (std::size_t i = 0; i < t.size(); ++i)
            QVERIFY(std::abs(spline.value(t[i]) - y[i]) < 1e-14);
        // C1 and C2 at the interior knots, and zero curvature at the ends (natural).
        const double e = 1e-5;
        auto second = [&](double s) {
            return (spline.derivative(s + e) - spline.derivative(s - e)) / (2 * e);
        };
        for (std::size_t i = 1; i + 1 < t.size(); ++i) {
            QVERIFY(std::abs(spline.derivative(t[i] - 1e-9) - spline.derivative(t[i] + 1e-9)) <
                    1e-7);
            const double left = (spline.derivative(t[i]) - spline.derivative(t[i] - e)) / e;
            const double right = (spline.derivative(t[i] + e) - spline.derivative(t[i])) / e;
            QVERIFY(std::abs(left - right) < 1e-3);
        }
        QVERIFY(std::abs(second(t.front() + 2 * e)) < 1e-3);
        QVERIFY(std::abs(second(t.back() - 2 * e)) < 1e-3);
    }

    // A natural spline cannot reproduce a cubic (it forces zero curvature at the ends), but
    // away from the ends it converges at fourth order in the knot spacing, third order in
    // the derivative.
    void naturalSplineConvergesAtFourthOrderInside() {
        double previous = sineError(10, false), previousDerivative = sineError(10, true);
        for (int n : {20, 40}) {
            const double err = sineError(n, false), errDerivative = sineError(n, true);
            const double order = std::log2(previous / err);
            const double orderDerivative = std::log2(previousDerivative / errDerivative);
            std::printf(
                "  %d knots: interior error %.3e (order %.2f), derivative %.3e (order %.2f)\n", n,
                err, order, errDerivative, orderDerivative);
            QVERIFY(order > 3.5);
            QVERIFY(orderDerivative > 2.5);
            previous = err;
            previousDerivative = errDerivative;
        }
    }

    void contextInterpolationUsesOnlyContextCells() {
        Series s;
        s.times = {0.0, 1.0, 2.0, 3.0};
        s.values.resize(3, 4);
        s.values << 1, 3, 100, 7, 5, 5, 5, 5, 2, 2, 2, 2;
        s.observed = Mask::Constant(3, 4, true);
        Mask context = s.observed;
        context(0, 2) = false;  // the 100 is hidden
        context.row(2).setConstant(false);
        const auto x =
            interpolateContext(InterpolationKind::Linear, s, context, {0.5, 2.0, 2.5, 5.0});
        QCOMPARE(x(0, 0), 2.0);
        QCOMPARE(x(0, 1), 5.0);
        QCOMPARE(x(0, 2), 6.0);
        QCOMPARE(x(0, 3), 7.0);
        QVERIFY((x.row(1).array() == 5.0).all());
        QVERIFY((x.row(2).array() == 0.0).all());  // no context in that channel
        QVERIFY_THROWS_EXCEPTION(
            driftlab::ConfigError,
            ChannelInterpolant(InterpolationKind::Linear, {0.0, 1.0, 1.0}, {1, 2, 3}));
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError,
                                 ChannelInterpolant(InterpolationKind::Linear, {0.0}, {1, 2}));
    }

    void forecastFanChartIsConsistent() {
        GeneratorOptions o;
        o.seed = 2;
        o.seriesCount = 2;
        o.length = 2.0;
        o.observations = 15;
        o.missingRate = 0.2;
        const auto data = generate(GeneratorKind::VanDerPol, o);
        const auto tasks = makeTasks(data, {TaskKind::Forecasting, 0.3, 0});
        SeriesModelConfig c;
        c.kind = SeriesModelKind::Geometric;
        c.channels = data.channels();
        c.latentDim = 3;
        c.controlPath = ControlPath::NaturalCubic;
        auto model = makeSeriesModel(c);
        const auto f = model->forecast(data[0], tasks[0].context, 32, 4, 25);
        QCOMPARE(f.times.size(), std::size_t(25));
        QCOMPARE(f.times.front(), data[0].times.front());
        QCOMPARE(f.times.back(), data[0].times.back());
        QCOMPARE(f.paths.size(), std::size_t(32));
        QCOMPARE(f.latentPaths.front().rows(), Eigen::Index(3));
        QVERIFY((f.lower.array() <= f.mean.array() + 1e-12).all());
        QVERIFY((f.mean.array() <= f.upper.array() + 1e-12).all());
        QVERIFY((f.upper - f.lower).maxCoeff() > 0.0);  // the paths spread
        QCOMPARE(f.meanAtObservations.cols(), data[0].length());
        QVERIFY((f.stdAtObservations.array() >= 0).all() &&
                f.stdAtObservations.col(data[0].length() - 1).sum() > 0);
        // The grid's first point is the series' first observation: same latent state.
        QVERIFY((f.mean.col(0) - f.meanAtObservations.col(0)).norm() < 1e-12);
        // The ode kind's paths coincide.
        c.kind = SeriesModelKind::NeuralOde;
        const auto g = makeSeriesModel(c)->forecast(data[0], tasks[0].context, 4, 4, 10);
        QVERIFY((g.upper - g.lower).cwiseAbs().maxCoeff() < 1e-12);
        QVERIFY(g.stdAtObservations.cwiseAbs().maxCoeff() < 1e-12);
    }

    void diagnosticSolveCoversTheWindow() {
        GeneratorOptions o;
        o.seed = 6;
        o.seriesCount = 3;
        o.length = 4.0;
        o.observations = 12;
        const auto data = generate(GeneratorKind::OrnsteinUhlenbeck, o);
        std::vector<SeriesItem> batch;
        for (const auto& s : data.series()) batch.push_back({&s, &s.observed, &s.observed});
        for (auto kind : {SeriesModelKind::NeuralOde, SeriesModelKind::Geometric}) {
            SeriesModelConfig c;
            c.kind = kind;
            c.controlPath = ControlPath::Linear;
            auto model = makeSeriesModel(c);
            Eigen::VectorXd grad;
            const auto r = model->loss(batch, 2, 1, &grad);
            QVERIFY(!r.steps.empty());
            QVERIFY(r.diagnosticNfe >= 6 * long(r.steps.size()));
            double covered = 0.0;
            for (const auto& step : r.steps)
                if (step.accepted) covered += step.dt;
            QVERIFY(std::abs(covered - (data[0].times.back() - data[0].times.front())) < 1e-9);
            QVERIFY(model->loss(batch, 2, 1, nullptr).steps.empty());  // evaluation skips it
            // The phase-portrait drift: latentDim x n, finite.
            const Eigen::MatrixXd z = Eigen::MatrixXd::Random(c.latentDim, 5);
            const Eigen::MatrixXd f = model->latentDrift(0.5, z);
            QCOMPARE(f.rows(), c.latentDim);
            QVERIFY(f.allFinite() && f.norm() > 0);
        }
    }
};

QTEST_APPLESS_MAIN(TestTimeseriesModelsInterpolation)
#include "test_timeseries_models_interpolation.moc"
