#include "core/fields/semilinear.h"

#include <atomic>
#include <cmath>
#include <sstream>

#include "core/common/error.h"
#include "core/fields/complex_math.h"

namespace driftlab::core::fields {

namespace {

std::string formatComplex(Complex z) {
    std::ostringstream s;
    s.precision(4);
    s << z.real();
    if (z.imag() != 0.0) s << (z.imag() < 0 ? " - " : " + ") << std::abs(z.imag()) << "i";
    return s.str();
}

// Sine and cosine modes are eigenfunctions of L only when its symbol is real and even in
// each wavenumber (even derivatives with real coefficients).
void checkWallSymbol(const SpectralGrid& grid, const FieldDefinition& field) {
    for (std::size_t m = 0; m < grid.modeCount(); ++m) {
        const double kx = grid.kx()[m], ky = grid.ky()[m];
        const Complex l = field.symbol(kx, ky);
        const double tol = 1e-12 * (1.0 + std::abs(l));
        const bool even = std::abs(field.symbol(-kx, ky) - l) <= tol &&
                          std::abs(field.symbol(kx, -ky) - l) <= tol;
        if (std::abs(l.imag()) > tol || !even)
            throw ConfigError("the linear part of " + field.name + " cannot be used with " +
                              boundaryName(grid.spec().boundary) +
                              " walls: it has odd derivatives or complex coefficients (L = " +
                              formatComplex(l) + " at k = " + formatComplex({kx, ky}) +
                              "); move those terms into the nonlinear part or use a periodic "
                              "domain");
    }
}

}  // namespace

SemilinearProblem::SemilinearProblem(std::shared_ptr<const SpectralGrid> grid,
                                     std::vector<FieldDefinition> fields, Nonlinearity nonlinearity,
                                     bool dealias)
    : grid_(std::move(grid)),
      id_([] {
          static std::atomic<std::uint64_t> next{1};
          return next++;
      }()),
      fields_(std::move(fields)),
      nonlinearity_(std::move(nonlinearity)),
      dealias_(dealias) {
    if (!grid_) throw ConfigError("a semilinear problem needs a grid");
    const int nf = int(fields_.size());
    if (nf < 1 || nf > 3)
        throw ConfigError("a field problem has 1 to 3 fields (got " + std::to_string(nf) + ")");
    const SpectralGrid& g = *grid_;
    const std::size_t modes = g.modeCount();
    const Basis fieldBasis = g.fieldBasis();
    const std::vector<double>& mask = g.dealiasMask();
    auto masked = [&](AlignedArray<Complex> table) {
        if (dealias_)
            for (std::size_t m = 0; m < modes; ++m) table[m] *= mask[m];
        return table;
    };

    for (const FieldDefinition& field : fields_) {
        AlignedArray<Complex> l(modes);
        if (field.symbol) {
            if (!g.periodic()) checkWallSymbol(g, field);
            for (std::size_t m = 0; m < modes; ++m) {
                l[m] = field.symbol(g.kx()[m], g.ky()[m]);
                if (!std::isfinite(l[m].real()) || !std::isfinite(l[m].imag()))
                    throw ConfigError("the linear part of " + field.name +
                                      " is not finite at some wavenumber");
                if (l[m].imag() != 0.0) linearReal_ = false;
            }
        }
        linear_.push_back(std::move(l));
    }

    for (const NonlinearInput& in : nonlinearity_.inputs) {
        if (in.field < 0 || in.field >= nf)
            throw ConfigError("the nonlinear term reads field " + std::to_string(in.field) +
                              ", but the problem has " + std::to_string(nf) + " fields");
        Basis out;
        inputTables_.emplace_back(masked(g.multiplier(in.op, fieldBasis, &out)));
        inputBases_.push_back(out);
        inputValues_.emplace_back(g.pointCount());
        inputPointers_.push_back(inputValues_.back().data());
    }
    const auto& ops = nonlinearity_.outputOperators;
    if (!ops.empty() && int(ops.size()) != nf)
        throw ConfigError("the nonlinear term has " + std::to_string(ops.size()) +
                          " output operators for " + std::to_string(nf) + " fields");
    for (int f = 0; f < nf; ++f) {
        const SpectralOperator op = ops.empty() ? SpectralOperator{} : ops[f];
        // An odd derivative flips a wall basis, and flipping is its own inverse: the grid
        // output lives in the basis that op maps onto the field's.
        Basis gridBasis, landsIn;
        g.multiplier(op, fieldBasis, &gridBasis);
        // The table acts on the grid output's coefficients (a cosine series differentiates
        // with the opposite sign to a sine series). The forward transform's scale is folded
        // in (the output runs through forwardRaw).
        AlignedArray<Complex> table = masked(g.multiplier(op, gridBasis, &landsIn));
        for (std::size_t m = 0; m < modes; ++m) table[m] *= g.forwardScale();
        outputTables_.emplace_back(table);
        outputBases_.push_back(gridBasis);
        outputValues_.emplace_back(g.pointCount());
        outputPointers_.push_back(outputValues_.back().data());
    }
    spectralOutPointers_.resize(nf);
    statePointers_.resize(nf);
    work_ = AlignedArray<Complex>(modes);
}

SpectralState SemilinearProblem::makeState() const {
    SpectralState s;
    for (int f = 0; f < fieldCount(); ++f) s.emplace_back(grid_->modeCount());
    return s;
}

void SemilinearProblem::nonlinear(const SpectralState& u, double t, SpectralState& out) {
    ++evaluations_;
    const std::size_t modes = grid_->modeCount();
    const int nf = fieldCount();
    if (!nonlinearity_.evaluate) {
        for (int f = 0; f < nf; ++f) out[f].fill(Complex(0.0));
        return;
    }
    Complex* w = work_.data();
    for (std::size_t r = 0; r < inputTables_.size(); ++r) {
        const Complex* src = u[nonlinearity_.inputs[r].field].data();
        inputTables_[r].apply(src, w, modes);
        grid_->backwardDestroying(w, inputValues_[r].data(), inputBases_[r]);
    }
    for (int f = 0; f < nf; ++f) {
        statePointers_[f] = u[f].data();
        spectralOutPointers_[f] = out[f].data();
    }
    const NonlinearArguments args{
        *grid_, t, inputPointers_, statePointers_, grid_->x().data(), grid_->y().data()};
    const NonlinearResults results{outputPointers_, spectralOutPointers_};
    nonlinearity_.evaluate(args, results);

    const bool onGrid = nonlinearity_.output == Nonlinearity::Output::Grid;
    for (int f = 0; f < nf; ++f) {
        Complex* o = out[f].data();
        if (onGrid) {
            grid_->forwardRaw(outputValues_[f].data(), o, outputBases_[f]);
            outputTables_[f].apply(o, o, modes);
        } else if (dealias_) {
            // Spectral outputs are taken as they come, only masked.
            const double* mask = grid_->dealiasMask().data();
            for (std::size_t m = 0; m < modes; ++m) o[m] = mul(mask[m], o[m]);
        }
    }
}

void SemilinearProblem::toSpectral(const double* values,
                                   AlignedArray<Complex>& coefficients) const {
    grid_->forward(values, coefficients.data(), grid_->fieldBasis());
}

void SemilinearProblem::toGrid(const AlignedArray<Complex>& coefficients, double* values) const {
    grid_->backward(coefficients.data(), values, grid_->fieldBasis());
}

}  // namespace driftlab::core::fields
