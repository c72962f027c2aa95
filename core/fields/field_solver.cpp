#include "core/fields/field_solver.h"

#include <cmath>
#include <sstream>

#include "core/common/error.h"

namespace driftlab::core::fields {

namespace {

// Any NaN or infinity makes the plain sum non-finite; the sum vectorises, a branch per value
// would not.
bool finite(const AlignedArray<Complex>& a) {
    double s = 0.0;
    const double* p = reinterpret_cast<const double*>(a.data());
    for (std::size_t i = 0; i < 2 * a.size(); ++i) s += p[i];
    return std::isfinite(s);
}

}  // namespace

FieldSolver::FieldSolver(std::shared_ptr<SemilinearProblem> problem,
                         std::unique_ptr<FieldStepper> stepper, double dt, double t0)
    : problem_(std::move(problem)), stepper_(std::move(stepper)), dt_(dt), t_(t0) {
    if (!problem_ || !stepper_) throw ConfigError("a field solver needs a problem and a stepper");
    setDt(dt);
    state_ = problem_->makeState();
    next_ = problem_->makeState();
    evaluations0_ = problem_->nonlinearEvaluations();
}

void FieldSolver::setDt(double dt) {
    if (!(dt > 0.0) || !std::isfinite(dt))
        throw ConfigError("the time step must be positive and finite");
    dt_ = dt;
}

void FieldSolver::setState(const SpectralState& state) {
    if (int(state.size()) != problem_->fieldCount())
        throw ConfigError("the state has the wrong number of fields");
    for (std::size_t f = 0; f < state.size(); ++f) {
        if (state[f].size() != problem_->grid().modeCount())
            throw ConfigError("the state does not match the grid");
        std::copy(state[f].data(), state[f].data() + state[f].size(), state_[f].data());
    }
    stepper_->reset();
}

void FieldSolver::setField(int field, const double* gridValues) {
    problem_->toSpectral(gridValues, state_.at(field));
    stepper_->reset();
}

void FieldSolver::fieldOnGrid(int field, double* gridValues) const {
    problem_->toGrid(state_.at(field), gridValues);
}

void FieldSolver::advance(long long steps) {
    for (long long i = 0; i < steps; ++i) takeStep(dt_);
}

void FieldSolver::advanceTo(double tEnd) {
    const double eps = 1e-12 * std::max(1.0, std::abs(tEnd));
    while (t_ < tEnd - eps) {
        const double h = std::min(dt_, tEnd - t_);
        // A last step within round-off of dt is taken as dt (keeps ETDRK4's coefficients).
        takeStep(tEnd - t_ - h < eps && std::abs(h - dt_) < eps ? dt_ : h);
    }
}

void FieldSolver::takeStep(double h) {
    const long long before = problem_->grid().transformCount();
    stepper_->step(*problem_, state_, t_, h, next_);
    transforms_ += problem_->grid().transformCount() - before;
    for (int f = 0; f < problem_->fieldCount(); ++f) {
        if (finite(next_[f])) continue;
        std::ostringstream msg;
        msg << problem_->fieldName(f) << " became non-finite at t = " << (t_ + h) << ", step "
            << (steps_ + 1) << " (" << stepper_->name() << ", dt = " << h
            << "); try a smaller step";
        if (!stepper_->stiff()) msg << " or a stiff scheme (ETDRK4 or IMEX SBDF2)";
        stepper_->reset();
        throw SolverError(msg.str());
    }
    std::swap(state_, next_);
    t_ += h;
    ++steps_;
}

FieldRunStats FieldSolver::stats() const {
    return {steps_, problem_->nonlinearEvaluations() - evaluations0_, transforms_};
}

}  // namespace driftlab::core::fields
