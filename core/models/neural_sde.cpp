#include "core/models/neural_sde.h"

#include "core/common/error.h"

namespace driftlab::core::models {

NeuralSdeConfig makeNeuralSdeConfig(Index dim, std::vector<Index> driftWidths,
                                    std::vector<Index> diffusionWidths, double diffusionScale,
                                    std::uint64_t seed) {
    NeuralSdeConfig config;
    config.drift.inputDim = dim;
    config.drift.outputDim = dim;
    config.drift.hiddenWidths = std::move(driftWidths);
    config.drift.hiddenActivations = {nn::Activation::Tanh};
    config.drift.seed = seed;
    config.diffusion.inputDim = dim;
    config.diffusion.outputDim = dim;
    config.diffusion.hiddenWidths = std::move(diffusionWidths);
    config.diffusion.hiddenActivations = {nn::Activation::Tanh};
    config.diffusion.outputActivation = nn::Activation::Sigmoid;
    config.diffusion.outputScale = diffusionScale;
    // Different seeds, or two networks of the same shape would start identical.
    config.diffusion.seed = seed ^ 0x9E3779B97F4A7C15ull;
    return config;
}

NeuralSdeConfig makeGeneralNoiseSdeConfig(Index dim, Index brownianDim,
                                          std::vector<Index> driftWidths,
                                          std::vector<Index> diffusionWidths, double diffusionScale,
                                          std::uint64_t seed) {
    NeuralSdeConfig config = makeNeuralSdeConfig(dim, std::move(driftWidths),
                                                 std::move(diffusionWidths), diffusionScale, seed);
    config.noise = NoiseType::General;
    config.brownianDim = brownianDim;
    config.diffusion.outputDim = dim * brownianDim;
    return config;
}

namespace {
void checkShapes(const NeuralSdeConfig& config) {
    const auto& f = config.drift;
    const auto& g = config.diffusion;
    const auto shapes = [&] {
        return "(drift " + std::to_string(f.inputDim) + " -> " + std::to_string(f.outputDim) +
               ", diffusion " + std::to_string(g.inputDim) + " -> " + std::to_string(g.outputDim) +
               ")";
    };
    if (f.inputDim != f.outputDim || g.inputDim != f.inputDim)
        throw ConfigError(
            "neural SDE: the drift network must map dim -> dim and the diffusion "
            "network must read dim inputs " +
            shapes());
    if (config.noise == NoiseType::Diagonal) {
        if (config.brownianDim != 0 && config.brownianDim != f.inputDim)
            throw ConfigError(
                "neural SDE: diagonal noise is driven by dim = " + std::to_string(f.inputDim) +
                " Brownian motions; brownianDim = " + std::to_string(config.brownianDim) +
                " needs general noise");
        if (g.outputDim != f.inputDim)
            throw ConfigError(
                "neural SDE: with diagonal noise the diffusion network must map "
                "dim -> dim " +
                shapes());
        return;
    }
    if (config.noise != NoiseType::General)
        throw ConfigError("neural SDE: noise must be diagonal or general, not " +
                          toString(config.noise));
    if (config.brownianDim < 1)
        throw ConfigError(
            "neural SDE: general noise needs at least one Brownian motion "
            "(brownianDim = " +
            std::to_string(config.brownianDim) + ")");
    if (g.outputDim != f.inputDim * config.brownianDim)
        throw ConfigError("neural SDE: with general noise of " +
                          std::to_string(config.brownianDim) +
                          " Brownian motions the diffusion network must output dim * m = " +
                          std::to_string(f.inputDim * config.brownianDim) + " values " + shapes());
}

template <typename Scalar>
const Matrix<Scalar>& evaluate(const nn::Mlp<Scalar>& net, Scalar t, const MatrixCRef<Scalar>& y,
                               nn::MlpWorkspace<Scalar>& ws) {
    return net.timeEmbedding().enabled() ? net.forward(y, t, ws) : net.forward(y, ws);
}

template <typename Scalar>
void vjp(const nn::Mlp<Scalar>& net, const MatrixCRef<Scalar>& cotangent,
         nn::MlpWorkspace<Scalar>& ws, Scalar* gradient, Matrix<Scalar>* stateGrad) {
    const auto& dx = net.backward(cotangent, ws, gradient, stateGrad != nullptr);
    if (stateGrad) *stateGrad += dx;
}
}  // namespace

template <typename Scalar>
NeuralSde<Scalar>::NeuralSde(const NeuralSdeConfig& config)
    : config_((checkShapes(config), config)), drift_(config.drift), diffusion_(config.diffusion) {}

template <typename Scalar>
Vector<Scalar> NeuralSde<Scalar>::parameters() const {
    Vector<Scalar> theta(parameterCount());
    theta << drift_.parameters(), diffusion_.parameters();
    return theta;
}

template <typename Scalar>
void NeuralSde<Scalar>::setParameters(const nn::VectorCRef<Scalar>& theta) {
    if (theta.size() != parameterCount())
        throw Error("neural SDE: " + std::to_string(theta.size()) + " parameters given, " +
                    std::to_string(parameterCount()) + " expected");
    drift_.parameters() = theta.head(drift_.parameterCount());
    diffusion_.parameters() = theta.tail(diffusion_.parameterCount());
}

template <typename Scalar>
const Matrix<Scalar>& NeuralSde<Scalar>::drift(Scalar t, const MatrixCRef<Scalar>& y,
                                               NeuralSdeWorkspace<Scalar>& ws) const {
    return evaluate(drift_, t, y, ws.drift);
}

template <typename Scalar>
const Matrix<Scalar>& NeuralSde<Scalar>::diffusion(Scalar t, const MatrixCRef<Scalar>& y,
                                                   NeuralSdeWorkspace<Scalar>& ws) const {
    return evaluate(diffusion_, t, y, ws.diffusion);
}

template <typename Scalar>
void NeuralSde<Scalar>::driftVjp(const MatrixCRef<Scalar>& cotangent,
                                 NeuralSdeWorkspace<Scalar>& ws, Scalar* gradient,
                                 Matrix<Scalar>* stateGrad) const {
    vjp(drift_, cotangent, ws.drift, gradient, stateGrad);
}

template <typename Scalar>
void NeuralSde<Scalar>::diffusionVjp(const MatrixCRef<Scalar>& cotangent,
                                     NeuralSdeWorkspace<Scalar>& ws, Scalar* gradient,
                                     Matrix<Scalar>* stateGrad) const {
    vjp(diffusion_, cotangent, ws.diffusion,
        gradient ? gradient + drift_.parameterCount() : nullptr, stateGrad);
}

template <typename Scalar>
std::unique_ptr<DifferentiableSdeWorkspace> NeuralSde<Scalar>::makeWorkspace() const {
    return std::make_unique<NeuralSdeWorkspace<Scalar>>();
}

template <typename Scalar>
void NeuralSde<Scalar>::shareScratch(Workspace& slot, Workspace& owner) const {
    own(slot).drift.scratch = &own(owner).drift;
    own(slot).diffusion.scratch = &own(owner).diffusion;
}

namespace {
class NeuralSdeWorker : public SdeWorker {
public:
    explicit NeuralSdeWorker(const NeuralSde<double>& model) : model_(model) {}
    void drift(double t, const Eigen::Ref<const Eigen::MatrixXd>& y,
               Eigen::Ref<Eigen::MatrixXd> out) override {
        out = model_.drift(t, y, ws_);
    }
    void diffusion(double t, const Eigen::Ref<const Eigen::MatrixXd>& y,
                   Eigen::Ref<Eigen::MatrixXd> out) override {
        out = model_.diffusion(t, y, ws_);
    }

protected:
    const NeuralSde<double>& model_;
    NeuralSdeWorkspace<double> ws_;
};

// General noise: the steppers see matrixNoiseColumns() > 0 and ask diffusionMatrix() only;
// the diagonal form would hand dim*m rows to a dim-row output.
class NeuralSdeMatrixWorker final : public NeuralSdeWorker {
public:
    using NeuralSdeWorker::NeuralSdeWorker;
    void diffusion(double, const Eigen::Ref<const Eigen::MatrixXd>&,
                   Eigen::Ref<Eigen::MatrixXd>) override {
        throw SolverError(
            "neural SDE: the noise is general (a dim x m matrix), it has no "
            "diagonal form; use diffusionMatrix()");
    }
    int matrixNoiseColumns() const override { return static_cast<int>(model_.brownianDimension()); }
    void diffusionMatrix(double t, const Eigen::Ref<const Eigen::MatrixXd>& y,
                         Eigen::Ref<Eigen::MatrixXd> out) override {
        out = model_.diffusion(t, y, ws_);
    }
};
}  // namespace

std::unique_ptr<SdeWorker> NeuralSdeSystem::makeWorker() const {
    if (model_.hasGeneralNoise()) return std::make_unique<NeuralSdeMatrixWorker>(model_);
    return std::make_unique<NeuralSdeWorker>(model_);
}

template class NeuralSde<double>;
template class NeuralSde<float>;

}  // namespace driftlab::core::models
