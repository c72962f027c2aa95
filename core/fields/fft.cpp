#include "core/fields/fft.h"

#include <fftw3.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

#include "core/common/error.h"

namespace driftlab::core::fields {

static_assert(sizeof(Complex) == sizeof(fftw_complex),
              "std::complex<double> must match fftw_complex");

void* fftAllocate(std::size_t bytes) {
    if (bytes == 0) return nullptr;
    void* p = fftw_malloc(bytes);
    if (!p) throw Error("out of memory allocating " + std::to_string(bytes) + " bytes for a field");
    return p;
}

void fftFree(void* p) {
    if (p) fftw_free(p);
}

namespace detail {

struct FftPlanPair {
    fftw_plan forward = nullptr;
    fftw_plan backward = nullptr;  // null for the self-inverse trig transforms
    ~FftPlanPair();
};

}  // namespace detail

namespace {

// FFTW's planner (and fftw_destroy_plan, and the wisdom it keeps) is not thread-safe; every
// call that plans or destroys goes through this mutex (recursive: a plan pair that fails to
// plan is destroyed while the lock is held). Executing is thread-safe.
std::recursive_mutex& plannerMutex() {
    static std::recursive_mutex m;
    return m;
}

// FFTW's POSIX-threads build (libfftw3_threads), not fftw3_omp: the OpenMP build's loops
// wait at barriers by spinning (libgomp's default policy), and with more runnable threads
// than cores (other builds here; the GUI thread rendering on a desktop) a 256^2 transform on
// 2 threads took 48 ms instead of 0.6 ms on one. The pthreads build sleeps while it waits.
void initThreadsOnce() {
    static std::once_flag once;
    std::call_once(once, [] { fftw_init_threads(); });
}

unsigned planFlags(PlanRigor rigor) {
    return rigor == PlanRigor::Measure ? FFTW_MEASURE : FFTW_ESTIMATE;
}

// kind (0 = real/complex, 1 = trig), nx, ny, kindX, kindY, threads, rigour.
using PlanKey = std::tuple<int, int, int, int, int, int, int>;

std::map<PlanKey, std::weak_ptr<const detail::FftPlanPair>>& planCache() {
    static std::map<PlanKey, std::weak_ptr<const detail::FftPlanPair>> cache;
    return cache;
}

template <class Make>
std::shared_ptr<const detail::FftPlanPair> cachedPlan(const PlanKey& key, int threads, Make make) {
    initThreadsOnce();
    std::lock_guard<std::recursive_mutex> lock(plannerMutex());
    auto& cache = planCache();
    if (auto it = cache.find(key); it != cache.end())
        if (auto plan = it->second.lock()) return plan;
    fftw_plan_with_nthreads(threads);
    auto pair = std::make_shared<detail::FftPlanPair>();
    make(*pair);
    fftw_plan_with_nthreads(1);
    if (!pair->forward) throw Error("FFTW could not plan a transform of this size");
    cache[key] = pair;
    return pair;
}

fftw_r2r_kind fftwKind(TrigKind kind) {
    return kind == TrigKind::Sine ? FFTW_RODFT00 : FFTW_REDFT00;
}

int trigLength(TrigKind kind, int n) { return kind == TrigKind::Sine ? n - 1 : n + 1; }

// Misaligned arrays (not from AlignedArray) cannot go to a plan made for aligned ones; they
// are copied through per-thread aligned scratch instead of failing.
template <class T>
T* scratch(std::size_t n, int slot) {
    thread_local AlignedArray<double> buffers[2];
    const std::size_t doubles = (n * sizeof(T) + sizeof(double) - 1) / sizeof(double);
    if (buffers[slot].size() < doubles) buffers[slot] = AlignedArray<double>(doubles);
    return reinterpret_cast<T*>(buffers[slot].data());
}

bool aligned(const void* p) {
    return fftw_alignment_of(const_cast<double*>(static_cast<const double*>(p))) == 0;
}

}  // namespace

detail::FftPlanPair::~FftPlanPair() {
    std::lock_guard<std::recursive_mutex> lock(plannerMutex());
    if (forward) fftw_destroy_plan(forward);
    if (backward) fftw_destroy_plan(backward);
}

std::size_t fftCachedPlanCount() {
    std::lock_guard<std::recursive_mutex> lock(plannerMutex());
    std::size_t n = 0;
    for (const auto& [key, plan] : planCache())
        if (!plan.expired()) ++n;
    return n;
}

RealFft::RealFft(int nx, int ny, FftOptions options) : nx_(nx), ny_(ny) {
    if (nx < 2 || ny < 1)
        throw ConfigError("an FFT grid needs at least 2 points along x and 1 along y (got " +
                          std::to_string(nx) + " x " + std::to_string(ny) + ")");
    const int threads =
        (ny > 1 && realSize() >= kMinThreadedPoints) ? std::max(1, options.threads) : 1;
    const PlanKey key{0, nx, ny, 0, 0, threads, int(options.rigor)};
    plans_ = cachedPlan(key, threads, [&](detail::FftPlanPair& pair) {
        AlignedArray<double> real(realSize());
        AlignedArray<Complex> spec(complexSize());
        auto* r = real.data();
        auto* c = reinterpret_cast<fftw_complex*>(spec.data());
        const unsigned flags = planFlags(options.rigor);
        if (ny == 1) {
            pair.forward = fftw_plan_dft_r2c_1d(nx, r, c, flags);
            pair.backward = fftw_plan_dft_c2r_1d(nx, c, r, flags);
        } else {
            pair.forward = fftw_plan_dft_r2c_2d(ny, nx, r, c, flags);
            pair.backward = fftw_plan_dft_c2r_2d(ny, nx, c, r, flags);
        }
    });
}

void RealFft::forward(const double* in, Complex* out) const {
    const bool ok = aligned(in) && aligned(out);
    const double* src = in;
    Complex* dst = out;
    if (!ok) {
        auto* s = scratch<double>(realSize(), 0);
        std::copy(in, in + realSize(), s);
        src = s;
        dst = scratch<Complex>(complexSize(), 1);
    }
    // r2c plans do not touch their input (FFTW_PRESERVE_INPUT is their default).
    fftw_execute_dft_r2c(plans_->forward, const_cast<double*>(src),
                         reinterpret_cast<fftw_complex*>(dst));
    if (!ok) std::copy(dst, dst + complexSize(), out);
}

void RealFft::backwardDestroying(Complex* in, double* out) const {
    const bool ok = aligned(in) && aligned(out);
    Complex* src = in;
    double* dst = out;
    if (!ok) {
        auto* s = scratch<Complex>(complexSize(), 0);
        std::copy(in, in + complexSize(), s);
        src = s;
        dst = scratch<double>(realSize(), 1);
    }
    fftw_execute_dft_c2r(plans_->backward, reinterpret_cast<fftw_complex*>(src), dst);
    if (!ok) std::copy(dst, dst + realSize(), out);
}

TrigFft::TrigFft(TrigKind kindX, int nx, TrigKind kindY, int ny, FftOptions options) {
    if (nx < 2 || ny < 0 || ny == 1)
        throw ConfigError("a sine/cosine grid needs at least 2 intervals per dimension (got " +
                          std::to_string(nx) + (ny ? " x " + std::to_string(ny) : "") + ")");
    const int lx = trigLength(kindX, nx);
    const int ly = ny > 0 ? trigLength(kindY, ny) : 1;
    size_ = std::size_t(lx) * ly;
    const int threads = (ny > 0 && size_ >= kMinThreadedPoints) ? std::max(1, options.threads) : 1;
    const PlanKey key{1, nx, ny, int(kindX), ny > 0 ? int(kindY) : 0, threads, int(options.rigor)};
    plans_ = cachedPlan(key, threads, [&](detail::FftPlanPair& pair) {
        AlignedArray<double> a(size_), b(size_);
        const unsigned flags = planFlags(options.rigor);
        if (ny == 0)
            pair.forward = fftw_plan_r2r_1d(lx, a.data(), b.data(), fftwKind(kindX), flags);
        else
            pair.forward = fftw_plan_r2r_2d(ly, lx, a.data(), b.data(), fftwKind(kindY),
                                            fftwKind(kindX), flags);
    });
}

void TrigFft::execute(const double* in, double* out) const {
    const bool ok = aligned(in) && aligned(out);
    const double* src = in;
    double* dst = out;
    if (!ok) {
        auto* s = scratch<double>(size_, 0);
        std::copy(in, in + size_, s);
        src = s;
        dst = scratch<double>(size_, 1);
    }
    fftw_execute_r2r(plans_->forward, const_cast<double*>(src), dst);
    if (!ok) std::copy(dst, dst + size_, out);
}

}  // namespace driftlab::core::fields
