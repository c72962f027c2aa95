#include "core/equations/compiled_equation.h"

#include "core/common/error.h"

#include <muParser.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>

namespace driftlab::core {

namespace {

bool isIdentifier(const std::string& name) {
    if (name.empty() || !(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_'))
        return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
    });
}

std::string trimmed(const std::string& text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return {};
    const auto last = text.find_last_not_of(" \t\r\n");
    return text.substr(first, last - first + 1);
}

// Binds names to a parser: state variables and t to storage (values change per path/step),
// parameters as constants so muparser folds them into the bytecode at compile time.
void bindNames(mu::Parser& parser, const std::vector<std::string>& variables,
               const std::vector<Parameter>& parameters, double* variableStorage,
               double* timeStorage) {
    std::set<std::string> taken(variables.begin(), variables.end());
    taken.insert("t");
    for (const auto& p : parameters) taken.insert(p.name);
    for (std::size_t i = 0; i < variables.size(); ++i)
        parser.DefineVar(variables[i], variableStorage + i);
    parser.DefineVar("t", timeStorage);
    for (const auto& p : parameters) parser.DefineConst(p.name, p.value);
    // User names win over the conventional constants, so a parameter called e still works.
    if (!taken.count("pi")) parser.DefineConst("pi", 3.141592653589793238462643383279502884);
    if (!taken.count("e")) parser.DefineConst("e", 2.718281828459045235360287471352662498);
}

// How often an expression must be evaluated: it depends on what it reads.
enum class Dependence { Constant, TimeOnly, State };

struct Analysis {
    Dependence dependence = Dependence::Constant;
    double constantValue = 0.0;
    std::vector<std::size_t> stateRead;  // indices of the state variables it reads
};

// Parses fully (muparser parses lazily, on the first Eval) and reports what the expression
// reads; throws mu::ParserError or std::invalid_argument with a message.
Analysis analyse(const std::string& expression, const std::vector<std::string>& variables,
                 const std::vector<Parameter>& parameters) {
    std::vector<double> storage(variables.size(), 1.0);
    double time = 0.0;
    mu::Parser parser;
    bindNames(parser, variables, parameters, storage.data(), &time);
    parser.SetExpr(expression);
    const double value = parser.Eval();
    if (parser.GetNumResults() != 1)
        throw std::invalid_argument(
            "an expression must give one value, not a comma-separated list");
    Analysis analysis;
    const auto& used = parser.GetUsedVar();
    for (std::size_t i = 0; i < variables.size(); ++i)
        if (used.count(variables[i])) analysis.stateRead.push_back(i);
    if (!analysis.stateRead.empty())
        analysis.dependence = Dependence::State;
    else if (used.count("t"))
        analysis.dependence = Dependence::TimeOnly;
    else
        analysis.constantValue = value;
    return analysis;
}

std::string describeParserError(const mu::ParserError& error, const std::string& expression,
                                int& position) {
    position = error.GetPos();
    if (position > static_cast<int>(expression.size()))
        position = static_cast<int>(expression.size());  // muparser pads the text internally
    const std::string token = error.GetToken();
    const std::string where =
        position >= 0 ? " at position " + std::to_string(position) : std::string();
    switch (error.GetCode()) {
        case mu::ecUNASSIGNABLE_TOKEN:
            return "unknown name \"" + token + "\"" + where +
                   " (allowed: the state variables, t, the parameters, pi, e)";
        case mu::ecUNEXPECTED_OPERATOR:
        case mu::ecUNEXPECTED_ARG_SEP:
        case mu::ecUNEXPECTED_VAL:
        case mu::ecUNEXPECTED_VAR:
        case mu::ecUNEXPECTED_PARENS:
        case mu::ecUNEXPECTED_FUN:
        case mu::ecUNEXPECTED_STR:
        case mu::ecUNEXPECTED_CONDITIONAL:
            return "unexpected token \"" + token + "\"" + where;
        case mu::ecUNEXPECTED_EOF:
            return "unexpected end of expression" + where;
        case mu::ecMISSING_PARENS:
            return "missing closing parenthesis" + where;
        default:
            return error.GetMsg();
    }
}

ExpressionCheck checkAndAnalyse(const std::string& expression,
                                const std::vector<std::string>& variables,
                                const std::vector<Parameter>& parameters, Analysis* analysis) {
    ExpressionCheck check;
    if (trimmed(expression).empty()) {
        check.ok = false;
        check.position = 0;
        check.message = "expression is empty";
        return check;
    }
    try {
        Analysis a = analyse(expression, variables, parameters);
        if (analysis) *analysis = a;
    } catch (const mu::ParserError& error) {
        check.ok = false;
        check.message = describeParserError(error, expression, check.position);
    } catch (const std::exception& error) {
        check.ok = false;
        check.message = error.what();
    }
    return check;
}

}  // namespace

ExpressionCheck checkExpression(const std::string& expression,
                                const std::vector<std::string>& variables,
                                const std::vector<Parameter>& parameters) {
    return checkAndAnalyse(expression, variables, parameters, nullptr);
}

// ---------------------------------------------------------------------------------------
// Worker: its own parsers bound to its own storage, so threads never share a parser.

namespace {

struct CompiledTerm {
    Dependence dependence = Dependence::Constant;
    double constantValue = 0.0;
    std::unique_ptr<mu::Parser> parser;  // null for constants
};

struct CompiledPlan {
    std::vector<Analysis> drift;
    // Diagonal noise: one per component. General noise: the dim x m matrix column-major
    // (entry k * dim + i), the layout SdeWorker::diffusionMatrix returns.
    std::vector<Analysis> diffusion;
    std::vector<std::string> diffusionExpressions;
    int noiseColumns = 0;
};

class CompiledWorker final : public SdeWorker {
public:
    CompiledWorker(const EquationSpec& spec, const CompiledPlan& plan)
        : state_(spec.variables.size(), 0.0), noiseColumns_(plan.noiseColumns) {
        build(spec, spec.drift, plan.drift, drift_, driftStateRows_);
        build(spec, plan.diffusionExpressions, plan.diffusion, diffusion_, diffusionStateRows_);
    }

    int matrixNoiseColumns() const override { return noiseColumns_; }

    void diffusionMatrix(double t, const Eigen::Ref<const Eigen::MatrixXd>& y,
                         Eigen::Ref<Eigen::MatrixXd> out) override {
        evaluate(diffusion_, diffusionStateRows_, t, y, out);
    }

    void drift(double t, const Eigen::Ref<const Eigen::MatrixXd>& y,
               Eigen::Ref<Eigen::MatrixXd> out) override {
        evaluate(drift_, driftStateRows_, t, y, out);
    }

    void diffusion(double t, const Eigen::Ref<const Eigen::MatrixXd>& y,
                   Eigen::Ref<Eigen::MatrixXd> out) override {
        evaluate(diffusion_, diffusionStateRows_, t, y, out);
    }

private:
    void build(const EquationSpec& spec, const std::vector<std::string>& expressions,
               const std::vector<Analysis>& analyses, std::vector<CompiledTerm>& terms,
               std::vector<int>& stateRows) {
        terms.resize(expressions.size());
        for (std::size_t c = 0; c < expressions.size(); ++c) {
            CompiledTerm& term = terms[c];
            term.dependence = analyses[c].dependence;
            term.constantValue = analyses[c].constantValue;
            if (term.dependence == Dependence::Constant) continue;
            term.parser = std::make_unique<mu::Parser>();
            bindNames(*term.parser, spec.variables, spec.parameters, state_.data(), &time_);
            term.parser->SetExpr(expressions[c]);
            term.parser->Eval();  // builds the bytecode now, not in the hot loop
            if (term.dependence == Dependence::State) stateRows.push_back(static_cast<int>(c));
        }
    }

    void evaluate(std::vector<CompiledTerm>& terms, const std::vector<int>& stateRows, double t,
                  const Eigen::Ref<const Eigen::MatrixXd>& y, Eigen::Ref<Eigen::MatrixXd> out) {
        time_ = t;
        const Eigen::Index n = y.cols();
        for (std::size_t c = 0; c < terms.size(); ++c) {
            if (terms[c].dependence == Dependence::Constant)
                out.row(c).setConstant(terms[c].constantValue);
            else if (terms[c].dependence == Dependence::TimeOnly)
                out.row(c).setConstant(terms[c].parser->Eval());
        }
        if (stateRows.empty()) return;
        const Eigen::Index dim = y.rows();
        double* state = state_.data();
        if (stateRows.size() == 1) {
            // The common 1-D and single-state-term case, kept free of inner loops.
            mu::Parser& parser = *terms[stateRows[0]].parser;
            const int row = stateRows[0];
            for (Eigen::Index j = 0; j < n; ++j) {
                for (Eigen::Index i = 0; i < dim; ++i) state[i] = y(i, j);
                out(row, j) = parser.Eval();
            }
            return;
        }
        for (Eigen::Index j = 0; j < n; ++j) {
            for (Eigen::Index i = 0; i < dim; ++i) state[i] = y(i, j);
            for (int row : stateRows) out(row, j) = terms[row].parser->Eval();
        }
    }

    std::vector<double> state_;
    int noiseColumns_ = 0;
    double time_ = 0.0;
    std::vector<CompiledTerm> drift_;
    std::vector<CompiledTerm> diffusion_;
    std::vector<int> driftStateRows_;
    std::vector<int> diffusionStateRows_;
};

}  // namespace

struct CompiledEquationPlan {
    CompiledPlan plan;
};

namespace {

void validateSpec(const EquationSpec& spec) {
    const int dim = spec.dimension();
    const std::string who = spec.name.empty() ? "equation" : "equation \"" + spec.name + "\"";
    if (dim < 1 || dim > 8)
        throw ConfigError(who + ": dimension must be 1..8, got " + std::to_string(dim));
    const auto checkSize = [&](const char* what, std::size_t size) {
        if (static_cast<int>(size) != dim)
            throw ConfigError(who + ": " + what + " has " + std::to_string(size) +
                              " entries but there are " + std::to_string(dim) + " variables");
    };
    checkSize("drift", spec.drift.size());
    if (spec.noiseMatrix.empty()) {
        checkSize("diffusion", spec.diffusion.size());
    } else {
        checkSize("noise matrix", spec.noiseMatrix.size());
        const std::size_t m = spec.noiseMatrix.front().size();
        if (m < 1 || m > 8)
            throw ConfigError(who +
                              ": the noise matrix needs 1..8 columns (Brownian motions), "
                              "got " +
                              std::to_string(m));
        for (int c = 0; c < dim; ++c)
            if (spec.noiseMatrix[c].size() != m)
                throw ConfigError(who + ": noise matrix row of " + spec.variables[c] + " has " +
                                  std::to_string(spec.noiseMatrix[c].size()) +
                                  " entries but the first row has " + std::to_string(m));
    }
    checkSize("initial", spec.initial.size());
    std::set<std::string> names{"t"};
    const auto checkName = [&](const std::string& kind, const std::string& name) {
        if (!isIdentifier(name))
            throw ConfigError(who + ": " + kind + " name \"" + name +
                              "\" is not a valid identifier (letters, digits, _; not starting "
                              "with a digit)");
        if (name == "t") throw ConfigError(who + ": " + kind + " name \"t\" is reserved for time");
        if (!names.insert(name).second)
            throw ConfigError(who + ": name \"" + name + "\" is used twice");
    };
    for (const auto& v : spec.variables) checkName("variable", v);
    for (const auto& p : spec.parameters) {
        checkName("parameter", p.name);
        if (!std::isfinite(p.value))
            throw ConfigError(who + ": parameter \"" + p.name + "\" is not a finite number");
    }
    for (int c = 0; c < dim; ++c)
        if (!std::isfinite(spec.initial[c]))
            throw ConfigError(who + ": initial value of " + spec.variables[c] +
                              " is not a finite number");
}

}  // namespace

CompiledEquation::CompiledEquation(EquationSpec spec) : spec_(std::move(spec)) {
    validateSpec(spec_);
    auto plan = std::make_shared<CompiledEquationPlan>();
    const auto compileAll = [&](const char* kind, const std::vector<std::string>& expressions,
                                std::vector<Analysis>& analyses) {
        analyses.resize(expressions.size());
        for (std::size_t c = 0; c < expressions.size(); ++c) {
            const ExpressionCheck check =
                checkAndAnalyse(expressions[c], spec_.variables, spec_.parameters, &analyses[c]);
            if (!check.ok)
                throw ExpressionError(std::string(kind) + " of " + spec_.variables[c] + ": " +
                                          check.message + " in \"" + expressions[c] + "\"",
                                      expressions[c], check.position);
        }
    };
    compileAll("drift", spec_.drift, plan->plan.drift);
    if (spec_.noiseMatrix.empty()) {
        compileAll("diffusion", spec_.diffusion, plan->plan.diffusion);
        plan->plan.diffusionExpressions = spec_.diffusion;
    } else {
        const int dim = spec_.dimension();
        noiseColumns_ = static_cast<int>(spec_.noiseMatrix.front().size());
        plan->plan.noiseColumns = noiseColumns_;
        auto& expressions = plan->plan.diffusionExpressions;
        auto& analyses = plan->plan.diffusion;
        expressions.resize(static_cast<std::size_t>(dim) * noiseColumns_);
        analyses.resize(expressions.size());
        for (int i = 0; i < dim; ++i) {
            for (int k = 0; k < noiseColumns_; ++k) {
                const std::size_t slot = static_cast<std::size_t>(k) * dim + i;
                expressions[slot] = spec_.noiseMatrix[i][k];
                const ExpressionCheck check = checkAndAnalyse(expressions[slot], spec_.variables,
                                                              spec_.parameters, &analyses[slot]);
                if (!check.ok)
                    throw ExpressionError("noise of " + spec_.variables[i] + " on dW" +
                                              std::to_string(k + 1) + ": " + check.message +
                                              " in \"" + expressions[slot] + "\"",
                                          expressions[slot], check.position);
            }
        }
    }
    const auto& diffusion = plan->plan.diffusion;
    if (noiseColumns_ == 0) {
        for (std::size_t i = 0; i < diffusion.size() && noiseCoupling_.empty(); ++i)
            for (std::size_t k : diffusion[i].stateRead)
                if (k != i) {
                    noiseCoupling_ = "g of " + spec_.variables[i] + " reads " + spec_.variables[k];
                    break;
                }
    }
    // Zero diffusion (a literal 0 or any constant that is 0) means an ODE: no noise drawn.
    deterministic_ = std::all_of(diffusion.begin(), diffusion.end(), [](const Analysis& a) {
        return a.dependence == Dependence::Constant && a.constantValue == 0.0;
    });
    additive_ = std::none_of(diffusion.begin(), diffusion.end(),
                             [](const Analysis& a) { return a.dependence == Dependence::State; });
    plan_ = std::move(plan);
}

CompiledEquation::~CompiledEquation() = default;

int CompiledEquation::dimension() const { return spec_.dimension(); }

NoiseType CompiledEquation::noiseType() const {
    if (noiseColumns_ > 0) return NoiseType::General;
    return additive_ ? NoiseType::Additive : NoiseType::Diagonal;
}

int CompiledEquation::brownianDimension() const {
    return noiseColumns_ > 0 ? noiseColumns_ : dimension();
}

bool CompiledEquation::hasCommutativeNoise() const {
    if (noiseColumns_ == 0) return noiseCoupling_.empty();
    return noiseColumns_ == 1 || additive_;
}

bool CompiledEquation::isDeterministic() const { return deterministic_; }

std::unique_ptr<SdeWorker> CompiledEquation::makeWorker() const {
    return std::make_unique<CompiledWorker>(spec_, plan_->plan);
}

}  // namespace driftlab::core
