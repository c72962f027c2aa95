#include "core/models/latent_series_model.h"

#include <cmath>

#include "core/common/error.h"
#include "core/models/latent_series_rollout.h"
#include "core/models/series_networks.h"

namespace driftlab::core::models {

using timeseries::Mask;
using timeseries::Series;

namespace {

nn::MlpConfig diffusionConfig(const SeriesModelConfig& c) {
    nn::MlpConfig m;
    // The stable classes' sigma reads time only (what their stability results rest on);
    // the general neural SDE's diagonal diffusion reads the state.
    const bool timeOnly = c.kind == SeriesModelKind::Langevin ||
                          c.kind == SeriesModelKind::LinearNoise ||
                          c.kind == SeriesModelKind::Geometric;
    m.inputDim = timeOnly ? 1 : c.latentDim;
    m.hiddenWidths = c.diffusionWidths;
    m.outputDim = c.latentDim;
    m.outputActivation = nn::Activation::Sigmoid;
    m.outputScale = c.diffusionScale;
    m.seed = c.seed * 8 + 3;
    return m;
}

const SeriesModelConfig& checked(const SeriesModelConfig& c) {
    auto need = [](bool ok, const std::string& what) {
        if (!ok) throw ConfigError("time-series model: " + what);
    };
    need(c.channels >= 1, "channels must be >= 1");
    need(c.latentDim >= 1, "latent dimension must be >= 1");
    checkStateSpace(c, "time-series model: ");
    need(c.encoderObservations >= 1, "encoder observations must be >= 1");
    need(c.dt > 0.0 && std::isfinite(c.dt), "dt must be positive");
    need(c.diffusionScale > 0.0 && std::isfinite(c.diffusionScale),
         "diffusion scale must be positive");
    need(c.classes >= 0, "classes must be >= 0");
    need(c.rtol > 0.0 && c.atol > 0.0,
         "rtol and atol must be positive (they set the diagnostic solve)");
    need(!(c.kind == SeriesModelKind::NeuralOde && c.objective == SeriesObjective::Elbo),
         "the elbo objective needs an SDE kind (sde, lsde, lnsde, gsde), not ode");
    need(!c.adaptive, "adaptive solving is for the ode kind only (the adaptive model)");
    need(!(c.gradient == GradientMethod::Adjoint && c.objective == SeriesObjective::Elbo),
         "the elbo objective trains by backprop (its KL term is not part of the reversible-Heun "
         "adjoint); choose backprop or another objective");
    need(c.errorRegularization == 0.0 && c.stiffnessRegularization == 0.0 &&
             c.localRegularizationPoints == 0,
         "solver-heuristic regularisation needs the adaptive ode model");
    return c;
}

}  // namespace

LatentSeriesModel::LatentSeriesModel(const SeriesModelConfig& config)
    : config_(checked(config)),
      encoder_(seriesEncoderConfig(config, config.seed * 8 + 1)),
      drift_(
          seriesDriftConfig(config, config.controlPath != ControlPath::None, config.seed * 8 + 2)),
      diffusion_(diffusionConfig(config)),
      readout_(linearLayerConfig(config.latentDim, config.channels, config.seed * 8 + 4)),
      prior_(seriesDriftConfig(config, false, config.seed * 8 + 5)),
      head_(linearLayerConfig(config.latentDim, config.classes, config.seed * 8 + 6)),
      observationLogSigma_(Eigen::VectorXd::Constant(config.channels, std::log(0.1))) {}

bool LatentSeriesModel::timeOnlyDiffusion() const {
    return config_.kind == SeriesModelKind::Langevin ||
           config_.kind == SeriesModelKind::LinearNoise ||
           config_.kind == SeriesModelKind::Geometric;
}

bool LatentSeriesModel::hasObservationNoise() const {
    if (config_.classes > 0) return false;
    return config_.objective == SeriesObjective::Elbo ||
           (config_.objective == SeriesObjective::GaussianNll &&
            config_.kind == SeriesModelKind::NeuralOde);
}

LatentSeriesModel::Offsets LatentSeriesModel::offsets() const {
    Offsets o;
    nn::Index at = 0;
    o.encoder = at;
    if (config_.latent) at += encoder_.parameterCount();
    o.drift = at;
    at += drift_.parameterCount();
    o.diffusion = at;
    if (hasDiffusionNet()) at += diffusion_.parameterCount();
    o.readout = at;
    if (config_.latent) at += readout_.parameterCount();
    o.prior = at;
    if (hasPrior()) at += prior_.parameterCount();
    o.noise = at;
    if (hasObservationNoise()) at += config_.channels;
    o.head = at;
    if (config_.classes > 0) at += head_.parameterCount();
    o.end = at;
    return o;
}

nn::Index LatentSeriesModel::parameterCount() const { return offsets().end; }

Eigen::VectorXd LatentSeriesModel::parameters() const {
    const Offsets o = offsets();
    Eigen::VectorXd theta(o.end);
    if (config_.latent) theta.segment(o.encoder, encoder_.parameterCount()) = encoder_.parameters();
    theta.segment(o.drift, drift_.parameterCount()) = drift_.parameters();
    if (hasDiffusionNet())
        theta.segment(o.diffusion, diffusion_.parameterCount()) = diffusion_.parameters();
    if (config_.latent) theta.segment(o.readout, readout_.parameterCount()) = readout_.parameters();
    if (hasPrior()) theta.segment(o.prior, prior_.parameterCount()) = prior_.parameters();
    if (hasObservationNoise()) theta.segment(o.noise, config_.channels) = observationLogSigma_;
    if (config_.classes > 0) theta.segment(o.head, head_.parameterCount()) = head_.parameters();
    return theta;
}

void LatentSeriesModel::setParameters(const Eigen::VectorXd& theta) {
    const Offsets o = offsets();
    if (theta.size() != o.end)
        throw ConfigError("time-series model: parameter vector has " +
                          std::to_string(theta.size()) + " entries, the model " +
                          std::to_string(o.end));
    if (config_.latent) encoder_.parameters() = theta.segment(o.encoder, encoder_.parameterCount());
    drift_.parameters() = theta.segment(o.drift, drift_.parameterCount());
    if (hasDiffusionNet())
        diffusion_.parameters() = theta.segment(o.diffusion, diffusion_.parameterCount());
    if (config_.latent) readout_.parameters() = theta.segment(o.readout, readout_.parameterCount());
    if (hasPrior()) prior_.parameters() = theta.segment(o.prior, prior_.parameterCount());
    if (hasObservationNoise()) observationLogSigma_ = theta.segment(o.noise, config_.channels);
    if (config_.classes > 0) head_.parameters() = theta.segment(o.head, head_.parameterCount());
}

std::unique_ptr<SeriesModel> LatentSeriesModel::clone() const {
    return std::make_unique<LatentSeriesModel>(*this);
}

Eigen::VectorXd LatentSeriesModel::encode(const Series& s, const Mask& context,
                                          nn::MlpWorkspace<double>& ws) const {
    if (!config_.latent) return seriesInitialObservation(s, context);
    return encoder_.forward(seriesEncoderFeatures(config_, s, context), ws);
}

void LatentSeriesModel::encodeBackward(const Eigen::VectorXd& z0Grad, nn::MlpWorkspace<double>& ws,
                                       double* gradient) const {
    if (config_.latent) encoder_.backward(z0Grad, ws, gradient + offsets().encoder, false);
}

Eigen::MatrixXd LatentSeriesModel::readout(const Eigen::MatrixXd& z,
                                           nn::MlpWorkspace<double>& ws) const {
    return config_.latent ? readout_.forward(z, ws) : z;
}

Eigen::MatrixXd LatentSeriesModel::readoutBackward(const Eigen::MatrixXd& yGrad,
                                                   nn::MlpWorkspace<double>& ws,
                                                   double* gradient) const {
    if (!config_.latent) return yGrad;
    return readout_.backward(yGrad, ws, gradient + offsets().readout, true);
}

Eigen::MatrixXd LatentSeriesModel::latentDrift(double t, const Eigen::MatrixXd& z) const {
    if (z.rows() != config_.latentDim)
        throw ConfigError("time-series model: latent points have " + std::to_string(z.rows()) +
                          " rows, the latent dimension is " + std::to_string(config_.latentDim));
    nn::MlpWorkspace<double> ws;
    Eigen::MatrixXd input = z;
    if (config_.controlPath != ControlPath::None) {
        input.conservativeResize(drift_.inputDim(), Eigen::NoChange);
        input.bottomRows(config_.channels).setZero();
    }
    Eigen::MatrixXd f =
        config_.driftSeesTime ? drift_.forward(input, t, ws) : drift_.forward(input, ws);
    if (config_.kind == SeriesModelKind::Geometric) f = f.cwiseProduct(z);
    return f;
}

}  // namespace driftlab::core::models
