#pragma once
// The one interface every time-series model of the neural SDE workspace implements, so the
// trainer, the headless runner and the views never need to know which family they hold.
//
// Latent models (the default): an encoder maps the first context observations to z0, the
// latent dynamics run on each series' own observation times (no grid shared across a batch),
// and a linear readout maps z to the channels. Non-latent models (latent = false) run the
// same dynamics in observation space: z has one entry per channel, z0 is each channel's
// first context value and the readout is the identity (neither has parameters). Families:
//   ode    dz = f(z, t) dt                                   (neural ODE)
//   sde    dz = f(z, t) dt + g(z, t) dW, g diagonal MLP      (neural SDE)
//   lsde   dz = f(z, t) dt + sigma(t) dW                     (Langevin-type, additive noise)
//   lnsde  dz = f(z, t) dt + sigma(t) z dW                   (linear noise)
//   gsde   dz = z (f(z, t) dt + sigma(t) dW)                 (geometric)
// With a control path, f also reads X(t), a continuous interpolation (linear or natural
// cubic spline) of the series' context observations, as in the controlled-path variants of
// the stable neural SDE paper.
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "core/models/series_dataset.h"
#include "core/nn/types.h"
#include "core/solvers/ode_solve.h"

namespace driftlab::core::models {

enum class SeriesModelKind { NeuralOde, NeuralSde, Langevin, LinearNoise, Geometric };
std::string seriesModelName(SeriesModelKind kind);  // "ode", "sde", "lsde", "lnsde", "gsde"
SeriesModelKind seriesModelFromName(const std::string& name);  // throws ConfigError

enum class SeriesObjective { Mse, GaussianNll, Elbo };       // Elbo: SDE kinds only
std::string seriesObjectiveName(SeriesObjective objective);  // "mse", "nll", "elbo"
SeriesObjective seriesObjectiveFromName(const std::string& name);

enum class ControlPath { None, Linear, NaturalCubic };
std::string controlPathName(ControlPath path);  // "none", "linear", "cubic"
ControlPath controlPathFromName(const std::string& name);

// Backprop: discretise-then-optimise through the solve. Adjoint: the engine's continuous
// adjoint (ode kind) or reversible-Heun adjoint (SDE kinds), constant memory.
enum class GradientMethod { Backprop, Adjoint };

struct SeriesModelConfig {
    SeriesModelKind kind = SeriesModelKind::Langevin;
    nn::Index channels = 1;
    nn::Index latentDim = 4;
    std::vector<nn::Index> driftWidths{32, 32};
    std::vector<nn::Index> diffusionWidths{16};
    std::vector<nn::Index> encoderWidths{32};
    double diffusionScale = 0.5;  // diffusion outputs in (0, scale)
    bool driftSeesTime = false;
    int encoderObservations = 3;
    double dt = 0.05;  // largest fixed step (steps also land on every observation time)
    std::uint64_t seed = 0;
    ControlPath controlPath = ControlPath::None;
    SeriesObjective objective = SeriesObjective::Mse;
    GradientMethod gradient = GradientMethod::Backprop;
    int classes = 0;  // > 0: softmax head on the final latent state, cross-entropy loss
    // false: observation-space model. latentDim must equal channels; z0(i) is channel i's
    // first context value (its earliest observed one when the first context time misses it,
    // 0 when the context never observes it); no encoder, identity readout. The geometric
    // class then cannot change a channel's sign (z = 0 stays 0): fine for positive data.
    bool latent = true;

    // ode kind only: solve adaptively with Dopri5 instead of fixed steps, and add the
    // ERNODE regularisers (Pal et al. 2021) to the loss: lambda * sum ||err|| |dt| and
    // stiffnessLambda * sum of the stiffness estimate over accepted steps. With
    // localRegularizationPoints > 0 only the steps containing that many uniformly drawn
    // times are regularised (the local variant).
    bool adaptive = false;
    double rtol = 1e-4, atol = 1e-6;
    double errorRegularization = 0.0;
    double stiffnessRegularization = 0.0;
    int localRegularizationPoints = 0;
};

// One series in a batch: the encoder (and the control path) read the context cells, the loss
// scores the target cells. Classification uses series->label.
struct SeriesItem {
    const timeseries::Series* series = nullptr;
    const timeseries::Mask* context = nullptr;
    const timeseries::Mask* target = nullptr;
};

struct SeriesLossResult {
    double loss = 0.0;  // the objective that the gradient is of
    // Named terms, e.g. {"mse", ..}, {"nll", ..}, {"kl", ..}, {"cross_entropy", ..},
    // {"error_reg", ..}, {"stiffness_reg", ..}; "mse" is always present for regression.
    std::vector<std::pair<std::string, double>> terms;
    long nfe = 0;  // drift evaluations over the batch, forward and backward
    // Right-hand sides spent on the diagnostic solve behind `steps` (not part of nfe: the
    // fixed-step models do not need it to train).
    long diagnosticNfe = 0;
    // Step records of one representative solve (the first series of the batch): adaptive
    // models record their own solve; fixed-step models record an adaptive Dopri5 solve of
    // their mean latent drift over the same window (how hard the learned dynamics are).
    std::vector<OdeStepRecord> steps;
};

struct SeriesForecast {
    std::vector<double> times;                 // dense grid over the series' window
    std::vector<Eigen::MatrixXd> paths;        // sample paths, each channels x times
    Eigen::MatrixXd mean, lower, upper;        // channels x times: mean, 5 % and 95 % quantiles
    Eigen::MatrixXd meanAtObservations;        // channels x series.length()
    Eigen::MatrixXd stdAtObservations;         // channels x series.length()
    std::vector<Eigen::MatrixXd> latentPaths;  // latentDim x times, same paths
    Eigen::VectorXd classProbabilities;        // classes > 0 only
};

class SeriesModel {
public:
    virtual ~SeriesModel() = default;
    virtual const SeriesModelConfig& config() const = 0;
    virtual nn::Index parameterCount() const = 0;
    virtual Eigen::VectorXd parameters() const = 0;
    virtual void setParameters(const Eigen::VectorXd& theta) = 0;  // ConfigError on size

    // The objective over the batch; with gradient non-null it is resized and set to
    // d(loss)/d(theta). Noise comes from (noiseSeed, position in the batch): for a fixed seed
    // the loss is a deterministic function of theta. Throws SolverError when a solve fails.
    virtual SeriesLossResult loss(const std::vector<SeriesItem>& batch, int paths,
                                  std::uint64_t noiseSeed, Eigen::VectorXd* gradient) const = 0;

    virtual SeriesForecast forecast(const timeseries::Series& series,
                                    const timeseries::Mask& context, int paths,
                                    std::uint64_t noiseSeed, int gridPoints) const = 0;

    // The latent drift f at latent points (latentDim x n) and time t, without control path
    // input (zero control): what the phase portrait draws.
    virtual Eigen::MatrixXd latentDrift(double t, const Eigen::MatrixXd& z) const = 0;

    virtual std::unique_ptr<SeriesModel> clone() const = 0;
};

// Throws ConfigError for inconsistent configs (e.g. Elbo with the ode kind, adaptive with an
// SDE kind), naming the field.
std::unique_ptr<SeriesModel> makeSeriesModel(const SeriesModelConfig& config);

}  // namespace driftlab::core::models
