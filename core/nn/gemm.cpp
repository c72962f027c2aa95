#include "core/nn/gemm.h"

#include "core/nn/gemm_kernels.h"

#include <algorithm>
#include <array>
#include <vector>

namespace driftlab::core::nn {

namespace {
using kernels::fewColumnsDispatch;
using kernels::rankUpdateColumn;
using kernels::registerTiledGemm;
using kernels::thinRowDots;

template <typename Scalar>
using Blocking =
    Eigen::internal::gemm_blocking_space<Eigen::ColMajor, Scalar, Scalar, Eigen::Dynamic,
                                         Eigen::Dynamic, Eigen::Dynamic, 1, false>;
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
    // Transposed copies of an operand (thin products, a transposed A for the tiled
    // kernel); it only grows, so steady-state calls do not allocate.
    std::vector<Scalar> scratch;

    Scalar* scratchFor(Index size) {
        if (static_cast<Index>(scratch.size()) < size)
            scratch.resize(static_cast<std::size_t>(size));
        return scratch.data();
    }

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
GemmBuffers<Scalar>::GemmBuffers(GemmBuffers&& other) noexcept : cache_(std::move(other.cache_)) {
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
    Eigen::internal::general_matrix_matrix_product<Index, Scalar, LhsOrder, false, Scalar, RhsOrder,
                                                   false, Eigen::ColMajor, 1>::run(m, n, k, a, lda,
                                                                                   b, ldb, c, 1,
                                                                                   ldc, alpha,
                                                                                   blocking,
                                                                                   nullptr);
}

// Products with a dimension of at most kThin: the first and last layers of the small MLPs
// the solvers drive (2 -> 64, 64 -> 2), in forward, weight gradient and input VJP form.
// Eigen's blocked GEMM packs both operands and runs a 12x4 (double) micro-kernel, which
// these shapes leave mostly empty; here they become column updates and dot products along
// the long dimension, which vectorise fully. C is assumed zeroed or accumulating already.
constexpr Index kThin = 4;

template <typename Scalar>
using StridedView =
    Eigen::Map<const Matrix<Scalar>, 0, Eigen::Stride<Eigen::Dynamic, Eigen::Dynamic>>;
template <typename Scalar>
using VectorView = Eigen::Map<const Vector<Scalar>>;

// op(X) (rows x cols) of a column-major X with column stride ld.
template <typename Scalar>
StridedView<Scalar> opView(const Scalar* x, Index rows, Index cols, Index ld, bool trans) {
    using S = Eigen::Stride<Eigen::Dynamic, Eigen::Dynamic>;
    return trans ? StridedView<Scalar>(x, rows, cols, S(1, ld))
                 : StridedView<Scalar>(x, rows, cols, S(ld, 1));
}

// C = start + alpha op(A) op(B) for k <= kThin, column by column; start is C itself when
// accumulating, else the row bias broadcast (or zero), so C is written in one pass.
template <typename Scalar>
void rankGemm(Index m, Index n, Index k, Scalar alpha, const Scalar* a, Index lda, bool transA,
              const Scalar* b, Index ldb, bool transB, Scalar* c, Index ldc, bool accumulate,
              const Scalar* rowBias, typename GemmBuffers<Scalar>::Cache& cache) {
    const Scalar* columns = a;
    Index stride = lda;
    if (transA) {
        Eigen::Map<Matrix<Scalar>>(cache.scratchFor(m * k), m, k) = opView(a, m, k, lda, true);
        columns = cache.scratch.data();
        stride = m;
    }
    const auto opB = opView(b, k, n, ldb, transB);
    for (Index j = 0; j < n; ++j) {
        Scalar coefficient[kThin] = {};
        for (Index p = 0; p < k; ++p) coefficient[p] = alpha * opB(p, j);
        Scalar* column = c + j * ldc;
        const Scalar* start = accumulate ? column : rowBias;
        switch (k) {
            case 1:
                rankUpdateColumn<1>(m, columns, stride, coefficient, start, column);
                break;
            case 2:
                rankUpdateColumn<2>(m, columns, stride, coefficient, start, column);
                break;
            case 3:
                rankUpdateColumn<3>(m, columns, stride, coefficient, start, column);
                break;
            default:
                rankUpdateColumn<4>(m, columns, stride, coefficient, start, column);
                break;
        }
    }
}

template <typename Scalar>
bool thinGemm(Index m, Index n, Index k, Scalar alpha, const Scalar* a, Index lda, bool transA,
              const Scalar* b, Index ldb, bool transB, Scalar* c, Index ldc,
              typename GemmBuffers<Scalar>::Cache& cache) {
    const auto opA = opView(a, m, k, lda, transA);
    Eigen::Map<Matrix<Scalar>, 0, Eigen::OuterStride<>> out(c, m, n, Eigen::OuterStride<>(ldc));
    if (n <= kThin && !transA) {
        // A few columns of C from long contiguous columns of A.
        fewColumnsDispatch(n, m, k, alpha, a, lda, b, transB ? ldb : 1, transB ? 1 : ldb, c, ldc);
        return true;
    }
    if (m <= kThin && transB) {
        // C^T = op(B)^T op(A)^T, where op(B)^T = B as stored has long contiguous columns.
        Eigen::Map<Matrix<Scalar>> ct(cache.scratchFor(n * m), n, m);
        ct.setZero();
        fewColumnsDispatch(m, n, k, alpha, b, ldb, a, transA ? 1 : lda, transA ? lda : 1, ct.data(),
                           n);
        out += ct.transpose();
        return true;
    }
    if (m <= kThin) {
        // Dot products: rows of op(A) (contiguous, copied if need be) with columns of op(B).
        const Scalar* rows = a;
        Index stride = lda;
        if (!transA) {
            Eigen::Map<Matrix<Scalar>>(cache.scratchFor(k * m), k, m) = opA.transpose();
            rows = cache.scratch.data();
            stride = k;
        }
        switch (m) {
            case 1:
                thinRowDots<1>(n, k, alpha, rows, stride, b, ldb, c, ldc);
                break;
            case 2:
                thinRowDots<2>(n, k, alpha, rows, stride, b, ldb, c, ldc);
                break;
            case 3:
                thinRowDots<3>(n, k, alpha, rows, stride, b, ldb, c, ldc);
                break;
            default:
                thinRowDots<4>(n, k, alpha, rows, stride, b, ldb, c, ldc);
                break;
        }
        return true;
    }
    return false;
}

// Operands small enough to stay in L2 (the hidden layers of the solvers' MLPs): the
// register-tiled kernel, which on the W1/W2 shape (64 x 64 times 64 x 128) ran 1.5x
// Eigen's packed GEMM. A transposed A is copied once so its columns are contiguous.
template <typename Scalar>
bool registerTiled(Index m, Index n, Index k, Scalar alpha, const Scalar* a, Index lda, bool transA,
                   const Scalar* b, Index ldb, bool transB, Scalar* c, Index ldc, bool accumulate,
                   const Scalar* rowBias, typename GemmBuffers<Scalar>::Cache& cache) {
    constexpr Index maxOperandBytes = 128 * 1024;
    const Index bytes = static_cast<Index>(sizeof(Scalar));
    // Rows beyond the last full packet run one at a time; when they are a large share of a
    // short C (6 rows of float: a 2 x 3 general-noise diffusion), Eigen's kernels with
    // their half- and quarter-packet paths do better.
    const Index width = Eigen::internal::packet_traits<Scalar>::size;
    const bool rowsFit = m % width == 0 || m >= 4 * width;
    if (std::min({m, n, k}) <= kThin || !rowsFit || m * k * bytes > maxOperandBytes ||
        (transA && n < 16))
        return false;
    if (transA) {
        Eigen::Map<Matrix<Scalar>>(cache.scratchFor(m * k), m, k) = opView(a, m, k, lda, true);
        a = cache.scratch.data();
        lda = m;
    }
    registerTiledGemm(m, n, k, alpha, a, lda, b, transB ? ldb : 1, transB ? 1 : ldb, c, ldc,
                      accumulate, rowBias);
    return true;
}
}  // namespace

template <typename Scalar>
void gemm(Index m, Index n, Index k, Scalar alpha, const Scalar* a, Index lda, bool transA,
          const Scalar* b, Index ldb, bool transB, Scalar* c, Index ldc, bool accumulate,
          GemmBuffers<Scalar>& buffers, const Scalar* rowBias) {
    if (m == 0 || n == 0) return;
    if (k > 0 && k <= kThin) {
        rankGemm(m, n, k, alpha, a, lda, transA, b, ldb, transB, c, ldc, accumulate, rowBias,
                 buffers.cache());
        return;
    }
    if (k > 0 && registerTiled(m, n, k, alpha, a, lda, transA, b, ldb, transB, c, ldc, accumulate,
                               rowBias, buffers.cache()))
        return;
    if (!accumulate) {
        // Eigen's kernel only accumulates.
        Eigen::Map<Matrix<Scalar>, 0, Eigen::OuterStride<>> out(c, m, n, Eigen::OuterStride<>(ldc));
        if (rowBias)
            out.colwise() = Eigen::Map<const Vector<Scalar>>(rowBias, m);
        else
            out.setZero();
    }
    if (k == 0) return;
    if (std::min(m, n) <= kThin &&
        thinGemm(m, n, k, alpha, a, lda, transA, b, ldb, transB, c, ldc, buffers.cache()))
        return;
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
template void gemm<double>(Index, Index, Index, double, const double*, Index, bool, const double*,
                           Index, bool, double*, Index, bool, GemmBuffers<double>&, const double*);
template void gemm<float>(Index, Index, Index, float, const float*, Index, bool, const float*,
                          Index, bool, float*, Index, bool, GemmBuffers<float>&, const float*);

}  // namespace driftlab::core::nn
