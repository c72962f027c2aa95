// Measured temporal orders on Kuramoto-Sivashinsky (the Kassam-Trefethen set-up: [0, 32 pi),
// u0 = cos(x/16)(1 + sin(x/16))) against a fine-step ETDRK4 reference, and the ETDRK4
// coefficients against their closed forms and their z -> 0 limits.
#include "core/fields/etdrk4.h"
#include "core/fields/standard_problems.h"
#include "fields_test_support.h"

#include <QtTest>

#include <cmath>
#include <numbers>

using namespace driftlab::test;

namespace {

constexpr double kPi = std::numbers::pi;
constexpr double kT1 = 5.0;
constexpr int kN = 128;

std::vector<double> ksSolution(FieldScheme scheme, double h, int contourPoints = 32) {
    auto grid = testGrid(kN, 0, 32 * kPi);
    auto solver = makeSolver(makeKuramotoSivashinskyProblem(grid), scheme, h, contourPoints);
    auto u0 = sampleGrid(
        *grid, [](double x, double) { return std::cos(x / 16) * (1 + std::sin(x / 16)); });
    solver.setField(0, u0.data());
    solver.advanceTo(kT1);
    return gridValues(solver);
}

const std::vector<double>& reference() {
    static const std::vector<double> ref = ksSolution(FieldScheme::Etdrk4, kT1 / 8000);
    return ref;
}

// Least-squares slope of log(error) against log(h).
double measuredOrder(FieldScheme scheme, const std::vector<double>& steps, int contourPoints = 32) {
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (double h : steps) {
        const double e = maxAbsDiff(ksSolution(scheme, h, contourPoints), reference());
        qInfo("%s h = %g: error %.3e", fieldSchemeName(scheme).c_str(), h, e);
        const double x = std::log(h), y = std::log(e);
        sx += x, sy += y, sxx += x * x, sxy += x * y;
    }
    const double n = double(steps.size());
    return (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

// Closed forms (with h = 1) for |z| large enough that they do not cancel.
struct Phi {
    Complex q, f1, f2, f3;
};
Phi closedForm(Complex z) {
    const Complex ez = std::exp(z), z3 = z * z * z;
    return {(std::exp(0.5 * z) - 1.0) / z, (-4.0 - z + ez * (4.0 - 3.0 * z + z * z)) / z3,
            (2.0 + z + ez * (z - 2.0)) / z3, (-4.0 - 3.0 * z - z * z + ez * (4.0 - z)) / z3};
}

double relErr(Complex a, Complex b) { return std::abs(a - b) / std::abs(b); }

}  // namespace

class TestFieldsOrders : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void etdrk4IsFourthOrderOnKuramotoSivashinsky() {
        // kursiv.m's h = 0.25 is still pre-asymptotic at t = 5: the error ratios per halving
        // are 12.1 (from h = 0.25), 13.6 (0.125), 14.7 (0.0625), 15.3 (0.03125) on the way to 16.
        const double order = measuredOrder(FieldScheme::Etdrk4, {0.0625, 0.03125, 0.015625});
        qInfo("ETDRK4 measured order %.3f", order);
        QVERIFY2(std::abs(order - 4.0) <= 0.3, qPrintable(QString::number(order)));
    }

    void etdrk4WithSixteenContourPointsKeepsItsOrder() {
        const double order = measuredOrder(FieldScheme::Etdrk4, {0.0625, 0.03125, 0.015625}, 16);
        QVERIFY2(std::abs(order - 4.0) <= 0.3, qPrintable(QString::number(order)));
    }

    void imexSbdf2IsSecondOrder() {
        const double order = measuredOrder(FieldScheme::ImexSbdf2, {0.02, 0.01, 0.005});
        qInfo("IMEX SBDF2 measured order %.3f", order);
        QVERIFY2(std::abs(order - 2.0) <= 0.2, qPrintable(QString::number(order)));
    }

    void rk4IsFourthOrderWithinItsStabilityLimit() {
        // h k_max^4 must stay below ~2.8: k_max = 4 here, so h <= 0.011; below h = 0.004 the
        // error reaches the reference's round-off.
        const double order = measuredOrder(FieldScheme::Rk4, {0.01, 0.0075, 0.005});
        QVERIFY2(std::abs(order - 4.0) <= 0.3, qPrintable(QString::number(order)));
    }

    void contourCoefficientsMatchClosedForms() {
        const double h = 0.5;
        // hL = 0 and -1e-15 (closed forms cancel: compare to the limits 1/2, 1/6, 1/6, 1/6),
        // then values where the closed forms are accurate.
        AlignedArray<Complex> real(6);
        const double ls[6] = {0.0, -2e-15, -4.0, -100.0, -2e4, 3.0};
        for (int i = 0; i < 6; ++i) real[i] = ls[i];
        for (int M : {16, 32}) {
            const auto c = Etdrk4Stepper::coefficients(real, h, M, true);
            const double tolSmall = M == 32 ? 1e-14 : 1e-12;
            for (int i = 0; i < 2; ++i) {
                QVERIFY(relErr(c.q[i], h * 0.5) < tolSmall);
                QVERIFY(relErr(c.f1[i], h / 6.0) < tolSmall);
                QVERIFY(relErr(c.f2[i], h / 6.0) < tolSmall);
                QVERIFY(relErr(c.f3[i], h / 6.0) < tolSmall);
            }
            for (int i = 2; i < 6; ++i) {
                const Phi p = closedForm(h * real[i]);
                QVERIFY2(relErr(c.q[i], h * p.q) < 1e-12,
                         qPrintable(QString("M %1 i %2").arg(M).arg(i)));
                QVERIFY(relErr(c.f1[i], h * p.f1) < 1e-12);
                QVERIFY(relErr(c.f2[i], h * p.f2) < 1e-12);
                QVERIFY(relErr(c.f3[i], h * p.f3) < 1e-12);
                QVERIFY(ls[i] < -1e3 || relErr(c.e[i], std::exp(h * ls[i])) < 1e-15);
            }
        }
        // A complex L (advection, dispersion) needs the full circle.
        AlignedArray<Complex> complexL(2);
        complexL[0] = Complex(0.0, 6.0);
        complexL[1] = Complex(-1.0, -40.0);
        const auto c = Etdrk4Stepper::coefficients(complexL, h, 32, false);
        for (int i = 0; i < 2; ++i) {
            const Phi p = closedForm(h * complexL[i]);
            QVERIFY(relErr(c.q[i], h * p.q) < 1e-12);
            QVERIFY(relErr(c.f1[i], h * p.f1) < 1e-12);
            QVERIFY(relErr(c.f2[i], h * p.f2) < 1e-12);
            QVERIFY(relErr(c.f3[i], h * p.f3) < 1e-12);
        }
    }
};

QTEST_GUILESS_MAIN(TestFieldsOrders)
#include "test_fields_orders.moc"
