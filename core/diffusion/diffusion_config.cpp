#include "core/diffusion/diffusion_config.h"

#include "core/common/error.h"
#include "core/experiment/field_binding.h"
#include "core/experiment/training_schema.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <random>

namespace driftlab::core {

namespace {

using nlohmann::json;

std::vector<std::string> samplerIds() {
    using diffusion::SamplerKind;
    std::vector<std::string> ids;
    for (auto kind :
         {SamplerKind::ReverseSde, SamplerKind::PredictorCorrector, SamplerKind::ProbabilityFlow,
          SamplerKind::ProbabilityFlowAdaptive, SamplerKind::Ddim, SamplerKind::DpmSolver1,
          SamplerKind::DpmSolver2, SamplerKind::DpmSolver3, SamplerKind::DpmSolverPP2M})
        ids.push_back(diffusion::samplerName(kind));
    return ids;
}

[[noreturn]] void fail(const std::string& context, const std::string& message) {
    throw ConfigError(context + ": " + message);
}

// Modes spread over [-2, 2]^2 from the data seed, so "a mixture with k modes" is a
// reproducible shape the analytic score is known for.
diffusion::GaussianMixture2D randomMixture(int modes, double std, std::uint64_t seed) {
    std::mt19937_64 engine(seed ^ 0x9e3779b97f4a7c15ULL);
    std::uniform_real_distribution<double> position(-2.0, 2.0);
    diffusion::GaussianMixture2D mixture;
    for (int k = 0; k < modes; ++k) {
        const double x = position(engine);
        const double y = position(engine);
        mixture.means.emplace_back(x, y);
        mixture.stds.push_back(std);
        mixture.weights.push_back(1.0);
    }
    return mixture;
}

}  // namespace

const std::vector<std::string>& diffusionDatasetIds() {
    static const std::vector<std::string> ids = {
        "two_moons", "eight_gaussians", "checkerboard",    "two_spirals",
        "rings",     "swiss_roll",      "gaussian_mixture"};
    return ids;
}

const Schema& diffusionSchema() {
    static const Schema schema(
        "diffusion",
        concatFields(
            {{
                 choiceField(
                     "dataset", "Data set", "eight_gaussians", diffusionDatasetIds(),
                     "The 2-D point cloud the model learns; it is standardised to zero mean and "
                     "unit variance per coordinate before training."),
                 integerField(
                     "dataset_size", "Points", 4000, 10, 200000,
                     "Points drawn from the data set; a fifth is held out for the metrics."),
                 realField("noise", "Data noise", 0.05, 0.0, 1.0,
                           "Jitter of the data set (mode width for the Gaussians)."),
                 integerField(
                     "mixture_modes", "Mixture modes", 5, 1, 32,
                     "Components of the Gaussian mixture data set (placed from the seed)."),
                 seedField("seed", "Seed", 0,
                           "Seeds the data, the initial weights, the batches and the samplers."),
                 choiceField(
                     "process", "Forward process", "vp", {"vp", "sub_vp", "ve"},
                     "How data is noised: variance preserving, sub-VP (less noise at small t) or "
                     "variance exploding (Song et al. 2021)."),
                 realField("beta_min", "β min", 0.1, 0.0, 100.0,
                           "Noise rate at t = 0 (VP, sub-VP)."),
                 realField("beta_max", "β max", 20.0, 0.0, 1000.0,
                           "Noise rate at t = 1 (VP, sub-VP); must exceed β min."),
                 realField("sigma_min", "σ min", 0.01, 0.0, 100.0,
                           "Noise scale at t = 0 (VE); must be positive."),
                 realField("sigma_max", "σ max", 10.0, 0.0, 1000.0,
                           "Noise scale at t = 1 (VE); should exceed the data's spread."),
                 choiceField(
                     "prediction", "Network predicts", "noise", {"noise", "score"},
                     "Noise (ε) prediction is the DDPM choice and trains more evenly over t; "
                     "score prediction learns ∇ log p_t directly."),
                 choiceField(
                     "model", "Model", "score_sde", {"score_sde", "interpolant"},
                     "score_sde: a network learns the noise (score) of the forward process "
                     "above. interpolant: x_t = α(t)·noise + β(t)·data + γ(t)·z from noise (t = 0) "
                     "to data (t = 1); the network learns the velocity and the score, and samples "
                     "come from the interpolant ODE (or its SDE when ε > 0). The forward-process "
                     "keys and the sampler are then unused."),
                 choiceField("interpolant", "Interpolant", "linear", {"linear", "trigonometric"},
                             "α, β of the interpolant: linear (1 − t, t) or trigonometric "
                             "(cos πt/2, sin πt/2). Only with model = interpolant."),
                 realField(
                     "gamma", "γ scale", 0.0, 0.0, 2.0,
                     "a in γ(t) = a·sqrt(t(1 − t)), the latent noise of the interpolant; 0 is flow "
                     "matching. Only with model = interpolant."),
                 realField(
                     "epsilon", "SDE ε", 0.0, 0.0, 2.0,
                     "Diffusion coefficient ε of the interpolant SDE dX = (b + ε s) dt + "
                     "sqrt(2ε) dW; 0 samples by the ODE dX = b dt. Only with model = interpolant."),
             },
             networkFields({"", "hidden", "MLP", 128, 3, 4, 1024, ""}),
             {
                 integerField("embedding_dim", "Time embedding", 32, 2, 256,
                              "Sinusoidal features of t fed to the network with x (even)."),
                 iterationsField(3000, 1000000),
                 batchField(512, 65536, "Data points"),
                 learningRateField(1e-3, 1e-6, 1.0),
                 realField(
                     "ema_decay", "EMA decay", 0.999, 0.0, 0.99999,
                     "Decay of the moving average of the weights that sampling uses; longer runs "
                     "afford a longer average (0.999)."),
                 choiceField(
                     "sampler", "Sampler", "dpm_solver_2", samplerIds(),
                     "How noise is turned into samples: the reverse SDE, the probability-flow "
                     "ODE, DDIM, or the DPM-Solvers (few evaluations)."),
                 integerField(
                     "nfe", "NFE budget", 20, 1, 100000,
                     "Network evaluations the sampler may spend (adaptive Dopri5 ignores it); for "
                     "an "
                     "interpolant, the budget of its ODE (Heun, two a step) or SDE (one a step)."),
                 integerField("samples", "Samples", 2000, 1, 200000, "Points generated by Sample."),
             }}));
    return schema;
}

const std::vector<std::string>& diffusionModelKeys() {
    static const std::vector<std::string> keys = {"model", "interpolant", "gamma", "epsilon"};
    return keys;
}

diffusion::SamplerOptions interpolantOptionsForNfe(bool stochastic, int nfe, double epsilon,
                                                   std::uint64_t seed) {
    diffusion::SamplerOptions options;
    options.seed = seed;
    options.method = diffusion::FixedStepMethod::Heun;
    options.steps = std::max(1, stochastic ? nfe : nfe / 2);
    options.epsilon = epsilon;
    return options;
}

int minimumNfe(diffusion::SamplerKind kind) {
    using diffusion::SamplerKind;
    switch (kind) {
        case SamplerKind::DpmSolver2:
            return 2;
        case SamplerKind::DpmSolver3:
            return 3;
        case SamplerKind::PredictorCorrector:
        case SamplerKind::ProbabilityFlow:
            return 2;  // two evaluations per step
        default:
            return 1;
    }
}

diffusion::SamplerOptions samplerOptionsForNfe(diffusion::SamplerKind kind, int nfe,
                                               std::uint64_t seed) {
    using diffusion::SamplerKind;
    diffusion::SamplerOptions options;
    options.seed = seed;
    options.steps = std::max(1, nfe);
    if (kind == SamplerKind::PredictorCorrector || kind == SamplerKind::ProbabilityFlow)
        options.steps = std::max(1, nfe / 2);  // Heun / predictor + one corrector step
    if (kind == SamplerKind::ProbabilityFlowAdaptive) options.rtol = options.atol = 1e-3;
    return options;
}

namespace {

// A choice key's names for an enum, both ways.
template <class Enum>
struct ChoiceNames {
    std::vector<std::pair<Enum, std::string>> names;
    std::string operator()(Enum value) const {
        for (const auto& [e, name] : names)
            if (e == value) return name;
        return names.front().second;
    }
    Enum operator()(const std::string& name) const {
        for (const auto& [e, n] : names)
            if (n == name) return e;
        return names.front().first;  // unreachable: the schema validated the choice
    }
};

const FieldBindings<DiffusionConfig>& diffusionBindings() {
    using C = DiffusionConfig;
    namespace cd = diffusion;
    const auto toyName = [](cd::ToyDataset kind) { return cd::toyDatasetName(kind); };
    const auto toyFromName = [](const std::string& name) { return cd::toyDatasetFromName(name); };
    const auto samplerName = [](cd::SamplerKind kind) { return cd::samplerName(kind); };
    const auto samplerFromName = [](const std::string& name) { return cd::samplerFromName(name); };
    const ChoiceNames<cd::ProcessKind> process{{{cd::ProcessKind::VP, "vp"},
                                                {cd::ProcessKind::SubVP, "sub_vp"},
                                                {cd::ProcessKind::VE, "ve"}}};
    const ChoiceNames<cd::Prediction> prediction{
        {{cd::Prediction::Noise, "noise"}, {cd::Prediction::Score, "score"}}};
    const ChoiceNames<DiffusionModelFamily> model{
        {{DiffusionModelFamily::ScoreSde, "score_sde"},
         {DiffusionModelFamily::Interpolant, "interpolant"}}};
    const ChoiceNames<cd::InterpolantKind> interpolant{
        {{cd::InterpolantKind::Linear, "linear"},
         {cd::InterpolantKind::Trigonometric, "trigonometric"}}};
    static const FieldBindings<C> bindings(
        diffusionSchema(),
        {
            bindChoice<C>(
                "dataset", [](auto& c) -> auto& { return c.data.kind; }, toyName, toyFromName),
            bindMember<C>(
                "dataset_size", [](auto& c) -> auto& { return c.data.size; }),
            bindMember<C>(
                "noise", [](auto& c) -> auto& { return c.data.noise; }),
            bindMember<C>(
                "mixture_modes", [](auto& c) -> auto& { return c.mixtureModes; }),
            bindMember<C>(
                "seed", [](auto& c) -> auto& { return c.data.seed; }),
            bindChoice<C>(
                "process", [](auto& c) -> auto& { return c.process.kind; }, process, process),
            bindMember<C>(
                "beta_min", [](auto& c) -> auto& { return c.process.betaMin; }),
            bindMember<C>(
                "beta_max", [](auto& c) -> auto& { return c.process.betaMax; }),
            bindMember<C>(
                "sigma_min", [](auto& c) -> auto& { return c.process.sigmaMin; }),
            bindMember<C>(
                "sigma_max", [](auto& c) -> auto& { return c.process.sigmaMax; }),
            bindChoice<C>(
                "prediction", [](auto& c) -> auto& { return c.prediction; }, prediction,
                prediction),
            bindChoice<C>(
                "model", [](auto& c) -> auto& { return c.family; }, model, model),
            bindChoice<C>(
                "interpolant", [](auto& c) -> auto& { return c.interpolant.kind; }, interpolant,
                interpolant),
            bindMember<C>(
                "gamma", [](auto& c) -> auto& { return c.interpolant.gammaScale; }),
            bindMember<C>(
                "epsilon", [](auto& c) -> auto& { return c.epsilon; }),
            bindLayerWidth<C>(
                "width", [](auto& c) -> auto& { return c.net.hiddenWidths; }),
            bindLayerCount<C>(
                "depth", [](auto& c) -> auto& { return c.net.hiddenWidths; }),
            bindMember<C>(
                "embedding_dim", [](auto& c) -> auto& { return c.net.embeddingDim; }),
            bindMember<C>(
                "iterations", [](auto& c) -> auto& { return c.iterations; }),
            bindMember<C>(
                "batch", [](auto& c) -> auto& { return c.training.batchSize; }),
            bindMember<C>(
                "learning_rate", [](auto& c) -> auto& { return c.training.learningRate; }),
            bindMember<C>(
                "ema_decay", [](auto& c) -> auto& { return c.training.emaDecay; }),
            bindChoice<C>(
                "sampler", [](auto& c) -> auto& { return c.sampler; }, samplerName,
                samplerFromName),
            bindMember<C>(
                "nfe", [](auto& c) -> auto& { return c.nfe; }),
            bindMember<C>(
                "samples", [](auto& c) -> auto& { return c.samples; }),
        });
    return bindings;
}

}  // namespace

json diffusionValues(const DiffusionConfig& config) { return diffusionBindings().write(config); }

DiffusionConfig diffusionConfigFromJson(const json& object, const std::string& context) {
    if (!object.is_object()) fail(context, "expected a JSON object, got " + object.dump());
    const json v = diffusionSchema().validate(object, context.empty() ? "diffusion" : context);
    DiffusionConfig c;
    diffusionBindings().read(v, c);

    // What follows from the keys rather than being one.
    if (c.data.kind == diffusion::ToyDataset::GaussianMixture)
        c.data.mixture = randomMixture(c.mixtureModes, std::max(0.02, c.data.noise), c.data.seed);
    c.net.seed = c.data.seed + 1;
    c.training.reportEvery = 50;
    c.training.seed = c.data.seed + 2;

    // Checks spanning several keys.
    if (c.process.kind != diffusion::ProcessKind::VE && !(c.process.betaMax > c.process.betaMin))
        fail(context, "beta_max (" + json(c.process.betaMax).dump() +
                          ") must be greater than beta_min (" + json(c.process.betaMin).dump() +
                          "): the noise rate has to grow with t");
    if (c.process.kind == diffusion::ProcessKind::VE) {
        if (!(c.process.sigmaMin > 0.0))
            fail(context, "sigma_min must be positive (got " + json(c.process.sigmaMin).dump() +
                              "): the VE schedule is geometric from sigma_min to sigma_max");
        if (!(c.process.sigmaMax > c.process.sigmaMin))
            fail(context, "sigma_max (" + json(c.process.sigmaMax).dump() +
                              ") must be greater than sigma_min (" +
                              json(c.process.sigmaMin).dump() + ")");
    }
    const bool interpolant = c.family == DiffusionModelFamily::Interpolant;
    if (!interpolant) {
        // Interpolant settings on a score model would be silently ignored: say so instead.
        for (const char* key : {"interpolant", "gamma", "epsilon"})
            if (object.contains(key) && v[key] != diffusionSchema().defaults()[key])
                fail(context, std::string(key) + " = " + v[key].dump() +
                                  " only applies to model = \"interpolant\" (model is "
                                  "\"score_sde\")");
    }
    if (c.net.embeddingDim % 2 != 0)
        fail(context, "embedding_dim must be even (got " + std::to_string(c.net.embeddingDim) +
                          "): the embedding pairs a sine with a cosine per frequency");
    if (interpolant && c.epsilon == 0.0 && c.nfe < 2)
        fail(context, "nfe = " + std::to_string(c.nfe) +
                          " is below the smallest budget of the interpolant ODE (2: one Heun "
                          "step)");
    if (!interpolant && c.nfe < minimumNfe(c.sampler))
        fail(context, "nfe = " + std::to_string(c.nfe) + " is below the smallest budget " +
                          diffusion::samplerName(c.sampler) + " can run with (" +
                          std::to_string(minimumNfe(c.sampler)) + ")");
    if (c.data.size < 10) fail(context, "dataset_size must be at least 10");
    return c;
}

}  // namespace driftlab::core
