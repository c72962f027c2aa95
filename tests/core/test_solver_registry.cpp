// The solver registry cannot lie: every row's stepper reports the row's orders, calculus,
// noise support and flags; ids are unique; every SDE row's strong order is one a
// convergence test measures; the trainable rows are the schemes the gradient code has; the
// Trajectories menu, the schema's choices and its help text are the rows; and solverRefusal
// answers from the rows.
#include "core/common/error.h"
#include "core/equations/compiled_equation.h"
#include "core/experiment/schema.h"
#include "core/solvers/ode_backprop.h"
#include "core/solvers/ode_solve.h"
#include "core/solvers/sde_steppers.h"
#include "core/solvers/solver_registry.h"
#include "core/trajectories/trajectory_config.h"
#include "core/trajectories/trajectory_run.h"
#include "grad_test_models.h"
#include "sde_measured_orders.h"
#include "sde_test_support.h"

#include <QtTest>

#include <algorithm>
#include <set>
#include <string>

using namespace driftlab::core;
using namespace driftlab::test;

namespace {

constexpr NoiseType kNoiseTypes[] = {NoiseType::Diagonal, NoiseType::Scalar, NoiseType::Additive,
                                     NoiseType::General};

// A system that only declares its noise: what SdeStepper::handles reads.
class DeclaredNoise final : public SdeSystem {
public:
    DeclaredNoise(NoiseType noise, bool commutative) : noise_(noise), commutative_(commutative) {}
    int dimension() const override { return 2; }
    NoiseType noiseType() const override { return noise_; }
    bool isDeterministic() const override { return false; }
    std::unique_ptr<SdeWorker> makeWorker() const override { return nullptr; }
    int brownianDimension() const override { return noise_ == NoiseType::General ? 3 : 2; }
    bool hasCommutativeNoise() const override { return commutative_; }

private:
    NoiseType noise_;
    bool commutative_;
};

Calculus sdeCalculus(const SolverInfo& row) {
    return row.calculus == SolverCalculus::Ito ? Calculus::Ito : Calculus::Stratonovich;
}

EquationSpec twoComponent(const char* gx, const char* gy) {
    EquationSpec spec;
    spec.name = "pair";
    spec.variables = {"x", "y"};
    spec.drift = {"-x", "-y"};
    spec.diffusion = {gx, gy};
    spec.initial = {1.0, 0.5};
    return spec;
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

}  // namespace

class TestSolverRegistry : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void idsAreUniqueAndRowsComplete() {
        std::set<std::string> ids;
        bool seenOde = false;
        for (const auto& row : solverRegistry()) {
            const char* id = row.id.c_str();
            QVERIFY2(ids.insert(row.id).second, id);
            QVERIFY2(!row.name.empty() && !row.displayName.empty() && row.help.size() > 20, id);
            // Exactly the factory of its kind.
            QVERIFY2(row.isOde() ? (row.makeOde && !row.makeSde) : (row.makeSde && !row.makeOde),
                     id);
            // Menu order: all SDE rows first.
            QVERIFY2(!seenOde || row.isOde(), id);
            seenOde = seenOde || row.isOde();
            QVERIFY(findSolver(row.id) == &row);
            QVERIFY(&solverInfo(row.id) == &row);
        }
        QCOMPARE(ids.size(), solverRegistry().size());
        QCOMPARE(sdeSolvers().size() + odeSolvers().size(), solverRegistry().size());
        QVERIFY(findSolver("rk45") == nullptr);
        try {
            solverInfo("rk45");
            QFAIL("unknown id accepted");
        } catch (const driftlab::ConfigError& e) {
            QVERIFY2(contains(e.what(), "rk45") && contains(e.what(), "euler_maruyama") &&
                         contains(e.what(), "auto_stiff"),
                     e.what());
        }
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError, makeSdeStepper("dp5"));
    }

    void sdeRowsMatchTheirSteppers() {
        for (const SolverInfo* row : sdeSolvers()) {
            const char* id = row->id.c_str();
            const auto stepper = row->makeSde();
            QCOMPARE(stepper->id(), row->id);
            QCOMPARE(makeSdeStepper(row->id)->id(), row->id);
            QCOMPARE(stepper->name(), row->name);
            QVERIFY2(stepper->calculus() == sdeCalculus(*row), id);
            QCOMPARE(stepper->weakOrder(), row->sdeOrders.weak);
            for (NoiseType noise : kNoiseTypes) {
                const std::string what = row->id + " " + toString(noise);
                QVERIFY2(stepper->supports(noise) == row->noise.supports(noise), what.c_str());
                if (row->noise.supports(noise) ||
                    (noise == NoiseType::General && row->noise.commutingGeneral))
                    QVERIFY2(stepper->strongOrder(noise) == row->sdeOrders.strong(noise),
                             what.c_str());
                else
                    QVERIFY2(row->sdeOrders.strong(noise) == 0.0, what.c_str());
                for (bool commutative : {false, true})
                    QVERIFY2(stepper->handles(DeclaredNoise(noise, commutative)) ==
                                 row->noise.handles(noise, commutative),
                             (what + (commutative ? " commuting" : " not commuting")).c_str());
            }
            QVERIFY2(stepper->supportsCommutativeNoise() ==
                         (row->noise.general || row->noise.commutingGeneral),
                     id);
            QVERIFY2(stepper->needsCommutativeNoise() == row->noise.needsCommutingNoise, id);
            QVERIFY2(stepper->hasErrorEstimate() == row->can.errorEstimate, id);
            QVERIFY2(stepper->needsSpaceTimeArea() == row->can.spaceTimeArea, id);
            // The Lévy area is a Brownian notion: fractional noise has none to give.
            QVERIFY2(!(row->can.spaceTimeArea && row->can.fractionalNoise), id);
            QVERIFY2(!row->can.denseOutput && !row->can.stiff && !row->autoSwitch, id);
        }
    }

    void odeRowsMatchTheirSteppers() {
        const OdeOptions defaults;
        for (const SolverInfo* row : odeSolvers()) {
            const char* id = row->id.c_str();
            for (bool finiteDifference : {false, true}) {
                const auto stepper = row->makeOde(finiteDifference);
                // A switching row builds the method it starts with.
                const SolverInfo& method =
                    row->autoSwitch ? solverInfo(toString(row->odeMethod)) : *row;
                QVERIFY2(!method.autoSwitch, id);
                QCOMPARE(stepper->id(), method.id);
                QCOMPARE(stepper->name(), method.name);
                QCOMPARE(stepper->order(), row->order);
                QCOMPARE(stepper->embeddedOrder(), row->embeddedOrder);
                QVERIFY2(stepper->hasErrorEstimate() == row->can.errorEstimate, id);
                QVERIFY2(stepper->hasDenseOutput() == row->can.denseOutput, id);
                QVERIFY2(row->can.errorEstimate == (row->embeddedOrder > 0), id);
                if (row->autoSwitch) {
                    // Stiff by handing over to integrate()'s stiff method.
                    QVERIFY2(row->can.stiff && !stepper->isImplicit(), id);
                    QVERIFY2(makeOdeStepper(defaults.stiffMethod)->isImplicit(), id);
                } else {
                    QVERIFY2(stepper->isImplicit() == row->can.stiff, id);
                    QCOMPARE(makeOdeStepper(row->odeMethod)->id(), row->id);
                }
            }
            QVERIFY2(!row->can.spaceTimeArea && !row->can.fractionalNoise, id);
            // Trainable ODE rows are the explicit Runge–Kutta methods backprop replays.
            bool hasTableau = !row->autoSwitch;
            try {
                if (hasTableau) explicitTableau(row->odeMethod);
            } catch (const driftlab::ConfigError&) {
                hasTableau = false;
            }
            QVERIFY2(row->can.trainable == hasTableau, id);
        }
    }

    // The numbers the convergence tests hold the schemes to are the rows' numbers, and no
    // SDE row goes unmeasured.
    void everyStrongOrderIsMeasured() {
        for (const auto& entry : kMeasuredStrongOrders) {
            const SolverInfo* row = findSolver(entry.solver);
            QVERIFY2(row && !row->isOde(), entry.solver);
            QVERIFY2(row->noise.supports(entry.noise) ||
                         (entry.noise == NoiseType::General && row->noise.commutingGeneral),
                     entry.solver);
            QCOMPARE(row->sdeOrders.strong(entry.noise), entry.order);
            QCOMPARE(measuredStrongOrder(entry.solver, entry.noise), entry.order);
        }
        for (const SolverInfo* row : sdeSolvers()) {
            QStringList measured;
            for (const auto& entry : kMeasuredStrongOrders)
                if (row->id == entry.solver)
                    measured << QStringLiteral("%1 %2 (%3)")
                                    .arg(QString::fromStdString(toString(entry.noise)))
                                    .arg(entry.order)
                                    .arg(QString::fromUtf8(entry.measuredBy));
            qInfo("%s: %s", row->id.c_str(), qPrintable(measured.join("; ")));
            QVERIFY2(!measured.isEmpty(), row->id.c_str());
        }
    }

    void trainableSdeRowsAreTheGradientSchemes() {
        std::set<std::string> schemes, trainable;
        for (const auto& [scheme, id] : kGradSchemeSolvers) schemes.insert(id);
        for (const SolverInfo* row : sdeSolvers())
            if (row->can.trainable) trainable.insert(row->id);
        QVERIFY(schemes == trainable);
        QCOMPARE(trainable.size(), std::size_t(3));
    }

    void menuAndSchemaListEveryRowOnce() {
        const auto& menu = trajectorySolverChoices();
        const auto& choices = simulationSchema().find("solver")->choices;
        QCOMPARE(menu.size(), solverRegistry().size());
        QCOMPARE(choices.size(), solverRegistry().size());
        for (const auto& row : solverRegistry()) {
            const auto sameId = [&](const SolverInfo& c) { return c.id == row.id; };
            QCOMPARE(std::count_if(menu.begin(), menu.end(), sameId), std::ptrdiff_t(1));
            QCOMPARE(std::count(choices.begin(), choices.end(), row.id), std::ptrdiff_t(1));
            QVERIFY2(isOdeSolverId(row.id) == row.isOde(), row.id.c_str());
        }
        QVERIFY(!isOdeSolverId("rk45"));
    }

    void schemaHelpIsDerivedFromTheRows() {
        const std::string& help = simulationSchema().find("solver")->help;
        for (const auto& row : solverRegistry()) {
            QVERIFY2(contains(help, row.displayName + " (" + row.id + "): " + row.help),
                     row.id.c_str());
            QVERIFY2(contains(help, describeSolver(row)), row.id.c_str());
        }
        // The derived facts carry the rows' numbers.
        QCOMPARE(describeSolver(solverInfo("euler_maruyama")),
                 std::string("Itô; strong order 0.5 (1 for additive noise), weak order 1; any "
                             "noise"));
        QCOMPARE(describeSolver(solverInfo("sra1")),
                 std::string("Itô; strong order 1.5, weak order 2; additive noise; adaptive "
                             "steps from an error estimate; Brownian noise only (no Hurst "
                             "index)"));
        QCOMPARE(describeSolver(solverInfo("dp5")),
                 std::string("Order 5, adaptive steps from an embedded order-4 estimate"));
        QCOMPARE(describeSolver(solverInfo("rk4")), std::string("Order 4, fixed steps"));
        // The tolerance help names exactly the rows with an error estimate.
        const std::string& rtol = simulationSchema().find("rtol")->help;
        for (const auto& row : solverRegistry()) {
            const bool named =
                contains(rtol, " " + row.id + ",") || contains(rtol, " " + row.id + " ");
            QVERIFY2(named == row.can.errorEstimate, row.id.c_str());
        }
    }

    void refusalsComeFromTheRows() {
        const CompiledEquation ou(spec1d("-x", "0.5", {}, 1.0));
        const CompiledEquation gbm(spec1d("0.1*x", "0.3*x", {}, 1.0));
        const CompiledEquation ode(spec1d("-x", "0", {}, 1.0));
        const CompiledEquation coupled(twoComponent("0.3*y", "0.3*x"));
        // Additive noise: everything SDE runs, no ODE method does.
        for (const SolverInfo* row : sdeSolvers())
            QVERIFY2(solverRefusal(row->id, ou, 0.5).empty(), row->id.c_str());
        QCOMPARE(solverRefusal("dp5", ou, 0.5),
                 std::string("an ODE method: it needs zero diffusion, and this equation has "
                             "noise"));
        // Zero diffusion: every solver runs it, whatever the Hurst index.
        for (const auto& row : solverRegistry())
            QVERIFY2(solverRefusal(row.id, ode, 0.3).empty(), row.id.c_str());
        // Multiplicative diagonal noise.
        QCOMPARE(solverRefusal("sra1", gbm, 0.5),
                 std::string("SRA1 does not handle diagonal noise, which this equation has"));
        QVERIFY(solverRefusal("sriw1", gbm, 0.5).empty());
        QVERIFY(solverRefusal("milstein", gbm, 0.5).empty());
        // Fractional noise: refused by exactly the rows that say so.
        QCOMPARE(solverRefusal("milstein", gbm, 0.7),
                 std::string("Milstein (Itô) assumes Brownian noise; it cannot be driven by "
                             "fractional noise (Hurst index 0.70)"));
        for (const SolverInfo* row : sdeSolvers()) {
            if (!row->noise.supports(NoiseType::Diagonal)) continue;
            QVERIFY2(solverRefusal(row->id, gbm, 0.7).empty() == row->can.fractionalNoise,
                     row->id.c_str());
        }
        // Diagonal noise whose g_x reads y does not commute.
        QCOMPARE(solverRefusal("milstein", coupled, 0.5),
                 std::string("Milstein (Itô) assumes each g_i reads only its own variable "
                             "(commuting noise); here g of x reads y, so it would lose its "
                             "order"));
        for (const SolverInfo* row : sdeSolvers()) {
            const bool refused = !solverRefusal(row->id, coupled, 0.5).empty();
            QVERIFY2(refused == (row->noise.needsCommutingNoise ||
                                 !row->noise.supports(NoiseType::Diagonal)),
                     row->id.c_str());
        }
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError, solverRefusal("rk45", ou, 0.5));
    }
};

QTEST_GUILESS_MAIN(TestSolverRegistry)
#include "test_solver_registry.moc"
