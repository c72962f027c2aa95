#pragma once
// The Diffusion workspace's heavier pictures, computed on a worker from a trained session:
// the frames the time scrubber plays (forward noising, reverse generation, the learned field
// and, for Gaussian-mixture data, the true score at each frame's time) and the density maps
// (the model's exact probability-flow log-likelihood on a grid next to a histogram of the
// data). Qt-free, like diffusion_view_data.h.
#include "app/workspaces/diffusion/diffusion_view_data.h"

#include <Eigen/Core>

#include <memory>
#include <string>
#include <vector>

namespace driftlab::app {

struct ScrubFrames {
    std::vector<double> times;    // diffusion time per frame, ascending: 0 is data, 1 is noise
    std::vector<Points> forward;  // training points noised to each time (user coordinates)
    std::vector<Points> reverse;  // the generated cloud as it passes each time
    Points arrowPositions;        // user coordinates, shared by every frame
    std::vector<Points> learned;  // the learned score (or velocity) arrows per frame
    std::vector<Points> truth;    // the true score per frame; empty when it is not known
    std::string fieldName;        // "learned score" or "learned velocity"
    std::string generator;        // the sampler that made the reverse frames
    int frameAt(double t) const;  // the frame nearest to time t
};

std::shared_ptr<const ScrubFrames> computeScrubFrames(const DiffusionSession& session,
                                                      int frames = 41, int particles = 1000,
                                                      int grid = 21);

// The exact score of the standardised data noised to time t by the session's process, for a
// Gaussian-mixture data law. Standardising scales x and y separately, so the components turn
// into axis-aligned (not isotropic) Gaussians: GaussianMixture2D cannot hold them, hence this
// diagonal-covariance version. x is standardised; returns the score there.
Points standardisedMixtureScore(const DiffusionSession& session, const Points& x, double t);

struct DensityMaps {
    Box box;
    int grid = 0;
    // log p of the model at the grid points (user coordinates, x fastest).
    Eigen::VectorXd modelLogDensity;
    Eigen::VectorXd dataDensity;  // histogram of the training data as a density, same cells
    double heldOutBitsPerDim = 0.0;  // the model's, on the standardised held-out points
    long nfe = 0;
    double seconds = 0.0;
    std::string message;  // why the model density is missing, or a solver complaint
};

// Exact likelihood (adaptive Dopri5, exact divergence) of grid x grid points and of the
// held-out set under the probability-flow ODE of a score model or the ODE of an
// interpolant, and the data histogram on the same cells.
std::shared_ptr<const DensityMaps> computeDensityMaps(const DiffusionSession& session,
                                                      int grid = 48);

}  // namespace driftlab::app

namespace driftlab::app {

// What one worker task returns; the parts it did not compute stay empty.
struct DiffusionTaskResult {
    std::shared_ptr<DiffusionSession> session;
    bool trained = false;
    bool cancelled = false;
    std::shared_ptr<const SampleViewData> sample;
    std::shared_ptr<const ScrubFrames> frames;
    std::shared_ptr<const DensityMaps> density;
    std::vector<ShootoutRow> shootout;
};

}  // namespace driftlab::app
