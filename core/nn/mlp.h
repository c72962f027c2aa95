#pragma once
// Multilayer perceptron over one contiguous parameter vector:
//   y = outputScale * act_out(W_L ... act_1(W_1 [x; emb(t)] + b_1) ... + b_L)
// Forward and backward work on whole batches (dim x batch, one GEMM per layer). What a pass
// needs is kept in an MlpWorkspace; a const Mlp with one workspace per thread can be shared
// by threads that split the paths between them. The Mlp also carries a workspace and a
// gradient vector of its own for single-threaded use.
#include <cstdint>
#include <string>
#include <vector>

#include "core/nn/dense.h"
#include "core/nn/time_embedding.h"
#include "core/nn/types.h"

namespace driftlab::core::nn {

struct MlpConfig {
    Index inputDim = 1;
    std::vector<Index> hiddenWidths;
    Index outputDim = 1;
    // One per hidden layer, or a single entry used for all of them.
    std::vector<Activation> hiddenActivations{Activation::Tanh};
    Activation outputActivation = Activation::Identity;
    // E.g. sigmoid output with scale 0.5 keeps a diffusion coefficient in (0, 0.5).
    double outputScale = 1.0;
    TimeEmbeddingConfig timeEmbedding;
    Init init = Init::Auto;
    std::uint64_t seed = 0;  // initial weights only; not part of the architecture
};

// The architecture as canonical JSON text: what a parameter file must match to be loaded.
std::string mlpArchitecture(const MlpConfig& config);
// Inverse of mlpArchitecture (seed and init are left at their defaults); throws ConfigError.
MlpConfig mlpConfigFromArchitecture(const std::string& architecture);

template <typename Scalar>
struct MlpWorkspace {
    Matrix<Scalar> input;                   // [x; emb(t)], kept for the first layer's backward
    std::vector<Matrix<Scalar>> z, a;       // per layer, before and after the activation
    std::vector<Matrix<Scalar>> g;          // per layer, dL/da then dL/dz during backward
    Matrix<Scalar> output;                  // scaled output (used only when outputScale != 1)
    Matrix<Scalar> fullInputGrad;           // dL/d[x; emb] (only with a time embedding)
    Matrix<Scalar> inputGrad;               // dL/dx
    RowVector<Scalar> timeGrad;             // dL/dt per sample (only with a time embedding)
    std::vector<GemmBuffers<Scalar>> gemm;  // per layer
    // When set, the packing buffers and the backward pass's scratch (g, inputGrad,
    // fullInputGrad, timeGrad) are that workspace's, and this one keeps only what a
    // backward pass must find from its forward pass (input, z, a). A tape of one workspace
    // per time step then shares one warm set of scratch instead of touching fresh memory
    // at every step.
    MlpWorkspace* scratch = nullptr;
};

template <typename Scalar>
class Mlp {
public:
    using MatrixType = Matrix<Scalar>;
    using VectorType = Vector<Scalar>;

    // Validates the config (ConfigError) and initialises the weights from config.seed.
    explicit Mlp(const MlpConfig& config);

    const MlpConfig& config() const { return config_; }
    std::string architecture() const { return mlpArchitecture(config_); }
    Index inputDim() const { return config_.inputDim; }
    Index outputDim() const { return config_.outputDim; }
    Index parameterCount() const { return parameters_.size(); }
    const std::vector<Dense<Scalar>>& layers() const { return layers_; }
    const TimeEmbedding<Scalar>& timeEmbedding() const { return embedding_; }

    VectorType& parameters() { return parameters_; }
    const VectorType& parameters() const { return parameters_; }
    VectorType& gradient() { return gradient_; }
    const VectorType& gradient() const { return gradient_; }
    void zeroGradient() { gradient_.setZero(); }
    void initialize(std::uint64_t seed);

    // Forward passes; x is inputDim x batch. The returned reference lives in ws until its
    // next forward. Calling a time-taking overload on a model without an embedding (or the
    // reverse) throws driftlab::Error.
    const MatrixType& forward(const MatrixCRef<Scalar>& x, MlpWorkspace<Scalar>& ws) const;
    const MatrixType& forward(const MatrixCRef<Scalar>& x,
                              const Eigen::Ref<const RowVector<Scalar>>& t,
                              MlpWorkspace<Scalar>& ws) const;
    const MatrixType& forward(const MatrixCRef<Scalar>& x, Scalar t,
                              MlpWorkspace<Scalar>& ws) const;

    // Backward from dL/dy (outputDim x batch) through the last forward made with ws.
    // Adds dL/dtheta into gradient when non-null (size parameterCount()); returns dL/dx
    // (inputDim x batch) when wantInputGrad, else an empty matrix. With a time embedding,
    // ws.timeGrad then also holds dL/dt.
    const MatrixType& backward(const MatrixCRef<Scalar>& outputGrad, MlpWorkspace<Scalar>& ws,
                               Scalar* gradient, bool wantInputGrad = true) const;

    // The same with the model's own workspace and gradient vector.
    const MatrixType& forward(const MatrixCRef<Scalar>& x) { return forward(x, workspace_); }
    const MatrixType& forward(const MatrixCRef<Scalar>& x,
                              const Eigen::Ref<const RowVector<Scalar>>& t) {
        return forward(x, t, workspace_);
    }
    const MatrixType& forward(const MatrixCRef<Scalar>& x, Scalar t) {
        return forward(x, t, workspace_);
    }
    const MatrixType& backward(const MatrixCRef<Scalar>& outputGrad) {
        return backward(outputGrad, workspace_, gradient_.data(), true);
    }
    MlpWorkspace<Scalar>& workspace() { return workspace_; }

    // The same network in another precision (parameters rounded), e.g. a float32 twin of a
    // float64 model for throughput.
    template <typename Other>
    Mlp<Other> cast() const {
        Mlp<Other> other(config_);
        other.parameters() = parameters_.template cast<Other>();
        return other;
    }

    // Binary parameter file with the architecture in its header, written atomically. load
    // throws ConfigError when the file was saved for a different architecture.
    void save(const std::string& path) const;
    void load(const std::string& path);

private:
    void checkInput(const MatrixCRef<Scalar>& x, bool withTime) const;
    const MatrixType& runLayers(MlpWorkspace<Scalar>& ws) const;

    MlpConfig config_;
    TimeEmbedding<Scalar> embedding_;
    std::vector<Dense<Scalar>> layers_;
    VectorType parameters_;
    VectorType gradient_;
    MlpWorkspace<Scalar> workspace_;
};

extern template class Mlp<double>;
extern template class Mlp<float>;

}  // namespace driftlab::core::nn
