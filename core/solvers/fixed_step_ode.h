#pragma once
// One fixed step of Euler, Heun or classical RK4 on a batch ODE x' = v(t, x), where x is a
// dim x batch matrix and v evaluates the whole batch at once (a network's GEMMs, a score
// model). The batch samplers (core/diffusion/samplers.cpp) step with it; the tableau-driven
// OdeStepper family (ode_steppers.h) solves flat vector systems instead, with adaptive
// control, dense output and statistics, which a sampler at a fixed NFE budget does not want.
//
// The stage points are the textbook ones, written out rather than summed from a tableau, so
// a step costs exactly 1, 2 or 4 evaluations and no stage buffer beyond k1..k4.
namespace driftlab::core {

enum class FixedStepMethod { Euler, Heun, Rk4 };

template <typename M>
struct FixedStepStages {
    M k1, k2, k3, k4;
};

// x <- x advanced from t0 to t1 (h = t1 - t0; the end point is t1 itself, not t0 + h, so a
// grid's last time is hit exactly). velocity(y, t, out) writes v(t, y) into out.
template <typename M, typename Velocity>
void fixedStep(FixedStepMethod method, Velocity&& velocity, M& x, double t0, double t1,
               FixedStepStages<M>& k) {
    const double h = t1 - t0, tm = t0 + 0.5 * h;
    velocity(x, t0, k.k1);
    switch (method) {
        case FixedStepMethod::Euler:
            x += h * k.k1;
            break;
        case FixedStepMethod::Heun:
            velocity(x + h * k.k1, t1, k.k2);
            x += 0.5 * h * (k.k1 + k.k2);
            break;
        case FixedStepMethod::Rk4:
            velocity(x + 0.5 * h * k.k1, tm, k.k2);
            velocity(x + 0.5 * h * k.k2, tm, k.k3);
            velocity(x + h * k.k3, t1, k.k4);
            x += (h / 6.0) * (k.k1 + 2.0 * k.k2 + 2.0 * k.k3 + k.k4);
            break;
    }
}

}  // namespace driftlab::core
