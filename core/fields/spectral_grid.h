#pragma once
// A 1-D or 2-D grid for pseudo-spectral solvers: periodic (Fourier) or walled on every side
// (Dirichlet: sine basis, Neumann: cosine basis), its points, wavenumbers, transforms,
// spectral derivative operators and the 2/3 de-aliasing mask.
//
// Layouts (x fastest, row-major):
//  - periodic: points x_i = x0 + i lx / nx, i < nx (nx * ny values); modes: FFTW's half spectrum,
//    ny * (nx / 2 + 1) complex coefficients with u(x) = sum over all k of u_k e^{i k.x};
//  - walls: points x_i = x0 + i lx / nx, i = 0..nx, walls included ((nx + 1) * (ny + 1) values);
//    modes m = 0..n per dimension, same count, with u(x) = sum_m c_m phi_m(x) where
//    phi_m = sin(pi m x / l) (Dirichlet; c_0 = c_n = 0) or cos(pi m x / l) (Neumann).
//    Coefficients are kept as Complex with zero imaginary part so that the time steppers
//    treat both kinds of grid alike. An odd x-derivative turns a sine series into a cosine
//    series and back, so wall-grid arrays carry a Basis.
// A grid owns scratch arrays for its wall transforms and backward(): those serve one thread
// at a time. forward(), forwardRaw() and backwardDestroying() on periodic grids touch no
// shared scratch and may run concurrently on different arrays.
#include <array>
#include <atomic>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/fields/fft.h"

namespace driftlab::core::fields {

enum class Boundary { Periodic, Dirichlet, Neumann };

std::string boundaryName(Boundary b);

struct GridSpec {
    int nx = 64;
    int ny = 0;  // 0: a 1-D grid
    double lx = 6.283185307179586;
    double ly = 6.283185307179586;
    // Where the domain starts ([x0, x0 + lx), e.g. Allen-Cahn's [-1, 1)); the bases are
    // phi_m(x - x0), so only the coordinates handed to N and to initial conditions move.
    double x0 = 0.0;
    double y0 = 0.0;
    Boundary boundary = Boundary::Periodic;
    FftOptions fft;
};

// Per-dimension basis of a wall-grid array (ignored on periodic grids).
struct Basis {
    TrigKind x = TrigKind::Sine;
    TrigKind y = TrigKind::Sine;
    bool operator==(const Basis&) const = default;
};

// The spectral multiplier scale * (d/dx)^px (d/dy)^py lap^lapPower. lapPower may be negative
// (an inverse Laplacian, e.g. a streamfunction); its mean mode is then set to zero.
struct SpectralOperator {
    int px = 0;
    int py = 0;
    int lapPower = 0;
    double scale = 1.0;
    bool isIdentity() const { return px == 0 && py == 0 && lapPower == 0 && scale == 1.0; }
};

class SpectralGrid {
public:
    explicit SpectralGrid(const GridSpec& spec);
    ~SpectralGrid();
    SpectralGrid(const SpectralGrid&) = delete;
    SpectralGrid& operator=(const SpectralGrid&) = delete;

    const GridSpec& spec() const { return spec_; }
    int dimension() const { return spec_.ny > 0 ? 2 : 1; }
    bool periodic() const { return spec_.boundary == Boundary::Periodic; }
    // The basis a field with this grid's boundary condition is expanded in.
    Basis fieldBasis() const;

    std::size_t pointCount() const { return points_; }
    std::size_t modeCount() const { return modes_; }
    int pointsX() const { return px_; }  // points per row
    int pointsY() const { return py_; }  // rows (1 in 1-D)
    int modesX() const { return mx_; }
    int modesY() const { return my_; }
    // Coordinates of every point (pointCount values each; y is all zero in 1-D).
    const std::vector<double>& x() const { return x_; }
    const std::vector<double>& y() const { return y_; }
    // Signed wavenumbers of every mode (modeCount values each; ky all zero in 1-D).
    const std::vector<double>& kx() const { return kx_; }
    const std::vector<double>& ky() const { return ky_; }
    // Multiplicity of each stored mode in the full spectrum (2 for the half-spectrum
    // columns that stand for a conjugate pair, else 1), for energies and norms.
    const std::vector<double>& modeWeight() const { return weight_; }
    // 1 where the 2/3 rule keeps a mode (3 |m| < n per dimension, n the periodic length), 0
    // elsewhere.
    const std::vector<double>& dealiasMask() const { return mask_; }

    // Transforms take the basis of the array on wall grids; without one, the grid's field
    // basis (sine for Dirichlet, cosine for Neumann). Periodic grids ignore it.
    // Physical -> spectral, normalised as in the layout comment above.
    void forward(const double* u, Complex* uh, std::optional<Basis> basis = {}) const;
    // Same without the final scaling on periodic grids (uh = forwardScale() * raw); for hot
    // loops that fold the scale into a multiplier. Wall grids scale as forward does.
    void forwardRaw(const double* u, Complex* uh, std::optional<Basis> basis = {}) const;
    double forwardScale() const { return periodic() ? 1.0 / double(points_) : 1.0; }
    // Spectral -> physical; `uh` is kept (copied to scratch first).
    void backward(const Complex* uh, double* u, std::optional<Basis> basis = {}) const;
    // Same, but may overwrite uh (saves a copy in hot loops that own uh).
    void backwardDestroying(Complex* uh, double* u, std::optional<Basis> basis = {}) const;

    // The multiplier table of `op` acting on arrays in basis `in`, and the basis of its
    // result; out[m] = in[m] * table[m].
    AlignedArray<Complex> multiplier(const SpectralOperator& op, std::optional<Basis> in = {},
                                     Basis* out = nullptr) const;
    // out = op(uh) evaluated on the grid (one backward transform).
    void derivativeToGrid(const Complex* uh, const SpectralOperator& op, double* out,
                          std::optional<Basis> basis = {}) const;

    // Real transforms done so far (forward and backward count one each).
    long long transformCount() const { return transforms_.load(std::memory_order_relaxed); }

private:
    void trigForward(const double* u, Complex* uh, Basis basis) const;
    void trigBackward(const Complex* uh, double* u, Basis basis) const;
    const TrigFft& trigPlan(Basis basis) const;

    GridSpec spec_;
    int px_ = 0, py_ = 1, mx_ = 0, my_ = 1;
    std::size_t points_ = 0, modes_ = 0;
    std::vector<double> x_, y_, kx_, ky_, weight_, mask_;
    std::unique_ptr<RealFft> realFft_;
    mutable std::array<std::unique_ptr<TrigFft>, 4> trigFft_;
    mutable AlignedArray<Complex> scratchC_;
    mutable AlignedArray<double> scratchA_, scratchB_;
    // Atomic: periodic grids' transforms may run concurrently (SemilinearProblem::setThreads).
    mutable std::atomic<long long> transforms_{0};
};

}  // namespace driftlab::core::fields
