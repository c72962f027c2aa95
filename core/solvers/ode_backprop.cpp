#include "core/solvers/ode_backprop.h"

#include <cmath>

#include "core/common/error.h"

namespace driftlab::core {

namespace {

// One replayed step: its start and the stage derivatives k_j.
struct RecordedStep {
    double t = 0.0, h = 0.0;
    Eigen::VectorXd y;
    std::vector<Eigen::VectorXd> k;
};

void stageInput(const ButcherTableau& tab, const RecordedStep& s, int i, Eigen::VectorXd& out) {
    out = s.y;
    for (int j = 0; j < i; ++j)
        if (tab.a(i, j) != 0.0) out.noalias() += (s.h * tab.a(i, j)) * s.k[j];
}

// Whether the tableau yields Hairer's stiffness estimate (as ExplicitRkStepper computes it):
// FSAL, so the last two stages probe f at y_new and at the stage before, and a known
// stability boundary.
bool hasStiffnessEstimate(const ButcherTableau& tab) {
    return tab.fsal && tab.stabilityBoundary > 0.0 && tab.stages >= 3;
}

// Hairer's estimate of the dominant eigenvalue's modulus seen by one step,
// rho = |k_s - k_{s-1}| / |g_s - g_{s-1}|, with g_i the stage inputs. g_s - g_{s-1} =
// h sum_j (a_sj - a_{s-1,j}) k_j does not involve y, so rho is a function of the stages
// alone. Writes e = k_s - k_{s-1} and v = g_s - g_{s-1} for the backward pass.
double stiffnessEstimate(const ButcherTableau& tab, const RecordedStep& s, Eigen::VectorXd& e,
                         Eigen::VectorXd& v) {
    const int last = tab.stages - 1;
    e = s.k[last] - s.k[last - 1];
    v.setZero(s.y.size());
    for (int j = 0; j < last; ++j) {
        const double da = tab.a(last, j) - tab.a(last - 1, j);
        if (da != 0.0) v.noalias() += (s.h * da) * s.k[j];
    }
    const double den = v.norm();
    return den > 0.0 ? e.norm() / den : 0.0;
}

// Runs one step from s.y (filling s.k) and returns y_new; adds ||err|| |h| to *reg and the
// stiffness estimate to *stiffness.
void replayStep(const OdeSystem& system, const ButcherTableau& tab, RecordedStep& s,
                Eigen::VectorXd& yNew, Eigen::VectorXd& work, double* reg,
                double* stiffness = nullptr) {
    s.k.resize(static_cast<std::size_t>(tab.stages));
    for (int i = 0; i < tab.stages; ++i) {
        stageInput(tab, s, i, work);
        s.k[i].resize(work.size());
        system.rhs(s.t + tab.c(i) * s.h, work, s.k[i]);
    }
    yNew = s.y;
    for (int j = 0; j < tab.stages; ++j)
        if (tab.b(j) != 0.0) yNew.noalias() += (s.h * tab.b(j)) * s.k[j];
    if (reg && tab.hasErrorEstimate()) {
        work.setZero(s.y.size());
        for (int j = 0; j < tab.stages; ++j)
            if (tab.bError(j) != 0.0) work.noalias() += (s.h * tab.bError(j)) * s.k[j];
        *reg += work.norm() * std::abs(s.h);
    }
    if (stiffness && hasStiffnessEstimate(tab)) {
        Eigen::VectorXd e;
        *stiffness += stiffnessEstimate(tab, s, e, work);
    }
}

// kbar += stiffWeight * d rho / dk for one step (rho as in stiffnessEstimate).
void addStiffnessGradient(const ButcherTableau& tab, const RecordedStep& s, double stiffWeight,
                          std::vector<Eigen::VectorXd>& kbar, Eigen::VectorXd& e,
                          Eigen::VectorXd& v) {
    stiffnessEstimate(tab, s, e, v);
    const double num = e.norm(), den = v.norm();
    // The quotient has no gradient where either norm vanishes (rho is set to 0 there).
    if (!(num > 0.0) || !(den > 0.0)) return;
    const int last = tab.stages - 1;
    // d(num/den) = (e/num) . de / den - (num/den^2) (v/den) . dv.
    const double numScale = stiffWeight / (num * den);
    kbar[last].noalias() += numScale * e;
    kbar[last - 1].noalias() -= numScale * e;
    const double denScale = stiffWeight * num / (den * den * den);
    for (int j = 0; j < last; ++j) {
        const double da = tab.a(last, j) - tab.a(last - 1, j);
        if (da != 0.0) kbar[j].noalias() -= (denScale * s.h * da) * v;
    }
}

// Backward through one step: ybar holds dObjective/dy_{n+1} on entry and dObjective/dy_n on
// return; lossWeight scales ybar's share, regWeight the ERNODE term of this step.
void backStep(const DifferentiableOdeSystem& system, const ButcherTableau& tab,
              const RecordedStep& s, Eigen::VectorXd& ybar, double regWeight, double stiffWeight,
              Eigen::VectorXd& dTheta, std::vector<Eigen::VectorXd>& kbar, Eigen::VectorXd& work,
              Eigen::VectorXd& stageBar) {
    const int stages = tab.stages;
    kbar.resize(static_cast<std::size_t>(stages));
    for (int j = 0; j < stages; ++j) kbar[j] = (s.h * tab.b(j)) * ybar;
    if (regWeight != 0.0 && tab.hasErrorEstimate()) {
        work.setZero(s.y.size());
        for (int j = 0; j < stages; ++j)
            if (tab.bError(j) != 0.0) work.noalias() += (s.h * tab.bError(j)) * s.k[j];
        const double norm = work.norm();
        // d||e||/de = e / ||e||; at e = 0 the norm has no gradient, and 0 is a subgradient.
        if (norm > 0.0) {
            const double scale = regWeight * std::abs(s.h) / norm;
            for (int j = 0; j < stages; ++j)
                if (tab.bError(j) != 0.0) kbar[j].noalias() += (scale * s.h * tab.bError(j)) * work;
        }
    }
    if (stiffWeight != 0.0 && hasStiffnessEstimate(tab))
        addStiffnessGradient(tab, s, stiffWeight, kbar, work, stageBar);
    for (int i = stages - 1; i >= 0; --i) {
        if (kbar[i].isZero(0.0)) continue;  // e.g. the FSAL stage without error weight
        stageInput(tab, s, i, work);
        stageBar.setZero(s.y.size());
        system.vjp(s.t + tab.c(i) * s.h, work, kbar[i], stageBar, dTheta);
        ybar += stageBar;
        for (int j = 0; j < i; ++j)
            if (tab.a(i, j) != 0.0) kbar[j].noalias() += (s.h * tab.a(i, j)) * stageBar;
    }
}

void requireSuccess(const OdeSolution& solution, const char* what) {
    if (!solution.ok()) throw SolverError(std::string(what) + " failed: " + solution.message);
}

}  // namespace

std::vector<std::pair<double, double>> acceptedSteps(const OdeSolution& solution) {
    std::vector<std::pair<double, double>> steps;
    for (const auto& record : solution.stats.steps)
        if (record.accepted) steps.emplace_back(record.t, record.dt);
    return steps;
}

ButcherTableau explicitTableau(OdeMethod method) {
    auto stepper = makeOdeStepper(method);
    const auto* rk = dynamic_cast<const ExplicitRkStepper*>(stepper.get());
    if (!rk)
        throw ConfigError("gradients through a solve need an explicit Runge–Kutta method, not " +
                          stepper->name());
    return rk->tableau();
}

Eigen::VectorXd odeReplay(const OdeSystem& system, const ButcherTableau& tableau,
                          const Eigen::VectorXd& y0,
                          const std::vector<std::pair<double, double>>& steps, double* regularizer,
                          double* stiffnessRegularizer) {
    if (regularizer) *regularizer = 0.0;
    if (stiffnessRegularizer) *stiffnessRegularizer = 0.0;
    RecordedStep s;
    s.y = y0;
    Eigen::VectorXd yNew, work;
    for (const auto& [t, h] : steps) {
        s.t = t;
        s.h = h;
        replayStep(system, tableau, s, yNew, work, regularizer, stiffnessRegularizer);
        s.y.swap(yNew);
    }
    return s.y;
}

OdeGradResult odeBackprop(const DifferentiableOdeSystem& system, const Eigen::VectorXd& y0,
                          double t0, double t1, const OdeTerminalLoss& loss,
                          const OdeBackpropOptions& options) {
    const ButcherTableau tableau = explicitTableau(options.solve.method);
    if (options.stiffnessRegularization != 0.0 && !hasStiffnessEstimate(tableau))
        throw ConfigError(
            "the stiffness regulariser needs a method with Hairer's stiffness "
            "estimate (an FSAL pair: bs3, dp5, tsit5), not " +
            tableau.name);
    OdeOptions solveOptions = options.solve;
    solveOptions.recordSteps = true;
    solveOptions.saveAt = {t1};
    const OdeSolution solution = integrate(system, y0, t0, t1, solveOptions);
    requireSuccess(solution, "backprop: the forward solve");
    const auto grid = acceptedSteps(solution);

    OdeGradResult r;
    r.steps = static_cast<long>(grid.size());
    std::vector<RecordedStep> tape(grid.size());
    Eigen::VectorXd y = y0, work;
    for (std::size_t n = 0; n < grid.size(); ++n) {
        tape[n].t = grid[n].first;
        tape[n].h = grid[n].second;
        tape[n].y = y;
        replayStep(system, tableau, tape[n], y, work, &r.regularizer, &r.stiffnessRegularizer);
    }
    r.terminal = y;
    Eigen::VectorXd lossGrad;
    r.loss = loss(y, lossGrad);
    if (lossGrad.size() != y.size())
        throw Error("backprop: the loss gradient must have the size of the state");

    const auto backward = [&](double lossWeight, double regWeight, double stiffWeight,
                              Eigen::VectorXd& dTheta, Eigen::VectorXd& dY0) {
        dTheta.setZero(system.parameterCount());
        dY0 = lossWeight * lossGrad;
        std::vector<Eigen::VectorXd> kbar;
        Eigen::VectorXd stageBar;
        for (std::size_t n = tape.size(); n-- > 0;)
            backStep(system, tableau, tape[n], dY0, regWeight, stiffWeight, dTheta, kbar, work,
                     stageBar);
    };
    backward(1.0, options.errorRegularization, options.stiffnessRegularization, r.dTheta, r.dY0);
    long passes = 2;
    if (options.regularizerGradient) {
        Eigen::VectorXd unused;
        backward(0.0, 1.0, 0.0, r.dThetaRegularizer, unused);
        ++passes;
        if (hasStiffnessEstimate(tableau)) {
            backward(0.0, 0.0, 1.0, r.dThetaStiffnessRegularizer, unused);
            ++passes;
        }
    }
    r.nfe = solution.stats.nfe + static_cast<long>(tape.size()) * tableau.stages * passes;
    return r;
}

namespace {

// [y, a, g] with a = dL/dy(t) and g the running dL/dtheta, integrated backwards in time.
class AugmentedAdjoint final : public OdeSystem {
public:
    explicit AugmentedAdjoint(const DifferentiableOdeSystem& system)
        : system_(system), d_(system.dimension()), p_(system.parameterCount()) {}
    int dimension() const override { return static_cast<int>(2 * d_ + p_); }
    bool isAutonomous() const override { return system_.isAutonomous(); }
    void rhs(double t, const Eigen::VectorXd& z, Eigen::VectorXd& dz) const override {
        y_ = z.head(d_);
        a_ = z.segment(d_, d_);
        dy_.setZero(d_);
        dtheta_.setZero(p_);
        system_.vjp(t, y_, a_, dy_, dtheta_, &f_);
        dz.head(d_) = f_;
        dz.segment(d_, d_) = -dy_;
        dz.tail(p_) = -dtheta_;
    }

private:
    const DifferentiableOdeSystem& system_;
    Eigen::Index d_, p_;
    mutable Eigen::VectorXd y_, a_, dy_, dtheta_, f_;
};

}  // namespace

OdeGradResult odeAdjoint(const DifferentiableOdeSystem& system, const Eigen::VectorXd& y0,
                         double t0, double t1, const OdeTerminalLoss& loss,
                         const OdeOptions& forward, const OdeOptions& backward) {
    OdeOptions forwardOptions = forward;
    forwardOptions.saveAt = {t1};
    forwardOptions.recordSteps = false;
    const OdeSolution solution = integrate(system, y0, t0, t1, forwardOptions);
    requireSuccess(solution, "adjoint: the forward solve");

    OdeGradResult r;
    r.steps = solution.stats.accepted;
    r.terminal = solution.y.back();
    Eigen::VectorXd lossGrad;
    r.loss = loss(r.terminal, lossGrad);
    if (lossGrad.size() != r.terminal.size())
        throw Error("adjoint: the loss gradient must have the size of the state");

    const Eigen::Index d = system.dimension(), p = system.parameterCount();
    Eigen::VectorXd z(2 * d + p);
    z << r.terminal, lossGrad, Eigen::VectorXd::Zero(p);
    OdeOptions backwardOptions = backward;
    backwardOptions.saveAt = {t0};
    backwardOptions.recordSteps = false;
    AugmentedAdjoint augmented(system);
    const OdeSolution back = integrate(augmented, z, t1, t0, backwardOptions);
    requireSuccess(back, "adjoint: the backward solve");
    // Integrating g' = -a^T df/dtheta from t1 down to t0 accumulates +integral over [t0, t1].
    r.dY0 = back.y.back().segment(d, d);
    r.dTheta = back.y.back().tail(p);
    r.nfe = solution.stats.nfe + back.stats.nfe;
    return r;
}

}  // namespace driftlab::core
