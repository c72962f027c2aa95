#pragma once
// Butcher tableaus of the explicit Runge–Kutta methods, with the published coefficients.
// The tableau is data; ExplicitRkStepper (ode_solve.cpp) is the one algorithm that runs
// them all, so adding a method means adding a tableau, not a stepper.
#include <Eigen/Core>
#include <string>

namespace driftlab::core {

// How a method interpolates inside an accepted step.
enum class DenseOutputKind {
    None,           // steps are clipped to land on every requested save time instead
    Hermite,        // cubic Hermite from f at both ends (needs FSAL); order 3
    DormandPrince,  // Shampine's (1986) continuous extension as in Hairer's DOPRI5; order 4
    Tsitouras,      // Tsitouras' (2011) free interpolant; order 4
};

struct ButcherTableau {
    std::string id;    // "dp5"
    std::string name;  // "Dormand–Prince 5(4)"
    int stages = 0;
    int order = 0;
    int embeddedOrder = 0;   // 0: no embedded method, so no error estimate
    bool fsal = false;       // last stage is f(t + h, y_new): reused as the next first stage
    Eigen::MatrixXd a;       // stages x stages, strictly lower triangular
    Eigen::VectorXd b;       // weights of the propagated solution
    Eigen::VectorXd c;       // nodes
    Eigen::VectorXd bError;  // b - b_hat (embedded weights); empty without error estimate
    DenseOutputKind dense = DenseOutputKind::None;
    // Where the stability region meets the negative real axis (|h lambda|), the yardstick of
    // Hairer's stiffness test; 0 when the method gives no stiffness estimate.
    double stabilityBoundary = 0.0;

    bool hasErrorEstimate() const { return bError.size() > 0; }
    bool hasDenseOutput() const { return dense != DenseOutputKind::None; }
};

ButcherTableau eulerTableau();
ButcherTableau midpointTableau();
ButcherTableau heunTableau();
ButcherTableau rk4Tableau();
ButcherTableau bogackiShampine3Tableau();
ButcherTableau dormandPrince5Tableau();
ButcherTableau tsitouras5Tableau();

// Dense output as stage weights: y(t + theta h) = y + h * sum_i w_i(theta) k_i, theta in
// [0, 1]; w is resized to tableau.stages. Throws SolverError for DenseOutputKind::None.
void denseWeights(const ButcherTableau& tableau, double theta, Eigen::VectorXd& w);

}  // namespace driftlab::core
