#pragma once
// The one matrix product the layers use: C (+)= alpha op(A) op(B) on column-major data,
// through Eigen's own GEMM kernel, but
//  - always serial: callers parallelise over path blocks, and Eigen's OpenMP GEMM
//    threading, which would otherwise start for a lone single-threaded caller, oversubscribes
//    the cores (measured: 100x slower under load) and cannot be switched off per call;
//  - with packing buffers that persist in a GemmBuffers, so a steady-state pass does not
//    allocate (Eigen heap-allocates them per product once they pass 128 KiB).
#include <memory>

#include "core/nn/types.h"

namespace driftlab::core::nn {

// Packing buffers for the few product shapes one layer uses (forward, weight gradient,
// input VJP). Copies start empty: two copies must never share buffers across threads.
template <typename Scalar>
class GemmBuffers {
public:
    GemmBuffers();
    ~GemmBuffers();
    GemmBuffers(const GemmBuffers&);
    GemmBuffers& operator=(const GemmBuffers&);
    GemmBuffers(GemmBuffers&&) noexcept;
    GemmBuffers& operator=(GemmBuffers&&) noexcept;

    struct Cache;
    Cache& cache() { return *cache_; }

private:
    std::unique_ptr<Cache> cache_;
};

// C = op(A) op(B) * alpha (accumulate = false) or C += alpha op(A) op(B); op(A) is m x k,
// op(B) is k x n, C is m x n; lda, ldb, ldc are the column strides of the stored matrices.
// With accumulate = false and a rowBias (length m), C starts from that bias in every column
// instead of zero: a layer's W x + b without a separate pass over C for the bias.
// Products with a dimension of at most 4 (a layer's 2 -> 64 or 64 -> 2 ends) take
// vectorised column updates and dot products instead of Eigen's blocked kernel.
template <typename Scalar>
void gemm(Index m, Index n, Index k, Scalar alpha, const Scalar* a, Index lda, bool transA,
          const Scalar* b, Index ldb, bool transB, Scalar* c, Index ldc, bool accumulate,
          GemmBuffers<Scalar>& buffers, const Scalar* rowBias = nullptr);

extern template class GemmBuffers<double>;
extern template class GemmBuffers<float>;

}  // namespace driftlab::core::nn
