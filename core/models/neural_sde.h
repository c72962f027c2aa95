#pragma once
// Neural SDE dY = f_theta(t, Y) dt + g_theta(t, Y) o dW: two MLPs, one flat parameter vector
// theta = [theta_f; theta_g]. The noise is diagonal (g is a dim-vector, dim Brownian motions)
// or general (g is a dim x m matrix driving m Brownian motions; the diffusion net outputs its
// dim*m entries column-major, the layout of SdeWorker::diffusionMatrix). The model itself is
// precision-templated and works on batches (dim x n, one GEMM per layer); NeuralSdeSystem
// adapts the float64 model to SdeSystem so simulate() and every stepper can run it, and the
// model itself is the DifferentiableSde the gradient solvers (sde_backprop.h) solve.
//
// Time input is whatever the MLP configs say: with a time embedding the networks see t, and
// without one they are autonomous. Gradients with respect to t are never needed (the solve
// grid is fixed), so they are not formed.
#include <memory>

#include "core/nn/mlp.h"
#include "core/solvers/differentiable_sde.h"
#include "core/solvers/sde_system.h"

namespace driftlab::core::models {

using core::NoiseType;
using nn::Index;
using nn::Matrix;
using nn::MatrixCRef;
using nn::Vector;

struct NeuralSdeConfig {
    nn::MlpConfig drift;      // dim -> ... -> dim
    nn::MlpConfig diffusion;  // dim -> ... -> dim (general: dim*m), usually sigmoid x scale
    NoiseType noise = NoiseType::Diagonal;  // Diagonal or General
    Index brownianDim = 0;  // General: m >= 1; diagonal: 0 or dim (it is dim either way)
};

// The W1/W2 shape: tanh drift dim -> widths -> dim, diffusion dim -> widths -> dim with
// sigmoid output times diffusionScale (keeps g in (0, scale)).
NeuralSdeConfig makeNeuralSdeConfig(Index dim, std::vector<Index> driftWidths,
                                    std::vector<Index> diffusionWidths, double diffusionScale,
                                    std::uint64_t seed);

// The same networks with general noise: the diffusion net maps dim -> dim*brownianDim.
NeuralSdeConfig makeGeneralNoiseSdeConfig(Index dim, Index brownianDim,
                                          std::vector<Index> driftWidths,
                                          std::vector<Index> diffusionWidths, double diffusionScale,
                                          std::uint64_t seed);

// What one thread needs for one evaluation of each network (activations kept for the VJP).
template <typename Scalar>
struct NeuralSdeWorkspace final : DifferentiableSdeWorkspace {
    nn::MlpWorkspace<Scalar> drift, diffusion;
};

template <typename Scalar>
class NeuralSde final : public DifferentiableSde<Scalar> {
public:
    using Workspace = DifferentiableSdeWorkspace;

    explicit NeuralSde(const NeuralSdeConfig& config);

    Index dimension() const override { return drift_.inputDim(); }
    NoiseType noiseType() const { return config_.noise; }
    bool hasGeneralNoise() const override { return config_.noise == NoiseType::General; }
    // Independent Brownian motions: rows of each increment dW.
    Index brownianDimension() const override {
        return hasGeneralNoise() ? config_.brownianDim : dimension();
    }
    Index parameterCount() const override {
        return drift_.parameterCount() + diffusion_.parameterCount();
    }
    Index driftParameterCount() const { return drift_.parameterCount(); }
    const nn::Mlp<Scalar>& driftNet() const { return drift_; }
    const nn::Mlp<Scalar>& diffusionNet() const { return diffusion_; }
    nn::Mlp<Scalar>& driftNet() { return drift_; }
    nn::Mlp<Scalar>& diffusionNet() { return diffusion_; }

    Vector<Scalar> parameters() const;
    void setParameters(const nn::VectorCRef<Scalar>& theta);

    // f(t, y) and g(t, y) for a batch (diagonals, or dim*m column-major matrices); the result lives
    // in ws until its next call.
    const Matrix<Scalar>& drift(Scalar t, const MatrixCRef<Scalar>& y,
                                NeuralSdeWorkspace<Scalar>& ws) const;
    const Matrix<Scalar>& diffusion(Scalar t, const MatrixCRef<Scalar>& y,
                                    NeuralSdeWorkspace<Scalar>& ws) const;

    // VJPs through the last drift/diffusion call made with ws: dL/dtheta is added into
    // gradient (size parameterCount(); the model puts each network at its own offset), and
    // dL/dy is added into stateGrad when it is non-null.
    void driftVjp(const MatrixCRef<Scalar>& cotangent, NeuralSdeWorkspace<Scalar>& ws,
                  Scalar* gradient, Matrix<Scalar>* stateGrad) const;
    void diffusionVjp(const MatrixCRef<Scalar>& cotangent, NeuralSdeWorkspace<Scalar>& ws,
                      Scalar* gradient, Matrix<Scalar>* stateGrad) const;

    // DifferentiableSde: the same calls on a workspace made by makeWorkspace().
    std::unique_ptr<Workspace> makeWorkspace() const override;
    void shareScratch(Workspace& slot, Workspace& owner) const override;
    const Matrix<Scalar>& drift(Scalar t, const MatrixCRef<Scalar>& y,
                                Workspace& ws) const override {
        return drift(t, y, own(ws));
    }
    const Matrix<Scalar>& diffusion(Scalar t, const MatrixCRef<Scalar>& y,
                                    Workspace& ws) const override {
        return diffusion(t, y, own(ws));
    }
    void driftVjp(const MatrixCRef<Scalar>& cotangent, Workspace& ws, Scalar* gradient,
                  Matrix<Scalar>* stateGrad) const override {
        driftVjp(cotangent, own(ws), gradient, stateGrad);
    }
    void diffusionVjp(const MatrixCRef<Scalar>& cotangent, Workspace& ws, Scalar* gradient,
                      Matrix<Scalar>* stateGrad) const override {
        diffusionVjp(cotangent, own(ws), gradient, stateGrad);
    }

    template <typename Other>
    NeuralSde<Other> cast() const {
        NeuralSde<Other> other(config_);
        other.setParameters(parameters().template cast<Other>());
        return other;
    }

private:
    // Every workspace a solver hands back was made by makeWorkspace().
    static NeuralSdeWorkspace<Scalar>& own(Workspace& ws) {
        return static_cast<NeuralSdeWorkspace<Scalar>&>(ws);
    }

    NeuralSdeConfig config_;
    nn::Mlp<Scalar> drift_;
    nn::Mlp<Scalar> diffusion_;
};

// SdeSystem view of a float64 NeuralSde (which must outlive it). Each worker owns its
// workspaces, so threads that split the paths never share activations. The noise never
// commutes as far as anyone can tell: a diagonal net's g_i reads every component, and
// nothing makes a general net's columns commute, so Milstein and SRIW1 refuse it.
class NeuralSdeSystem final : public SdeSystem {
public:
    explicit NeuralSdeSystem(const NeuralSde<double>& model) : model_(model) {}
    int dimension() const override { return static_cast<int>(model_.dimension()); }
    NoiseType noiseType() const override { return model_.noiseType(); }
    bool isDeterministic() const override { return false; }
    std::unique_ptr<SdeWorker> makeWorker() const override;
    int brownianDimension() const override { return static_cast<int>(model_.brownianDimension()); }
    bool hasCommutativeNoise() const override { return false; }

private:
    const NeuralSde<double>& model_;
};

extern template class NeuralSde<double>;
extern template class NeuralSde<float>;

}  // namespace driftlab::core::models
