// The sampler shoot-out of issue 5 in its reference setting: two moons (10,000 points, noise
// 0.05, standardised), VP-SDE beta(t) = 0.1 + 19.9 t, MLP [x, 32-d sinusoidal embedding] ->
// 128 -> 128 -> 128 -> 2 SiLU predicting noise, 5,000 Adam iterations of batch 512 in
// float32. Prints JSON lines: the GEMM reference throughput, training, then SW2 (1,000
// directions, 10,000 samples vs 10,000 fresh held-out points) and unbiased MMD^2 (on the
// first --mmd-points of each) with wall time for every sampler and NFE budget.
// The two reference figures come first: the 1,000-step reverse SDE and DPM-Solver-2
// at 20 NFE, with the time of 10,000 samples x 1,000 steps.
// Usage: bench_diffusion_two_moons [--iterations N] [--samples N] [--mmd-points N]
//                                  [--budgets 5,10,20,50,100,1000] [--no-adaptive]
//                                  [--save model.dlp] [--load model.dlp (skips training)]
//                                  [--schedule logsnr|time|quadratic] [--t-end 1e-3]
//                                  [--quick (no reference runs, no likelihood)]
// A bare model file name is saved to and loaded from the build tree's bench-out folder.
#include <omp.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench_output.h"
#include "core/diffusion/metrics.h"
#include "core/diffusion/samplers.h"
#include "core/diffusion/score_model.h"
#include "core/nn/gemm.h"

using namespace driftlab::core;
using namespace driftlab::core::diffusion;

namespace {

double seconds(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Single-thread float GEMM throughput at the network's hidden-layer shape, times threads:
// the reference the training throughput is compared against, measured two ways - Eigen's
// own product, and nn::gemm, whose register-tiled kernel the layers run on this shape (and
// which beats Eigen there).
double gemmGflops(int threads, bool eigen) {
    const nn::Index m = 128, k = 128, n = 512;
    nn::Matrix<float> a = nn::Matrix<float>::Random(m, k), b = nn::Matrix<float>::Random(k, n),
                      c = nn::Matrix<float>::Zero(m, n);
    nn::GemmBuffers<float> buffers;
    auto multiply = [&] {
        if (eigen)
            c.noalias() = a * b;
        else
            nn::gemm<float>(m, n, k, 1.0f, a.data(), m, false, b.data(), k, false, c.data(), m,
                            false, buffers);
    };
    const int reps = 400;
    for (int r = 0; r < 20; ++r) multiply();
    const auto start = std::chrono::steady_clock::now();
    for (int r = 0; r < reps; ++r) multiply();
    return 2.0 * m * n * k * reps / seconds(start) * 1e-9 * threads;
}

}  // namespace

int main(int argc, char** argv) {
    long iterations = 5000;
    Index samples = 10000, mmdPoints = 2000;
    std::vector<int> budgets = {5, 10, 20, 50, 100, 1000};
    bool adaptive = true, quick = false;
    std::string savePath, loadPath;
    StepSchedule schedule = StepSchedule::LogSnrUniform;
    double tEnd = 1e-3;
    for (int i = 1; i < argc; ++i)
        if (!std::strcmp(argv[i], "--no-adaptive"))
            adaptive = false;
        else if (!std::strcmp(argv[i], "--quick"))
            quick = true;
    for (int i = 1; i + 1 < argc; ++i) {
        if (!std::strcmp(argv[i], "--budgets")) {
            budgets.clear();
            for (const char* c = argv[i + 1]; *c;) {
                budgets.push_back(std::atoi(c));
                while (*c && *c != ',') ++c;
                if (*c == ',') ++c;
            }
        }
        if (!std::strcmp(argv[i], "--iterations")) iterations = std::atol(argv[i + 1]);
        if (!std::strcmp(argv[i], "--save")) savePath = driftlab::bench::outputPath(argv[i + 1]);
        if (!std::strcmp(argv[i], "--t-end")) tEnd = std::atof(argv[i + 1]);
        if (!std::strcmp(argv[i], "--schedule"))
            schedule = !std::strcmp(argv[i + 1], "time")        ? StepSchedule::TimeUniform
                       : !std::strcmp(argv[i + 1], "quadratic") ? StepSchedule::TimeQuadratic
                                                                : StepSchedule::LogSnrUniform;
        if (!std::strcmp(argv[i], "--load"))
            loadPath = driftlab::bench::outputPath(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--samples"))
            samples = std::atol(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--mmd-points"))
            mmdPoints = std::atol(argv[i + 1]);
    }
    mmdPoints = std::min(mmdPoints, samples);

    const Points raw = makeTwoMoons(10000, 0.05, 1);
    const Standardizer st = Standardizer::fit(raw);
    const Points train = st.apply(raw);
    const Points heldOut = st.apply(makeTwoMoons(samples, 0.05, 2));
    const Points fresh = st.apply(makeTwoMoons(samples, 0.05, 3));
    std::printf(
        "{\"workload\":\"diffusion_two_moons\","
        "\"kind\":\"floor\",\"sw2\":%.5f,\"mmd2\":%.3e}\n",
        slicedWasserstein2(fresh, heldOut, 1000, 0),
        mmdSquaredUnbiased(fresh.leftCols(mmdPoints), heldOut.leftCols(mmdPoints)));

    ProcessConfig pc;
    pc.betaMin = 0.1;
    pc.betaMax = 20.0;
    const DiffusionProcess process(pc);
    ScoreNetConfig net;  // 128 x 3 SiLU, 32-d embedding, float32
    TrainingConfig tc;
    tc.batchSize = 512;
    tc.learningRate = 1e-3;
    tc.emaDecay = 0.999;
    tc.reportEvery = 1000;
    DiffusionModel model(process, Prediction::Noise, net, tc);
    model.setData(train);

    const int threads = omp_get_max_threads();
    Eigen::setNbThreads(1);  // the reference is one serial product per thread, times threads
    const double eigenPeak = gemmGflops(threads, true);
    const double tiledPeak = gemmGflops(threads, false);
    std::printf(
        "{\"workload\":\"diffusion_two_moons\","
        "\"kind\":\"gemm\",\"threads\":%d,\"eigen_gflops\":%.1f,\"tiled_gflops\":%.1f}\n",
        threads, eigenPeak, tiledPeak);
    if (!loadPath.empty()) {
        model.load(loadPath);
        iterations = 0;
    }
    const TrainResult tr = model.train(iterations, [](const TrainProgress& p) {
        std::printf(
            "{\"workload\":\"diffusion_two_moons\","
            "\"kind\":\"progress\",\"iteration\":%ld,\"loss\":%.4f,\"seconds\":%.2f}\n",
            p.iteration, p.loss, p.seconds);
        std::fflush(stdout);
    });
    const double trainGflops =
        tr.iterations > 0 ? model.flopsPerTrainingStep() * tr.iterations / tr.seconds * 1e-9 : 0.0;
    std::printf(
        "{\"workload\":\"diffusion_two_moons\","
        "\"kind\":\"training\",\"iterations\":%ld,\"seconds\":%.3f,\"final_loss\":%.4f,"
        "\"eval_loss\":%.4f,\"gflops\":%.1f,\"fraction_of_eigen_gemm\":%.2f,"
        "\"fraction_of_tiled_gemm\":%.2f}\n",
        tr.iterations, tr.seconds, tr.lastLoss, model.evaluateLoss(10, 7), trainGflops,
        trainGflops / eigenPeak, trainGflops / tiledPeak);
    std::fflush(stdout);
    if (!savePath.empty()) model.save(savePath);

    const Points prior = process.samplePrior(samples, 11);
    struct Entry {
        SamplerKind kind;
        FixedStepMethod method;
        int evalsPerStep;
    };
    const Entry entries[] = {
        {SamplerKind::ReverseSde, FixedStepMethod::Euler, 1},
        {SamplerKind::PredictorCorrector, FixedStepMethod::Euler, 2},
        {SamplerKind::ProbabilityFlow, FixedStepMethod::Euler, 1},
        {SamplerKind::ProbabilityFlow, FixedStepMethod::Heun, 2},
        {SamplerKind::ProbabilityFlow, FixedStepMethod::Rk4, 4},
        {SamplerKind::Ddim, FixedStepMethod::Euler, 1},
        {SamplerKind::DpmSolver1, FixedStepMethod::Euler, 1},
        {SamplerKind::DpmSolver2, FixedStepMethod::Euler, 1},
        {SamplerKind::DpmSolver3, FixedStepMethod::Euler, 1},
        {SamplerKind::DpmSolverPP2M, FixedStepMethod::Euler, 1},
    };
    const char* methodNames[] = {"euler", "heun", "rk4"};
    auto emit = [&](const std::string& name, int budget, const SampleResult& r) {
        const double sw = slicedWasserstein2(r.samples, heldOut, 1000, 0);
        const double mmd =
            mmdSquaredUnbiased(r.samples.leftCols(mmdPoints), heldOut.leftCols(mmdPoints));
        std::printf(
            "{\"workload\":\"diffusion_two_moons\","
            "\"kind\":\"sampler\",\"sampler\":\"%s\",\"budget\":%d,\"nfe\":%ld,\"sw2\":%.5f,"
            "\"mmd2\":%.3e,\"seconds\":%.3f,\"ok\":%s}\n",
            name.c_str(), budget, r.nfe, sw, mmd, r.seconds, r.ok ? "true" : "false");
        std::fflush(stdout);
    };
    if (!quick) {
        SamplerOptions o;
        o.seed = 5;
        o.steps = 1000;
        o.tEnd = tEnd;
        o.schedule = schedule;
        const SampleResult ref = sampleDiffusion(SamplerKind::ReverseSde, process, model, prior, o);
        emit("reference_reverse_sde", 1000, ref);
        o.steps = 20;
        emit("reference_dpm_solver_2", 20,
             sampleDiffusion(SamplerKind::DpmSolver2, process, model, prior, o));
    }
    for (const Entry& e : entries) {
        std::string name = samplerName(e.kind);
        if (e.kind == SamplerKind::ProbabilityFlow)
            name += std::string("_") + methodNames[static_cast<int>(e.method)];
        for (int budget : budgets) {
            SamplerOptions o;
            o.method = e.method;
            o.seed = 5;
            o.tEnd = tEnd;
            o.schedule = schedule;
            // PC spends 2 evaluations per step (1 corrector); RK steps use several.
            o.steps =
                e.kind == SamplerKind::PredictorCorrector || e.kind == SamplerKind::ProbabilityFlow
                    ? budget / e.evalsPerStep
                    : budget;
            if (o.steps < 1 || (e.kind == SamplerKind::DpmSolver3 && budget < 3)) continue;
            emit(name, budget, sampleDiffusion(e.kind, process, model, prior, o));
        }
    }
    for (double tol : {1e-2, 1e-3, 1e-5}) {
        if (!adaptive) break;
        SamplerOptions o;
        o.rtol = o.atol = tol;
        emit("probability_flow_dopri5_tol" + std::to_string(tol).substr(0, 7), 0,
             sampleDiffusion(SamplerKind::ProbabilityFlowAdaptive, process, model, prior, o));
    }
    if (quick) return 0;
    const LikelihoodResult lik =
        probabilityFlowLikelihood(process, model, heldOut.leftCols(1000), 1e-3, 1e-4, 1e-4);
    std::printf(
        "{\"workload\":\"diffusion_two_moons\","
        "\"kind\":\"likelihood\",\"points\":1000,\"bits_per_dim\":%.4f,"
        "\"bits_per_dim_original_units\":%.4f,\"nfe\":%ld}\n",
        lik.bitsPerDim, lik.bitsPerDim - st.logDetJacobian() / (2.0 * std::log(2.0)), lik.nfe);
    return 0;
}
