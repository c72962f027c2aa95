#pragma once
// The one sampling and metric path of a diffusion experiment, shared by the window and the
// headless run: the configured sampler from the same prior noise and seed, SW2 and MMD^2
// against the held-out data by the same definitions (ShootoutOptions: directions, MMD
// points, seed), the particle paths the window draws, the learned field as arrows, and the
// shoot-out on a session.
#include "core/diffusion/diffusion_session.h"
#include "core/diffusion/diffusion_shootout.h"

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace driftlab::core {

struct DiffusionSample {
    diffusion::Points samples;  // standardised (the metrics' frame)
    std::string sampler;
    long nfe = 0;
    double seconds = 0.0;
    double sw2 = 0.0;
    double mmd2 = 0.0;
    diffusion::Index mmdPoints = 0;  // the points per set MMD^2 used
    bool pathsRecorded = false;
    std::string stochasticName, deterministicName;  // the two dynamics of the paths
    std::vector<diffusion::Points> sdePaths;        // one 2 x steps polyline per particle (user)
    std::vector<diffusion::Points> odePaths;
};

struct SampleMetrics {
    double sw2 = 0.0;
    double mmd2 = 0.0;
    diffusion::Index mmdPoints = 0;
};
// SW2 over all points (options.directions, options.seed) and unbiased MMD^2 on the first
// min(options.mmdPoints, both sizes) points of each set.
SampleMetrics scoreSamples(const diffusion::Points& samples, const diffusion::Points& heldOut,
                           const ShootoutOptions& options);

// Runs the sampler `name` (a samplerName(), or interpolant_ode / interpolant_sde) of model
// from noise with about nfe evaluations; record > 0 keeps that many particles' paths.
diffusion::SampleResult runSessionSampler(const SessionModel& model, const DiffusionConfig& config,
                                          const std::string& name, const diffusion::Points& noise,
                                          int nfe, std::uint64_t seed, int record = 0);

// The configured sampler from samplePrior(config) (sampler noise seed + 5), scored against
// the held-out data; with particles > 0 also that many paths through the stochastic and the
// deterministic dynamics from the same noise. Error when the sampler fails; cancel ends it
// within one network evaluation (DiffusionCancelled).
DiffusionSample sampleSession(const DiffusionSession& session, const ShootoutOptions& metrics,
                              int particles = 0, const std::atomic<bool>* cancel = nullptr);

// core::runShootout (or runInterpolantShootout) on the session's model, samplePrior(config)
// and the held-out data; cancel stops between rows and inside a row's sampler.
std::vector<ShootoutRow> runSessionShootout(const DiffusionSession& session,
                                            const ShootoutOptions& options,
                                            const std::atomic<bool>* cancel = nullptr,
                                            const ShootoutProgress& progress = {});

// The training data's box in user coordinates with a margin: where the arrows, the density
// grid and the drawing canvas live.
struct Box {
    double x0 = -3.0, x1 = 3.0, y0 = -3.0, y1 = 3.0;
};
Box displayBox(const DiffusionData& data);
// grid x grid points over the box, x varying fastest (column k = (k % grid, k / grid)).
diffusion::Points gridPoints(const Box& box, int grid);
// Standardised-space vectors as user-space displacements, the lengths clipped at `reference`
// (pass <= 0 to use the 90th percentile of the lengths) and scaled so `reference` spans
// `cell`; returns the reference used, so a second field can be drawn to the same scale.
double scaleArrows(const DiffusionData& data, const diffusion::Points& field, double cell,
                   diffusion::Points& vectors, double reference = 0.0);

struct FieldArrows {
    diffusion::Points positions;  // user coordinates
    diffusion::Points vectors;    // the learned score or velocity, scaled for display
    double time = 0.5;
};
// The learned score (or interpolant velocity) at diffusion time t (1 is noise; interpolants
// run the other way and are evaluated at 1 - t) on a grid x grid lattice over the data's
// box, arrows scaled so the 90th percentile of their lengths spans one grid cell.
std::shared_ptr<const FieldArrows> learnedFieldArrows(const DiffusionSession& session, double t,
                                                      int grid = 21);

}  // namespace driftlab::core
