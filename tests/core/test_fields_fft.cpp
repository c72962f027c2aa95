// FFT interface and spectral grid: round trips for sizes that are not powers of two, exact
// derivatives of trigonometric polynomials (periodic, sine and cosine bases, 1-D and 2-D),
// the 2/3 mask, shared plans and threaded 2-D transforms.
#include "core/common/error.h"
#include "core/fields/fft.h"
#include "core/fields/spectral_grid.h"

#include <QtTest>

#include <atomic>
#include <cmath>
#include <functional>
#include <numbers>
#include <thread>
#include <vector>

using namespace driftlab::core::fields;

namespace {

constexpr double kPi = std::numbers::pi;

double maxDiff(const double* a, const std::vector<double>& b) {
    double e = 0.0;
    for (std::size_t i = 0; i < b.size(); ++i) e = std::max(e, std::abs(a[i] - b[i]));
    return e;
}

std::vector<double> sample(const SpectralGrid& g, const std::function<double(double, double)>& f) {
    std::vector<double> v(g.pointCount());
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = f(g.x()[i], g.y()[i]);
    return v;
}

// Error of op(u) computed spectrally against the exact derivative, on the grid.
double derivativeError(const SpectralGrid& g, const std::function<double(double, double)>& u,
                       const SpectralOperator& op,
                       const std::function<double(double, double)>& exact) {
    const auto values = sample(g, u);
    AlignedArray<Complex> uh(g.modeCount());
    AlignedArray<double> out(g.pointCount());
    g.forward(values.data(), uh.data(), g.fieldBasis());
    g.derivativeToGrid(uh.data(), op, out.data(), g.fieldBasis());
    return maxDiff(out.data(), sample(g, exact));
}

}  // namespace

class TestFieldsFft : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void realRoundTripAnySize_data() {
        QTest::addColumn<int>("nx");
        QTest::addColumn<int>("ny");
        QTest::newRow("1-D 64") << 64 << 1;
        QTest::newRow("1-D 15 (odd)") << 15 << 1;
        QTest::newRow("1-D 98") << 98 << 1;
        QTest::newRow("2-D 12x10") << 12 << 10;
        QTest::newRow("2-D 9x7 (odd)") << 9 << 7;
    }
    void realRoundTripAnySize() {
        QFETCH(int, nx);
        QFETCH(int, ny);
        RealFft fft(nx, ny, {1, PlanRigor::Estimate});
        AlignedArray<double> in(fft.realSize()), back(fft.realSize());
        AlignedArray<Complex> spec(fft.complexSize());
        for (std::size_t i = 0; i < in.size(); ++i) in[i] = std::sin(0.37 * i * i + 1.0);
        fft.forward(in.data(), spec.data());
        // The mean is the zeroth coefficient: checks the unnormalised convention too.
        double sum = 0.0;
        for (std::size_t i = 0; i < in.size(); ++i) sum += in[i];
        QVERIFY(std::abs(spec[0].real() - sum) < 1e-12 * in.size());
        fft.backwardDestroying(spec.data(), back.data());
        double err = 0.0;
        for (std::size_t i = 0; i < in.size(); ++i)
            err = std::max(err, std::abs(back[i] / double(in.size()) - in[i]));
        QVERIFY2(err < 1e-13, qPrintable(QString::number(err)));
    }

    void misalignedArraysStillWork() {
        RealFft fft(32, 1, {1, PlanRigor::Estimate});
        std::vector<double> storage(40);
        double* in = storage.data() + 1;  // 8-byte offset from the SIMD alignment
        for (int i = 0; i < 32; ++i) in[i] = std::cos(2 * kPi * 3 * i / 32.0);
        std::vector<Complex> spec(17);
        fft.forward(in, spec.data());
        QVERIFY(std::abs(spec[3].real() - 16.0) < 1e-12);
        QVERIFY(std::abs(spec[2]) < 1e-12);
    }

    void plansAreSharedPerSize() {
        RealFft a(48, 1, {1, PlanRigor::Estimate});
        const std::size_t before = fftCachedPlanCount();
        RealFft b(48, 1, {1, PlanRigor::Estimate});
        QCOMPARE(fftCachedPlanCount(), before);
        RealFft c(50, 1, {1, PlanRigor::Estimate});
        QCOMPARE(fftCachedPlanCount(), before + 1);
    }

    void threadedTwoDMatchesSerial() {
        RealFft serial(130, 128, {1, PlanRigor::Estimate});
        RealFft threaded(130, 128, {2, PlanRigor::Estimate});  // above kMinThreadedPoints
        AlignedArray<double> in(serial.realSize());
        AlignedArray<Complex> a(serial.complexSize()), b(serial.complexSize());
        for (std::size_t i = 0; i < in.size(); ++i) in[i] = std::sin(0.1 * i) + 0.01 * (i % 7);
        serial.forward(in.data(), a.data());
        threaded.forward(in.data(), b.data());
        double err = 0.0;
        for (std::size_t m = 0; m < a.size(); ++m) err = std::max(err, std::abs(a[m] - b[m]));
        QVERIFY(err < 1e-11);
    }

    void planningFromSeveralThreads() {
        // FFTW's planner is not thread-safe; the plan cache serialises it. Each thread plans
        // sizes the others plan too and checks its round trips.
        std::atomic<int> failures{0};
        auto work = [&failures](int offset) {
            for (int k = 0; k < 12; ++k) {
                const int n = 20 + (k + offset) % 12;
                RealFft fft(n, k % 2 ? 6 : 1, {1, PlanRigor::Estimate});
                TrigFft dst(TrigKind::Sine, n, TrigKind::Sine, 0, {1, PlanRigor::Estimate});
                AlignedArray<double> in(fft.realSize()), back(fft.realSize());
                AlignedArray<Complex> spec(fft.complexSize());
                for (std::size_t i = 0; i < in.size(); ++i) in[i] = std::cos(0.3 * i + offset);
                fft.forward(in.data(), spec.data());
                fft.backwardDestroying(spec.data(), back.data());
                for (std::size_t i = 0; i < in.size(); ++i)
                    if (std::abs(back[i] / double(in.size()) - in[i]) > 1e-13) ++failures;
                AlignedArray<double> a(dst.size()), b(dst.size()), c(dst.size());
                for (std::size_t i = 0; i < a.size(); ++i) a[i] = std::sin(1.0 + i);
                dst.execute(a.data(), b.data());
                dst.execute(b.data(), c.data());  // DST-I twice = 2n times the identity
                for (std::size_t i = 0; i < a.size(); ++i)
                    if (std::abs(c[i] / (2.0 * n) - a[i]) > 1e-13) ++failures;
            }
        };
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t) threads.emplace_back(work, 3 * t);
        for (auto& t : threads) t.join();
        QCOMPARE(failures.load(), 0);
    }

    void trigRoundTrips_data() {
        QTest::addColumn<int>("boundary");
        QTest::addColumn<int>("nx");
        QTest::addColumn<int>("ny");
        QTest::newRow("Dirichlet 1-D 30") << int(Boundary::Dirichlet) << 30 << 0;
        QTest::newRow("Neumann 1-D 17") << int(Boundary::Neumann) << 17 << 0;
        QTest::newRow("Dirichlet 2-D 12x9") << int(Boundary::Dirichlet) << 12 << 9;
        QTest::newRow("Neumann 2-D 10x13") << int(Boundary::Neumann) << 10 << 13;
    }
    void trigRoundTrips() {
        QFETCH(int, boundary);
        QFETCH(int, nx);
        QFETCH(int, ny);
        GridSpec spec;
        spec.nx = nx;
        spec.ny = ny;
        spec.lx = 2.0;
        spec.ly = 3.0;
        spec.boundary = Boundary(boundary);
        spec.fft.rigor = PlanRigor::Estimate;
        SpectralGrid g(spec);
        // A field in the grid's basis: values at the walls must vanish for Dirichlet.
        const bool dir = spec.boundary == Boundary::Dirichlet;
        auto u = sample(g, [&](double x, double y) {
            const double fx = dir ? x * (2.0 - x) : std::cos(x) + x * x;
            const double fy = ny == 0 ? 1.0 : (dir ? y * (3.0 - y) : std::exp(0.3 * y));
            return fx * fy * (1.0 + 0.2 * std::sin(5 * x + y));
        });
        AlignedArray<Complex> uh(g.modeCount());
        AlignedArray<double> back(g.pointCount());
        g.forward(u.data(), uh.data(), g.fieldBasis());
        g.backward(uh.data(), back.data(), g.fieldBasis());
        QVERIFY2(maxDiff(back.data(), u) < 1e-13,
                 qPrintable(QString::number(maxDiff(back.data(), u))));
    }

    void periodicDerivativesAreExact() {
        GridSpec spec;
        spec.nx = 24;
        spec.lx = 3.0;
        spec.fft.rigor = PlanRigor::Estimate;
        SpectralGrid g(spec);
        const double k = 2 * kPi / 3.0;
        auto u = [k](double x, double) {
            return 1.5 + std::sin(k * x) - 0.5 * std::cos(7 * k * x);
        };
        auto ux = [k](double x, double) {
            return k * std::cos(k * x) + 3.5 * k * std::sin(7 * k * x);
        };
        auto uxx = [k](double x, double) {
            return -k * k * std::sin(k * x) + 24.5 * k * k * std::cos(7 * k * x);
        };
        auto uxxxx = [k](double x, double) {
            return std::pow(k, 4) * std::sin(k * x) -
                   0.5 * std::pow(7 * k, 4) * std::cos(7 * k * x);
        };
        QVERIFY(derivativeError(g, u, {1, 0, 0, 1.0}, ux) < 1e-12);
        QVERIFY(derivativeError(g, u, {2, 0, 0, 1.0}, uxx) < 1e-12);
        QVERIFY(derivativeError(g, u, {0, 0, 1, 1.0}, uxx) < 1e-12);
        // Relative to the size of the 4th derivative (7k)^4 / 2 ~ 9e3.
        QVERIFY(derivativeError(g, u, {4, 0, 0, 1.0}, uxxxx) < 1e-12 * 1e4);
    }

    void periodic2DDerivativesAndInverseLaplacian() {
        GridSpec spec;
        spec.nx = 18;
        spec.ny = 14;
        spec.lx = 2 * kPi;
        spec.ly = kPi;
        spec.fft.rigor = PlanRigor::Estimate;
        SpectralGrid g(spec);
        auto u = [](double x, double y) { return std::sin(2 * x) * std::cos(4 * y) + std::cos(x); };
        auto uy = [](double x, double y) { return -4 * std::sin(2 * x) * std::sin(4 * y); };
        auto uxy = [](double x, double y) { return -8 * std::cos(2 * x) * std::sin(4 * y); };
        auto lap = [](double x, double y) {
            return -20 * std::sin(2 * x) * std::cos(4 * y) - std::cos(x);
        };
        auto invLap = [](double x, double y) {
            return -std::sin(2 * x) * std::cos(4 * y) / 20 - std::cos(x);
        };
        QVERIFY(derivativeError(g, u, {0, 1, 0, 1.0}, uy) < 1e-12);
        QVERIFY(derivativeError(g, u, {1, 1, 0, 1.0}, uxy) < 1e-11);
        QVERIFY(derivativeError(g, u, {0, 0, 1, 1.0}, lap) < 1e-11);
        QVERIFY(derivativeError(g, u, {0, 0, -1, 1.0}, invLap) < 1e-13);
    }

    void sineAndCosineDerivativesAreExact() {
        GridSpec spec;
        spec.nx = 20;
        spec.lx = 2.0;
        spec.fft.rigor = PlanRigor::Estimate;
        spec.boundary = Boundary::Dirichlet;
        SpectralGrid dir(spec);
        const double k = kPi / 2.0;
        auto s = [k](double x, double) { return std::sin(k * x) + 0.3 * std::sin(5 * k * x); };
        auto sx = [k](double x, double) {
            return k * std::cos(k * x) + 1.5 * k * std::cos(5 * k * x);
        };
        auto sxx = [k](double x, double) {
            return -k * k * std::sin(k * x) - 7.5 * k * k * std::sin(5 * k * x);
        };
        QVERIFY(derivativeError(dir, s, {1, 0, 0, 1.0}, sx) < 1e-12);  // sine -> cosine
        QVERIFY(derivativeError(dir, s, {2, 0, 0, 1.0}, sxx) < 1e-12);
        spec.boundary = Boundary::Neumann;
        SpectralGrid neu(spec);
        auto c = [k](double x, double) { return 2.0 + std::cos(k * x) - std::cos(19 * k * x); };
        auto cx = [k](double x, double) {
            return -k * std::sin(k * x) + 19 * k * std::sin(19 * k * x);
        };
        auto cxxxx = [k](double x, double) {
            return std::pow(k, 4) * (std::cos(k * x) - std::pow(19, 4) * std::cos(19 * k * x));
        };
        QVERIFY(derivativeError(neu, c, {1, 0, 0, 1.0}, cx) < 1e-12);  // cosine -> sine
        QVERIFY(derivativeError(neu, c, {4, 0, 0, 1.0}, cxxxx) < 1e-12 * 1e5);
        // The cosine coefficients are the amplitudes: c_0 is the mean.
        const auto v = sample(neu, c);
        AlignedArray<Complex> ch(neu.modeCount());
        neu.forward(v.data(), ch.data(), neu.fieldBasis());
        QVERIFY(std::abs(ch[0].real() - 2.0) < 1e-13);
        QVERIFY(std::abs(ch[19].real() + 1.0) < 1e-13);
        // Without a basis, a wall grid transforms in its field basis (cosine here).
        AlignedArray<Complex> byDefault(neu.modeCount());
        neu.forward(v.data(), byDefault.data());
        for (std::size_t m = 0; m < neu.modeCount(); ++m) QCOMPARE(byDefault[m], ch[m]);
    }

    void walls2DMixedDerivative() {
        GridSpec spec;
        spec.nx = 16;
        spec.ny = 12;
        spec.lx = 1.0;
        spec.ly = 2.0;
        spec.boundary = Boundary::Dirichlet;
        spec.fft.rigor = PlanRigor::Estimate;
        SpectralGrid g(spec);
        auto u = [](double x, double y) { return std::sin(kPi * x) * std::sin(1.5 * kPi * y); };
        auto uxy = [](double x, double y) {
            return 1.5 * kPi * kPi * std::cos(kPi * x) * std::cos(1.5 * kPi * y);
        };
        auto lap = [](double x, double y) {
            return -(1 + 2.25) * kPi * kPi * std::sin(kPi * x) * std::sin(1.5 * kPi * y);
        };
        QVERIFY(derivativeError(g, u, {1, 1, 0, 1.0}, uxy) < 1e-12);
        QVERIFY(derivativeError(g, u, {0, 0, 1, 1.0}, lap) < 1e-12);
    }

    void dealiasMaskFollowsTwoThirds() {
        GridSpec spec;
        spec.nx = 64;
        spec.ny = 48;
        spec.fft.rigor = PlanRigor::Estimate;
        SpectralGrid g(spec);
        int kept = 0;
        for (std::size_t m = 0; m < g.modeCount(); ++m) kept += int(g.dealiasMask()[m]);
        // |mx| <= 21 (22 columns of the half spectrum), |my| <= 15 (31 rows).
        QCOMPARE(kept, 22 * 31);
    }

    void badGridsAreRefused() {
        GridSpec spec;
        auto make = [&spec] { SpectralGrid g(spec); };
        spec.nx = 1;
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError, make());
        spec.nx = 100000;
        spec.ny = 100000;
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError, make());
    }
};

QTEST_GUILESS_MAIN(TestFieldsFft)
#include "test_fields_fft.moc"
