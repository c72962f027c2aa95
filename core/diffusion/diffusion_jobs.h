#pragma once
// The Diffusion workspace's work as core::RunJobs: training is steppable (one iteration per
// step, so Pause holds after the current iteration and Step advances exactly one), sampling,
// the scrubber's frames, the density maps and the shoot-out are one-shot jobs on an immutable
// session. Every job sees cancel through the RunContext, inside its long loops too (each
// network evaluation looks at the flag), so closing the window never waits for one.
#include "core/diffusion/diffusion_analysis.h"
#include "core/diffusion/diffusion_trainer.h"
#include "core/experiment/run.h"

#include <memory>
#include <string>
#include <vector>

namespace driftlab::core {

struct DiffusionTrainingSnapshot : Snapshot {
    double seconds = 0.0;                        // training time so far
    std::vector<double> lossIterations, losses;  // the whole curve so far
    std::vector<double> bucketLoss;              // per time bucket, last report
    diffusion::Points preview;                   // a few current samples (user coordinates)
    std::string previewSampler;
    // The weights at this snapshot, in full snapshots (every state change: pause, finish,
    // cancel); null in light ones.
    std::shared_ptr<const DiffusionSession> session;
};

// Trains trainer to its config's iterations. The trainer outlives the job: a later job on
// the same trainer carries on where this one stopped (after a Sample replaced it).
std::unique_ptr<RunJob> makeDiffusionTrainingJob(std::shared_ptr<DiffusionTrainer> trainer);

enum class DiffusionTask { Sample, Scrub, Density, Shootout };

struct DiffusionTaskOptions {
    ShootoutOptions metrics;  // SW2 / MMD^2 definitions; budgets and tolerances of a shoot-out
    int particles = 20;       // paths drawn per dynamics (Sample)
    int densityGrid = 48;
    diffusion::Index likelihoodPoints = 1000;  // held-out points of the bits/dim
};

struct DiffusionResultSnapshot : Snapshot {
    DiffusionTask task = DiffusionTask::Sample;
    std::shared_ptr<const DiffusionSession> session;
    std::shared_ptr<const DiffusionSample> sample;
    std::shared_ptr<const ScrubFrames> frames;
    std::shared_ptr<const DensityMaps> density;
    std::vector<ShootoutRow> shootout;
    double seconds = 0.0;  // the job's wall time
};

// One step that is the whole task; snapshot() is null until it is done (and stays null when
// it was cancelled).
std::unique_ptr<RunJob> makeDiffusionTaskJob(DiffusionTask task,
                                             std::shared_ptr<const DiffusionSession> session,
                                             DiffusionTaskOptions options);

}  // namespace driftlab::core
