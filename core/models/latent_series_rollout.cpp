// The latent models' solve and its exact reverse pass (see latent_series_model.h).
#include "core/models/latent_series_rollout.h"

#include <cmath>

#include "core/common/error.h"
#include "core/common/random.h"
#include "core/models/series_interpolation.h"

namespace driftlab::core::models {

namespace {
constexpr long kMaxGridSteps = 1000000;  // per series: beyond this dt is surely a typo
}  // namespace

void buildGrid(const std::vector<double>& landings, double dt, std::vector<double>& tau,
               std::vector<long>& stepAt) {
    tau.assign(1, 0.0);
    stepAt.assign(landings.size(), 0);
    for (std::size_t j = 1; j < landings.size(); ++j) {
        const double a = landings[j - 1], b = landings[j];
        const double pieces = std::ceil((b - a) / dt - 1e-9);
        if (!(pieces + double(tau.size()) <= double(kMaxGridSteps)))
            throw ConfigError("time-series model: dt = " + std::to_string(dt) +
                              " needs more than " + std::to_string(kMaxGridSteps) +
                              " steps over a series' window of " + std::to_string(landings.back()) +
                              "; choose a larger dt");
        const auto sub = std::max(1L, static_cast<long>(pieces));
        for (long k = 1; k <= sub; ++k)
            tau.push_back(k == sub ? b : a + (b - a) * double(k) / double(sub));
        stepAt[j] = static_cast<long>(tau.size()) - 1;
    }
}

std::vector<double> relativeTimes(const timeseries::Series& s) {
    std::vector<double> out(s.times.size());
    for (std::size_t j = 0; j < out.size(); ++j) out[j] = s.times[j] - s.times.front();
    return out;
}

void LatentSeriesModel::fields(Rollout& r, const Eigen::MatrixXd& z, long k, Eigen::MatrixXd& f,
                               Eigen::MatrixXd& F, Eigen::MatrixXd& G) const {
    const double t = r.tau[std::size_t(k)];
    if (config_.controlPath != ControlPath::None) {
        Eigen::MatrixXd input(drift_.inputDim(), z.cols());
        input.topRows(z.rows()) = z;
        input.bottomRows(config_.channels) = r.control.col(k).replicate(1, z.cols());
        f = config_.driftSeesTime ? drift_.forward(input, t, r.driftWs)
                                  : drift_.forward(input, r.driftWs);
    } else {
        f = config_.driftSeesTime ? drift_.forward(z, t, r.driftWs) : drift_.forward(z, r.driftWs);
    }
    ++r.nfe;
    F = config_.kind == SeriesModelKind::Geometric ? Eigen::MatrixXd(z.cwiseProduct(f)) : f;
    switch (config_.kind) {
        case SeriesModelKind::NeuralOde:
            G.resize(0, 0);
            break;
        case SeriesModelKind::NeuralSde:
            G = diffusion_.forward(z, r.diffusionWs);
            break;
        case SeriesModelKind::Langevin:
            G = r.sigma.col(k).replicate(1, z.cols());
            break;
        case SeriesModelKind::LinearNoise:
        case SeriesModelKind::Geometric:
            G = r.sigma.col(k).asDiagonal() * z;
            break;
    }
}

void LatentSeriesModel::priorFields(Rollout& r, long k, Eigen::MatrixXd& f,
                                    Eigen::MatrixXd& F) const {
    const Eigen::MatrixXd& z = r.Z[std::size_t(k)];
    f = config_.driftSeesTime ? prior_.forward(z, r.tau[std::size_t(k)], r.priorWs)
                              : prior_.forward(z, r.priorWs);
    ++r.nfe;
    F = config_.kind == SeriesModelKind::Geometric ? Eigen::MatrixXd(z.cwiseProduct(f)) : f;
}

void LatentSeriesModel::simulate(Rollout& r) const {
    const timeseries::Series& s = *r.series;
    const nn::Index d = config_.latentDim, P = r.paths;
    const Eigen::VectorXd z0 = encode(s, *r.context, r.encoderWs);
    buildGrid(r.landings, config_.dt, r.tau, r.stepAt);
    const long steps = r.steps();

    if (hasDiffusionNet()) {
        r.dW.resize(d, P * std::max(1L, steps));
        RandomStream rng(r.noiseSeed, r.stream);
        const auto& zt = zigguratTables();
        for (long k = 0; k < steps; ++k) {
            const double sq = std::sqrt(r.h(k));
            for (nn::Index i = 0; i < d * P; ++i) r.dW(i % d, k * P + i / d) = sq * rng.normal(zt);
        }
    }
    if (timeOnlyDiffusion()) {  // sigma(t) on the whole grid in one pass
        const Eigen::RowVectorXd tauRow =
            Eigen::Map<const Eigen::RowVectorXd>(r.tau.data(), steps + 1);
        r.sigma = diffusion_.forward(tauRow, r.sigmaWs);
    }
    if (config_.controlPath != ControlPath::None) {
        std::vector<double> at(r.tau.size());
        for (std::size_t k = 0; k < at.size(); ++k) at[k] = s.times.front() + r.tau[k];
        r.control =
            timeseries::interpolateContext(config_.controlPath == ControlPath::Linear
                                               ? timeseries::InterpolationKind::Linear
                                               : timeseries::InterpolationKind::NaturalCubic,
                                           s, *r.context, at);
    }

    r.Z.assign(std::size_t(steps + 1), Eigen::MatrixXd());
    r.Z[0] = z0.replicate(1, P);
    r.kl = 0.0;
    if (reversibleHeun()) {
        simulateReversibleHeun(r);
        return;
    }
    std::vector<bool> landing(std::size_t(steps + 1), r.keepPath);
    for (long k : r.stepAt) landing[std::size_t(k)] = true;
    Eigen::MatrixXd f, F, G, fp, Fp;
    for (long k = 0; k < steps; ++k) {
        fields(r, r.Z[std::size_t(k)], k, f, F, G);
        const double h = r.h(k);
        Eigen::MatrixXd next = r.Z[std::size_t(k)] + h * F;
        if (G.size()) next += G.cwiseProduct(r.noise(k));
        if (r.withKl) {
            priorFields(r, k, fp, Fp);
            const Eigen::ArrayXXd delta = (F - Fp).array();
            r.kl += 0.5 * h * (delta.square() / (G.array().square() + kKlFloor)).sum() / double(P);
        }
        if (!next.allFinite())
            throw SolverError("time-series model: the latent state became non-finite at t = " +
                              std::to_string(s.times.front() + r.tau[std::size_t(k + 1)]) +
                              " (step " + std::to_string(k + 1) + ")");
        r.Z[std::size_t(k + 1)] = std::move(next);
        if (!landing[std::size_t(k)]) r.Z[std::size_t(k)].resize(0, 0);
    }
}

Eigen::MatrixXd LatentSeriesModel::fieldsVjp(Rollout& r, const Eigen::MatrixXd& z, long k,
                                             const Eigen::MatrixXd& f, const Eigen::MatrixXd& cF,
                                             const Eigen::MatrixXd& cG, Eigen::MatrixXd& sigmaGrad,
                                             double* gradient) const {
    const Offsets o = offsets();
    const nn::Index d = config_.latentDim;
    Eigen::MatrixXd dz = Eigen::MatrixXd::Zero(d, z.cols());
    if (config_.kind == SeriesModelKind::Geometric) {  // F = z * f
        dz += cF.cwiseProduct(f);
        dz += drift_.backward(cF.cwiseProduct(z), r.driftWs, gradient + o.drift, true).topRows(d);
    } else {
        dz += drift_.backward(cF, r.driftWs, gradient + o.drift, true).topRows(d);
    }
    switch (config_.kind) {
        case SeriesModelKind::NeuralOde:
            break;
        case SeriesModelKind::NeuralSde:
            dz += diffusion_.backward(cG, r.diffusionWs, gradient + o.diffusion, true);
            break;
        case SeriesModelKind::Langevin:
            sigmaGrad.col(k) += cG.rowwise().sum();
            break;
        case SeriesModelKind::LinearNoise:
        case SeriesModelKind::Geometric:
            sigmaGrad.col(k) += cG.cwiseProduct(z).rowwise().sum();
            dz += r.sigma.col(k).asDiagonal() * cG;
            break;
    }
    return dz;
}

void LatentSeriesModel::backpropagate(Rollout& r,
                                      const std::vector<Eigen::MatrixXd>& observationGrad,
                                      double* gradient) const {
    const Offsets o = offsets();
    const nn::Index d = config_.latentDim, P = r.paths;
    const long steps = r.steps();
    auto observed = [&](long k) -> const Eigen::MatrixXd* {
        const auto& g = observationGrad[std::size_t(k)];
        return g.size() ? &g : nullptr;
    };
    Eigen::MatrixXd A = Eigen::MatrixXd::Zero(d, P);
    if (auto* g = observed(steps)) A += *g;
    Eigen::MatrixXd sigmaGrad;
    if (timeOnlyDiffusion()) sigmaGrad = Eigen::MatrixXd::Zero(d, steps + 1);
    Eigen::MatrixXd f, F, G, fp, Fp, gF, gG, gFp;
    const auto kind = config_.kind;
    for (long k = steps - 1; k >= 0; --k) {
        const double h = r.h(k);
        const Eigen::MatrixXd& z = r.Z[std::size_t(k)];
        fields(r, z, k, f, F, G);
        gF = h * A;
        if (G.size()) gG = A.cwiseProduct(r.noise(k));
        if (r.withKl) {
            priorFields(r, k, fp, Fp);
            const Eigen::ArrayXXd delta = (F - Fp).array();
            const Eigen::ArrayXXd denom = G.array().square() + kKlFloor;
            const double w = r.klWeight * h / double(P);
            const Eigen::MatrixXd q = (w * delta / denom).matrix();
            gF += q;
            gFp = -q;
            gG.array() -= w * delta.square() * G.array() / denom.square();
        }
        Eigen::MatrixXd next = A + fieldsVjp(r, z, k, f, gF, gG, sigmaGrad, gradient);
        if (r.withKl) {
            if (kind == SeriesModelKind::Geometric) {
                next += gFp.cwiseProduct(fp);
                gFp = gFp.cwiseProduct(z);
            }
            next += prior_.backward(gFp, r.priorWs, gradient + o.prior, true);
        }
        A = std::move(next);
        if (auto* g = observed(k)) A += *g;
    }
    if (timeOnlyDiffusion())
        diffusion_.backward(sigmaGrad, r.sigmaWs, gradient + o.diffusion, false);
    const Eigen::VectorXd z0Grad = A.rowwise().sum();
    encodeBackward(z0Grad, r.encoderWs, gradient);
}

void LatentSeriesModel::adjointBackward(Rollout& r,
                                        const std::vector<Eigen::MatrixXd>& observationGrad,
                                        double* gradient) const {
    const Offsets o = offsets();
    const nn::Index d = config_.latentDim;
    const long steps = r.steps();
    std::vector<bool> landing(std::size_t(steps + 1), false);
    for (long k : r.stepAt) landing[std::size_t(k)] = true;
    Eigen::MatrixXd a = Eigen::MatrixXd::Zero(d, r.paths), z = r.Z.back(), f, F, G;
    if (observationGrad.back().size()) a += observationGrad.back();
    for (long k = steps - 1; k >= 0; --k) {
        // One Euler step of [z, a, g]' = [F, -a^T dF/dz, -a^T dF/dtheta] from t_{k+1} back to t_k.
        const double h = r.h(k);
        fields(r, z, k + 1, f, F, G);
        const Eigen::MatrixXd inputGrad =
            drift_.backward(h * a, r.driftWs, gradient + o.drift, true);
        z -= h * F;
        a += inputGrad.topRows(d);
        if (landing[std::size_t(k)]) {
            z = r.Z[std::size_t(k)];  // the forward pass's state at an observation
            if (observationGrad[std::size_t(k)].size()) a += observationGrad[std::size_t(k)];
        }
    }
    const Eigen::VectorXd z0Grad = a.rowwise().sum();
    encodeBackward(z0Grad, r.encoderWs, gradient);
}

}  // namespace driftlab::core::models
