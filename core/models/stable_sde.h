#pragma once
// The three stable neural SDE classes of Oh, Lim & Kim, "Stable Neural Stochastic
// Differential Equations in Analyzing Irregular Time Series Data" (ICLR 2024), as latent
// models of irregular, incomplete series:
//   Langevin-type (LSDE):   dz = gamma(z, t) dt + sigma(t) dW          (additive noise)
//   linear-noise (LNSDE):   dz = gamma(z, t) dt + sigma(t) z dW
//   geometric (GSDE):       dz = z (gamma(z, t) dt + sigma(t) dW)      (elementwise)
// gamma is an MLP of the latent state (and, optionally, of time through a sinusoidal
// embedding); sigma(t) is an MLP of time alone with a bounded (sigmoid) output, diagonal.
// That sigma does not see z is what gives each class its stability result in the paper.
//
// An encoder maps the first few context observations (values, mask, relative times) to z0;
// a linear readout maps z to the channels. Each series is solved on its own grid by
// Euler–Maruyama from its first time, with steps of at most dt that land exactly on every
// observation time, so no grid is shared across a batch. The prediction at a time is the
// readout of the mean over `paths` sample paths; the loss is the mean squared error of it
// over the target cells. Gradients are exact backprop through the discretised solve (the
// generic sde_backprop needs a state-dependent diagonal diffusion MLP, which these classes
// deliberately do not have).
#include <cstdint>
#include <string>
#include <vector>

#include "core/nn/mlp.h"
#include "core/timeseries/dataset.h"

namespace driftlab::core::models {

enum class StableSdeKind { Langevin, LinearNoise, Geometric };
std::string stableSdeName(StableSdeKind kind);  // "lsde", "lnsde", "gsde"
StableSdeKind stableSdeFromName(const std::string& name);

struct StableSdeConfig {
    StableSdeKind kind = StableSdeKind::Langevin;
    nn::Index channels = 1;
    nn::Index latentDim = 4;
    std::vector<nn::Index> driftWidths{32, 32};
    std::vector<nn::Index> diffusionWidths{16};
    std::vector<nn::Index> encoderWidths{32};
    double diffusionScale = 0.5;  // sigma(t) in (0, scale)
    bool driftSeesTime = false;   // the paper's gamma is autonomous for the LSDE
    int encoderObservations = 3;  // first context observations fed to the encoder
    double dt = 0.05;             // largest Euler–Maruyama step
    std::uint64_t seed = 0;       // initial weights
};

// One series in a batch: the encoder reads the context cells, the loss scores the target
// cells (for training on a whole series both are its observed mask).
struct StableSdeItem {
    const timeseries::Series* series = nullptr;
    const timeseries::Mask* context = nullptr;
    const timeseries::Mask* target = nullptr;
};

class StableSde {
public:
    explicit StableSde(const StableSdeConfig& config);

    const StableSdeConfig& config() const { return config_; }
    nn::Index parameterCount() const;
    Eigen::VectorXd parameters() const;  // [encoder; drift; diffusion; readout]
    void setParameters(const Eigen::VectorXd& theta);

    // Mean squared error over all target cells of the batch; with gradient non-null it is
    // resized and set to dLoss/dtheta. Brownian increments come from (noiseSeed, position
    // in the batch), so for a fixed seed the loss is a deterministic function of theta.
    double loss(const std::vector<StableSdeItem>& batch, int paths, std::uint64_t noiseSeed,
                Eigen::VectorXd* gradient) const;

    // Predicted mean at every time of the series (channels x times), encoder fed from
    // context.
    Eigen::MatrixXd predictMean(const timeseries::Series& series,
                                const timeseries::Mask& context, int paths,
                                std::uint64_t noiseSeed) const;

private:
    struct Trace;
    double runSeries(const StableSdeItem& item, int paths, std::uint64_t noiseSeed,
                     std::uint64_t stream, double cellWeight, double* gradient,
                     Eigen::MatrixXd* prediction) const;

    StableSdeConfig config_;
    nn::Mlp<double> encoder_, drift_, diffusion_, readout_;
};

struct StableSdeTrainOptions {
    int iterations = 200;
    int batchSize = 16;
    int paths = 8;
    double learningRate = 1e-2;
    double gradientClip = 10.0;
    std::uint64_t seed = 0;  // batches and Brownian increments
};

struct StableSdeTrainReport {
    std::vector<double> loss;  // per iteration (batch MSE)
    bool diverged = false;
    std::string message;       // names the iteration and the quantity when diverged
};

// Adam on whole series of the training indices (context = target = observed). A non-finite
// loss or gradient stops training and keeps the last finite parameters.
StableSdeTrainReport trainStableSde(StableSde& model, const timeseries::TimeSeriesDataset& data,
                                    const std::vector<std::size_t>& train,
                                    const StableSdeTrainOptions& options);

// Test MSE on the target cells of the given series, the encoder fed from their contexts.
double evaluateStableSde(const StableSde& model, const timeseries::TimeSeriesDataset& data,
                         const std::vector<timeseries::SeriesTask>& tasks,
                         const std::vector<std::size_t>& indices, int paths,
                         std::uint64_t noiseSeed);

}  // namespace driftlab::core::models
