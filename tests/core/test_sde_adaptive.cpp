// Adaptive SDE stepping (SRA1 on a Brownian tree) and typed equations as ODEs: tolerance
// actually buys accuracy on the same Brownian path, rejected steps are retried on that path,
// and solvers that cannot adapt say so.
#include "core/common/error.h"
#include "core/equations/compiled_equation.h"
#include "core/equations/typed_ode_system.h"
#include "core/solvers/sde_adaptive.h"

#include <QtTest>
#include <cmath>

using namespace driftlab;
using namespace driftlab::core;

namespace {

EquationSpec nonlinearAdditive() {
    // Nonlinear drift, time-dependent additive noise: SRA1's home ground.
    EquationSpec spec;
    spec.name = "test";
    spec.variables = {"x"};
    spec.drift = {"-x^3 + sin(3*t)"};
    spec.diffusion = {"0.5 + 0.3*cos(t)"};
    spec.initial = {1.0};
    return spec;
}

// Fixed-step SRA1 on the same tree: the reference the adaptive solve must approach.
double fixedStepSolution(const CompiledEquation& eq, const SdeStepper& stepper,
                         const BrownianPath& path, double t1, int steps) {
    auto worker = eq.makeWorker();
    StepScratch scratch;
    scratch.resize(1, 1);
    Eigen::MatrixXd y(1, 1);
    y(0, 0) = 1.0;
    stepper.begin(*worker, 0.0, y, scratch);
    Eigen::VectorXd dW(1), H(1);
    const double dt = t1 / steps;
    for (int k = 0; k < steps; ++k) {
        const double t = k * dt;
        path.increment(t, t + dt, dW, H);
        stepper.stepWithArea(*worker, t, dt, y, dW, H, scratch);
    }
    return y(0, 0);
}

}  // namespace

class TestSdeAdaptive : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void toleranceBuysAccuracyOnTheSamePath() {
        const CompiledEquation eq(nonlinearAdditive());
        const auto sra1 = makeSdeStepper("sra1");
        const double t1 = 2.0;
        // One path's error at one tolerance depends on where the accepted steps happen to
        // fall, so the claim is checked on the mean over a few Brownian paths.
        const std::vector<std::uint64_t> seeds = {3, 11, 17, 23, 29, 31, 37, 41};
        std::vector<double> references;
        for (auto seed : seeds)
            references.push_back(
                fixedStepSolution(eq, *sra1, BrownianPath(0.0, t1, 1, seed), t1, 1 << 14));
        double previousMean = 1e9;
        for (double tol : {1e-1, 1e-2, 1e-3, 1e-4}) {
            double meanError = 0.0;
            long nfe = 0;
            for (size_t i = 0; i < seeds.size(); ++i) {
                AdaptiveSdeOptions options;
                options.rtol = options.atol = tol;
                options.saveAt = {t1};
                const auto solution =
                    integrateSdeAdaptive(eq, *sra1, Eigen::VectorXd::Constant(1, 1.0), 0.0, t1,
                                         BrownianPath(0.0, t1, 1, seeds[i]), options);
                QVERIFY2(solution.ok(), solution.message.c_str());
                QCOMPARE(solution.t.back(), t1);
                QCOMPARE(long(solution.stats.steps.size()),
                         solution.stats.accepted + solution.stats.rejected);
                meanError += std::abs(solution.y.back()(0) - references[i]) / seeds.size();
                nfe += solution.stats.nfe;
            }
            qInfo("tol %.0e: mean error %.3e over %zu paths, mean nfe %ld", tol, meanError,
                  seeds.size(), nfe / long(seeds.size()));
            // Global error tracks the tolerance and shrinks with it.
            QVERIFY2(meanError < 10.0 * tol, qPrintable(QString::number(meanError)));
            QVERIFY2(meanError < previousMean, qPrintable(QString::number(meanError)));
            previousMean = meanError;
        }
    }

    void rejectionsHappenAndAreRecorded() {
        // A drift that is fierce early and mild later: the controller must shrink the step
        // (rejecting some) and then grow it.
        EquationSpec spec = nonlinearAdditive();
        spec.drift = {"-50*exp(-5*t)*x^3"};
        spec.initial = {3.0};
        const CompiledEquation eq(spec);
        const auto sra1 = makeSdeStepper("sra1");
        const BrownianPath path(0.0, 3.0, 1, 5);
        AdaptiveSdeOptions options;
        options.rtol = options.atol = 1e-3;
        options.dt0 = 0.5;
        const auto solution = integrateSdeAdaptive(eq, *sra1, Eigen::VectorXd::Constant(1, 3.0),
                                                   0.0, 3.0, path, options);
        QVERIFY(solution.ok());
        QVERIFY(solution.stats.rejected > 0);
        double firstDt = 0, lastDt = 0;
        for (const auto& r : solution.stats.steps) {
            if (!r.accepted) {
                QVERIFY(r.errorNorm > 1.0);
                continue;
            }
            QVERIFY(r.errorNorm <= 1.0);
            if (firstDt == 0) firstDt = r.dt;
            lastDt = r.dt;
        }
        QVERIFY2(lastDt > 5 * firstDt, qPrintable(QString("%1 %2").arg(firstDt).arg(lastDt)));
    }

    void solversWithoutEstimateRefuse() {
        const CompiledEquation eq(nonlinearAdditive());
        const BrownianPath path(0.0, 1.0, 1, 1);
        try {
            integrateSdeAdaptive(eq, *makeSdeStepper("euler_maruyama"),
                                 Eigen::VectorXd::Constant(1, 1.0), 0.0, 1.0, path);
            QFAIL("expected a refusal");
        } catch (const SolverError& e) {
            QVERIFY(QString(e.what()).contains("no error estimate"));
        }
    }

    void typedOdeRunsWithTheOdeSolvers() {
        EquationSpec spec;
        spec.name = "decay";
        spec.variables = {"x", "y"};
        spec.drift = {"-k*x", "x - y"};
        spec.diffusion = {"0", "0"};
        spec.parameters = {{"k", 2.0, 0.0, 5.0, ""}};
        spec.initial = {1.0, 0.0};
        const CompiledEquation eq(spec);
        const TypedOdeSystem ode(eq);
        OdeOptions options;
        options.method = OdeMethod::DormandPrince5;
        options.rtol = 1e-9;
        options.atol = 1e-12;
        const auto solution = integrate(ode, Eigen::Vector2d(1.0, 0.0), 0.0, 1.0, options);
        QVERIFY(solution.ok());
        // x = e^{-2t}, y = e^{-t} - e^{-2t}.
        QVERIFY(std::abs(solution.y.back()(0) - std::exp(-2.0)) < 1e-8);
        QVERIFY(std::abs(solution.y.back()(1) - (std::exp(-1.0) - std::exp(-2.0))) < 1e-8);

        EquationSpec noisy = spec;
        noisy.diffusion = {"0.1", "0"};
        const CompiledEquation noisyEq(noisy);
        QVERIFY_THROWS_EXCEPTION(ConfigError, TypedOdeSystem{noisyEq});
    }
};

QTEST_GUILESS_MAIN(TestSdeAdaptive)
#include "test_sde_adaptive.moc"
