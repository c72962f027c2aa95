#include "core/solvers/solver_registry.h"

#include "core/common/error.h"
#include "core/solvers/ode_steppers.h"
#include "core/solvers/ode_tableaus.h"
#include "core/solvers/sde_sri.h"
#include "core/solvers/sde_steppers.h"
#include "core/solvers/sde_steppers_higher.h"

#include <sstream>

namespace driftlab::core {

bool NoiseSupport::supports(NoiseType noise) const {
    switch (noise) {
        case NoiseType::Diagonal:
            return diagonal;
        case NoiseType::Scalar:
            return scalar;
        case NoiseType::Additive:
            return additive;
        case NoiseType::General:
            return general;
    }
    return false;
}

bool NoiseSupport::handles(NoiseType noise, bool commutative) const {
    if (supports(noise)) return !needsCommutingNoise || commutative;
    return noise == NoiseType::General && commutative && commutingGeneral;
}

double SdeOrders::strong(NoiseType noise) const {
    switch (noise) {
        case NoiseType::Diagonal:
            return diagonal;
        case NoiseType::Scalar:
            return scalar;
        case NoiseType::Additive:
            return additive;
        case NoiseType::General:
            return general;
    }
    return 0.0;
}

namespace {

template <typename Stepper, typename... Args>
std::unique_ptr<SdeStepper> sde(Args... args) {
    return std::make_unique<Stepper>(args...);
}

constexpr NoiseSupport kAnyNoise{
    .diagonal = true, .scalar = true, .additive = true, .general = true, .commutingGeneral = true};
// Milstein: the correction needs commuting noise of every kind.
constexpr NoiseSupport kCommutingNoise{.diagonal = true,
                                       .scalar = true,
                                       .additive = true,
                                       .commutingGeneral = true,
                                       .needsCommutingNoise = true};

// The rows name only what differs from the defaults (designated initializers); GCC 12 warns
// about every member left out, which here is the point.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

// An explicit method is its tableau: id, name and orders come from it, so these rows cannot
// disagree with ExplicitRkStepper.
template <ButcherTableau (*tableau)()>
SolverInfo explicitRk(OdeMethod method, std::string help) {
    const ButcherTableau t = tableau();
    return {
        .id = t.id,
        .name = t.name,
        .displayName = t.name + " (ODE)",
        .help = std::move(help),
        .calculus = SolverCalculus::Ode,
        .odeMethod = method,
        .order = t.order,
        .embeddedOrder = t.embeddedOrder,
        .can = {.errorEstimate = t.hasErrorEstimate(),
                .denseOutput = t.hasDenseOutput(),
                .trainable = true},
        .makeOde = [](bool) -> std::unique_ptr<OdeStepper> {
            return std::make_unique<ExplicitRkStepper>(tableau());
        },
    };
}

std::vector<SolverInfo> buildRegistry() {
    std::vector<SolverInfo> rows;
    // --- SDE schemes ------------------------------------------------------------------
    rows.push_back({
        .id = "euler_maruyama",
        .name = "Euler–Maruyama",
        .displayName = "Euler–Maruyama (Itô)",
        .help = "evaluates the noise strength at the start of the step: this is the Itô "
                "interpretation of the equation.",
        .calculus = SolverCalculus::Ito,
        .sdeOrders = {.diagonal = 0.5, .scalar = 0.5, .additive = 1.0, .general = 0.5, .weak = 1.0},
        .noise = kAnyNoise,
        .can = {.fractionalNoise = true, .trainable = true},
        .makeSde = [] { return sde<EulerMaruyamaStepper>(); },
    });
    rows.push_back({
        .id = "stochastic_heun",
        .name = "Stochastic Heun",
        .displayName = "Stochastic Heun (Stratonovich)",
        .help = "a predictor-corrector that averages the noise strength over the step: it "
                "converges to the Stratonovich interpretation.",
        .calculus = SolverCalculus::Stratonovich,
        .sdeOrders = {.diagonal = 1.0, .scalar = 1.0, .additive = 1.0, .general = 0.5, .weak = 1.0},
        .noise = kAnyNoise,
        .can = {.fractionalNoise = true, .trainable = true},
        .makeSde = [] { return sde<StochasticHeunStepper>(); },
    });
    // Itô Milstein's correction (dW^2 - dt) assumes Brownian increments, its Stratonovich
    // form (dW^2) is pathwise: only the latter takes fractional noise.
    rows.push_back({
        .id = "milstein",
        .name = "Milstein (Itô)",
        .displayName = "Milstein (Itô)",
        .help = "adds the correction term that lifts Euler–Maruyama to strong order 1.",
        .calculus = SolverCalculus::Ito,
        .sdeOrders = {.diagonal = 1.0, .scalar = 1.0, .additive = 1.0, .general = 1.0, .weak = 1.0},
        .noise = kCommutingNoise,
        .makeSde = [] { return sde<MilsteinStepper>(Calculus::Ito); },
    });
    rows.push_back({
        .id = "milstein_stratonovich",
        .name = "Milstein (Stratonovich)",
        .displayName = "Milstein (Stratonovich)",
        .help = "Milstein's scheme for the Stratonovich interpretation.",
        .calculus = SolverCalculus::Stratonovich,
        .sdeOrders = {.diagonal = 1.0, .scalar = 1.0, .additive = 1.0, .general = 1.0, .weak = 1.0},
        .noise = kCommutingNoise,
        .can = {.fractionalNoise = true},
        .makeSde = [] { return sde<MilsteinStepper>(Calculus::Stratonovich); },
    });
    rows.push_back({
        .id = "euler_heun",
        .name = "Euler–Heun",
        .displayName = "Euler–Heun (Stratonovich)",
        .help = "the cheapest Stratonovich scheme: one drift evaluation per step.",
        .calculus = SolverCalculus::Stratonovich,
        .sdeOrders = {.diagonal = 1.0, .scalar = 1.0, .additive = 1.0, .general = 0.5, .weak = 1.0},
        .noise = kAnyNoise,
        .can = {.fractionalNoise = true},
        .makeSde = [] { return sde<EulerHeunStepper>(); },
    });
    rows.push_back({
        .id = "reversible_heun",
        .name = "Reversible Heun",
        .displayName = "Reversible Heun (Stratonovich)",
        .help = "can be run backwards exactly, which memory-free gradients (the reversible "
                "adjoint) rely on.",
        .calculus = SolverCalculus::Stratonovich,
        // The weak order is not established in the literature; the strong order bounds it.
        .sdeOrders = {.diagonal = 0.5, .scalar = 0.5, .additive = 1.0, .general = 0.5, .weak = 0.5},
        .noise = kAnyNoise,
        .can = {.fractionalNoise = true, .trainable = true},
        .makeSde = [] { return sde<ReversibleHeunStepper>(); },
    });
    // SRA1 is Itô and Stratonovich at once: for additive noise they coincide.
    rows.push_back({
        .id = "sra1",
        .name = "SRA1",
        .displayName = "SRA1, order 1.5 for additive noise",
        .help = "a stochastic Runge–Kutta method for additive noise (noise strength not "
                "depending on the state); with its error estimate it can choose its own "
                "steps (the solver diagnostics show one path solved that way).",
        .calculus = SolverCalculus::Ito,
        .sdeOrders = {.additive = 1.5, .weak = 2.0},
        .noise = {.additive = true},
        .can = {.errorEstimate = true, .spaceTimeArea = true},
        .makeSde = [] { return sde<Sra1Stepper>(); },
    });
    rows.push_back({
        .id = "sriw1",
        .name = "SRIW1",
        .displayName = "SRIW1, order 1.5 for diagonal noise",
        .help = "a stochastic Runge–Kutta method for diagonal noise in which each noise "
                "strength depends on its own variable only; it adapts its steps like SRA1.",
        .calculus = SolverCalculus::Ito,
        .sdeOrders = {.diagonal = 1.5, .additive = 1.5, .weak = 2.0},
        .noise = {.diagonal = true, .additive = true, .needsCommutingNoise = true},
        .can = {.errorEstimate = true, .spaceTimeArea = true},
        .makeSde = [] { return sde<SriW1Stepper>(); },
    });

    // --- ODE methods (zero diffusion) --------------------------------------------------
    rows.push_back(explicitRk<eulerTableau>(
        OdeMethod::Euler, "the simplest explicit method, one evaluation per step."));
    rows.push_back(
        explicitRk<midpointTableau>(OdeMethod::Midpoint, "evaluates the slope half a step ahead."));
    rows.push_back(explicitRk<heunTableau>(
        OdeMethod::Heun, "the explicit trapezoid rule, the ODE form of stochastic Heun."));
    rows.push_back(explicitRk<rk4Tableau>(OdeMethod::Rk4, "the classical Runge–Kutta method."));
    rows.push_back(explicitRk<bogackiShampine3Tableau>(OdeMethod::BogackiShampine3,
                                                       "a cheap pair for loose tolerances."));
    rows.push_back(explicitRk<dormandPrince5Tableau>(
        OdeMethod::DormandPrince5, "the usual first choice for non-stiff equations."));
    rows.push_back(explicitRk<tsitouras5Tableau>(
        OdeMethod::Tsitouras5, "a pair tuned to do a little better than Dormand–Prince."));
    rows.push_back({
        .id = "rosenbrock23",
        .name = "Rosenbrock 2(3) (Shampine)",
        .displayName = "Rosenbrock 2(3) (Shampine) (ODE)",
        .help = "linearly implicit (one Jacobian and LU per step): it handles stiff "
                "equations.",
        .calculus = SolverCalculus::Ode,
        .odeMethod = OdeMethod::Rosenbrock23,
        .order = 2,
        .embeddedOrder = 3,
        .can = {.errorEstimate = true, .denseOutput = true, .stiff = true},
        .makeOde = [](bool fd) -> std::unique_ptr<OdeStepper> {
            return std::make_unique<Rosenbrock23Stepper>(fd);
        },
    });
    rows.push_back({
        .id = "rodas4",
        .name = "Rodas4 (Hairer–Wanner)",
        .displayName = "Rodas4 (Hairer–Wanner) (ODE)",
        .help = "Rosenbrock 2(3)'s fourth-order sibling: far fewer steps at tight "
                "tolerances.",
        .calculus = SolverCalculus::Ode,
        .odeMethod = OdeMethod::Rodas4,
        .order = 4,
        .embeddedOrder = 3,
        .can = {.errorEstimate = true, .denseOutput = true, .stiff = true},
        .makeOde = [](bool fd) -> std::unique_ptr<OdeStepper> {
            return std::make_unique<Rodas4Stepper>(fd);
        },
    });
    rows.push_back({
        .id = "auto_stiff",
        .name = "Dormand–Prince 5(4) / Rosenbrock 2(3) (auto-switch)",
        .displayName = "Dormand–Prince, switching to Rosenbrock when stiff (ODE)",
        .help = "starts with Dormand–Prince and switches to Rosenbrock 2(3) when it detects "
                "stiffness (and back when it is gone).",
        .calculus = SolverCalculus::Ode,
        .odeMethod = OdeMethod::DormandPrince5,
        .autoSwitch = true,
        .order = 5,
        .embeddedOrder = 4,
        .can = {.errorEstimate = true, .denseOutput = true, .stiff = true},
        .makeOde = [](bool) -> std::unique_ptr<OdeStepper> {
            return std::make_unique<ExplicitRkStepper>(dormandPrince5Tableau());
        },
    });
    return rows;
}
#pragma GCC diagnostic pop

std::string formatOrder(double order) {
    std::ostringstream text;
    text << order;
    return text.str();
}

std::string joinWith(const std::vector<std::string>& items, const std::string& conjunction) {
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i > 0) out += i + 1 == items.size() ? " " + conjunction + " " : ", ";
        out += items[i];
    }
    return out;
}

}  // namespace

const std::vector<SolverInfo>& solverRegistry() {
    static const std::vector<SolverInfo> rows = buildRegistry();
    return rows;
}

const SolverInfo* findSolver(std::string_view id) {
    for (const auto& row : solverRegistry())
        if (row.id == id) return &row;
    return nullptr;
}

const SolverInfo& solverInfo(std::string_view id) {
    if (const SolverInfo* row = findSolver(id)) return *row;
    throw ConfigError("solver: unknown solver \"" + std::string(id) + "\" (valid: " +
                      listSolvers([](const SolverInfo&) { return true; }, true) + ")");
}

std::vector<const SolverInfo*> sdeSolvers() {
    std::vector<const SolverInfo*> out;
    for (const auto& row : solverRegistry())
        if (!row.isOde()) out.push_back(&row);
    return out;
}

std::vector<const SolverInfo*> odeSolvers() {
    std::vector<const SolverInfo*> out;
    for (const auto& row : solverRegistry())
        if (row.isOde()) out.push_back(&row);
    return out;
}

std::string listSolvers(const std::function<bool(const SolverInfo&)>& which, bool byId,
                        const std::string& conjunction) {
    std::vector<std::string> items;
    for (const auto& row : solverRegistry())
        if (which(row)) items.push_back(byId ? row.id : row.name);
    return joinWith(items, conjunction);
}

std::string describeSolver(const SolverInfo& row) {
    std::string text;
    if (row.isOde()) {
        text = "Order " + std::to_string(row.order);
        text += row.can.errorEstimate ? ", adaptive steps from an embedded order-" +
                                            std::to_string(row.embeddedOrder) + " estimate"
                                      : ", fixed steps";
        if (row.can.stiff) text += ", for stiff equations";
        return text;
    }
    text = row.calculus == SolverCalculus::Ito ? "Itô" : "Stratonovich";
    // The order on the first noise type taken, then where others differ.
    const NoiseType types[] = {NoiseType::Diagonal, NoiseType::Additive, NoiseType::General};
    double primary = -1.0;
    std::vector<std::string> others;
    for (NoiseType type : types) {
        const bool taken =
            row.noise.supports(type) || (type == NoiseType::General && row.noise.commutingGeneral);
        if (!taken) continue;
        const double order = row.sdeOrders.strong(type);
        if (primary < 0.0)
            primary = order;
        else if (order != primary)
            others.push_back(formatOrder(order) + " for " + toString(type) + " noise");
    }
    text += "; strong order " + formatOrder(primary);
    if (!others.empty()) text += " (" + joinWith(others, "and") + ")";
    text += ", weak order " + formatOrder(row.sdeOrders.weak);
    std::vector<std::string> noise;
    for (NoiseType type : types)
        if (row.noise.supports(type)) noise.push_back(toString(type));
    if (row.noise.general && !row.noise.needsCommutingNoise) {
        text += "; any noise";
    } else {
        text += "; " + joinWith(noise, "or") + " noise";
        if (row.noise.needsCommutingNoise) text += " with each g_i reading only its own variable";
        if (row.noise.commutingGeneral && !row.noise.general)
            text += ", general noise only with commuting columns";
    }
    if (row.can.errorEstimate) text += "; adaptive steps from an error estimate";
    if (!row.can.fractionalNoise) text += "; Brownian noise only (no Hurst index)";
    return text;
}

// --- the factories the steppers' headers declare -------------------------------------------

std::unique_ptr<SdeStepper> makeSdeStepper(const std::string& id) {
    const SolverInfo* row = findSolver(id);
    if (row && row->makeSde) return row->makeSde();
    const std::string valid = listSolvers([](const SolverInfo& r) { return !r.isOde(); }, true);
    if (row)
        throw ConfigError("solver: " + id +
                          " is an ODE method, not an SDE solver (SDE "
                          "solvers: " +
                          valid + ")");
    throw ConfigError("solver: unknown SDE solver \"" + id + "\" (valid: " + valid + ")");
}

namespace {
// The row that is the method itself (not a switching strategy built on it).
const SolverInfo* odeRow(OdeMethod method) {
    for (const auto& row : solverRegistry())
        if (row.isOde() && !row.autoSwitch && row.odeMethod == method) return &row;
    return nullptr;
}
}  // namespace

std::unique_ptr<OdeStepper> makeOdeStepper(OdeMethod method, bool forceFiniteDifferenceJacobian) {
    if (const SolverInfo* row = odeRow(method)) return row->makeOde(forceFiniteDifferenceJacobian);
    throw ConfigError("unknown ODE method");
}

std::string toString(OdeMethod method) {
    const SolverInfo* row = odeRow(method);
    return row ? row->id : "unknown";
}

OdeMethod odeMethodFromId(const std::string& id) {
    const SolverInfo* row = findSolver(id);
    if (row && row->isOde() && !row->autoSwitch) return row->odeMethod;
    throw ConfigError(
        "unknown ODE solver '" + id + "'; valid solvers: " +
        listSolvers([](const SolverInfo& r) { return r.isOde() && !r.autoSwitch; }, true));
}

}  // namespace driftlab::core
