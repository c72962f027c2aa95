// Weak orders: |E f(X_N) - E f(X(T))| against dt for f(x) = x and x^2, on geometric Brownian
// motion (Itô and Stratonovich, exact solution a function of W(T)) and, for SRA1, on an
// Ornstein–Uhlenbeck process against a fine-step reference. Each step size is driven by the
// same Brownian paths and the weak error is estimated as the mean of f(X_N) - f(X(T)) over
// those paths: an unbiased estimate of E f(X_N) - E f(X(T)) whose sampling error shrinks with
// the strong error, so biases of order dt^2 stay resolvable with tens of thousands of paths.
// The Monte-Carlo means themselves are checked against the closed-form moments.
#include "core/equations/compiled_equation.h"
#include "core/solvers/sde_steppers.h"
#include "sde_fine_brownian.h"
#include "sde_test_support.h"

#include <QtTest>

#include <cmath>
#include <functional>

using namespace driftlab::core;
using namespace driftlab::test;

namespace {

constexpr double kT = 1.0;
constexpr double kMu = 0.8, kSigma = 0.6, kX0 = 1.0;
constexpr double kTheta = 1.5, kOuSigma = 0.8;

struct WeakSweep {
    std::vector<double> dt;
    std::vector<double> mean, second;             // weak errors of E X and E X^2
    std::vector<double> meanSe, secondSe;         // their standard errors
    double sampleMean = 0.0, sampleSecond = 0.0;  // of the reference X(T)
};

// exact(j): the reference X(T) of path j (from W(T) or a fine solve on the same noise).
using Reference = std::function<Eigen::VectorXd(const FineBrownian& noise, int n)>;

WeakSweep weakSweep(const CompiledEquation& equation, const SdeStepper& stepper, int paths,
                    int fine, const std::vector<int>& factors, const Reference& reference) {
    auto worker = equation.makeWorker();
    StepScratch scratch;
    WeakSweep out;
    const std::size_t levels = factors.size();
    std::vector<double> s1(levels, 0), s2(levels, 0), q1(levels, 0), q2(levels, 0);
    for (int r : factors) out.dt.push_back(r * kT / fine);
    const int batch = 500;
    Eigen::MatrixXd y, dW, H;
    for (int p0 = 0; p0 < paths; p0 += batch) {
        const int n = std::min(batch, paths - p0);
        const FineBrownian noise(31, p0, n, 1, fine, kT);
        const Eigen::VectorXd exact = reference(noise, n);
        out.sampleMean += exact.sum();
        out.sampleSecond += exact.squaredNorm();
        for (std::size_t l = 0; l < levels; ++l) {
            const int r = factors[l];
            const double dt = out.dt[l];
            y.setConstant(1, n, equation.spec().initial[0]);
            stepper.begin(*worker, 0.0, y, scratch);
            for (int k = 0; k < fine / r; ++k) {
                noise.coarse(k, r, dW, H);
                stepper.stepWithArea(*worker, k * dt, dt, y, dW, H, scratch);
            }
            for (int j = 0; j < n; ++j) {
                const double d1 = y(0, j) - exact(j);
                const double d2 = y(0, j) * y(0, j) - exact(j) * exact(j);
                s1[l] += d1;
                s2[l] += d2;
                q1[l] += d1 * d1;
                q2[l] += d2 * d2;
            }
        }
    }
    for (std::size_t l = 0; l < levels; ++l) {
        out.mean.push_back(s1[l] / paths);
        out.second.push_back(s2[l] / paths);
        out.meanSe.push_back(std::sqrt((q1[l] / paths - out.mean[l] * out.mean[l]) / paths));
        out.secondSe.push_back(std::sqrt((q2[l] / paths - out.second[l] * out.second[l]) / paths));
    }
    out.sampleMean /= paths;
    out.sampleSecond /= paths;
    return out;
}

QString describe(const WeakSweep& s, const std::vector<double>& error,
                 const std::vector<double>& se) {
    QString text;
    for (std::size_t i = 0; i < s.dt.size(); ++i)
        text += QStringLiteral("dt=%1 err=%2±%3; ")
                    .arg(s.dt[i])
                    .arg(error[i], 0, 'g', 3)
                    .arg(se[i], 0, 'g', 2);
    return text;
}

CompiledEquation gbm() {
    return CompiledEquation(
        spec1d("mu*x", "sigma*x", {param("mu", kMu), param("sigma", kSigma)}, kX0));
}

// X(T) = x0 exp(a T + sigma W(T)), a = mu - sigma^2/2 (Itô) or mu (Stratonovich).
Reference gbmExact(bool ito) {
    return [ito](const FineBrownian& noise, int) -> Eigen::VectorXd {
        const double a = ito ? kMu - 0.5 * kSigma * kSigma : kMu;
        return (kX0 * (a * kT + kSigma * noise.total().row(0).array()).exp()).transpose();
    };
}

// Every error is resolved above sampling noise and has one sign (a fit across a sign change
// would measure nothing).
void requireResolved(const std::vector<double>& error, const std::vector<double>& se) {
    for (std::size_t l = 0; l < error.size(); ++l) {
        QVERIFY2(std::abs(error[l]) > 4.0 * se[l], qPrintable(QString::number(l)));
        QVERIFY2((error[l] > 0) == (error[0] > 0), qPrintable(QString::number(l)));
    }
}

}  // namespace

class TestSdeWeakOrder : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void gbmWeakOrders_data();
    void gbmWeakOrders();
    void sra1WeakOrderOnOrnsteinUhlenbeck();
};

void TestSdeWeakOrder::gbmWeakOrders_data() {
    QTest::addColumn<QString>("id");
    QTest::addColumn<double>("order");
    QTest::newRow("euler_maruyama") << "euler_maruyama" << 1.0;
    QTest::newRow("stochastic_heun") << "stochastic_heun" << 1.0;
    QTest::newRow("milstein") << "milstein" << 1.0;
    QTest::newRow("sriw1") << "sriw1" << 2.0;
}

void TestSdeWeakOrder::gbmWeakOrders() {
    QFETCH(QString, id);
    QFETCH(double, order);
    const auto stepper = makeSdeStepper(id.toStdString());
    const bool ito = stepper->calculus() == Calculus::Ito;
    const int fine = 64;
    // Steps small enough for the asymptotic regime (X^2 grows at rate 2 mu + sigma^2 ~ 2).
    const std::vector<int> factors =
        order > 1.5 ? std::vector<int>{2, 4, 8, 16} : std::vector<int>{1, 2, 4, 8};
    const WeakSweep s = weakSweep(gbm(), *stepper, 40000, fine, factors, gbmExact(ito));
    const double meanOrder = logLogSlope(s.dt, s.mean);
    const double secondOrder = logLogSlope(s.dt, s.second);
    qInfo("%s on GBM: weak order %.3f for E X (%s)", qPrintable(id), meanOrder,
          qPrintable(describe(s, s.mean, s.meanSe)));
    qInfo("%s on GBM: weak order %.3f for E X^2 (%s)", qPrintable(id), secondOrder,
          qPrintable(describe(s, s.second, s.secondSe)));
    requireResolved(s.second, s.secondSe);
    requireResolved(s.mean, s.meanSe);
    QVERIFY2(std::abs(secondOrder - order) < 0.2, qPrintable(QString::number(secondOrder)));
    QVERIFY2(std::abs(meanOrder - order) < 0.2, qPrintable(QString::number(meanOrder)));
    // The reference paths are right: their moments match the closed form to sampling error.
    const double a = ito ? kMu : kMu + 0.5 * kSigma * kSigma;  // E X(T) = x0 e^{a T}
    const double expectedMean = kX0 * std::exp(a * kT);
    const double expectedSecond = kX0 * kX0 * std::exp((2.0 * a + kSigma * kSigma) * kT);
    const double sd = std::sqrt(expectedSecond - expectedMean * expectedMean);
    QVERIFY2(std::abs(s.sampleMean - expectedMean) < 4.0 * sd / std::sqrt(40000.0),
             qPrintable(QString::number(s.sampleMean)));
}

// Reference: SRA1 itself with 8x smaller steps than the finest measured one on the same noise
// (weak error ~dt^2, so ~64x below the smallest error measured).
void TestSdeWeakOrder::sra1WeakOrderOnOrnsteinUhlenbeck() {
    const CompiledEquation ou(
        spec1d("-theta*x", "sigma", {param("theta", kTheta), param("sigma", kOuSigma)}, 1.0));
    const auto sra1 = makeSdeStepper("sra1");
    const int fine = 1024;
    const Reference reference = [&](const FineBrownian& noise, int n) -> Eigen::VectorXd {
        auto worker = ou.makeWorker();
        StepScratch scratch;
        Eigen::MatrixXd y = Eigen::MatrixXd::Constant(1, n, 1.0), dW, H;
        const double d = noise.fineDt();
        for (int k = 0; k < noise.fineSteps(); ++k) {
            noise.coarse(k, 1, dW, H);
            sra1->stepWithArea(*worker, k * d, d, y, dW, H, scratch);
        }
        return y.row(0).transpose();
    };
    const WeakSweep s = weakSweep(ou, *sra1, 20000, fine, {8, 16, 32, 64}, reference);
    const double secondOrder = logLogSlope(s.dt, s.second);
    const double meanOrder = logLogSlope(s.dt, s.mean);
    qInfo("SRA1 on OU: weak order %.3f for E X (%s)", meanOrder,
          qPrintable(describe(s, s.mean, s.meanSe)));
    qInfo("SRA1 on OU: weak order %.3f for E X^2 (%s)", secondOrder,
          qPrintable(describe(s, s.second, s.secondSe)));
    requireResolved(s.second, s.secondSe);
    requireResolved(s.mean, s.meanSe);
    QVERIFY2(std::abs(secondOrder - 2.0) < 0.2, qPrintable(QString::number(secondOrder)));
    QVERIFY2(std::abs(meanOrder - 2.0) < 0.2, qPrintable(QString::number(meanOrder)));
    // X(T) ~ N(m, v): m = e^{-theta T}, v = sigma^2 (1 - e^{-2 theta T}) / (2 theta).
    const double m = std::exp(-kTheta * kT);
    const double v = kOuSigma * kOuSigma * (1.0 - m * m) / (2.0 * kTheta);
    const double se = std::sqrt((2.0 * v * v + 4.0 * m * m * v) / 20000.0);
    qInfo("reference E X(T)^2 = %.5f, closed form %.5f (standard error %.4f)", s.sampleSecond,
          m * m + v, se);
    QVERIFY(std::abs(s.sampleSecond - (m * m + v)) < 4.0 * se);
}

QTEST_GUILESS_MAIN(TestSdeWeakOrder)
#include "test_sde_weak_order.moc"
