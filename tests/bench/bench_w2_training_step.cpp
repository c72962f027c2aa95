// W2 (issue 3): one training step of a neural SDE. Drift MLP 2->64->64->2 (tanh), diagonal
// diffusion MLP 2->64->2 (sigmoid x 0.5), 256 paths, 100 steps of dt 0.01, loss = mean
// squared distance of the terminal state to a fixed target. Times forward + backward per
// iteration (median of repeats) in float64 and float32, for backprop through the solver
// (Euler–Maruyama, stochastic Heun, reversible Heun) and for the reversible-Heun adjoint.
// The target is 7 ms per iteration in float32 with backprop through the solver.
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "core/common/random.h"
#include "core/models/neural_sde.h"
#include "core/solvers/sde_backprop.h"

using namespace driftlab::core;
using namespace driftlab::core::models;

namespace {

constexpr int kPaths = 256;
constexpr int kSteps = 100;
constexpr double kDt = 0.01;
constexpr int kRepeats = 25;
std::string gScheme;      // --backprop-scheme NAME: that backprop case only (for profiling)
bool gRecompute = false;  // --recompute: backprop re-evaluates the nets instead of a tape

double processCpuMilliseconds() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return 1e3 * static_cast<double>(ts.tv_sec) + 1e-6 * static_cast<double>(ts.tv_nsec);
}

struct Timing {
    double wallMs, cpuMs;  // medians; CPU time over all threads, robust to a loaded machine
};

template <typename Scalar>
Timing medianMilliseconds(const NeuralSde<Scalar>& model, bool adjoint, SdeGradScheme scheme) {
    RandomStream random(7, 0);
    nn::Matrix<Scalar> y0(2, kPaths), target(2, kPaths);
    for (Eigen::Index k = 0; k < y0.size(); ++k) {
        y0.data()[k] = static_cast<Scalar>(random.normal());
        target.data()[k] = static_cast<Scalar>(0.5 * random.normal());
    }
    // m x paths per step: m = 2 for the diagonal model, brownianDim for a general one.
    const Index motions = model.brownianDimension();
    std::vector<nn::Matrix<Scalar>> dW(kSteps, nn::Matrix<Scalar>(motions, kPaths));
    for (auto& m : dW)
        for (Eigen::Index k = 0; k < m.size(); ++k)
            m.data()[k] = static_cast<Scalar>(std::sqrt(kDt) * random.normal());
    SdePathLoss<Scalar> loss = [&target](std::size_t, const nn::MatrixCRef<Scalar>& y,
                                         nn::Matrix<Scalar>& grad) {
        const Scalar scale = Scalar(1) / static_cast<Scalar>(y.size());
        grad = (Scalar(2) * scale) * (y - target);
        return scale * (y - target).squaredNorm();
    };
    SdeGradOptions options;
    options.dt = kDt;
    options.scheme = scheme;
    options.storeActivations = !gRecompute;
    std::vector<double> times, cpuTimes;
    // Kept across iterations, as a training loop keeps it.
    SdeGradWorkspace<Scalar> workspace;
    for (int r = 0; r < kRepeats + 3; ++r) {
        const double cpuStart = processCpuMilliseconds();
        const auto start = std::chrono::steady_clock::now();
        const auto result = adjoint
                                ? reversibleHeunAdjoint(model, y0, dW, loss, options, &workspace)
                                : sdeBackprop(model, y0, dW, loss, options, &workspace);
        const double ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                .count();
        if (!(result.loss >= Scalar(0))) std::printf("non-finite loss\n");
        const double cpuMs = processCpuMilliseconds() - cpuStart;
        if (r >= 3) {  // the first passes size the buffers
            times.push_back(ms);
            cpuTimes.push_back(cpuMs);
        }
    }
    std::nth_element(times.begin(), times.begin() + kRepeats / 2, times.end());
    std::nth_element(cpuTimes.begin(), cpuTimes.begin() + kRepeats / 2, cpuTimes.end());
    return {times[kRepeats / 2], cpuTimes[kRepeats / 2]};
}

const char* schemeName(SdeGradScheme scheme) {
    switch (scheme) {
        case SdeGradScheme::EulerMaruyama:
            return "euler_maruyama";
        case SdeGradScheme::StochasticHeun:
            return "stochastic_heun";
        case SdeGradScheme::ReversibleHeun:
            return "reversible_heun";
    }
    return "";
}

template <typename Scalar>
void run(const NeuralSde<Scalar>& model, const char* precision) {
    const std::string noise = model.hasGeneralNoise()
                                  ? "general_m" + std::to_string(model.brownianDimension())
                                  : std::string("diagonal");
    struct Case {
        const char* method;
        bool adjoint;
        SdeGradScheme scheme;
    };
    const Case cases[] = {{"backprop", false, SdeGradScheme::EulerMaruyama},
                          {"backprop", false, SdeGradScheme::StochasticHeun},
                          {"backprop", false, SdeGradScheme::ReversibleHeun},
                          {"reversible_heun_adjoint", true, SdeGradScheme::ReversibleHeun}};
    for (const auto& c : cases) {
        if (!gScheme.empty() && (gScheme != schemeName(c.scheme) || c.adjoint)) continue;
        const Timing timing = medianMilliseconds(model, c.adjoint, c.scheme);
        const double ms = timing.wallMs;
        const bool targeted =
            !c.adjoint && std::string(precision) == "float32" && !model.hasGeneralNoise();
        std::printf(
            "{\"workload\":\"w2_training_step\",\"precision\":\"%s\",\"noise\":\"%s\","
            "\"method\":\"%s\",\"scheme\":\"%s\",\"paths\":%d,\"steps\":%d,"
            "\"threads\":%d,\"median_ms\":%.3f,\"median_cpu_ms\":%.3f,\"target_ms\":7.0,"
            "\"meets_target\":%s}\n",
            precision, noise.c_str(), c.method, schemeName(c.scheme), kPaths, kSteps,
            omp_get_max_threads(), ms, timing.cpuMs,
            targeted ? (ms <= 7.0 ? "true" : "false") : "null");
        std::fflush(stdout);
    }
}

}  // namespace

int main(int argc, char** argv) {
    // --precision float32|float64 runs one precision only, --backprop-scheme euler_maruyama
    // one backprop case only (for profiling); --recompute turns the activation tape off;
    // --general-noise M replaces the diagonal diffusion by a 2 x M matrix from the same
    // 2 -> 64 -> 2M net (torchsde's "general" noise), driven by M Brownian motions.
    std::string only;
    long generalNoise = 0;
    for (int i = 1; i + 1 < argc; ++i)
        if (std::string(argv[i]) == "--precision")
            only = argv[i + 1];
        else if (std::string(argv[i]) == "--backprop-scheme")
            gScheme = argv[i + 1];
        else if (std::string(argv[i]) == "--general-noise")
            generalNoise = std::atol(argv[i + 1]);
    for (int i = 1; i < argc; ++i)
        if (std::string(argv[i]) == "--recompute") gRecompute = true;
    const NeuralSde<double> model(
        generalNoise > 0 ? makeGeneralNoiseSdeConfig(2, generalNoise, {64, 64}, {64}, 0.5, 1)
                         : makeNeuralSdeConfig(2, {64, 64}, {64}, 0.5, 1));
    if (only.empty() || only == "float64") run(model, "float64");
    if (only.empty() || only == "float32") run(model.cast<float>(), "float32");
    return 0;
}
