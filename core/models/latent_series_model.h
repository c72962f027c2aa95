#pragma once
// The fixed-step models behind makeSeriesModel: neural ODE, neural SDE and the three
// stable classes (see series_model.h for the equations). Each series is solved on its own
// grid from its first time, by Euler (ode) or Euler–Maruyama (SDE kinds), with steps of at
// most dt that land exactly on every observation time, so nothing about one series' times
// leaks into another's. Time inside the networks is relative to the series' start. With
// latent = false the "latent" state below is the observation-space state (no encoder, the
// readout the identity; see SeriesModelConfig::latent).
//
// Objectives, per target cell (regression) or per series (classification):
//  - mse: squared error of the readout of the mean over paths;
//  - nll: Gaussian NLL with the sample mean and variance of the readouts over paths (plus
//    kVarianceFloor); the ode kind, whose paths coincide, uses a learned per-channel
//    observation noise instead;
//  - elbo (SDE kinds, Li et al. 2020): -E[log N(y | readout(z), sigma_obs^2)] over paths
//    plus the Girsanov KL 0.5 int |(F_post - F_prior) / G|^2 dt between the posterior SDE
//    (the drift that reads the control path) and a prior SDE with its own drift MLP and the
//    same diffusion G. The KL divides by G^2 + kKlFloor, so the linear-noise and geometric
//    classes, whose G = sigma(t) z vanishes with z, stay finite. z0 is a point estimate of
//    the encoder (no KL on the initial state).
//  - classes > 0: softmax head on the final latent state (mean over paths), cross-entropy;
//    the regression objective is then not used.
// Gradients (Backprop) are exact backprop through the discretised solve with the Brownian
// increments fixed by (noiseSeed, position in the batch). The ode kind also offers the
// continuous adjoint (Adjoint, "backsolve" of Chen et al. 2018): the forward pass keeps the
// latent state only at the observation times, and the state, its adjoint and the parameter
// gradient are integrated back with Euler steps on the same grid, the state reset to its
// forward value at every observation (as torchdiffeq does); its gradient agrees with
// backprop's to O(dt). For the SDE kinds Adjoint selects the reversible Heun scheme and its
// exact adjoint (latent_series_reversible.cpp) for training, evaluation and forecasts alike:
// constant memory in the number of steps, Stratonovich calculus (for the Langevin class the
// same SDE as Euler–Maruyama's). Elbo refuses Adjoint.
//
// SeriesLossResult::nfe counts batched drift evaluations (all paths of a series at once count
// one; prior drift and the backward pass's recomputations included). With a gradient, loss()
// also solves the mean latent drift of the batch's first series with Dopri5 (rtol, atol of the
// config) and returns its step records in `steps`, its cost in diagnosticNfe.
#include "core/models/series_model.h"
#include "core/nn/mlp.h"

namespace driftlab::core::models {

class LatentSeriesModel final : public SeriesModel {
public:
    static constexpr double kVarianceFloor = 1e-4;
    static constexpr double kKlFloor = 1e-4;

    // Throws ConfigError naming the field for configurations it cannot honour.
    explicit LatentSeriesModel(const SeriesModelConfig& config);

    const SeriesModelConfig& config() const override { return config_; }
    nn::Index parameterCount() const override;
    Eigen::VectorXd parameters() const override;
    void setParameters(const Eigen::VectorXd& theta) override;

    SeriesLossResult loss(const std::vector<SeriesItem>& batch, int paths, std::uint64_t noiseSeed,
                          Eigen::VectorXd* gradient) const override;
    SeriesForecast forecast(const timeseries::Series& series, const timeseries::Mask& context,
                            int paths, std::uint64_t noiseSeed, int gridPoints) const override;
    // The effective mean drift dz/dt (z * f for the geometric class) with zero control.
    Eigen::MatrixXd latentDrift(double t, const Eigen::MatrixXd& z) const override;
    std::unique_ptr<SeriesModel> clone() const override;

private:
    struct Rollout;
    struct ItemTotals;
    struct Offsets {
        nn::Index encoder = 0, drift = 0, diffusion = 0, readout = 0, prior = 0, noise = 0,
                  head = 0, end = 0;
    };

    bool hasDiffusionNet() const { return config_.kind != SeriesModelKind::NeuralOde; }
    bool timeOnlyDiffusion() const;
    bool hasPrior() const {
        return config_.objective == SeriesObjective::Elbo && config_.classes == 0;
    }
    bool hasObservationNoise() const;
    Offsets offsets() const;

    // z0 (encoder, or the first context observations when not latent) and its reverse.
    Eigen::VectorXd encode(const timeseries::Series& s, const timeseries::Mask& context,
                           nn::MlpWorkspace<double>& ws) const;
    void encodeBackward(const Eigen::VectorXd& z0Grad, nn::MlpWorkspace<double>& ws,
                        double* gradient) const;
    // Observations from states (identity when not latent) and dL/dz from dL/dy.
    Eigen::MatrixXd readout(const Eigen::MatrixXd& z, nn::MlpWorkspace<double>& ws) const;
    Eigen::MatrixXd readoutBackward(const Eigen::MatrixXd& yGrad, nn::MlpWorkspace<double>& ws,
                                    double* gradient) const;
    // Posterior drift f, effective drift F and diffusion G at state z and grid point k of r
    // (recomputed by the backward pass, which keeps no activations across steps).
    void fields(Rollout& r, const Eigen::MatrixXd& z, long k, Eigen::MatrixXd& f,
                Eigen::MatrixXd& F, Eigen::MatrixXd& G) const;
    void priorFields(Rollout& r, long k, Eigen::MatrixXd& f, Eigen::MatrixXd& F) const;
    // dL/dz from the cotangents cF, cG of the last fields(r, z, k, f, ..) call (the networks'
    // workspaces must still hold it); parameter gradients are added, sigma(t)'s into
    // sigmaGrad's column k.
    Eigen::MatrixXd fieldsVjp(Rollout& r, const Eigen::MatrixXd& z, long k,
                              const Eigen::MatrixXd& f, const Eigen::MatrixXd& cF,
                              const Eigen::MatrixXd& cG, Eigen::MatrixXd& sigmaGrad,
                              double* gradient) const;
    bool reversibleHeun() const {
        return config_.gradient == GradientMethod::Adjoint &&
               config_.kind != SeriesModelKind::NeuralOde;
    }
    void simulateReversibleHeun(Rollout& r) const;
    void reversibleHeunAdjoint(Rollout& r, const std::vector<Eigen::MatrixXd>& observationGrad,
                               double* gradient) const;
    void simulate(Rollout& r) const;
    void backpropagate(Rollout& r, const std::vector<Eigen::MatrixXd>& observationGrad,
                       double* gradient) const;
    void adjointBackward(Rollout& r, const std::vector<Eigen::MatrixXd>& observationGrad,
                         double* gradient) const;
    ItemTotals runItem(const SeriesItem& item, int paths, std::uint64_t noiseSeed,
                       std::uint64_t stream, double cellWeight, double seriesWeight,
                       double* gradient) const;
    std::vector<OdeStepRecord> diagnosticSolve(const SeriesItem& item, long* nfe) const;

    SeriesModelConfig config_;
    nn::Mlp<double> encoder_, drift_, diffusion_, readout_, prior_, head_;
    Eigen::VectorXd observationLogSigma_;  // channels; used by hasObservationNoise() models
};

}  // namespace driftlab::core::models
