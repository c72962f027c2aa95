// The virtual Brownian tree: statistics over many seeds (variance, independent increments,
// normality, space-time area), and consistency of one path however it is queried.
#include "core/solvers/brownian_path.h"

#include <QtTest>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

using namespace driftlab::core;

namespace {

double mean(const std::vector<double>& x) {
    double s = 0;
    for (double v : x) s += v;
    return s / x.size();
}

double covariance(const std::vector<double>& x, const std::vector<double>& y) {
    const double mx = mean(x), my = mean(y);
    double s = 0;
    for (std::size_t i = 0; i < x.size(); ++i) s += (x[i] - mx) * (y[i] - my);
    return s / (x.size() - 1);
}

// Kolmogorov–Smirnov distance of standardised samples from N(0, 1).
double ksDistance(std::vector<double> x) {
    std::sort(x.begin(), x.end());
    const double n = x.size();
    double d = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double cdf = 0.5 * std::erfc(-x[i] / std::sqrt(2.0));
        d = std::max({d, std::abs(cdf - i / n), std::abs(cdf - (i + 1) / n)});
    }
    return d;
}

}  // namespace

class TestSdeBrownianPath : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void varianceAndIndependentIncrements();
    void spaceTimeAreaStatistics();
    void additiveWhateverTheQueryOrder();
    void deterministicPerSeed();
    void componentsAreIndependent();
};

void TestSdeBrownianPath::varianceAndIndependentIncrements() {
    const int n = 4000;
    std::vector<double> w03(n), w1(n), incA(n), incB(n), small(n);
    for (int i = 0; i < n; ++i) {
        const BrownianPath path(0.0, 1.0, 1, 1000 + i);
        w03[i] = path.value(0.3)(0);
        w1[i] = path.value(1.0)(0);
        incA[i] = path.increment(0.1, 0.37)(0);
        incB[i] = path.increment(0.37, 0.9)(0);
        small[i] = path.increment(0.5123, 0.5123 + 1e-3)(0);
    }
    // Sample variances have relative standard error sqrt(2/n) ~ 2.2 %: allow ~4.5 sigma.
    const double tol = 4.5 * std::sqrt(2.0 / n);
    QVERIFY2(std::abs(covariance(w03, w03) / 0.3 - 1) < tol,
             qPrintable(QString::number(covariance(w03, w03))));
    QVERIFY2(std::abs(covariance(w1, w1) - 1) < tol,
             qPrintable(QString::number(covariance(w1, w1))));
    QVERIFY(std::abs(covariance(incA, incA) / 0.27 - 1) < tol);
    QVERIFY(std::abs(covariance(incB, incB) / 0.53 - 1) < tol);
    QVERIFY2(std::abs(covariance(small, small) / 1e-3 - 1) < tol,
             qPrintable(QString::number(covariance(small, small))));
    const double corr = covariance(incA, incB) / std::sqrt(0.27 * 0.53);
    QVERIFY2(std::abs(corr) < 4.5 / std::sqrt(n), qPrintable(QString::number(corr)));
    // Cov(W(0.3), W(1)) = 0.3.
    QVERIFY(std::abs(covariance(w03, w1) - 0.3) < 4.5 * std::sqrt(1.3 * 0.3 / n));
    std::vector<double> standardised(n);
    for (int i = 0; i < n; ++i) standardised[i] = incB[i] / std::sqrt(0.53);
    const double ks = ksDistance(standardised);
    qInfo("KS distance of standardised increments: %.4f (5%% critical %.4f)", ks,
          1.36 / std::sqrt(n));
    QVERIFY(ks < 1.63 / std::sqrt(n));  // 1 % level
    QVERIFY(std::abs(mean(incB)) < 4.5 * std::sqrt(0.53 / n));
}

void TestSdeBrownianPath::spaceTimeAreaStatistics() {
    const int n = 4000;
    for (const auto& [s, t] :
         {std::pair{0.0, 1.0}, std::pair{0.13, 0.61}, std::pair{0.4, 0.4 + 1e-3}}) {
        const double h = t - s;
        std::vector<double> dw(n), area(n);
        for (int i = 0; i < n; ++i) {
            const BrownianPath path(0.0, 1.0, 1, 77 + i);
            Eigen::VectorXd a(1), b(1);
            path.increment(s, t, a, b);
            dw[i] = a(0);
            area[i] = b(0);
        }
        const double varH = covariance(area, area);
        const double corr = covariance(dw, area) / std::sqrt(varH * covariance(dw, dw));
        qInfo("[%g, %g]: var H * 12 / h = %.4f, corr(dW, H) = %.4f", s, t, varH * 12 / h, corr);
        QVERIFY(std::abs(varH * 12.0 / h - 1.0) < 4.5 * std::sqrt(2.0 / n));
        QVERIFY(std::abs(covariance(dw, dw) / h - 1.0) < 4.5 * std::sqrt(2.0 / n));
        QVERIFY(std::abs(corr) < 4.5 / std::sqrt(n));
        std::vector<double> standardised(n);
        for (int i = 0; i < n; ++i) standardised[i] = area[i] / std::sqrt(h / 12.0);
        QVERIFY(ksDistance(standardised) < 1.63 / std::sqrt(n));
    }
}

void TestSdeBrownianPath::additiveWhateverTheQueryOrder() {
    const BrownianPath path(-1.0, 2.5, 3, 42);
    std::mt19937_64 gen(5);
    std::uniform_real_distribution<double> u(-1.0, 2.5);
    // Forwards, backwards, overlapping and nested queries of one path, interleaved at random.
    for (int k = 0; k < 2000; ++k) {
        double x[3] = {u(gen), u(gen), u(gen)};
        std::sort(x, x + 3);
        const Eigen::VectorXd whole = path.increment(x[0], x[2]);
        const Eigen::VectorXd right = path.increment(x[1], x[2]);
        const Eigen::VectorXd left = path.increment(x[0], x[1]);
        QVERIFY2((whole - left - right).cwiseAbs().maxCoeff() < 1e-12,
                 qPrintable(QString::number((whole - left - right).cwiseAbs().maxCoeff())));
        QVERIFY((path.increment(x[2], x[0]) + whole).cwiseAbs().maxCoeff() == 0.0);
    }
    // An adaptive solver's pattern: a rejected step [a, c] retried as [a, b] then [b, c]; the
    // integral int_a^c (W - W_a) splits accordingly, which is what the areas must respect.
    for (int k = 0; k < 500; ++k) {
        double x[3] = {u(gen), u(gen), u(gen)};
        std::sort(x, x + 3);
        if (x[1] - x[0] < 1e-6 || x[2] - x[1] < 1e-6) continue;
        Eigen::VectorXd dAC(3), hAC(3), dAB(3), hAB(3), dBC(3), hBC(3);
        path.increment(x[0], x[2], dAC, hAC);
        path.increment(x[0], x[1], dAB, hAB);
        path.increment(x[1], x[2], dBC, hBC);
        const double h1 = x[1] - x[0], h2 = x[2] - x[1];
        // int_a^c (W - W_a) = int_a^b (W - W_a) + int_b^c (W - W_b) + h2 W_ab.
        const Eigen::VectorXd whole = (h1 + h2) * (hAC + 0.5 * dAC);
        const Eigen::VectorXd parts = h1 * (hAB + 0.5 * dAB) + h2 * (hBC + 0.5 * dBC) + h2 * dAB;
        QVERIFY2((whole - parts).cwiseAbs().maxCoeff() < 1e-11,
                 qPrintable(QString::number((whole - parts).cwiseAbs().maxCoeff())));
    }
}

void TestSdeBrownianPath::deterministicPerSeed() {
    const BrownianPath a(0.0, 1.0, 2, 9), b(0.0, 1.0, 2, 9), c(0.0, 1.0, 2, 10);
    const std::vector<double> times{0.9, 0.1, 0.5, 0.333, 1.0, 0.0, 0.25, 0.7777};
    std::vector<Eigen::VectorXd> first;
    for (double t : times) first.push_back(a.value(t));
    // Queried again in reverse order, and from a second object with the same seed.
    for (int i = static_cast<int>(times.size()) - 1; i >= 0; --i) {
        QCOMPARE(a.value(times[i]), first[i]);
        QCOMPARE(b.value(times[i]), first[i]);
    }
    QCOMPARE(a.value(0.0), Eigen::VectorXd::Zero(2).eval());
    QVERIFY((c.value(0.5) - a.value(0.5)).norm() > 0.0);
    // Dyadic points are the tree's nodes: an increment ending there is exact, not interpolated.
    QVERIFY(std::abs(a.leafWidth() - std::ldexp(1.0, -24)) < 1e-20);
    const BrownianPath coarse(0.0, 1.0, 1, 9, 1e-3);
    QCOMPARE(coarse.depth(), 10);
}

void TestSdeBrownianPath::componentsAreIndependent() {
    const int n = 4000;
    std::vector<double> x(n), y(n);
    for (int i = 0; i < n; ++i) {
        const BrownianPath path(0.0, 1.0, 2, 500 + i);
        const Eigen::VectorXd w = path.value(0.8);
        x[i] = w(0);
        y[i] = w(1);
    }
    QVERIFY(std::abs(covariance(x, y) / 0.8) < 4.5 / std::sqrt(n));
}

QTEST_GUILESS_MAIN(TestSdeBrownianPath)
#include "test_sde_brownian_path.moc"
