#pragma once
// The noise term g(t, y) dW of the gradient solvers' steps, and its VJP with respect to g,
// for the two noise shapes of a DifferentiableSde. sde_backprop.cpp writes every scheme once
// against this interface and picks the shape once per step, so the diagonal steps compile to the
// same fused elementwise loops they had before general noise existed.
//
//  - DiagonalNoise: g is dim x paths, the term is g . dW elementwise and its VJP is a . dW.
//  - GeneralNoise: g holds per path a dim x m matrix G column-major (dim*m x paths), dW is
//    m x paths; the term is G dW and its VJP is the outer product a dW^T, laid out like G.
//    Both are written as m rank-one updates over all paths at once (row k of dW scales
//    rows [k dim, (k+1) dim) of G), which keeps the loops vectorised across paths.
#include "core/solvers/differentiable_sde.h"

namespace driftlab::core::detail {

struct DiagonalNoise {
    // The term as an expression, so callers fuse it into their own update.
    template <typename G, typename W>
    auto term(const G& g, const W& dw) const {
        return g.array() * dw.array();
    }
    // scale (g0 + g1) dW, the trapezoid of the Heun-type correctors.
    template <typename Scalar, typename W>
    auto sum(Scalar scale, const SdeMatrix<Scalar>& g0, const SdeMatrix<Scalar>& g1,
             const W& dw) const {
        return scale * (g0.array() + g1.array()) * dw.array();
    }
    // out = VJP of the term for cotangent a (an array expression); returns out.
    template <typename A, typename W, typename Scalar>
    const SdeMatrix<Scalar>& cotangent(const A& a, const W& dw, SdeMatrix<Scalar>& out) const {
        out.array() = a * dw.array();
        return out;
    }
    template <typename A, typename W, typename Scalar>
    void setCotangent(const A& a, const W& dw, SdeMatrix<Scalar>& out) const {
        out.array() = a * dw.array();
    }
    template <typename A, typename W, typename Scalar>
    void addCotangent(const A& a, const W& dw, SdeMatrix<Scalar>& out) const {
        out.array() += a * dw.array();
    }
};

// Per-thread buffers of GeneralNoise, sized on first use and reused.
template <typename Scalar>
struct GeneralNoiseScratch {
    SdeMatrix<Scalar> term0, term1, cotangent, a;
};

template <typename Scalar>
class GeneralNoise {
public:
    GeneralNoise(Eigen::Index dim, GeneralNoiseScratch<Scalar>& scratch) : dim_(dim), s_(scratch) {}

    template <typename W>
    auto term(const SdeMatrix<Scalar>& g, const W& dw) const {
        product(g, dw, s_.term0);
        return s_.term0.array();
    }
    template <typename W>
    auto sum(Scalar scale, const SdeMatrix<Scalar>& g0, const SdeMatrix<Scalar>& g1,
             const W& dw) const {
        product(g0, dw, s_.term0);
        product(g1, dw, s_.term1);
        return scale * (s_.term0.array() + s_.term1.array());
    }
    // The outer products go to the scratch (dim*m rows); out, a dim-row buffer the
    // diagonal shape would use, is left alone so it is not resized back and forth.
    template <typename A, typename W>
    const SdeMatrix<Scalar>& cotangent(const A& a, const W& dw, SdeMatrix<Scalar>&) const {
        setCotangent(a, dw, s_.cotangent);
        return s_.cotangent;
    }
    // out (dim*m x paths, e.g. a pending cotangent of g) = or += a dW^T per path.
    template <typename A, typename W>
    void setCotangent(const A& a, const W& dw, SdeMatrix<Scalar>& out) const {
        out.resize(dim_ * dw.rows(), dw.cols());
        outer<false>(a, dw, out);
    }
    template <typename A, typename W>
    void addCotangent(const A& a, const W& dw, SdeMatrix<Scalar>& out) const {
        outer<true>(a, dw, out);
    }

private:
    template <typename W>
    void product(const SdeMatrix<Scalar>& g, const W& dw, SdeMatrix<Scalar>& out) const {
        out.resize(dim_, dw.cols());
        out.setZero();
        for (Eigen::Index k = 0; k < dw.rows(); ++k)
            out.array() += g.middleRows(k * dim_, dim_).array().rowwise() * dw.row(k).array();
    }
    template <bool Accumulate, typename A, typename W>
    void outer(const A& a, const W& dw, SdeMatrix<Scalar>& out) const {
        s_.a.array() = a;  // evaluated once, read m times
        for (Eigen::Index k = 0; k < dw.rows(); ++k) {
            auto rows = out.middleRows(k * dim_, dim_).array();
            if constexpr (Accumulate)
                rows += s_.a.array().rowwise() * dw.row(k).array();
            else
                rows = s_.a.array().rowwise() * dw.row(k).array();
        }
    }

    Eigen::Index dim_;
    GeneralNoiseScratch<Scalar>& s_;
};

}  // namespace driftlab::core::detail
