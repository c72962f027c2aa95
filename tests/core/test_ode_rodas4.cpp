// Rodas4 on the stiff classics: it meets its tolerance on Robertson and on Van der Pol with
// mu = 1000 (errors against a tight Rodas4 reference, and at the Robertson end point against
// Hairer–Wanner's published values), does so in far fewer steps than Rosenbrock 2(3) at tight
// tolerances, keeps Robertson's linear invariant, works with a finite-difference Jacobian, and
// serves as the stiff half of an auto-switching solve.
#include "core/solvers/ode_solve.h"
#include "ode_test_problems.h"

#include <QtTest>

#include <cmath>
#include <cstdio>

using namespace driftlab::core;
using namespace driftlab::test;

namespace {

OdeOptions stiffOptions(OdeMethod method, double rtol, const Eigen::VectorXd& atol) {
    OdeOptions options;
    options.method = method;
    options.rtol = rtol;
    options.atolPerComponent = atol;
    options.maxSteps = 1000000;
    return options;
}

void print(const char* what, const OdeSolution& sol, double error) {
    std::printf("  %-40s nfe %6ld, accepted %5ld, rejected %4ld, LU %5ld, error %.2e\n", what,
                sol.stats.nfe, sol.stats.accepted, sol.stats.rejected, sol.stats.factorizations,
                error);
}

// Largest componentwise error scaled by atol_i + rtol |ref_i|: <= 1 means "within tolerance".
double scaledError(const Eigen::VectorXd& y, const Eigen::VectorXd& ref, double rtol,
                   const Eigen::VectorXd& atol) {
    return ((y - ref).array().abs() / (atol.array() + rtol * ref.array().abs())).maxCoeff();
}

}  // namespace

class TestOdeRodas4 : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void robertsonMeetsTolerance() {
        const Eigen::Vector3d y0(1.0, 0.0, 0.0);
        const double t1 = 40.0;
        const Eigen::Vector3d atol(1e-8, 1e-12, 1e-8);  // y2 lives near 1e-5
        const auto system = robertson(true);
        const OdeSolution reference =
            integrate(system, y0, 0.0, t1, stiffOptions(OdeMethod::Rodas4, 1e-12, 1e-6 * atol));
        QVERIFY2(reference.ok(), reference.message.c_str());
        // Hairer & Wanner II (IV.10) give y(40) = (0.7158270687, 0.9185534764e-5, 0.2841637457).
        const Eigen::Vector3d published(0.7158270687, 0.9185534764e-5, 0.2841637457);
        QVERIFY(scaledError(reference.y.back(), published, 1e-9, Eigen::Vector3d(0, 1e-15, 0)) <
                1.0);

        for (double rtol : {1e-4, 1e-6, 1e-8}) {
            const OdeSolution rodas = integrate(
                system, y0, 0.0, t1, stiffOptions(OdeMethod::Rodas4, rtol, rtol * atol / 1e-6));
            QVERIFY2(rodas.ok(), rodas.message.c_str());
            const double error =
                scaledError(rodas.y.back(), reference.y.back(), rtol, rtol * atol / 1e-6);
            const QByteArray label = QStringLiteral("Robertson rodas4 rtol %1").arg(rtol).toUtf8();
            print(label.constData(), rodas, error);
            // Global error over the whole run, in units of the per-step tolerance.
            QVERIFY2(error < 10.0, qPrintable(QString::number(error)));
            QVERIFY(std::abs(rodas.y.back().sum() - 1.0) < 1e-12);
        }
        // Fourth order pays at tight tolerances: far fewer steps than Rosenbrock 2(3).
        const OdeSolution rodas =
            integrate(system, y0, 0.0, t1, stiffOptions(OdeMethod::Rodas4, 1e-8, 1e-2 * atol));
        const OdeSolution ros23 = integrate(
            system, y0, 0.0, t1, stiffOptions(OdeMethod::Rosenbrock23, 1e-8, 1e-2 * atol));
        print("Robertson rosenbrock23 rtol 1e-8", ros23,
              scaledError(ros23.y.back(), reference.y.back(), 1e-8, 1e-2 * atol));
        QVERIFY(ros23.ok());
        QVERIFY(rodas.stats.accepted * 5 < ros23.stats.accepted);
    }

    void vanDerPolStiffMeetsTolerance() {
        const Eigen::Vector2d y0(2.0, 0.0);
        const double t1 = 2000.0;  // more than one relaxation period (~1614 for mu = 1000)
        const auto system = vanDerPol(1000.0);
        const OdeSolution reference =
            integrate(system, y0, 0.0, t1,
                      stiffOptions(OdeMethod::Rodas4, 1e-11, Eigen::Vector2d(1e-11, 1e-11)));
        QVERIFY2(reference.ok(), reference.message.c_str());
        for (double tol : {1e-4, 1e-6}) {
            const Eigen::Vector2d atol(tol, tol);
            const OdeSolution rodas =
                integrate(system, y0, 0.0, t1, stiffOptions(OdeMethod::Rodas4, tol, atol));
            QVERIFY2(rodas.ok(), rodas.message.c_str());
            // The solution component y(0) is what is well conditioned after a period; the
            // derivative y(1) is ~1e-3 between jumps and judged against atol.
            const double error = scaledError(rodas.y.back(), reference.y.back(), tol, atol);
            const QByteArray label =
                QStringLiteral("Van der Pol mu=1000 rodas4 tol %1").arg(tol).toUtf8();
            print(label.constData(), rodas, error);
            QVERIFY2(error < 20.0, qPrintable(QString::number(error)));
        }
        // A finite-difference Jacobian gives the same answer to the tolerance.
        OdeOptions fd = stiffOptions(OdeMethod::Rodas4, 1e-6, Eigen::Vector2d(1e-6, 1e-6));
        fd.jacobian = JacobianSource::FiniteDifference;
        const OdeSolution fdSolution = integrate(system, y0, 0.0, t1, fd);
        QVERIFY2(fdSolution.ok(), fdSolution.message.c_str());
        const double fdError =
            scaledError(fdSolution.y.back(), reference.y.back(), 1e-6, Eigen::Vector2d(1e-6, 1e-6));
        print("Van der Pol mu=1000 rodas4 FD Jacobian", fdSolution, fdError);
        QVERIFY2(fdError < 20.0, qPrintable(QString::number(fdError)));
    }

    void servesAsTheStiffSolverOfAutoSwitching() {
        const Eigen::Vector2d y0(2.0, 0.0);
        OdeOptions options;
        options.rtol = options.atol = 1e-6;
        options.maxSteps = 200000;
        options.autoSwitch = true;
        options.stiffMethod = OdeMethod::Rodas4;
        const OdeSolution sw = integrate(vanDerPol(1000.0), y0, 0.0, 3000.0, options);
        OdeOptions rodasOptions = options;
        rodasOptions.autoSwitch = false;
        rodasOptions.method = OdeMethod::Rodas4;
        const OdeSolution rodas = integrate(vanDerPol(1000.0), y0, 0.0, 3000.0, rodasOptions);
        QVERIFY2(sw.ok(), sw.message.c_str());
        QVERIFY(rodas.ok());
        const double difference = relativeStateError(sw.y.back(), rodas.y.back());
        print("Van der Pol mu=1000 [0,3000] dp5 -> rodas4", sw, difference);
        QVERIFY(sw.stats.methodSwitches >= 2);
        QVERIFY(QString::fromStdString(sw.solver).contains("Rodas4"));
        QVERIFY(difference < 1e-2);
    }
};

QTEST_GUILESS_MAIN(TestOdeRodas4)
#include "test_ode_rodas4.moc"
