#include "core/fields/spectral_grid.h"

#include <cmath>
#include <numbers>

#include "core/common/error.h"

namespace driftlab::core::fields {

namespace {

// 16.7 M points (4096^2): about 130 MB per real field before the solver's work arrays.
constexpr std::size_t kMaxPoints = std::size_t(4096) * 4096;

bool isSine(TrigKind k) { return k == TrigKind::Sine; }

// (i k)^p as a complex number.
Complex ikPower(double k, int p) {
    Complex f = 1.0;
    for (int i = 0; i < p; ++i) f *= Complex(0.0, k);
    return f;
}

}  // namespace

std::string boundaryName(Boundary b) {
    switch (b) {
        case Boundary::Periodic:
            return "periodic";
        case Boundary::Dirichlet:
            return "Dirichlet";
        case Boundary::Neumann:
            return "Neumann";
    }
    return "?";
}

SpectralGrid::SpectralGrid(const GridSpec& spec) : spec_(spec) {
    const bool walls = !periodic();
    if (spec.nx < 2 || spec.ny < 0 || spec.ny == 1)
        throw ConfigError("a grid needs at least 2 cells per dimension (got nx = " +
                          std::to_string(spec.nx) + ", ny = " + std::to_string(spec.ny) + ")");
    if (!(spec.lx > 0.0) || !std::isfinite(spec.lx) ||
        (spec.ny > 0 && (!(spec.ly > 0.0) || !std::isfinite(spec.ly))))
        throw ConfigError("the domain lengths must be positive and finite");
    if (!std::isfinite(spec.x0) || !std::isfinite(spec.y0))
        throw ConfigError("the domain origin must be finite");
    const int cellsY = spec.ny > 0 ? spec.ny : 0;
    px_ = walls ? spec.nx + 1 : spec.nx;
    py_ = cellsY == 0 ? 1 : (walls ? cellsY + 1 : cellsY);
    const double estimate = double(px_) * py_;
    if (estimate > double(kMaxPoints))
        throw ConfigError("a grid of " + std::to_string(px_) + " x " + std::to_string(py_) +
                          " points is beyond the limit of " + std::to_string(kMaxPoints) +
                          " points (it would need about " +
                          std::to_string(int(estimate * 8 * 12 / 1e6)) + " MB for a solver)");
    mx_ = walls ? px_ : spec.nx / 2 + 1;
    my_ = py_;
    points_ = std::size_t(px_) * py_;
    modes_ = std::size_t(mx_) * my_;

    x_.resize(points_);
    y_.resize(points_);
    const double dx = spec.lx / spec.nx;
    const double dy = cellsY > 0 ? spec.ly / cellsY : 0.0;
    for (int j = 0; j < py_; ++j)
        for (int i = 0; i < px_; ++i) {
            x_[std::size_t(j) * px_ + i] = spec.x0 + i * dx;
            y_[std::size_t(j) * px_ + i] = cellsY > 0 ? spec.y0 + j * dy : 0.0;
        }

    kx_.resize(modes_);
    ky_.resize(modes_);
    weight_.assign(modes_, 1.0);
    mask_.resize(modes_);
    const double pi = std::numbers::pi;
    for (int j = 0; j < my_; ++j)
        for (int i = 0; i < mx_; ++i) {
            const std::size_t m = std::size_t(j) * mx_ + i;
            if (walls) {
                kx_[m] = pi * i / spec.lx;
                ky_[m] = cellsY > 0 ? pi * j / spec.ly : 0.0;
                const bool keep = 3 * i < 2 * spec.nx && (cellsY == 0 || 3 * j < 2 * cellsY);
                mask_[m] = keep ? 1.0 : 0.0;
            } else {
                const int sj = (cellsY > 0 && j > cellsY / 2) ? j - cellsY : j;
                kx_[m] = 2.0 * pi * i / spec.lx;
                ky_[m] = cellsY > 0 ? 2.0 * pi * sj / spec.ly : 0.0;
                const bool keep = 3 * i < spec.nx && (cellsY == 0 || 3 * std::abs(sj) < cellsY);
                mask_[m] = keep ? 1.0 : 0.0;
                const bool selfConjugate = i == 0 || (spec.nx % 2 == 0 && i == spec.nx / 2);
                weight_[m] = selfConjugate ? 1.0 : 2.0;
            }
        }

    if (!walls) realFft_ = std::make_unique<RealFft>(spec.nx, py_, spec.fft);
    scratchC_ = AlignedArray<Complex>(modes_);
    scratchA_ = AlignedArray<double>(points_);
    scratchB_ = AlignedArray<double>(points_);
}

SpectralGrid::~SpectralGrid() = default;

Basis SpectralGrid::fieldBasis() const {
    const TrigKind k = spec_.boundary == Boundary::Neumann ? TrigKind::Cosine : TrigKind::Sine;
    return {k, k};
}

void SpectralGrid::forward(const double* u, Complex* uh, std::optional<Basis> basisOpt) const {
    const Basis basis = basisOpt.value_or(fieldBasis());
    transforms_.fetch_add(1, std::memory_order_relaxed);
    if (!periodic()) {
        trigForward(u, uh, basis);
        return;
    }
    realFft_->forward(u, uh);
    const double s = 1.0 / double(points_);
    for (std::size_t m = 0; m < modes_; ++m) uh[m] *= s;
}

void SpectralGrid::forwardRaw(const double* u, Complex* uh, std::optional<Basis> basisOpt) const {
    const Basis basis = basisOpt.value_or(fieldBasis());
    transforms_.fetch_add(1, std::memory_order_relaxed);
    if (!periodic())
        trigForward(u, uh, basis);
    else
        realFft_->forward(u, uh);
}

void SpectralGrid::backward(const Complex* uh, double* u, std::optional<Basis> basisOpt) const {
    const Basis basis = basisOpt.value_or(fieldBasis());
    if (!periodic()) {
        transforms_.fetch_add(1, std::memory_order_relaxed);
        trigBackward(uh, u, basis);
        return;
    }
    std::copy(uh, uh + modes_, scratchC_.data());
    backwardDestroying(scratchC_.data(), u, basis);
}

void SpectralGrid::backwardDestroying(Complex* uh, double* u, std::optional<Basis> basisOpt) const {
    const Basis basis = basisOpt.value_or(fieldBasis());
    transforms_.fetch_add(1, std::memory_order_relaxed);
    if (!periodic()) {
        trigBackward(uh, u, basis);
        return;
    }
    realFft_->backwardDestroying(uh, u);
}

AlignedArray<Complex> SpectralGrid::multiplier(const SpectralOperator& op,
                                               std::optional<Basis> inOpt, Basis* out) const {
    const Basis in = inOpt.value_or(fieldBasis());
    if (op.px < 0 || op.py < 0) throw ConfigError("derivative orders must be non-negative");
    if (dimension() == 1 && op.py > 0)
        throw ConfigError("a y-derivative was asked for on a 1-D grid");
    AlignedArray<Complex> table(modes_);
    const bool walls = !periodic();
    const int cellsY = spec_.ny;
    for (int j = 0; j < my_; ++j)
        for (int i = 0; i < mx_; ++i) {
            const std::size_t m = std::size_t(j) * mx_ + i;
            const double kx = kx_[m], ky = ky_[m];
            Complex f = op.scale;
            if (walls) {
                // d/dx: sin(kx) -> k cos(kx), cos(kx) -> -k sin(kx).
                TrigKind bx = in.x, by = in.y;
                for (int p = 0; p < op.px; ++p) {
                    f *= isSine(bx) ? kx : -kx;
                    bx = isSine(bx) ? TrigKind::Cosine : TrigKind::Sine;
                }
                for (int p = 0; p < op.py; ++p) {
                    f *= isSine(by) ? ky : -ky;
                    by = isSine(by) ? TrigKind::Cosine : TrigKind::Sine;
                }
            } else {
                // An odd derivative of the Nyquist mode cos(pi x / dx) vanishes on the grid.
                const bool nyqX = spec_.nx % 2 == 0 && i == spec_.nx / 2;
                const bool nyqY = cellsY > 0 && cellsY % 2 == 0 && j == cellsY / 2;
                f *= ikPower((op.px % 2 == 1 && nyqX) ? 0.0 : kx, op.px);
                f *= ikPower((op.py % 2 == 1 && nyqY) ? 0.0 : ky, op.py);
            }
            if (op.lapPower != 0) {
                const double k2 = kx * kx + ky * ky;
                if (k2 == 0.0)  // also the mean mode of an inverse Laplacian
                    f = 0.0;
                else
                    f *= std::pow(-k2, op.lapPower);
            }
            table[m] = f;
        }
    if (out) {
        *out = in;
        if (op.px % 2 == 1) out->x = isSine(in.x) ? TrigKind::Cosine : TrigKind::Sine;
        if (op.py % 2 == 1) out->y = isSine(in.y) ? TrigKind::Cosine : TrigKind::Sine;
    }
    return table;
}

void SpectralGrid::derivativeToGrid(const Complex* uh, const SpectralOperator& op, double* out,
                                    std::optional<Basis> basisOpt) const {
    const Basis basis = basisOpt.value_or(fieldBasis());
    Basis outBasis;
    const AlignedArray<Complex> table = multiplier(op, basis, &outBasis);
    for (std::size_t m = 0; m < modes_; ++m) scratchC_[m] = uh[m] * table[m];
    backwardDestroying(scratchC_.data(), out, outBasis);
}

const TrigFft& SpectralGrid::trigPlan(Basis basis) const {
    const bool twoD = dimension() == 2;
    const int index = (isSine(basis.x) ? 0 : 1) + (twoD && !isSine(basis.y) ? 2 : 0);
    auto& plan = trigFft_[index];
    if (!plan)
        plan = std::make_unique<TrigFft>(basis.x, spec_.nx, twoD ? basis.y : TrigKind::Sine,
                                         twoD ? spec_.ny : 0, spec_.fft);
    return *plan;
}

// The DST-I / DCT-I see only the points of their basis: interior points along a sine
// dimension, all points along a cosine one. Coefficients: c_m = s_m T(u)_m / n with s_m = 1
// for sine and the DCT-I end weights (1/2 at m = 0, n) for cosine; u = T(c / s) / 2.
void SpectralGrid::trigForward(const double* u, Complex* uh, Basis basis) const {
    const bool twoD = dimension() == 2;
    const int nx = spec_.nx, ny = twoD ? spec_.ny : 0;
    const int ox = isSine(basis.x) ? 1 : 0, lenX = isSine(basis.x) ? nx - 1 : nx + 1;
    const int oy = twoD && isSine(basis.y) ? 1 : 0;
    const int lenY = !twoD ? 1 : (isSine(basis.y) ? ny - 1 : ny + 1);
    double* a = scratchA_.data();
    double* b = scratchB_.data();
    for (int j = 0; j < lenY; ++j)
        for (int i = 0; i < lenX; ++i)
            a[std::size_t(j) * lenX + i] = u[std::size_t(j + oy) * px_ + (i + ox)];
    trigPlan(basis).execute(a, b);
    auto endWeight = [](TrigKind k, int m, int n) {
        return (!isSine(k) && (m == 0 || m == n)) ? 0.5 : 1.0;
    };
    const double s = 1.0 / (double(nx) * (twoD ? ny : 1));
    std::fill(uh, uh + modes_, Complex(0.0));
    for (int j = 0; j < lenY; ++j) {
        const double wy = twoD ? endWeight(basis.y, j + oy, ny) : 1.0;
        for (int i = 0; i < lenX; ++i) {
            const double w = s * wy * endWeight(basis.x, i + ox, nx);
            uh[std::size_t(j + oy) * mx_ + (i + ox)] = w * b[std::size_t(j) * lenX + i];
        }
    }
}

void SpectralGrid::trigBackward(const Complex* uh, double* u, Basis basis) const {
    const bool twoD = dimension() == 2;
    const int nx = spec_.nx, ny = twoD ? spec_.ny : 0;
    const int ox = isSine(basis.x) ? 1 : 0, lenX = isSine(basis.x) ? nx - 1 : nx + 1;
    const int oy = twoD && isSine(basis.y) ? 1 : 0;
    const int lenY = !twoD ? 1 : (isSine(basis.y) ? ny - 1 : ny + 1);
    double* a = scratchA_.data();
    double* b = scratchB_.data();
    auto endFactor = [](TrigKind k, int m, int n) {
        return (!isSine(k) && (m == 0 || m == n)) ? 2.0 : 1.0;
    };
    for (int j = 0; j < lenY; ++j) {
        const double fy = twoD ? endFactor(basis.y, j + oy, ny) : 1.0;
        for (int i = 0; i < lenX; ++i)
            a[std::size_t(j) * lenX + i] = fy * endFactor(basis.x, i + ox, nx) *
                                           uh[std::size_t(j + oy) * mx_ + (i + ox)].real();
    }
    trigPlan(basis).execute(a, b);
    const double s = twoD ? 0.25 : 0.5;
    std::fill(u, u + points_, 0.0);
    for (int j = 0; j < lenY; ++j)
        for (int i = 0; i < lenX; ++i)
            u[std::size_t(j + oy) * px_ + (i + ox)] = s * b[std::size_t(j) * lenX + i];
}

}  // namespace driftlab::core::fields
