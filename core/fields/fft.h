#pragma once
// A small FFT interface over FFTW 3 (double precision) for the spectral field solvers:
// periodic real <-> complex transforms and the sine (DST-I) / cosine (DCT-I) transforms of
// Dirichlet / Neumann walls, in 1-D and 2-D, for any size. fftw3.h stays in fft.cpp.
//
// Plans are made once per (kind, sizes, threads, rigour) and shared process-wide through a
// cache, so many grids of one size cost one planning; executing a plan on other arrays of
// the same layout ("new-array execute") is thread-safe, planning is not and is serialised.
// Transforms are unnormalised, as in FFTW; SpectralGrid applies the scalings.
#include <complex>
#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

namespace driftlab::core::fields {

using Complex = std::complex<double>;  // layout-compatible with fftw_complex

// SIMD-aligned storage (fftw_malloc), so every array meets the alignment a plan was made with.
void* fftAllocate(std::size_t bytes);
void fftFree(void* p);

template <class T>
class AlignedArray {
public:
    AlignedArray() = default;
    explicit AlignedArray(std::size_t n)
        : data_(static_cast<T*>(fftAllocate(n * sizeof(T)))), size_(n) {
        for (std::size_t i = 0; i < n; ++i) data_[i] = T{};
    }
    AlignedArray(const AlignedArray& other) : AlignedArray(other.size_) {
        for (std::size_t i = 0; i < size_; ++i) data_[i] = other.data_[i];
    }
    AlignedArray(AlignedArray&& other) noexcept
        : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}
    AlignedArray& operator=(AlignedArray other) noexcept {
        std::swap(data_, other.data_);
        std::swap(size_, other.size_);
        return *this;
    }
    ~AlignedArray() { fftFree(data_); }

    T* data() { return data_; }
    const T* data() const { return data_; }
    std::size_t size() const { return size_; }
    T& operator[](std::size_t i) { return data_[i]; }
    const T& operator[](std::size_t i) const { return data_[i]; }
    void fill(const T& value) {
        for (std::size_t i = 0; i < size_; ++i) data_[i] = value;
    }

private:
    T* data_ = nullptr;
    std::size_t size_ = 0;
};

// How hard FFTW searches for a fast plan. Estimate (the default) picks a plan from a model in
// milliseconds and always the same one, so a run is bit-reproducible from one process to the
// next. Measure times candidate algorithms: measured on this machine (loaded 2-core box,
// tests/bench/bench_w5*), it plans a 256^2 real transform in ~1 s instead of 25-45 ms and
// runs it in 109 instead of 157 us of CPU, and a 256-point pair in 371 instead of 607 ns;
// but the algorithm it picks depends on the timings, so chaotic runs (Kuramoto-Sivashinsky,
// turbulence) differ between processes after a while. Measure is for benchmarks and long
// runs where speed matters more than bit-reproducibility. FFTW's wisdom is process-wide:
// once a size was planned with Measure, later Estimate plans of that size reuse its choice.
enum class PlanRigor { Estimate, Measure };

// The kind of a real-to-real transform along one dimension.
enum class TrigKind {
    Sine,    // RODFT00 (DST-I) on the n-1 interior points of n intervals
    Cosine,  // REDFT00 (DCT-I) on the n+1 points of n intervals, walls included
};

struct FftOptions {
    // FFTW threads for 2-D transforms of at least kMinThreadedPoints points; smaller ones and
    // all 1-D ones run on the calling thread (a thread hand-off costs more than they do).
    int threads = 1;
    PlanRigor rigor = PlanRigor::Estimate;
};
inline constexpr std::size_t kMinThreadedPoints = 128 * 128;

namespace detail {
struct FftPlanPair;  // forward + backward fftw_plan, owned by the plan cache
}

// Periodic real <-> complex transform of a 1-D (ny = 1) or 2-D field stored row-major with x
// fastest: real size ny * nx, complex size ny * (nx / 2 + 1).
class RealFft {
public:
    RealFft(int nx, int ny = 1, FftOptions options = {});

    int nx() const { return nx_; }
    int ny() const { return ny_; }
    std::size_t realSize() const { return std::size_t(nx_) * ny_; }
    std::size_t complexSize() const { return std::size_t(nx_ / 2 + 1) * ny_; }

    // out = sum_j in_j e^{-i k x_j}; in is preserved. Arrays must not overlap.
    void forward(const double* in, Complex* out) const;
    // out = sum_k in_k e^{+i k x_j}; FFTW's complex-to-real transforms overwrite their input,
    // so `in` is destroyed.
    void backwardDestroying(Complex* in, double* out) const;

private:
    int nx_, ny_;
    std::shared_ptr<const detail::FftPlanPair> plans_;
};

// Real-to-real (DST-I / DCT-I) transform of a 1-D or 2-D array; kinds and sizes are per
// dimension with x fastest. DST-I and DCT-I are their own inverses up to a factor, so one
// plan serves both directions.
class TrigFft {
public:
    // nx, ny: intervals per dimension (ny = 0 for 1-D); the array length along a Sine
    // dimension is n - 1, along a Cosine dimension n + 1.
    TrigFft(TrigKind kindX, int nx, TrigKind kindY = TrigKind::Sine, int ny = 0,
            FftOptions options = {});

    std::size_t size() const { return size_; }
    // in is preserved (FFTW_PRESERVE_INPUT is the default for r2r). Arrays must not overlap.
    void execute(const double* in, double* out) const;

private:
    std::size_t size_;
    std::shared_ptr<const detail::FftPlanPair> plans_;
};

// Number of plans currently cached (tests use it to see that plans are shared).
std::size_t fftCachedPlanCount();

}  // namespace driftlab::core::fields
