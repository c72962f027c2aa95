#pragma once
// The reversible Heun scheme (Kidger, Foster, Li & Lyons 2021, "Efficient and accurate
// gradients for neural SDEs") written once: its forward step, the step run backwards in closed
// form, and the step's vector-Jacobian product, as updates of caller-owned dim x batch blocks.
// The gradient solvers (sde_backprop.cpp) and the latent time-series models
// (core/models/latent_series_reversible.cpp) drive their loops with these, and evaluate the
// fields (and their VJPs) in between, where the scheme says.
//
// The step carries (y, yhat) with the fields f, g evaluated at yhat:
//   yhat' = 2 y - yhat + f(yhat) h + g(yhat) dW                       (predict)
//   y'    = y + (f(yhat) + f(yhat')) h / 2 + (g(yhat) + g(yhat')) dW / 2 (correct)
// Noise is a noise shape of sde_backprop_noise.h (DiagonalNoise or GeneralNoise), so each
// update stays one fused elementwise loop for diagonal noise. Every function is a handful of
// Eigen expressions, inlined into the caller's loop: no allocation, no virtual call.
#include "core/solvers/sde_backprop_noise.h"

namespace driftlab::core::reversible_heun {

// out = 2 y - yhat + f h + g dW, with f, g evaluated at yhat; out may be yhat itself.
template <typename Scalar, typename Noise, typename W>
void predict(const Noise& noise, const SdeMatrix<Scalar>& y, const SdeMatrix<Scalar>& yhat,
             Scalar h, const SdeMatrix<Scalar>& f, const SdeMatrix<Scalar>& g, const W& dw,
             SdeMatrix<Scalar>& out) {
    out.array() = Scalar(2) * y.array() - yhat.array() + h * f.array() + noise.term(g, dw);
}

// y <- y + (f0 + f1) h / 2 + (g0 + g1) dW / 2: 0 the fields at the old yhat, 1 at the new.
template <typename Scalar, typename Noise, typename W>
void correct(const Noise& noise, SdeMatrix<Scalar>& y, Scalar h, const SdeMatrix<Scalar>& f0,
             const SdeMatrix<Scalar>& f1, const SdeMatrix<Scalar>& g0, const SdeMatrix<Scalar>& g1,
             const W& dw) {
    y.array() += (Scalar(0.5) * h) * (f0.array() + f1.array()) + noise.sum(Scalar(0.5), g0, g1, dw);
}

// The step backwards. unpredict: out = yhat_n = 2 y_{n+1} - yhat_{n+1} - f1 h - g1 dW, with
// f1, g1 at yhat_{n+1} (out may be yhat); then, with f0, g0 evaluated at that yhat_n,
// uncorrect: y_n <- y_{n+1} - (f0 + f1) h / 2 - (g0 + g1) dW / 2.
template <typename Scalar, typename Noise, typename W>
void unpredict(const Noise& noise, const SdeMatrix<Scalar>& y, const SdeMatrix<Scalar>& yhat,
               Scalar h, const SdeMatrix<Scalar>& f1, const SdeMatrix<Scalar>& g1, const W& dw,
               SdeMatrix<Scalar>& out) {
    out.array() = Scalar(2) * y.array() - yhat.array() - h * f1.array() - noise.term(g1, dw);
}
template <typename Scalar, typename Noise, typename W>
void uncorrect(const Noise& noise, SdeMatrix<Scalar>& y, Scalar h, const SdeMatrix<Scalar>& f0,
               const SdeMatrix<Scalar>& f1, const SdeMatrix<Scalar>& g0,
               const SdeMatrix<Scalar>& g1, const W& dw) {
    y.array() -= (Scalar(0.5) * h) * (f0.array() + f1.array()) + noise.sum(Scalar(0.5), g0, g1, dw);
}

// The VJP of step n, in two halves around the VJP of the fields at yhat_{n+1}.
// ay: cotangent of y_{n+1}; (cf, cg): the cotangents pending on f(yhat_{n+1}), g(yhat_{n+1})
// from step n + 1's predict. First the corrector's share joins them:
template <typename Scalar, typename Noise, typename W>
void correctorCotangents(const Noise& noise, const SdeMatrix<Scalar>& ay, Scalar h, const W& dw,
                         SdeMatrix<Scalar>& cf, SdeMatrix<Scalar>& cg) {
    cf.noalias() += (Scalar(0.5) * h) * ay;
    noise.addCotangent(Scalar(0.5) * ay.array(), dw, cg);
}
// The caller then pulls (cf, cg) back through the fields at yhat_{n+1}, adding into ayhat,
// which becomes the full cotangent of yhat_{n+1}. This half leaves (ay, ayhat) for
// (y_n, yhat_n) and (cf, cg) pending on f(yhat_n), g(yhat_n) (from this step's predict and
// correct), since yhat_{n+1} = 2 y_n - yhat_n + f h + g dW and y_{n+1} = y_n + ...
template <typename Scalar, typename Noise, typename W>
void predictorCotangents(const Noise& noise, SdeMatrix<Scalar>& ay, SdeMatrix<Scalar>& ayhat,
                         Scalar h, const W& dw, SdeMatrix<Scalar>& cf, SdeMatrix<Scalar>& cg) {
    cf.array() = h * ayhat.array() + (Scalar(0.5) * h) * ay.array();
    noise.setCotangent(ayhat.array() + Scalar(0.5) * ay.array(), dw, cg);
    ay.array() += Scalar(2) * ayhat.array();
    ayhat = -ayhat;
}
// After step 0: pull (cf, cg) back through the fields at yhat_0 into ayhat; since
// yhat_0 = y_0, dL/dy_0 = ay + ayhat.

}  // namespace driftlab::core::reversible_heun
