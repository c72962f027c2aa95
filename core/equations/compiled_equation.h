#pragma once
// A typed equation compiled with muparser into an SdeSystem. Compilation checks every
// expression and throws ExpressionError naming the component, drift/diffusion and the
// 0-based character position of the problem.
#include "core/equations/equation_spec.h"
#include "core/solvers/sde_system.h"

#include <memory>
#include <string>
#include <vector>

namespace driftlab::core {

struct CompiledEquationPlan;  // what each expression reads; shared by the workers

struct ExpressionCheck {
    bool ok = true;
    int position = -1;    // 0-based position of the bad token, -1 if unknown
    std::string message;  // readable, e.g. "unexpected operator '*' at position 4"
};

// Checks one expression against the allowed names (state variables, t, parameters).
ExpressionCheck checkExpression(const std::string& expression,
                                const std::vector<std::string>& variables,
                                const std::vector<Parameter>& parameters);

class CompiledEquation : public SdeSystem {
public:
    explicit CompiledEquation(EquationSpec spec);  // throws ExpressionError / ConfigError
    ~CompiledEquation() override;

    const EquationSpec& spec() const { return spec_; }
    int dimension() const override;
    // General with a noise matrix, else Additive when no diffusion reads the state.
    NoiseType noiseType() const override;
    bool isDeterministic() const override;  // every diffusion expression is the constant 0
    std::unique_ptr<SdeWorker> makeWorker() const override;
    int brownianDimension() const override;
    // A noise matrix commutes when it does not read the state or has a single column;
    // diagonal noise when no g_i reads another component.
    bool hasCommutativeNoise() const override;
    // For diagonal noise that does not commute: the first coupling, e.g. "g of x reads y";
    // empty otherwise.
    const std::string& noiseCoupling() const { return noiseCoupling_; }

private:
    EquationSpec spec_;
    std::shared_ptr<const CompiledEquationPlan> plan_;
    bool deterministic_ = false;
    bool additive_ = false;
    int noiseColumns_ = 0;  // m of the noise matrix; 0 for diagonal noise
    std::string noiseCoupling_;
};

}  // namespace driftlab::core
