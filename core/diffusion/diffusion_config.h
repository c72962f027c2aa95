#pragma once
// The Diffusion experiment as data: a 2-D toy data set, a forward process, a score network
// (or a stochastic interpolant's velocity network: model, interpolant, gamma, epsilon) with its
// training settings, and the sampler the workspace draws samples with. The schema
// generates the GUI form; diffusionConfigFromJson adds the checks that span several keys
// (beta_max > beta_min, sigma_max > sigma_min, a sampler's smallest NFE budget,
// interpolant keys only with model = interpolant), so a bad
// combination is refused with a message before any work starts.
#include "core/diffusion/samplers.h"
#include "core/diffusion/score_model.h"
#include "core/experiment/schema.h"

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <vector>

namespace driftlab::core {

// A score network on the configured forward SDE, or a stochastic interpolant whose network
// learns the velocity (and the score the interpolant SDE needs).
enum class DiffusionModelFamily { ScoreSde, Interpolant };

struct DiffusionConfig {
    diffusion::ToyDatasetOptions data;  // mixture filled for gaussian_mixture
    int mixtureModes = 5;
    diffusion::ProcessConfig process;
    diffusion::Prediction prediction = diffusion::Prediction::Noise;
    DiffusionModelFamily family = DiffusionModelFamily::ScoreSde;
    diffusion::InterpolantConfig interpolant;  // kind and gamma scale (family Interpolant)
    double epsilon = 0.0;  // interpolant SDE diffusion coefficient; 0 samples by the ODE
    diffusion::ScoreNetConfig net;
    diffusion::TrainingConfig training;
    long iterations = 1500;
    diffusion::SamplerKind sampler = diffusion::SamplerKind::DpmSolver2;
    int nfe = 20;
    int samples = 2000;
};

const Schema& diffusionSchema();

// The schema keys of the model family (model, interpolant, gamma, epsilon): the GUI edits
// them in its model box rather than in the generated settings form.
const std::vector<std::string>& diffusionModelKeys();

// The interpolant samplers' option: Heun ODE steps (two evaluations each) or, when
// stochastic, Euler-Maruyama steps of the SDE with this epsilon (one each), for about `nfe`
// evaluations.
diffusion::SamplerOptions interpolantOptionsForNfe(bool stochastic, int nfe, double epsilon,
                                                   std::uint64_t seed);

// The dataset ids of the schema's "dataset" choice, in menu order.
const std::vector<std::string>& diffusionDatasetIds();

// object holds keys of diffusionSchema() (missing ones take defaults). Throws ConfigError
// naming the key and the problem; context prefixes the message (e.g. a file name).
DiffusionConfig diffusionConfigFromJson(const nlohmann::json& object, const std::string& context);
// The schema values of config (what diffusionConfigFromJson reads back to the same config);
// one field-binding table serves both directions.
nlohmann::json diffusionValues(const DiffusionConfig& config);

// The smallest NFE a sampler can run with (its order for the DPM-Solvers, 1 otherwise).
int minimumNfe(diffusion::SamplerKind kind);
// Sampler options that spend about `nfe` network evaluations with `kind` (the fixed-step
// samplers take nfe / evaluations-per-step steps).
diffusion::SamplerOptions samplerOptionsForNfe(diffusion::SamplerKind kind, int nfe,
                                               std::uint64_t seed);

}  // namespace driftlab::core
