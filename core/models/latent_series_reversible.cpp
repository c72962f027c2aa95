// The SDE kinds' constant-memory gradient: the reversible Heun scheme (Kidger, Foster, Li &
// Lyons 2021, "Efficient and accurate gradients for neural SDEs") and its adjoint. The step
// carries (z, zhat) with the fields F, G evaluated at zhat:
//   zhat' = 2 z - zhat + F(zhat) h + G(zhat) dW
//   z'    = z + (F(zhat) + F(zhat')) h / 2 + (G(zhat) + G(zhat')) dW / 2
// and can be inverted in closed form, so the backward pass rebuilds the path from the final
// state instead of storing it; the gradient is the exact gradient of the discretised solve up
// to the round-off of the reconstruction. The scheme converges to the Stratonovich solution
// (the same SDE as Euler–Maruyama's Itô one for the additive-noise Langevin class).
//
// The scheme's updates are core/solvers/reversible_heun.h, shared with the gradient solvers;
// this file drives them over the model's own grid (steps that land on every observation, the
// fields indexed by grid point for the control path and sigma(t)).
#include "core/common/error.h"
#include "core/models/latent_series_rollout.h"
#include "core/solvers/reversible_heun.h"

namespace driftlab::core::models {

namespace rh = reversible_heun;

void LatentSeriesModel::simulateReversibleHeun(Rollout& r) const {
    const long steps = r.steps();
    std::vector<bool> landing(std::size_t(steps + 1), r.keepPath);
    for (long k : r.stepAt) landing[std::size_t(k)] = true;
    const detail::DiagonalNoise noise;
    Eigen::MatrixXd z = r.Z[0], zHat = z, f, F0, G0, F1, G1;
    fields(r, zHat, 0, f, F0, G0);
    for (long k = 0; k < steps; ++k) {
        const double h = r.h(k);
        const auto dW = r.noise(k);
        rh::predict(noise, z, zHat, h, F0, G0, dW, zHat);
        fields(r, zHat, k + 1, f, F1, G1);
        rh::correct(noise, z, h, F0, F1, G0, G1, dW);
        if (!z.allFinite() || !zHat.allFinite())
            throw SolverError("time-series model: the latent state became non-finite at t = " +
                              std::to_string(r.series->times.front() + r.tau[std::size_t(k + 1)]) +
                              " (step " + std::to_string(k + 1) + ")");
        F0.swap(F1);
        G0.swap(G1);
        if (landing[std::size_t(k + 1)]) r.Z[std::size_t(k + 1)] = z;
    }
    r.zHatEnd = std::move(zHat);
}

void LatentSeriesModel::reversibleHeunAdjoint(Rollout& r,
                                              const std::vector<Eigen::MatrixXd>& observationGrad,
                                              double* gradient) const {
    const Offsets o = offsets();
    const nn::Index d = config_.latentDim, P = r.paths;
    const long steps = r.steps();
    Eigen::MatrixXd sigmaGrad;
    if (timeOnlyDiffusion()) sigmaGrad = Eigen::MatrixXd::Zero(d, steps + 1);
    Eigen::MatrixXd z = r.Z.back(), zHat = r.zHatEnd, f1, F1, G1, f0, F0, G0;
    // aZ, aHat: dL/dz and dL/dzhat at the current grid point; cF, cG: the cotangents of the
    // fields evaluated at its zhat, collected from the step after it and the step before.
    Eigen::MatrixXd aZ = Eigen::MatrixXd::Zero(d, P), aHat = Eigen::MatrixXd::Zero(d, P);
    Eigen::MatrixXd cF = Eigen::MatrixXd::Zero(d, P), cG = Eigen::MatrixXd::Zero(d, P);
    if (observationGrad.back().size()) aZ += observationGrad.back();
    const detail::DiagonalNoise noise;
    fields(r, zHat, steps, f1, F1, G1);
    for (long k = steps - 1; k >= 0; --k) {
        const double h = r.h(k);
        const auto dW = r.noise(k);
        rh::correctorCotangents(noise, aZ, h, dW, cF, cG);
        aHat += fieldsVjp(r, zHat, k + 1, f1, cF, cG, sigmaGrad, gradient);
        // Invert the step: zhat_k, then the fields there, then z_k.
        rh::unpredict(noise, z, zHat, h, F1, G1, dW, zHat);
        fields(r, zHat, k, f0, F0, G0);
        rh::uncorrect(noise, z, h, F0, F1, G0, G1, dW);
        rh::predictorCotangents(noise, aZ, aHat, h, dW, cF, cG);
        if (r.Z[std::size_t(k)].size()) z = r.Z[std::size_t(k)];  // stored there: drop round-off
        if (observationGrad[std::size_t(k)].size()) aZ += observationGrad[std::size_t(k)];
        f1.swap(f0);
        F1.swap(F0);
        G1.swap(G0);
    }
    aHat += fieldsVjp(r, zHat, 0, f1, cF, cG, sigmaGrad, gradient);
    if (timeOnlyDiffusion())
        diffusion_.backward(sigmaGrad, r.sigmaWs, gradient + o.diffusion, false);
    const Eigen::VectorXd z0Grad = (aZ + aHat).rowwise().sum();
    encodeBackward(z0Grad, r.encoderWs, gradient);
}

}  // namespace driftlab::core::models
