// nn::gemm against Eigen's own product for every transpose combination, with shapes that take
// the thin paths (a dimension of 1..4: the 2 -> 64 and 64 -> 2 layers of the solvers' MLPs,
// forward, weight gradient and input VJP) and the blocked path, with column strides larger
// than the rows, accumulate on and off, a row bias to start from, and alpha != 1.
#include <QtTest>

#include <vector>

#include "core/nn/gemm.h"

using namespace driftlab::core::nn;

namespace {

template <typename Scalar>
double worstRelativeError() {
    const Index dims[] = {1, 2, 3, 4, 5, 17, 64};
    GemmBuffers<Scalar> buffers;
    double worst = 0.0;
    for (Index m : dims)
        for (Index n : dims)
            for (Index k : dims)
                for (int flags = 0; flags < 16; ++flags) {
                    const bool transA = flags & 1, transB = flags & 2, accumulate = flags & 4;
                    const bool biased = flags & 8;
                    const Vector<Scalar> bias = Vector<Scalar>::Random(m);
                    // Stored shapes, with 3 rows of padding so lda/ldb/ldc exceed the rows.
                    const Index aRows = transA ? k : m, aCols = transA ? m : k;
                    const Index bRows = transB ? n : k, bCols = transB ? k : n;
                    const Matrix<Scalar> a = Matrix<Scalar>::Random(aRows + 3, aCols);
                    const Matrix<Scalar> b = Matrix<Scalar>::Random(bRows + 3, bCols);
                    Matrix<Scalar> c = Matrix<Scalar>::Random(m + 3, n);
                    const Matrix<Scalar> before = c;
                    const Scalar alpha = Scalar(-0.75);
                    gemm<Scalar>(m, n, k, alpha, a.data(), a.rows(), transA, b.data(), b.rows(),
                                 transB, c.data(), c.rows(), accumulate, buffers,
                                 biased ? bias.data() : nullptr);
                    const Matrix<Scalar> opA = transA ? Matrix<Scalar>(a.topRows(aRows).transpose())
                                                      : Matrix<Scalar>(a.topRows(aRows));
                    const Matrix<Scalar> opB = transB ? Matrix<Scalar>(b.topRows(bRows).transpose())
                                                      : Matrix<Scalar>(b.topRows(bRows));
                    Matrix<Scalar> expected = alpha * opA * opB;
                    if (accumulate)
                        expected += before.topRows(m);
                    else if (biased)
                        expected.colwise() += bias;
                    const double scale = 1.0 + static_cast<double>(k);
                    const double error =
                        static_cast<double>((c.topRows(m) - expected).cwiseAbs().maxCoeff()) /
                        scale;
                    worst = std::max(worst, error);
                    // The padding rows of C are never written.
                    if (c.bottomRows(3) != before.bottomRows(3)) return 1.0;
                }
    return worst;
}

}  // namespace

class TestNnGemm : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void matchesEigenDouble() { QVERIFY2(worstRelativeError<double>() < 1e-14, "double"); }
    void matchesEigenFloat() { QVERIFY2(worstRelativeError<float>() < 1e-6, "float"); }
};

QTEST_GUILESS_MAIN(TestNnGemm)
#include "test_nn_gemm.moc"
