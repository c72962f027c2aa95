#pragma once
// A typed ODE/SDE as the user wrote it: plain data, no parsing here (see compiled_equation.h).
#include <string>
#include <vector>

namespace driftlab::core {

struct Parameter {
    std::string name;
    double value = 0.0;
    double min = 0.0;
    double max = 1.0;
    std::string help;
};

// Which closed-form density exists for this equation, so views can overlay it. The
// parameter names are fixed per kind (see analytic_density.h); an edited equation drops it.
enum class AnalyticKind { None, BrownianMotion, OrnsteinUhlenbeck, GeometricBrownianMotion };

struct EquationSpec {
    std::string name;
    std::string description;             // teaching text shown next to the preset
    std::vector<std::string> variables;  // x, y, z or x1..x8; size() is the dimension
    std::vector<std::string> drift;      // one expression per component
    std::vector<std::string> diffusion;  // one expression per component (diagonal noise)
    // General noise, optional: one row per variable, entry k the coefficient of dW_k (all rows
    // the same length m, the number of Brownian motions). When set it replaces `diffusion`.
    std::vector<std::vector<std::string>> noiseMatrix;
    std::vector<Parameter> parameters;
    std::vector<double> initial;  // one value per component
    AnalyticKind analytic = AnalyticKind::None;

    int dimension() const { return static_cast<int>(variables.size()); }
};

// The conventional variable names for a dimension: x | x,y | x,y,z | x1..xn for n > 3.
std::vector<std::string> defaultVariableNames(int dimension);

}  // namespace driftlab::core
