#include "core/models/stable_sde.h"

#include <cmath>
#include <omp.h>

#include "core/common/error.h"
#include "core/nn/optimizer.h"
#include "core/solvers/random.h"

namespace driftlab::core::models {

using timeseries::Mask;
using timeseries::Series;

namespace {

nn::MlpConfig encoderConfig(const StableSdeConfig& c) {
    nn::MlpConfig m;
    m.inputDim = c.encoderObservations * (2 * c.channels + 1);
    m.hiddenWidths = c.encoderWidths;
    m.outputDim = c.latentDim;
    m.seed = c.seed * 4 + 1;
    return m;
}

nn::MlpConfig driftConfig(const StableSdeConfig& c) {
    nn::MlpConfig m;
    m.inputDim = c.latentDim;
    m.hiddenWidths = c.driftWidths;
    m.outputDim = c.latentDim;
    if (c.driftSeesTime) {
        m.timeEmbedding.kind = nn::TimeEmbeddingConfig::Kind::Sinusoidal;
        m.timeEmbedding.dim = 8;
        m.timeEmbedding.maxPeriod = 100.0;
    }
    m.seed = c.seed * 4 + 2;
    return m;
}

nn::MlpConfig diffusionConfig(const StableSdeConfig& c) {
    nn::MlpConfig m;
    m.inputDim = 1;  // time only
    m.hiddenWidths = c.diffusionWidths;
    m.outputDim = c.latentDim;
    m.outputActivation = nn::Activation::Sigmoid;
    m.outputScale = c.diffusionScale;
    m.seed = c.seed * 4 + 3;
    return m;
}

nn::MlpConfig readoutConfig(const StableSdeConfig& c) {
    nn::MlpConfig m;
    m.inputDim = c.latentDim;
    m.outputDim = c.channels;
    m.seed = c.seed * 4 + 4;
    return m;
}

const StableSdeConfig& checked(const StableSdeConfig& c) {
    if (c.channels < 1 || c.latentDim < 1 || c.encoderObservations < 1)
        throw ConfigError("stable SDE: channels, latent dimension and encoder observations must be >= 1");
    if (!(c.dt > 0.0) || !(c.diffusionScale > 0.0))
        throw ConfigError("stable SDE: dt and diffusion scale must be positive");
    return c;
}

}  // namespace

std::string stableSdeName(StableSdeKind kind) {
    switch (kind) {
    case StableSdeKind::Langevin: return "lsde";
    case StableSdeKind::LinearNoise: return "lnsde";
    case StableSdeKind::Geometric: return "gsde";
    }
    return "?";
}

StableSdeKind stableSdeFromName(const std::string& name) {
    for (auto k : {StableSdeKind::Langevin, StableSdeKind::LinearNoise, StableSdeKind::Geometric})
        if (stableSdeName(k) == name) return k;
    throw ConfigError("unknown stable SDE class '" + name + "' (lsde, lnsde, gsde)");
}

StableSde::StableSde(const StableSdeConfig& config)
    : config_(checked(config)),
      encoder_(encoderConfig(config)),
      drift_(driftConfig(config)),
      diffusion_(diffusionConfig(config)),
      readout_(readoutConfig(config)) {}

nn::Index StableSde::parameterCount() const {
    return encoder_.parameterCount() + drift_.parameterCount() + diffusion_.parameterCount() +
           readout_.parameterCount();
}

Eigen::VectorXd StableSde::parameters() const {
    Eigen::VectorXd theta(parameterCount());
    theta << encoder_.parameters(), drift_.parameters(), diffusion_.parameters(),
        readout_.parameters();
    return theta;
}

void StableSde::setParameters(const Eigen::VectorXd& theta) {
    if (theta.size() != parameterCount())
        throw ConfigError("stable SDE: parameter vector has the wrong size");
    nn::Index at = 0;
    for (auto* net : {&encoder_, &drift_, &diffusion_, &readout_}) {
        net->parameters() = theta.segment(at, net->parameterCount());
        at += net->parameterCount();
    }
}

double StableSde::runSeries(const StableSdeItem& item, int paths, std::uint64_t noiseSeed,
                            std::uint64_t stream, double cellWeight, double* gradient,
                            Eigen::MatrixXd* prediction) const {
    const Series& s = *item.series;
    const Mask& context = *item.context;
    const nn::Index d = config_.latentDim, c = config_.channels, n = s.length(), P = paths;
    const double t0 = s.times.front();
    const auto kind = config_.kind;

    // Encoder features of the first context observations: values (0 where unseen), mask,
    // time since the series start; zero padding when there are fewer.
    Eigen::VectorXd features = Eigen::VectorXd::Zero(encoder_.inputDim());
    for (nn::Index j = 0, k = 0; j < n && k < config_.encoderObservations; ++j) {
        if (!context.col(j).any()) continue;
        const nn::Index base = k * (2 * c + 1);
        for (nn::Index ch = 0; ch < c; ++ch) {
            features(base + ch) = context(ch, j) ? s.values(ch, j) : 0.0;
            features(base + c + ch) = context(ch, j) ? 1.0 : 0.0;
        }
        features(base + 2 * c) = s.times[std::size_t(j)] - t0;
        ++k;
    }
    nn::MlpWorkspace<double> encWs, driftWs, diffWs, readWs;
    const Eigen::VectorXd z0 = encoder_.forward(features, encWs);

    // Grid: steps of at most dt landing on every observation time.
    std::vector<double> tau{0.0};
    std::vector<long> stepAt(std::size_t(n), 0);
    for (nn::Index j = 1; j < n; ++j) {
        const double a = s.times[std::size_t(j - 1)] - t0, b = s.times[std::size_t(j)] - t0;
        const auto sub = std::max(1L, static_cast<long>(std::ceil((b - a) / config_.dt - 1e-9)));
        for (long k = 1; k <= sub; ++k) tau.push_back(k == sub ? b : a + (b - a) * double(k) / double(sub));
        stepAt[std::size_t(j)] = static_cast<long>(tau.size()) - 1;
    }
    const long steps = static_cast<long>(tau.size()) - 1;

    Eigen::MatrixXd dW(d, P * std::max(1L, steps));
    RandomStream rng(noiseSeed, stream);
    const auto& zt = zigguratTables();
    for (long k = 0; k < steps; ++k) {
        const double sq = std::sqrt(tau[std::size_t(k + 1)] - tau[std::size_t(k)]);
        for (nn::Index i = 0; i < d * P; ++i) dW(i % d, k * P + i / d) = sq * rng.normal(zt);
    }
    // sigma(t) on the whole grid in one pass: it does not depend on the state.
    const Eigen::RowVectorXd tauRow = Eigen::Map<const Eigen::RowVectorXd>(tau.data(), steps + 1);
    const Eigen::MatrixXd sigma = diffusion_.forward(tauRow, diffWs);

    auto driftAt = [&](const Eigen::MatrixXd& z, long k) -> const Eigen::MatrixXd& {
        return config_.driftSeesTime ? drift_.forward(z, tau[std::size_t(k)], driftWs)
                                     : drift_.forward(z, driftWs);
    };

    std::vector<Eigen::MatrixXd> Z(std::size_t(steps + 1));
    Z[0] = z0.replicate(1, P);
    for (long k = 0; k < steps; ++k) {
        const double h = tau[std::size_t(k + 1)] - tau[std::size_t(k)];
        const Eigen::MatrixXd& z = Z[std::size_t(k)];
        const auto noise = dW.middleCols(k * P, P);
        const auto sig = sigma.col(k).asDiagonal();
        const Eigen::MatrixXd& f = driftAt(z, k);
        if (kind == StableSdeKind::Langevin)
            Z[std::size_t(k + 1)] = z + h * f + sig * noise;
        else if (kind == StableSdeKind::LinearNoise)
            Z[std::size_t(k + 1)] = z + h * f + sig * z.cwiseProduct(noise);
        else
            Z[std::size_t(k + 1)] = z + h * z.cwiseProduct(f) + sig * z.cwiseProduct(noise);
    }

    Eigen::MatrixXd zMean(d, n);
    for (nn::Index j = 0; j < n; ++j) zMean.col(j) = Z[std::size_t(stepAt[std::size_t(j)])].rowwise().mean();
    const Eigen::MatrixXd yhat = readout_.forward(zMean, readWs);
    if (prediction) *prediction = yhat;
    if (!item.target) return 0.0;

    double loss = 0.0;
    Eigen::MatrixXd yGrad = Eigen::MatrixXd::Zero(c, n);
    for (nn::Index j = 0; j < n; ++j)
        for (nn::Index ch = 0; ch < c; ++ch)
            if ((*item.target)(ch, j)) {
                const double e = yhat(ch, j) - s.values(ch, j);
                loss += cellWeight * e * e;
                yGrad(ch, j) = 2.0 * cellWeight * e;
            }
    if (!gradient) return loss;

    const nn::Index offDrift = encoder_.parameterCount();
    const nn::Index offDiff = offDrift + drift_.parameterCount();
    const nn::Index offRead = offDiff + diffusion_.parameterCount();
    const Eigen::MatrixXd zMeanGrad = readout_.backward(yGrad, readWs, gradient + offRead, true);

    Eigen::MatrixXd sigmaGrad = Eigen::MatrixXd::Zero(d, steps + 1);
    Eigen::MatrixXd A = Eigen::MatrixXd::Zero(d, P), f, zNext;
    const double invP = 1.0 / double(P);
    auto addObservations = [&](long k) {  // dL/dZ[k] from the readouts taken at step k
        for (nn::Index j = 0; j < n; ++j)
            if (stepAt[std::size_t(j)] == k) A.colwise() += invP * zMeanGrad.col(j);
    };
    addObservations(steps);
    for (long k = steps - 1; k >= 0; --k) {
        const double h = tau[std::size_t(k + 1)] - tau[std::size_t(k)];
        const Eigen::MatrixXd& z = Z[std::size_t(k)];
        const auto noise = dW.middleCols(k * P, P);
        const auto sig = sigma.col(k).asDiagonal();
        f = driftAt(z, k);  // recomputed: activations are not kept across steps
        const Eigen::MatrixXd aNoise = A.cwiseProduct(noise);
        Eigen::MatrixXd next = A;
        if (kind == StableSdeKind::Langevin) {
            sigmaGrad.col(k) += aNoise.rowwise().sum();
            next += drift_.backward(h * A, driftWs, gradient + offDrift, true);
        } else {
            sigmaGrad.col(k) += aNoise.cwiseProduct(z).rowwise().sum();
            next += sig * aNoise;
            if (kind == StableSdeKind::LinearNoise) {
                next += drift_.backward(h * A, driftWs, gradient + offDrift, true);
            } else {
                next += h * A.cwiseProduct(f);
                next += drift_.backward(h * A.cwiseProduct(z), driftWs, gradient + offDrift, true);
            }
        }
        A = std::move(next);
        addObservations(k);
    }
    diffusion_.backward(sigmaGrad, diffWs, gradient + offDiff, false);
    const Eigen::VectorXd z0Grad = A.rowwise().sum();
    encoder_.backward(z0Grad, encWs, gradient, false);
    return loss;
}

double StableSde::loss(const std::vector<StableSdeItem>& batch, int paths,
                       std::uint64_t noiseSeed, Eigen::VectorXd* gradient) const {
    if (paths < 1) throw ConfigError("stable SDE: need at least one sample path");
    double cells = 0.0;
    for (const auto& item : batch) {
        if (!item.series || !item.context || !item.target)
            throw ConfigError("stable SDE: batch item without series or masks");
        if (item.series->channels() != config_.channels)
            throw ConfigError("stable SDE: series has " + std::to_string(item.series->channels()) +
                              " channels, the model " + std::to_string(config_.channels));
        cells += double(item.target->count());
    }
    const double weight = cells > 0 ? 1.0 / cells : 0.0;
    const auto count = static_cast<long>(batch.size());
    std::vector<double> losses(batch.size(), 0.0);
    // Per item gradients summed in order afterwards: the result does not depend on threads.
    Eigen::MatrixXd grads;
    if (gradient) grads = Eigen::MatrixXd::Zero(parameterCount(), count);
    std::string failure;
#pragma omp parallel for schedule(dynamic)
    for (long b = 0; b < count; ++b) {
        try {
            losses[std::size_t(b)] = runSeries(batch[std::size_t(b)], paths, noiseSeed,
                                               std::uint64_t(b), weight,
                                               gradient ? grads.col(b).data() : nullptr, nullptr);
        } catch (const std::exception& e) {
#pragma omp critical
            failure = e.what();
        }
    }
    if (!failure.empty()) throw Error(failure);
    if (gradient) *gradient = grads.rowwise().sum();
    double total = 0.0;
    for (double l : losses) total += l;
    return total;
}

Eigen::MatrixXd StableSde::predictMean(const Series& series, const Mask& context, int paths,
                                       std::uint64_t noiseSeed) const {
    Eigen::MatrixXd prediction;
    runSeries({&series, &context, nullptr}, std::max(1, paths), noiseSeed, 0, 0.0, nullptr,
              &prediction);
    return prediction;
}

StableSdeTrainReport trainStableSde(StableSde& model, const timeseries::TimeSeriesDataset& data,
                                    const std::vector<std::size_t>& train,
                                    const StableSdeTrainOptions& o) {
    if (train.empty()) throw ConfigError("stable SDE training: no training series");
    if (o.iterations < 0 || o.batchSize < 1 || o.paths < 1 || !(o.learningRate > 0.0))
        throw ConfigError("stable SDE training: iterations >= 0, batch >= 1, paths >= 1, rate > 0");
    nn::AdamOptions adamOptions;
    adamOptions.learningRate = o.learningRate;
    nn::Adam<double> adam(adamOptions);
    StableSdeTrainReport report;
    Eigen::VectorXd theta = model.parameters(), grad;
    std::vector<StableSdeItem> batch;
    for (int it = 0; it < o.iterations; ++it) {
        RandomStream rng(o.seed, 0x7000000ull + std::uint64_t(it));
        batch.clear();
        const auto size = std::min<std::size_t>(std::size_t(o.batchSize), train.size());
        for (std::size_t b = 0; b < size; ++b) {
            const std::size_t i = size == train.size()
                                      ? train[b]
                                      : train[std::size_t(rng.uniform() * double(train.size()))];
            batch.push_back({&data[i], &data[i].observed, &data[i].observed});
        }
        const double loss = model.loss(batch, o.paths, o.seed * 1000003ull + std::uint64_t(it), &grad);
        const char* bad = !std::isfinite(loss) ? "loss" : !grad.allFinite() ? "gradient" : nullptr;
        if (bad) {
            report.diverged = true;
            report.message = "stable SDE training diverged at iteration " + std::to_string(it) +
                             ": the " + bad + " is not finite; the last finite parameters are kept";
            model.setParameters(theta);
            break;
        }
        report.loss.push_back(loss);
        nn::clipGradientNorm<double>(grad, o.gradientClip);
        adam.step(theta, grad);
        model.setParameters(theta);
    }
    return report;
}

double evaluateStableSde(const StableSde& model, const timeseries::TimeSeriesDataset& data,
                         const std::vector<timeseries::SeriesTask>& tasks,
                         const std::vector<std::size_t>& indices, int paths,
                         std::uint64_t noiseSeed) {
    std::vector<StableSdeItem> batch;
    for (std::size_t i : indices) batch.push_back({&data[i], &tasks[i].context, &tasks[i].target});
    return model.loss(batch, paths, noiseSeed, nullptr);
}

}  // namespace driftlab::core::models
