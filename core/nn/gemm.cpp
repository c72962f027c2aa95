#include "core/nn/gemm.h"

#include <array>

namespace driftlab::core::nn {

namespace {
template <typename Scalar>
using Blocking = Eigen::internal::gemm_blocking_space<Eigen::ColMajor, Scalar, Scalar,
                                                      Eigen::Dynamic, Eigen::Dynamic,
                                                      Eigen::Dynamic, 1, false>;
}  // namespace

template <typename Scalar>
struct GemmBuffers<Scalar>::Cache {
    struct Entry {
        Index m = -1, n = -1, k = -1;
        std::unique_ptr<Blocking<Scalar>> blocking;
    };
    // A layer uses three shapes; a fourth slot absorbs an occasional odd batch size.
    std::array<Entry, 4> entries;
    std::size_t nextVictim = 0;

    Blocking<Scalar>& lookup(Index m, Index n, Index k) {
        for (auto& e : entries)
            if (e.blocking && e.m == m && e.n == n && e.k == k) return *e.blocking;
        Entry& e = entries[nextVictim];
        nextVictim = (nextVictim + 1) % entries.size();
        e.m = m;
        e.n = n;
        e.k = k;
        e.blocking = std::make_unique<Blocking<Scalar>>(m, n, k, 1, true);
        e.blocking->allocateAll();
        return *e.blocking;
    }
};

template <typename Scalar>
GemmBuffers<Scalar>::GemmBuffers() : cache_(std::make_unique<Cache>()) {}
template <typename Scalar>
GemmBuffers<Scalar>::~GemmBuffers() = default;
template <typename Scalar>
GemmBuffers<Scalar>::GemmBuffers(const GemmBuffers&) : cache_(std::make_unique<Cache>()) {}
template <typename Scalar>
GemmBuffers<Scalar>& GemmBuffers<Scalar>::operator=(const GemmBuffers&) {
    return *this;  // keep our own buffers; they hold no values, only scratch space
}
template <typename Scalar>
GemmBuffers<Scalar>::GemmBuffers(GemmBuffers&& other) noexcept
    : cache_(std::move(other.cache_)) {
    other.cache_ = std::make_unique<Cache>();
}
template <typename Scalar>
GemmBuffers<Scalar>& GemmBuffers<Scalar>::operator=(GemmBuffers&& other) noexcept {
    std::swap(cache_, other.cache_);
    return *this;
}

namespace {
template <typename Scalar, int LhsOrder, int RhsOrder>
void run(Index m, Index n, Index k, Scalar alpha, const Scalar* a, Index lda, const Scalar* b,
         Index ldb, Scalar* c, Index ldc, Blocking<Scalar>& blocking) {
    // info = nullptr selects Eigen's serial code path whatever the OpenMP settings.
    Eigen::internal::general_matrix_matrix_product<Index, Scalar, LhsOrder, false, Scalar,
                                                   RhsOrder, false, Eigen::ColMajor, 1>::
        run(m, n, k, a, lda, b, ldb, c, 1, ldc, alpha, blocking, nullptr);
}
}  // namespace

template <typename Scalar>
void gemm(Index m, Index n, Index k, Scalar alpha, const Scalar* a, Index lda, bool transA,
          const Scalar* b, Index ldb, bool transB, Scalar* c, Index ldc, bool accumulate,
          GemmBuffers<Scalar>& buffers) {
    if (!accumulate) {
        // Eigen's kernel only accumulates.
        Eigen::Map<Matrix<Scalar>, 0, Eigen::OuterStride<>>(c, m, n, Eigen::OuterStride<>(ldc))
            .setZero();
    }
    if (m == 0 || n == 0 || k == 0) return;
    Blocking<Scalar>& blocking = buffers.cache().lookup(m, n, k);
    // A transposed column-major matrix is the same memory read row-major.
    constexpr int C = Eigen::ColMajor, R = Eigen::RowMajor;
    if (!transA && !transB)
        run<Scalar, C, C>(m, n, k, alpha, a, lda, b, ldb, c, ldc, blocking);
    else if (transA && !transB)
        run<Scalar, R, C>(m, n, k, alpha, a, lda, b, ldb, c, ldc, blocking);
    else if (!transA && transB)
        run<Scalar, C, R>(m, n, k, alpha, a, lda, b, ldb, c, ldc, blocking);
    else
        run<Scalar, R, R>(m, n, k, alpha, a, lda, b, ldb, c, ldc, blocking);
}

template class GemmBuffers<double>;
template class GemmBuffers<float>;
template void gemm<double>(Index, Index, Index, double, const double*, Index, bool,
                           const double*, Index, bool, double*, Index, bool,
                           GemmBuffers<double>&);
template void gemm<float>(Index, Index, Index, float, const float*, Index, bool, const float*,
                          Index, bool, float*, Index, bool, GemmBuffers<float>&);

}  // namespace driftlab::core::nn
