#pragma once
// Internal to the latent series model: one series' solve with its paths, grid, noise and
// the networks' workspaces, shared by the simulation, the objectives and the forecast.
#include <vector>

#include "core/models/latent_series_model.h"

namespace driftlab::core::models {

struct LatentSeriesModel::Rollout {
    const timeseries::Series* series = nullptr;
    const timeseries::Mask* context = nullptr;
    int paths = 1;
    std::uint64_t noiseSeed = 0, stream = 0;
    std::vector<double> landings;  // times relative to the series start the grid lands on
    bool withKl = false;           // accumulate the posterior-prior KL (elbo)
    double klWeight = 0.0;         // weight of this series' KL in the loss
    bool keepPath = true;          // false: Z is kept at the landings only (adjoint)

    std::vector<double> tau;         // grid, relative to the series start
    std::vector<long> stepAt;        // grid index of every landing
    Eigen::MatrixXd dW;              // latentDim x (paths * steps)
    Eigen::MatrixXd sigma;           // latentDim x (steps + 1), time-only diffusions
    Eigen::MatrixXd control;         // channels x (steps + 1), with a control path
    std::vector<Eigen::MatrixXd> Z;  // latentDim x paths at every grid point
    Eigen::MatrixXd zHatEnd;         // reversible Heun's second state at the last grid point
    double kl = 0.0;                 // KL integral, mean over paths
    long nfe = 0;                    // batched drift evaluations (prior included)
    nn::MlpWorkspace<double> encoderWs, driftWs, diffusionWs, sigmaWs, priorWs;

    long steps() const { return static_cast<long>(tau.size()) - 1; }
    double h(long k) const { return tau[std::size_t(k + 1)] - tau[std::size_t(k)]; }
    auto noise(long k) const { return dW.middleCols(k * paths, paths); }
};

// Steps of at most dt from 0 that land exactly on every landing (sorted, first 0).
void buildGrid(const std::vector<double>& landings, double dt, std::vector<double>& tau,
               std::vector<long>& stepAt);

// Relative observation times of a series.
std::vector<double> relativeTimes(const timeseries::Series& s);

}  // namespace driftlab::core::models
