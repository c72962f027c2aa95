#pragma once
// The Diffusion workspace's heavier pictures, computed on a worker from a trained session:
// the frames the time scrubber plays (forward noising, reverse generation, the learned field
// and, for Gaussian-mixture data, the true score at each frame's time) and the density maps
// (the model's exact probability-flow log-likelihood on a grid next to a histogram of the
// data), and the held-out likelihood the headless run reports. Each takes a cancel flag that
// ends it within one network evaluation (DiffusionCancelled).
#include "core/diffusion/diffusion_sampling.h"

#include <Eigen/Core>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

namespace driftlab::core {

struct ScrubFrames {
    std::vector<double> times;  // diffusion time per frame, ascending: 0 is data, 1 is noise
    std::vector<diffusion::Points> forward;  // training points noised to each time (user)
    std::vector<diffusion::Points> reverse;  // the generated cloud as it passes each time
    diffusion::Points arrowPositions;        // user coordinates, shared by every frame
    std::vector<diffusion::Points> learned;  // the learned score (or velocity) arrows per frame
    std::vector<diffusion::Points> truth;    // the true score per frame; empty when not known
    std::string fieldName;                   // "learned score" or "learned velocity"
    std::string generator;                   // the sampler that made the reverse frames
    int frameAt(double t) const;             // the frame nearest to time t
};

std::shared_ptr<const ScrubFrames> computeScrubFrames(const DiffusionSession& session,
                                                      int frames = 41, int particles = 1000,
                                                      int grid = 21,
                                                      const std::atomic<bool>* cancel = nullptr);

// The exact score of the standardised data noised to time t by the session's process, for a
// Gaussian-mixture data law. Standardising scales x and y separately, so the components turn
// into axis-aligned (not isotropic) Gaussians: GaussianMixture2D cannot hold them, hence this
// diagonal-covariance version. x is standardised; returns the score there.
diffusion::Points standardisedMixtureScore(const DiffusionSession& session,
                                           const diffusion::Points& x, double t);

struct DensityMaps {
    Box box;
    int grid = 0;
    // log p of the model at the grid points (user coordinates, x fastest).
    Eigen::VectorXd modelLogDensity;
    Eigen::VectorXd dataDensity;     // histogram of the training data as a density, same cells
    double heldOutBitsPerDim = 0.0;  // the model's, on the standardised held-out points
    long nfe = 0;
    double seconds = 0.0;
    std::string message;  // why the model density is missing, or a solver complaint
};

// Exact likelihood (adaptive Dopri5, exact divergence) of standardised points under the
// probability-flow ODE of a score model or the ODE of an interpolant, from tEpsilon (and, for
// interpolants, to 1 - tEpsilon): the times training saw.
diffusion::LikelihoodResult sessionLikelihood(const SessionModel& model,
                                              const DiffusionConfig& config,
                                              const diffusion::Points& x, double tolerance);

// The likelihood of grid x grid points and of the first heldOutPoints held-out points, and
// the data histogram on the same cells.
std::shared_ptr<const DensityMaps> computeDensityMaps(const DiffusionSession& session,
                                                      int grid = 48,
                                                      const std::atomic<bool>* cancel = nullptr,
                                                      diffusion::Index heldOutPoints = 1000);

}  // namespace driftlab::core
