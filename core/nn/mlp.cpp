#include "core/nn/mlp.h"

#include <nlohmann/json.hpp>

#include "core/common/error.h"
#include "core/common/random.h"
#include "core/nn/activation.h"
#include "core/nn/serialization.h"

namespace driftlab::core::nn {

namespace {

void validate(const MlpConfig& config) {
    if (config.inputDim <= 0 || config.outputDim <= 0)
        throw ConfigError("MLP: input and output dimensions must be positive");
    for (Index width : config.hiddenWidths)
        if (width <= 0) throw ConfigError("MLP: every hidden width must be positive");
    const std::size_t hidden = config.hiddenWidths.size();
    const std::size_t given = config.hiddenActivations.size();
    if (hidden > 0 && given != 1 && given != hidden)
        throw ConfigError("MLP: " + std::to_string(given) + " hidden activations given for " +
                          std::to_string(hidden) + " hidden layers (give one, or one each)");
    if (!(config.outputScale != 0.0))
        throw ConfigError("MLP: output scale must be a non-zero number");
}

Activation hiddenActivation(const MlpConfig& config, std::size_t layer) {
    if (config.hiddenActivations.empty()) return Activation::Tanh;
    return config.hiddenActivations.size() == 1 ? config.hiddenActivations.front()
                                                : config.hiddenActivations[layer];
}

}  // namespace

std::string mlpArchitecture(const MlpConfig& config) {
    nlohmann::json j;
    j["type"] = "mlp";
    j["input"] = config.inputDim;
    j["hidden"] = config.hiddenWidths;
    j["output"] = config.outputDim;
    auto activations = nlohmann::json::array();
    for (std::size_t i = 0; i < config.hiddenWidths.size(); ++i)
        activations.push_back(activationName(hiddenActivation(config, i)));
    j["activations"] = activations;
    j["output_activation"] = activationName(config.outputActivation);
    j["output_scale"] = config.outputScale;
    const auto& e = config.timeEmbedding;
    nlohmann::json embedding{{"kind", timeEmbeddingKindName(e.kind)}};
    if (e.kind != TimeEmbeddingConfig::Kind::None) embedding["dim"] = e.dim;
    if (e.kind == TimeEmbeddingConfig::Kind::Sinusoidal) embedding["max_period"] = e.maxPeriod;
    if (e.kind == TimeEmbeddingConfig::Kind::Fourier) {
        embedding["scale"] = e.scale;
        embedding["seed"] = e.seed;
    }
    j["time_embedding"] = embedding;
    return j.dump();  // keys sorted (std::map), so equal architectures give equal text
}

MlpConfig mlpConfigFromArchitecture(const std::string& architecture) {
    try {
        const auto j = nlohmann::json::parse(architecture);
        if (j.at("type") != "mlp") throw ConfigError("not an MLP architecture: " + architecture);
        MlpConfig c;
        c.inputDim = j.at("input").get<Index>();
        c.hiddenWidths = j.at("hidden").get<std::vector<Index>>();
        c.outputDim = j.at("output").get<Index>();
        c.hiddenActivations.clear();
        for (const auto& name : j.at("activations"))
            c.hiddenActivations.push_back(activationFromName(name.get<std::string>()));
        if (c.hiddenActivations.empty()) c.hiddenActivations.push_back(Activation::Tanh);
        c.outputActivation = activationFromName(j.at("output_activation").get<std::string>());
        c.outputScale = j.at("output_scale").get<double>();
        const auto& e = j.at("time_embedding");
        const auto kind = e.at("kind").get<std::string>();
        using Kind = TimeEmbeddingConfig::Kind;
        if (kind == "sinusoidal") {
            c.timeEmbedding.kind = Kind::Sinusoidal;
            c.timeEmbedding.maxPeriod = e.at("max_period").get<double>();
        } else if (kind == "fourier") {
            c.timeEmbedding.kind = Kind::Fourier;
            c.timeEmbedding.scale = e.at("scale").get<double>();
            c.timeEmbedding.seed = e.at("seed").get<std::uint64_t>();
        } else if (kind != "none") {
            throw ConfigError("unknown time embedding \"" + kind + "\"");
        }
        if (kind != "none") c.timeEmbedding.dim = e.at("dim").get<Index>();
        validate(c);
        return c;
    } catch (const nlohmann::json::exception& error) {
        throw ConfigError("malformed MLP architecture (" + std::string(error.what()) +
                          "): " + architecture);
    }
}

template <typename Scalar>
Mlp<Scalar>::Mlp(const MlpConfig& config) : config_(config), embedding_(config.timeEmbedding) {
    validate(config_);
    Index fanIn = config_.inputDim + embedding_.dim();
    Index offset = 0;
    const std::size_t hidden = config_.hiddenWidths.size();
    layers_.reserve(hidden + 1);
    for (std::size_t i = 0; i <= hidden; ++i) {
        const bool last = i == hidden;
        const Index fanOut = last ? config_.outputDim : config_.hiddenWidths[i];
        const Activation act = last ? config_.outputActivation : hiddenActivation(config_, i);
        layers_.emplace_back(fanIn, fanOut, act, offset);
        offset += layers_.back().parameterCount();
        fanIn = fanOut;
    }
    parameters_ = VectorType::Zero(offset);
    gradient_ = VectorType::Zero(offset);
    initialize(config_.seed);
}

template <typename Scalar>
void Mlp<Scalar>::initialize(std::uint64_t seed) {
    for (std::size_t i = 0; i < layers_.size(); ++i) {
        // One stream per layer: widening one layer does not reshuffle the others.
        RandomStream random(seed, i);
        layers_[i].initialize(parameters_.data(), random, config_.init);
    }
}

template <typename Scalar>
void Mlp<Scalar>::checkInput(const MatrixCRef<Scalar>& x, bool withTime) const {
    if (x.rows() != config_.inputDim)
        throw Error("MLP expects inputs with " + std::to_string(config_.inputDim) +
                    " rows (one column per sample), got " + std::to_string(x.rows()));
    if (withTime != embedding_.enabled())
        throw Error(withTime ? "MLP has no time embedding but was given a time"
                             : "MLP has a time embedding but was called without a time");
}

template <typename Scalar>
auto Mlp<Scalar>::forward(const MatrixCRef<Scalar>& x, MlpWorkspace<Scalar>& ws) const
    -> const MatrixType& {
    checkInput(x, false);
    ws.input.resize(x.rows(), x.cols());
    ws.input = x;
    return runLayers(ws);
}

template <typename Scalar>
auto Mlp<Scalar>::forward(const MatrixCRef<Scalar>& x, const Eigen::Ref<const RowVector<Scalar>>& t,
                          MlpWorkspace<Scalar>& ws) const -> const MatrixType& {
    checkInput(x, true);
    if (t.cols() != x.cols())
        throw Error("MLP: " + std::to_string(t.cols()) + " times given for " +
                    std::to_string(x.cols()) + " samples");
    ws.input.resize(x.rows() + embedding_.dim(), x.cols());
    ws.input.topRows(x.rows()) = x;
    embedding_.embed(t, ws.input.bottomRows(embedding_.dim()));
    return runLayers(ws);
}

template <typename Scalar>
auto Mlp<Scalar>::forward(const MatrixCRef<Scalar>& x, Scalar t, MlpWorkspace<Scalar>& ws) const
    -> const MatrixType& {
    checkInput(x, true);
    ws.input.resize(x.rows() + embedding_.dim(), x.cols());
    ws.input.topRows(x.rows()) = x;
    embedding_.embed(t, ws.input.bottomRows(embedding_.dim()));
    return runLayers(ws);
}

template <typename Scalar>
auto Mlp<Scalar>::runLayers(MlpWorkspace<Scalar>& ws) const -> const MatrixType& {
    const std::size_t n = layers_.size();
    ws.z.resize(n);
    ws.a.resize(n);
    auto& gemm = (ws.scratch ? *ws.scratch : ws).gemm;
    gemm.resize(n);
    for (std::size_t i = 0; i < n; ++i)
        layers_[i].forward(parameters_.data(), i == 0 ? ws.input : ws.a[i - 1], ws.z[i], ws.a[i],
                           gemm[i]);
    if (config_.outputScale == 1.0) return ws.a.back();
    ws.output.resize(ws.a.back().rows(), ws.a.back().cols());
    ws.output.noalias() = static_cast<Scalar>(config_.outputScale) * ws.a.back();
    return ws.output;
}

template <typename Scalar>
auto Mlp<Scalar>::backward(const MatrixCRef<Scalar>& outputGrad, MlpWorkspace<Scalar>& ws,
                           Scalar* gradient, bool wantInputGrad) const -> const MatrixType& {
    const std::size_t n = layers_.size();
    if (ws.a.size() != n || outputGrad.rows() != config_.outputDim ||
        outputGrad.cols() != ws.input.cols())
        throw Error("MLP backward: output gradient is " + std::to_string(outputGrad.rows()) +
                    " x " + std::to_string(outputGrad.cols()) +
                    ", which does not match the last forward pass");
    MlpWorkspace<Scalar>& scratch = ws.scratch ? *ws.scratch : ws;
    auto& gemm = scratch.gemm;
    auto& g = scratch.g;
    g.resize(n);
    g[n - 1].resize(outputGrad.rows(), outputGrad.cols());
    g[n - 1].noalias() = static_cast<Scalar>(config_.outputScale) * outputGrad;
    for (std::size_t i = n; i-- > 1;)
        layers_[i].backward(parameters_.data(), ws.a[i - 1], ws.z[i], ws.a[i], g[i], gradient,
                            &g[i - 1], gemm[i]);
    if (!wantInputGrad) {
        layers_[0].backward(parameters_.data(), ws.input, ws.z[0], ws.a[0], g[0], gradient, nullptr,
                            gemm[0]);
        scratch.inputGrad.resize(0, 0);
        return scratch.inputGrad;
    }
    if (!embedding_.enabled()) {
        layers_[0].backward(parameters_.data(), ws.input, ws.z[0], ws.a[0], g[0], gradient,
                            &scratch.inputGrad, gemm[0]);
        return scratch.inputGrad;
    }
    layers_[0].backward(parameters_.data(), ws.input, ws.z[0], ws.a[0], g[0], gradient,
                        &scratch.fullInputGrad, gemm[0]);
    const Index d = config_.inputDim, e = embedding_.dim();
    scratch.inputGrad.resize(d, ws.input.cols());
    scratch.inputGrad = scratch.fullInputGrad.topRows(d);
    embedding_.timeVjp(ws.input.bottomRows(e), scratch.fullInputGrad.bottomRows(e),
                       scratch.timeGrad);
    return scratch.inputGrad;
}

template <typename Scalar>
void Mlp<Scalar>::save(const std::string& path) const {
    saveParameters<Scalar>(path, architecture(), parameters_);
}

template <typename Scalar>
void Mlp<Scalar>::load(const std::string& path) {
    parameters_ = loadParameters<Scalar>(path, architecture());
}

template class Mlp<double>;
template class Mlp<float>;

}  // namespace driftlab::core::nn
