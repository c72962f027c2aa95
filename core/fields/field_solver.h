#pragma once
// Drives a FieldStepper over a SemilinearProblem at a fixed step: owns the spectral state,
// counts steps, evaluations of N and transforms, and stops with a SolverError naming the
// field, time and step when the state goes non-finite (the last finite state is kept).
#include <memory>

#include "core/fields/field_stepper.h"

namespace driftlab::core::fields {

struct FieldRunStats {
    long long steps = 0;
    long long nonlinearEvaluations = 0;
    long long transforms = 0;  // real FFTs (and DST/DCTs), forward and backward
    double transformsPerStep() const { return steps > 0 ? double(transforms) / steps : 0.0; }
};

class FieldSolver {
public:
    FieldSolver(std::shared_ptr<SemilinearProblem> problem, std::unique_ptr<FieldStepper> stepper,
                double dt, double t0 = 0.0);

    SemilinearProblem& problem() { return *problem_; }
    const SemilinearProblem& problem() const { return *problem_; }
    const FieldStepper& stepper() const { return *stepper_; }
    double time() const { return t_; }
    double dt() const { return dt_; }
    void setDt(double dt);

    const SpectralState& state() const { return state_; }
    // Edits restart multistep history; the transforms they take are not counted as steps'.
    void setState(const SpectralState& state);
    void setField(int field, const double* gridValues);
    void fieldOnGrid(int field, double* gridValues) const;

    void step() { takeStep(dt_); }
    void advance(long long steps);
    // Steps of dt; the last is shortened to land on tEnd.
    void advanceTo(double tEnd);

    FieldRunStats stats() const;

private:
    void takeStep(double h);

    std::shared_ptr<SemilinearProblem> problem_;
    std::unique_ptr<FieldStepper> stepper_;
    double dt_;
    double t_;
    long long steps_ = 0;
    long long evaluations0_ = 0;
    long long transforms_ = 0;
    SpectralState state_, next_;
};

}  // namespace driftlab::core::fields
