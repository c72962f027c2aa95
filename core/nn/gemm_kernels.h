#pragma once
// Register-tiled kernels behind nn::gemm (internal to gemm.cpp): the products of the small
// MLPs the solvers drive, whose shapes (64 x 64 times 64 x 128, or a dimension of 2) leave
// Eigen's packed, cache-blocked GEMM mostly overhead. Written with Eigen's packet
// primitives, so the same code is SSE, AVX2 + FMA or AVX-512 as the build machine allows.
#include <type_traits>

#include "core/nn/types.h"

namespace driftlab::core::nn::kernels {

// c[0..m) = start[0..m) + sum_p columns[p * stride + i] * coefficient[p], in one pass over
// c (start may be c itself, or null for zero): a column updated once per p would re-read
// what it just stored, and that store-to-load chain was the bottleneck of the 2 -> 64
// layers. K is a template argument so the p loop unrolls.
template <int K, typename Scalar>
void rankUpdateColumn(Index m, const Scalar* columns, Index stride, const Scalar* coefficient,
                      const Scalar* start, Scalar* c) {
    using namespace Eigen::internal;
    using Packet = typename packet_traits<Scalar>::type;
    constexpr Index width = packet_traits<Scalar>::size;
    Packet scale[K];
    for (int p = 0; p < K; ++p) scale[p] = pset1<Packet>(coefficient[p]);
    Index i = 0;
    for (; i + width <= m; i += width) {
        Packet acc = start ? ploadu<Packet>(start + i) : pset1<Packet>(Scalar(0));
        for (int p = 0; p < K; ++p)
            acc = pmadd(ploadu<Packet>(columns + p * stride + i), scale[p], acc);
        pstoreu(c + i, acc);
    }
    for (; i < m; ++i) {
        Scalar sum = start ? start[i] : Scalar(0);
        for (int p = 0; p < K; ++p) sum += columns[p * stride + i] * coefficient[p];
        c[i] = sum;
    }
}

// c(i, j) += alpha rows_i . b_j for M rows (contiguous, length k, stride apart) and every
// column b_j of b. Several columns go together so that 8 independent FMA chains are in
// flight (one chain per row and column): a lone dot product waits on its own FMA latency.
template <int M, typename Scalar>
void thinRowDots(Index n, Index k, Scalar alpha, const Scalar* rows, Index stride, const Scalar* b,
                 Index ldb, Scalar* c, Index ldc) {
    using namespace Eigen::internal;
    using Packet = typename packet_traits<Scalar>::type;
    constexpr Index width = packet_traits<Scalar>::size;
    constexpr int group = M == 1 ? 8 : (M == 2 ? 4 : 2);
    Index j = 0;
    auto columns = [&](auto groupSize) {
        constexpr int G = decltype(groupSize)::value;
        Packet acc[M][G];
        for (int i = 0; i < M; ++i)
            for (int g = 0; g < G; ++g) acc[i][g] = pset1<Packet>(Scalar(0));
        Index p = 0;
        for (; p + width <= k; p += width) {
            Packet x[G];
            for (int g = 0; g < G; ++g) x[g] = ploadu<Packet>(b + (j + g) * ldb + p);
            for (int i = 0; i < M; ++i) {
                const Packet r = ploadu<Packet>(rows + i * stride + p);
                for (int g = 0; g < G; ++g) acc[i][g] = pmadd(r, x[g], acc[i][g]);
            }
        }
        for (int i = 0; i < M; ++i)
            for (int g = 0; g < G; ++g) {
                Scalar sum = predux(acc[i][g]);
                for (Index q = p; q < k; ++q) sum += rows[i * stride + q] * b[(j + g) * ldb + q];
                c[(j + g) * ldc + i] += alpha * sum;
            }
    };
    for (; j + group <= n; j += group) columns(std::integral_constant<int, group>{});
    for (; j < n; ++j) columns(std::integral_constant<int, 1>{});
}

// C(:, 0..N) += alpha A op(B) for N <= kThin columns of C and long columns of A (k of
// them, lda apart): op(B)(p, j) = b[p * bRowStride + j * bColStride]. A panel of rows of C
// stays in registers while p runs, so A is read once and C once; 8 independent FMA
// chains per panel (N columns x Panel packets) hide the FMA latency.
template <int N, typename Scalar>
void fewColumns(Index m, Index k, Scalar alpha, const Scalar* a, Index lda, const Scalar* b,
                Index bRowStride, Index bColStride, Scalar* c, Index ldc) {
    using namespace Eigen::internal;
    using Packet = typename packet_traits<Scalar>::type;
    constexpr Index width = packet_traits<Scalar>::size;
    auto panel = [&](Index row, auto packets) {
        constexpr int P = decltype(packets)::value;
        Packet acc[N][P];
        for (int j = 0; j < N; ++j)
            for (int r = 0; r < P; ++r) acc[j][r] = pset1<Packet>(Scalar(0));
        for (Index p = 0; p < k; ++p) {
            Packet column[P];
            for (int r = 0; r < P; ++r) column[r] = ploadu<Packet>(a + p * lda + row + r * width);
            for (int j = 0; j < N; ++j) {
                const Packet scale = pset1<Packet>(b[p * bRowStride + j * bColStride]);
                for (int r = 0; r < P; ++r) acc[j][r] = pmadd(column[r], scale, acc[j][r]);
            }
        }
        const Packet factor = pset1<Packet>(alpha);
        for (int j = 0; j < N; ++j)
            for (int r = 0; r < P; ++r) {
                Scalar* target = c + j * ldc + row + r * width;
                pstoreu(target, pmadd(acc[j][r], factor, ploadu<Packet>(target)));
            }
    };
    constexpr int panelPackets = N == 1 ? 8 : (N == 2 ? 4 : 2);
    Index i = 0;
    for (; i + panelPackets * width <= m; i += panelPackets * width)
        panel(i, std::integral_constant<int, panelPackets>{});
    for (; i + width <= m; i += width) panel(i, std::integral_constant<int, 1>{});
    for (; i < m; ++i)
        for (int j = 0; j < N; ++j) {
            Scalar sum = 0;
            for (Index p = 0; p < k; ++p)
                sum += a[p * lda + i] * b[p * bRowStride + j * bColStride];
            c[j * ldc + i] += alpha * sum;
        }
}

template <typename Scalar>
void fewColumnsDispatch(Index n, Index m, Index k, Scalar alpha, const Scalar* a, Index lda,
                        const Scalar* b, Index bRowStride, Index bColStride, Scalar* c, Index ldc) {
    switch (n) {
        case 1:
            fewColumns<1>(m, k, alpha, a, lda, b, bRowStride, bColStride, c, ldc);
            break;
        case 2:
            fewColumns<2>(m, k, alpha, a, lda, b, bRowStride, bColStride, c, ldc);
            break;
        case 3:
            fewColumns<3>(m, k, alpha, a, lda, b, bRowStride, bColStride, c, ldc);
            break;
        default:
            fewColumns<4>(m, k, alpha, a, lda, b, bRowStride, bColStride, c, ldc);
            break;
    }
}

// One tile of C: RowPackets packets of rows from row, Cols columns from col.
// C = start + alpha * sum_p A(:, p) op(B)(p, :), start = C (accumulate), the row bias, or 0.
template <int RowPackets, int Cols, typename Scalar>
void registerTile(Index row, Index col, Index k, Scalar alpha, const Scalar* a, Index lda,
                  const Scalar* b, Index bRow, Index bCol, Scalar* c, Index ldc, bool accumulate,
                  const Scalar* rowBias) {
    using namespace Eigen::internal;
    using Packet = typename packet_traits<Scalar>::type;
    constexpr Index width = packet_traits<Scalar>::size;
    Packet acc[RowPackets][Cols];
    for (int r = 0; r < RowPackets; ++r)
        for (int j = 0; j < Cols; ++j) acc[r][j] = pset1<Packet>(Scalar(0));
    const Scalar* bColumn = b + col * bCol;
    for (Index p = 0; p < k; ++p) {
        Packet column[RowPackets];
        for (int r = 0; r < RowPackets; ++r)
            column[r] = ploadu<Packet>(a + p * lda + row + r * width);
        for (int j = 0; j < Cols; ++j) {
            const Packet scale = pset1<Packet>(bColumn[p * bRow + j * bCol]);
            for (int r = 0; r < RowPackets; ++r) acc[r][j] = pmadd(column[r], scale, acc[r][j]);
        }
    }
    const Packet factor = pset1<Packet>(alpha);
    for (int j = 0; j < Cols; ++j)
        for (int r = 0; r < RowPackets; ++r) {
            Scalar* target = c + (col + j) * ldc + row + r * width;
            const Packet start = accumulate ? ploadu<Packet>(target)
                                 : rowBias  ? ploadu<Packet>(rowBias + row + r * width)
                                            : pset1<Packet>(Scalar(0));
            pstoreu(target, pmadd(acc[r][j], factor, start));
        }
}

// Rows of a strip of Cols columns: two-packet tiles (12 accumulators with 6 columns: the
// most that fit 16 vector registers beside the A column and the broadcast), then one
// packet, then the last rows one at a time.
template <int Cols, typename Scalar>
void registerStrip(Index m, Index col, Index k, Scalar alpha, const Scalar* a, Index lda,
                   const Scalar* b, Index bRow, Index bCol, Scalar* c, Index ldc, bool accumulate,
                   const Scalar* rowBias) {
    using namespace Eigen::internal;
    constexpr Index width = packet_traits<Scalar>::size;
    Index i = 0;
    for (; i + 2 * width <= m; i += 2 * width)
        registerTile<2, Cols>(i, col, k, alpha, a, lda, b, bRow, bCol, c, ldc, accumulate, rowBias);
    for (; i + width <= m; i += width)
        registerTile<1, Cols>(i, col, k, alpha, a, lda, b, bRow, bCol, c, ldc, accumulate, rowBias);
    for (; i < m; ++i)
        for (int j = 0; j < Cols; ++j) {
            Scalar sum = 0;
            for (Index p = 0; p < k; ++p) sum += a[p * lda + i] * b[p * bRow + (col + j) * bCol];
            Scalar& target = c[(col + j) * ldc + i];
            target = (accumulate ? target : rowBias ? rowBias[i] : Scalar(0)) + alpha * sum;
        }
}

// C (m x n) = start + alpha A op(B) for A with contiguous columns (lda apart) and
// op(B)(p, j) = b[p * bRow + j * bCol]. No packing and no cache blocking: meant for
// operands that stay in L1/L2 (gemm checks the sizes).
template <typename Scalar>
void registerTiledGemm(Index m, Index n, Index k, Scalar alpha, const Scalar* a, Index lda,
                       const Scalar* b, Index bRow, Index bCol, Scalar* c, Index ldc,
                       bool accumulate, const Scalar* rowBias) {
    constexpr int stripColumns = 6;
    Index j = 0;
    auto strip = [&](auto columns) {
        registerStrip<decltype(columns)::value>(m, j, k, alpha, a, lda, b, bRow, bCol, c, ldc,
                                                accumulate, rowBias);
    };
    for (; j + stripColumns <= n; j += stripColumns)
        strip(std::integral_constant<int, stripColumns>{});
    switch (n - j) {
        case 5:
            strip(std::integral_constant<int, 5>{});
            break;
        case 4:
            strip(std::integral_constant<int, 4>{});
            break;
        case 3:
            strip(std::integral_constant<int, 3>{});
            break;
        case 2:
            strip(std::integral_constant<int, 2>{});
            break;
        case 1:
            strip(std::integral_constant<int, 1>{});
            break;
        default:
            break;
    }
}

}  // namespace driftlab::core::nn::kernels
