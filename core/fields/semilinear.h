#pragma once
// A semilinear PDE u_t = L u + N(u, t) for 1 to 3 coupled fields on a SpectralGrid.
//  - L is diagonal in spectral space: one symbol per field, a function of the wavenumbers
//    (nu * u_xx has symbol -nu kx^2, -c u_x has -i c kx), tabulated once per mode.
//  - N is evaluated pseudo-spectrally: the inputs it asks for (fields under spectral
//    operators: u, u_x, lap(v), a streamfunction's gradient, ...) are formed in spectral
//    space and handed to it on the grid with x, y and t; it returns N on the grid (the engine
//    transforms it, optionally through an output operator for conservative forms such as
//    -(u^2/2)_x) or directly in spectral space. A compiled typed expression implements N by
//    declaring the derivatives it reads as inputs and filling the grid outputs.
// With de-aliasing on, the 2/3 mask is applied to every input and every output of N, so
// products of inputs alias only onto modes the mask removes.
// On wall grids N must keep the symmetry of the basis, which the engine cannot check for a
// callback: with Dirichlet walls N must be odd about each wall (u^3, u u_x, u v^2 for odd
// u, v), with Neumann walls even (u^3, u^2, u_x^2; not u u_x). An output operator with an odd
// derivative means the grid output has the other symmetry (-(u^2/2)_x: u^2 is even).
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/fields/complex_math.h"
#include "core/fields/spectral_grid.h"

namespace driftlab::core::fields {

using SpectralState = std::vector<AlignedArray<Complex>>;  // one coefficient array per field
using LinearSymbol = std::function<Complex(double kx, double ky)>;

struct FieldDefinition {
    std::string name;     // "u", "omega", ...: used in messages
    LinearSymbol symbol;  // empty: L = 0
};

// One input of N: `op` applied to field `field`, evaluated on the grid.
struct NonlinearInput {
    int field = 0;
    SpectralOperator op;
};

struct NonlinearArguments {
    const SpectralGrid& grid;
    double t;
    std::span<const double* const> inputs;     // inputs[r]: pointCount values of input r
    std::span<const Complex* const> spectral;  // the state, per field (modeCount values)
    const double* x;                           // pointCount coordinates each
    const double* y;
};

struct NonlinearResults {
    std::span<double* const> grid;       // Grid output: N_f on the grid, per field
    std::span<Complex* const> spectral;  // Spectral output: N_f coefficients, per field
};

struct Nonlinearity {
    enum class Output { Grid, Spectral };
    std::vector<NonlinearInput> inputs;
    Output output = Output::Grid;
    // Per field, applied to the transformed grid output (empty: identity for every field).
    std::vector<SpectralOperator> outputOperators;
    // Fills results.grid[f] (Output::Grid) or results.spectral[f] (Output::Spectral) for
    // every field; empty: N = 0.
    std::function<void(const NonlinearArguments&, const NonlinearResults&)> evaluate;
};

class SemilinearProblem {
public:
    SemilinearProblem(std::shared_ptr<const SpectralGrid> grid, std::vector<FieldDefinition> fields,
                      Nonlinearity nonlinearity, bool dealias = true);

    const SpectralGrid& grid() const { return *grid_; }
    // Unique per problem object in the process: steppers key their cached coefficients on it
    // (an address can be reused after a problem is destroyed).
    std::uint64_t id() const { return id_; }
    int fieldCount() const { return int(fields_.size()); }
    const std::string& fieldName(int f) const { return fields_[f].name; }
    bool dealiased() const { return dealias_; }
    // L's symbol tabulated per mode, for field f.
    const AlignedArray<Complex>& linear(int f) const { return linear_[f]; }
    // True when every symbol is real (a purely dissipative / anti-dissipative L), which
    // lets ETDRK4 use the half-contour of Kassam & Trefethen.
    bool linearIsReal() const { return linearReal_; }

    SpectralState makeState() const;
    // N(u, t) in spectral space, into out (sized by makeState()).
    void nonlinear(const SpectralState& u, double t, SpectralState& out);
    long long nonlinearEvaluations() const { return evaluations_; }

    // Grid values <-> coefficients of one field in its basis.
    void toSpectral(const double* values, AlignedArray<Complex>& coefficients) const;
    void toGrid(const AlignedArray<Complex>& coefficients, double* values) const;

private:
    std::shared_ptr<const SpectralGrid> grid_;
    std::uint64_t id_;
    std::vector<FieldDefinition> fields_;
    Nonlinearity nonlinearity_;
    bool dealias_;
    bool linearReal_ = true;
    std::vector<AlignedArray<Complex>> linear_;
    // Per input: mask * multiplier, the basis its values come out in, its grid values.
    std::vector<ModeMultiplier> inputTables_;
    std::vector<Basis> inputBases_;
    std::vector<AlignedArray<double>> inputValues_;
    std::vector<const double*> inputPointers_;
    // Per field: the output table (mask * output operator), the basis the grid output is
    // transformed in, and the grid output.
    std::vector<ModeMultiplier> outputTables_;
    std::vector<Basis> outputBases_;
    std::vector<AlignedArray<double>> outputValues_;
    std::vector<double*> outputPointers_;
    std::vector<Complex*> spectralOutPointers_;
    std::vector<const Complex*> statePointers_;
    AlignedArray<Complex> work_;
    long long evaluations_ = 0;
};

}  // namespace driftlab::core::fields
