// ERNODE NFE study (issue 4, "Solver-heuristic regularisation"): the adaptive latent neural
// ODE trained with the workspace's trainer (TimeSeriesTrainer: minibatches, Adam, clipping) on
// one synthetic forecasting set, once per variant, from the same seed:
//   none         no regulariser
//   global       lambda_E * sum ||err|| |h| over every accepted step (Pal et al., ICML 2021)
//   local        the same at --points uniformly drawn times per series per iteration only
//                (Pal et al., "Locally Regularized Neural Differential Equations")
//   stiffness    lambda_S * sum of Hairer's stiffness estimate h * |lambda|
// Per variant and iteration, one JSON line with the training NFE (every drift evaluation:
// the adaptive solve with its rejected steps, the replay of the accepted steps and the
// backward pass) and the loss. At the end, per variant: the test MSE (trainer's forecast
// metric) and the NFE of a fresh evaluation solve of the test series at the same tolerance
// without any regulariser, and both as ratios to the unregularised model; the published
// effect is an NFE ratio of 0.556-0.733 at similar accuracy.
//
// R_E is of the order of the tolerance times the window (the step controller keeps every
// local error near the tolerance), so the error weights scale like 1 / rtol.
//
// Run: build/<dir>/tests/bench/bench_ernode [--iterations N] [--seeds K] [--learning-rate R]
//        [--encoder-observations N] [--latent D] [--lambda-scale S] [--variant NAME]... [--quiet]
//   --quiet prints only the summary lines; --variant limits the run to the named ones
//   (the unregularised model always runs, as the reference).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "core/models/adaptive_series_ode.h"
#include "core/timeseries/timeseries_training.h"

using namespace driftlab::core;

namespace {

struct Variant {
    const char* name;
    double errorLambda, stiffnessLambda;
    int points;
};

struct Settings {
    long iterations = 300;
    int seeds = 1;
    double learningRate = 1e-2;
    int encoderObservations = 8;
    int latentDim = 8;
    double lambdaScale = 1.0;  // multiplies every regulariser weight (trade-off sweeps)
    bool quiet = false;
    std::vector<std::string> only;  // variant names; empty: all
};

TimeSeriesConfig baseConfig(const Settings& settings, std::uint64_t seed) {
    const long iterations = settings.iterations;
    TimeSeriesConfig c;
    c.data.generator = timeseries::GeneratorKind::Spirals;
    auto& g = c.data.generatorOptions;
    g.seed = 100 + seed;
    g.seriesCount = 64;
    g.length = 6.0;
    g.observations = 40;
    g.observationNoise = 0.02;
    g.missingRate = 0.3;
    c.task.task = TimeSeriesTask::Forecasting;
    c.task.holdOut = 0.3;
    c.task.trainFraction = 0.6;
    c.task.validationFraction = 0.1;
    auto& m = c.model;
    m.kind = models::SeriesModelKind::NeuralOde;
    m.adaptive = true;
    m.latentDim = settings.latentDim;
    m.driftWidths = {32};
    m.encoderWidths = {32};
    m.encoderObservations = settings.encoderObservations;
    m.rtol = 1e-6;
    m.atol = 1e-8;
    m.seed = seed;
    c.training.iterations = iterations;
    c.training.batchSize = 16;
    c.training.learningRate = settings.learningRate;
    c.training.seed = seed;
    c.training.validateEvery = int(iterations);
    c.training.displaySeries = 0;
    return c;
}

struct Outcome {
    double testMse = 0.0;
    double persistenceMse = 0.0, linearMse = 0.0;  // baselines on the same test cells
    long evalNfe = 0;
    double meanTrainNfeLastTenth = 0.0;
    double seconds = 0.0;
    bool diverged = false;
};

Outcome run(const Variant& v, const Settings& settings, std::uint64_t seed) {
    const bool quiet = settings.quiet;
    TimeSeriesConfig config = baseConfig(settings, seed);
    config.model.errorRegularization = v.errorLambda;
    config.model.stiffnessRegularization = v.stiffnessLambda;
    config.model.localRegularizationPoints = v.points;
    TimeSeriesTrainer trainer(config);
    const auto start = std::chrono::steady_clock::now();
    while (trainer.step() == TimeSeriesTrainer::StepResult::Trained) {
    }
    Outcome o;
    o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    o.diverged = trainer.diverged();
    const auto snap = trainer.snapshot(false);
    const auto& history = snap->history;
    for (const auto& r : history)
        if (!quiet)
            std::printf(
                "{\"workload\":\"ernode\",\"variant\":\"%s\",\"seed\":%llu,\"iteration\":%ld,"
                "\"train_nfe\":%ld,\"loss\":%.6g}\n",
                v.name, (unsigned long long)seed, r.iteration, r.nfe, r.loss);
    const std::size_t tail = std::max<std::size_t>(1, history.size() / 10);
    for (std::size_t k = history.size() - tail; k < history.size(); ++k)
        o.meanTrainNfeLastTenth += double(history[k].nfe) / double(tail);
    o.testMse = snap->metrics.testMse;
    o.persistenceMse = snap->metrics.persistenceMse;
    o.linearMse = snap->metrics.linearMse;

    // A fresh solve of the test series with the trained weights, same tolerance, no
    // regulariser (so no replay): the solver's own work, rejected steps included.
    auto evalConfig = modelConfigFor(config, trainer.data());
    evalConfig.errorRegularization = evalConfig.stiffnessRegularization = 0.0;
    evalConfig.localRegularizationPoints = 0;
    auto model = models::makeAdaptiveSeriesOde(evalConfig);
    model->setParameters(trainer.parameters());
    std::vector<models::SeriesItem> test;
    const auto& data = trainer.data();
    for (std::size_t i : data.split.test)
        test.push_back({&data.dataset[i], &data.tasks[i].context, &data.tasks[i].target});
    o.evalNfe = model->loss(test, 1, 0, nullptr).nfe;
    return o;
}

}  // namespace

int main(int argc, char** argv) {
    Settings settings;
    for (int i = 1; i < argc; ++i) {
        const bool value = i + 1 < argc;
        if (!std::strcmp(argv[i], "--iterations") && value)
            settings.iterations = std::atol(argv[++i]);
        else if (!std::strcmp(argv[i], "--seeds") && value)
            settings.seeds = std::atoi(argv[++i]);
        else if (!std::strcmp(argv[i], "--learning-rate") && value)
            settings.learningRate = std::atof(argv[++i]);
        else if (!std::strcmp(argv[i], "--encoder-observations") && value)
            settings.encoderObservations = std::atoi(argv[++i]);
        else if (!std::strcmp(argv[i], "--latent") && value)
            settings.latentDim = std::atoi(argv[++i]);
        else if (!std::strcmp(argv[i], "--lambda-scale") && value)
            settings.lambdaScale = std::atof(argv[++i]);
        else if (!std::strcmp(argv[i], "--variant") && value)
            settings.only.emplace_back(argv[++i]);
        else if (!std::strcmp(argv[i], "--quiet"))
            settings.quiet = true;
        else {
            std::fprintf(stderr,
                         "usage: %s [--iterations N] [--seeds K] [--learning-rate R] "
                         "[--encoder-observations N] [--latent D] [--lambda-scale S] "
                         "[--variant NAME]... "
                         "[--quiet]\n",
                         argv[0]);
            return 2;
        }
    }
    if (settings.iterations < 1 || settings.seeds < 1 || !(settings.learningRate > 0.0) ||
        settings.encoderObservations < 1 || settings.latentDim < 1 ||
        !(settings.lambdaScale >= 0.0)) {
        std::fprintf(stderr,
                     "iterations, seeds, encoder observations and latent size must be >= 1, "
                     "the learning rate > 0, the lambda scale >= 0\n");
        return 2;
    }
    const long iterations = settings.iterations;
    const int seeds = settings.seeds;
    std::vector<Variant> variants{{"none", 0.0, 0.0, 0},
                                  {"global", 1e6, 0.0, 0},
                                  {"local", 3e6, 0.0, 10},
                                  {"stiffness", 0.0, 0.1, 0}};
    if (!settings.only.empty()) {
        // The unregularised model stays first: every ratio is to it.
        std::vector<Variant> chosen{variants.front()};
        for (const auto& v : variants)
            if (std::string(v.name) != "none" &&
                std::find(settings.only.begin(), settings.only.end(), v.name) !=
                    settings.only.end())
                chosen.push_back(v);
        variants = chosen;
    }
    for (auto& v : variants) {
        v.errorLambda *= settings.lambdaScale;
        v.stiffnessLambda *= settings.lambdaScale;
    }
    // Per variant, sums over seeds of the three ratios to the unregularised model.
    std::vector<double> mseRatio(variants.size(), 0.0), evalRatio(variants.size(), 0.0),
        trainRatio(variants.size(), 0.0);
    for (int seed = 0; seed < seeds; ++seed) {
        std::vector<Outcome> outcomes;
        for (const auto& v : variants) outcomes.push_back(run(v, settings, std::uint64_t(seed)));
        const Outcome& base = outcomes.front();
        for (std::size_t k = 0; k < variants.size(); ++k) {
            const Outcome& o = outcomes[k];
            std::printf(
                "{\"workload\":\"ernode_summary\",\"variant\":\"%s\",\"seed\":%d,"
                "\"iterations\":%ld,\"lambda_error\":%g,\"lambda_stiffness\":%g,"
                "\"local_points\":%d,\"diverged\":%s,\"test_mse\":%.5f,"
                "\"persistence_mse\":%.5f,\"linear_mse\":%.5f,"
                "\"test_mse_ratio\":%.3f,\"eval_nfe\":%ld,\"eval_nfe_ratio\":%.3f,"
                "\"train_nfe_last_tenth\":%.0f,\"train_nfe_ratio\":%.3f,"
                "\"published_nfe_ratio\":[0.556,0.733],\"seconds\":%.1f}\n",
                variants[k].name, seed, iterations, variants[k].errorLambda,
                variants[k].stiffnessLambda, variants[k].points, o.diverged ? "true" : "false",
                o.testMse, o.persistenceMse, o.linearMse, o.testMse / base.testMse, o.evalNfe,
                double(o.evalNfe) / double(base.evalNfe), o.meanTrainNfeLastTenth,
                o.meanTrainNfeLastTenth / base.meanTrainNfeLastTenth, o.seconds);
            std::fflush(stdout);
            mseRatio[k] += o.testMse / base.testMse / seeds;
            evalRatio[k] += double(o.evalNfe) / double(base.evalNfe) / seeds;
            trainRatio[k] += o.meanTrainNfeLastTenth / base.meanTrainNfeLastTenth / seeds;
        }
    }
    for (std::size_t k = 0; k < variants.size(); ++k)
        std::printf(
            "{\"workload\":\"ernode_mean\",\"variant\":\"%s\",\"seeds\":%d,\"iterations\":%ld,"
            "\"test_mse_ratio\":%.3f,\"eval_nfe_ratio\":%.3f,\"train_nfe_ratio\":%.3f}\n",
            variants[k].name, seeds, iterations, mseRatio[k], evalRatio[k], trainRatio[k]);
    return 0;
}
