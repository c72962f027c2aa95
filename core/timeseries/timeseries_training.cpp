#include "core/timeseries/timeseries_training.h"

#include "core/common/error.h"
#include "core/common/random.h"
#include "core/nn/optimizer.h"
#include "core/timeseries/baselines.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numbers>
#include <numeric>

namespace driftlab::core {

namespace {

using Clock = std::chrono::steady_clock;
using timeseries::Mask;
using timeseries::Series;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Streams of the trainer's own random choices (the data and split have theirs).
constexpr std::uint64_t kBatchStream = 0xba7c;
constexpr std::uint64_t kNoiseStream = 0x5e1d;
constexpr std::uint64_t kEvaluationNoise = 0xe7a1;
// The heat map keeps at most this many iteration rows (then halves them), so a snapshot
// copies a bounded amount whatever the run length.
constexpr int kHeatmapRows = 200;
constexpr int kHeatmapBins = 64;
constexpr int kForecastGridPoints = 120;
constexpr int kDriftGrid = 15;
// Variance floor of the Gaussian NLL metric: the models' own floor, so an ODE (zero spread
// but a learned observation noise) and an SDE are scored alike.
constexpr double kNllVarianceFloor = 1e-4;

std::string describe(double value) {
    return std::isnan(value) ? "NaN" : (value > 0 ? "+Inf" : "-Inf");
}

long nonFiniteCount(const Eigen::VectorXd& v) {
    return static_cast<long>((!v.array().isFinite()).count());
}

}  // namespace

CellRole DisplayedSeries::role(Eigen::Index channel, Eigen::Index observation) const {
    if (!series.observed(channel, observation)) return CellRole::Missing;
    if (context(channel, observation)) return CellRole::Context;
    if (target(channel, observation)) return CellRole::Target;
    return CellRole::Unused;
}

struct TimeSeriesTrainer::State {
    nn::Adam<double> adam;
    long totalIterations = 0;
    int paths = 1;
    std::size_t batchSize = 1;
    // The newest finite parameters, and the ones before the last update: those produced a
    // finite loss and gradient, so they are where a run goes back to when finite parameters
    // themselves give a non-finite loss (a huge learning rate's step lands on finite weights
    // whose solve overflows).
    Eigen::VectorXd lastFinite, beforeUpdate;
    long lastFiniteIteration = 0, beforeUpdateIteration = 0;
    std::vector<models::SeriesItem> train, validation, test;
    std::vector<std::string> termNames;
    std::vector<TimeSeriesIterationRecord> history;
    std::vector<TimeSeriesValidationRecord> validationHistory;
    ErrorHeatmap heatmap;
    std::vector<OdeStepRecord> lastSteps;
    std::vector<DisplayedSeries> displayed;
    long displayedAt = -1;
    DriftField drift;
    TimeSeriesMetrics metrics;

    explicit State(double learningRate)
        : adam([&] {
              nn::AdamOptions options;
              options.learningRate = learningRate;
              return options;
          }()) {}
};

TimeSeriesTrainer::TimeSeriesTrainer(TimeSeriesConfig config)
    : TimeSeriesTrainer(config, buildTimeSeriesData(config)) {}

TimeSeriesTrainer::TimeSeriesTrainer(TimeSeriesConfig config, TimeSeriesData data)
    : config_(std::move(config)), data_(std::move(data)) {
    initialize();
}

TimeSeriesTrainer::~TimeSeriesTrainer() = default;

void TimeSeriesTrainer::initialize() {
    model_ = models::makeSeriesModel(modelConfigFor(config_, data_));
    state_ = std::make_unique<State>(config_.training.learningRate);
    State& s = *state_;
    s.totalIterations = config_.training.iterations;
    // The ODE's paths all coincide; more would only repeat the same solve.
    s.paths = config_.model.kind == models::SeriesModelKind::NeuralOde ? 1 : config_.training.paths;
    s.lastFinite = s.beforeUpdate = model_->parameters();
    const auto items = [&](const std::vector<std::size_t>& indices) {
        std::vector<models::SeriesItem> out;
        for (std::size_t i : indices)
            out.push_back({&data_.dataset[i], &data_.tasks[i].context, &data_.tasks[i].target});
        return out;
    };
    // Training series are scored on every observed cell (context included) while the encoder
    // and the control path still read only the context: scoring the held-out cells alone
    // left the fitted paths ignoring everything a user sees before the cut.
    s.train = items(data_.split.train);
    for (auto& item : s.train) item.target = &item.series->observed;
    s.validation = items(data_.split.validation);
    s.test = items(data_.split.test);
    if (s.train.empty())
        throw ConfigError("time-series training: the split left no training series");
    s.batchSize = std::min<std::size_t>(std::size_t(config_.training.batchSize), s.train.size());

    s.heatmap.t0 = 0.0;  // step records are relative to each series' first time
    s.heatmap.t1 = std::max(1e-12, data_.windowEnd - data_.windowStart);
    s.heatmap.bins = kHeatmapBins;
    s.heatmap.values.resize(0, kHeatmapBins);

    // Displayed series: half from training, the rest held out (test, else validation).
    const int wanted = config_.training.displaySeries;
    const auto& heldOut = data_.split.test.empty() ? data_.split.validation : data_.split.test;
    const int fromTrain = std::min<int>((wanted + 1) / 2, int(data_.split.train.size()));
    const int fromHeldOut = std::min<int>(wanted - fromTrain, int(heldOut.size()));
    const auto addDisplayed = [&](std::size_t index, const char* part) {
        DisplayedSeries d;
        d.part = part;
        d.index = index;
        d.series = data_.dataset[index];
        d.context = data_.tasks[index].context;
        d.target = data_.tasks[index].target;
        d.persistence =
            timeseries::baselinePredict(timeseries::BaselineKind::Persistence, d.series, d.context);
        d.linear = timeseries::baselinePredict(timeseries::BaselineKind::LinearInterpolation,
                                               d.series, d.context);
        s.displayed.push_back(std::move(d));
    };
    for (int k = 0; k < fromTrain; ++k) addDisplayed(data_.split.train[std::size_t(k)], "train");
    for (int k = 0; k < fromHeldOut; ++k) addDisplayed(heldOut[std::size_t(k)], "test");

    auto& m = s.metrics;
    m.testMse = m.testNll = m.testAccuracy = kNaN;
    m.trainLoss = kNaN;
    if (config_.task.task != TimeSeriesTask::Classification && !data_.split.test.empty()) {
        m.persistenceMse = timeseries::baselineMse(timeseries::BaselineKind::Persistence,
                                                   data_.dataset, data_.tasks, data_.split.test)
                               .mse;
        m.linearMse = timeseries::baselineMse(timeseries::BaselineKind::LinearInterpolation,
                                              data_.dataset, data_.tasks, data_.split.test)
                          .mse;
    } else {
        m.persistenceMse = m.linearMse = kNaN;
    }
}

int TimeSeriesTrainer::forecastPaths() const {
    return state_->paths == 1 ? 1 : config_.training.forecastPaths;  // ODE paths coincide
}

bool TimeSeriesTrainer::finished() const { return iteration_ >= state_->totalIterations; }

double TimeSeriesTrainer::learningRate() const { return state_->adam.learningRate(); }

void TimeSeriesTrainer::setLearningRate(double learningRate) {
    if (!(learningRate > 0.0) || !std::isfinite(learningRate))
        throw ConfigError("learning rate must be a positive number, got " +
                          std::to_string(learningRate));
    state_->adam.setLearningRate(learningRate);
    diverged_ = false;
    message_.clear();
}

void TimeSeriesTrainer::setTotalIterations(long iterations) {
    state_->totalIterations = std::max(iterations, iteration_);
}

long TimeSeriesTrainer::totalIterations() const { return state_->totalIterations; }

Eigen::VectorXd TimeSeriesTrainer::parameters() const { return model_->parameters(); }

void TimeSeriesTrainer::setParameters(const Eigen::VectorXd& theta) {
    model_->setParameters(theta);
    if (theta.allFinite()) {
        state_->lastFinite = state_->beforeUpdate = theta;
        state_->lastFiniteIteration = state_->beforeUpdateIteration = iteration_;
    }
    state_->displayedAt = -1;
}

std::string TimeSeriesTrainer::architecture() const {
    nlohmann::json a = timeSeriesValues(config_);
    a["channels"] = data_.dataset.channels();
    a["classes"] = data_.classes;
    a["parameters"] = model_->parameterCount();
    a["latent_dim"] = model_->config().latentDim;  // the channels when not latent
    // Only what shapes the parameter vector: a file loads into any run of the same model.
    nlohmann::json shape;
    for (const char* key :
         {"model", "latent", "latent_dim", "drift_width", "drift_depth", "diffusion_width",
          "diffusion_depth", "encoder_width", "encoder_depth", "drift_sees_time", "control_path",
          "objective", "adaptive", "channels", "classes", "parameters"})
        shape[key] = a[key];
    return shape.dump();
}

void TimeSeriesTrainer::stopDiverged(const std::string& what, bool parametersAtFault) {
    const long it = iteration_ + 1;
    State& s = *state_;
    // Finite parameters that failed go back one update; non-finite ones (or an update that
    // produced them) go back to the newest finite set.
    const bool stepBack = parametersAtFault && model_->parameters().allFinite();
    model_->setParameters(stepBack ? s.beforeUpdate : s.lastFinite);
    const long restored = stepBack ? s.beforeUpdateIteration : s.lastFiniteIteration;
    if (stepBack) {
        s.lastFinite = s.beforeUpdate;
        s.lastFiniteIteration = s.beforeUpdateIteration;
    }
    // The moments saw the blow-up; resuming with them would repeat it.
    s.adam.reset();
    diverged_ = true;
    message_ = "training diverged at iteration " + std::to_string(it) + ": " + what +
               "; parameters restored to those after iteration " + std::to_string(restored) +
               ", lower the learning rate to resume";
    s.displayedAt = -1;
}

TimeSeriesTrainer::StepResult TimeSeriesTrainer::step() {
    if (diverged_) return StepResult::Diverged;
    if (finished()) return StepResult::Finished;
    State& s = *state_;
    const long it = iteration_ + 1;
    const auto start = Clock::now();

    // A fresh draw per iteration (partial Fisher-Yates), reproducible from (seed, iteration).
    RandomStream rng(config_.training.seed ^ kBatchStream, std::uint64_t(it));
    std::vector<std::size_t> order(s.train.size());
    std::iota(order.begin(), order.end(), std::size_t(0));
    std::vector<models::SeriesItem> batch;
    for (std::size_t k = 0; k < s.batchSize; ++k) {
        const std::size_t pick = k + std::size_t(rng.uniform() * double(order.size() - k));
        std::swap(order[k], order[std::min(pick, order.size() - 1)]);
        batch.push_back(s.train[order[k]]);
    }
    const std::uint64_t noiseSeed =
        RandomStream(config_.training.seed ^ kNoiseStream, std::uint64_t(it)).next();

    models::SeriesLossResult result;
    Eigen::VectorXd gradient;
    try {
        result = model_->loss(batch, s.paths, noiseSeed, &gradient);
    } catch (const SolverError& e) {
        stopDiverged(std::string("the solve failed (") + e.what() + ")", true);
        return StepResult::Diverged;
    }
    if (!std::isfinite(result.loss)) {
        stopDiverged("the loss is " + describe(result.loss), true);
        return StepResult::Diverged;
    }
    for (const auto& [name, value] : result.terms)
        if (!std::isfinite(value)) {
            stopDiverged("the loss term " + name + " is " + describe(value), true);
            return StepResult::Diverged;
        }
    if (!gradient.allFinite()) {
        stopDiverged("the gradient has " + std::to_string(nonFiniteCount(gradient)) + " of " +
                         std::to_string(gradient.size()) + " entries not finite",
                     true);
        return StepResult::Diverged;
    }
    const double gradientNorm = gradient.norm();
    if (config_.training.gradientClip > 0.0)
        nn::clipGradientNorm<double>(gradient, config_.training.gradientClip);
    Eigen::VectorXd theta = model_->parameters();
    s.adam.step(theta, gradient);
    if (!theta.allFinite()) {
        stopDiverged("the parameters have " + std::to_string(nonFiniteCount(theta)) + " of " +
                         std::to_string(theta.size()) + " entries not finite after the update",
                     false);
        return StepResult::Diverged;
    }
    s.beforeUpdate = std::move(s.lastFinite);
    s.beforeUpdateIteration = s.lastFiniteIteration;
    model_->setParameters(theta);
    s.lastFinite = std::move(theta);
    s.lastFiniteIteration = it;
    iteration_ = it;

    TimeSeriesIterationRecord record;
    record.iteration = it;
    record.loss = result.loss;
    record.nfe = result.nfe;
    record.gradientNorm = gradientNorm;
    // Term names are fixed by the model; a new name (never expected) gets its own column.
    record.terms.assign(s.termNames.size(), kNaN);
    for (const auto& [name, value] : result.terms) {
        auto at = std::find(s.termNames.begin(), s.termNames.end(), name);
        if (at == s.termNames.end()) {
            s.termNames.push_back(name);
            for (auto& old : s.history) old.terms.push_back(kNaN);
            record.terms.push_back(kNaN);
            at = s.termNames.end() - 1;
        }
        record.terms[std::size_t(at - s.termNames.begin())] = value;
    }
    recordHeatmapRow(result.steps);
    s.lastSteps = std::move(result.steps);
    record.seconds = std::chrono::duration<double>(Clock::now() - start).count();

    auto& m = s.metrics;
    m.iterations = it;
    m.trainLoss = result.loss;
    m.totalNfe += result.nfe;
    m.wallSeconds += record.seconds;
    m.meanNfePerIteration = double(m.totalNfe) / double(it);
    m.iterationsPerSecond = m.wallSeconds > 0.0 ? double(it) / m.wallSeconds : 0.0;
    s.history.push_back(std::move(record));

    if (it % config_.training.validateEvery == 0 || finished()) evaluate();
    return StepResult::Trained;
}

void TimeSeriesTrainer::recordHeatmapRow(const std::vector<OdeStepRecord>& steps) {
    ErrorHeatmap& h = state_->heatmap;
    const long it = iteration_;
    if (it % h.stride != 0) return;
    Eigen::RowVectorXd row = Eigen::RowVectorXd::Constant(h.bins, kNaN);
    const double width = (h.t1 - h.t0) / double(h.bins);
    for (const auto& step : steps) {
        if (!step.accepted || !std::isfinite(step.errorNorm)) continue;
        const double a = std::min(step.t, step.t + step.dt), b = std::max(step.t, step.t + step.dt);
        const auto bin = [&](double t) {
            return std::clamp(int(std::floor((t - h.t0) / width)), 0, h.bins - 1);
        };
        // A step ending exactly on a bin edge does not reach into the next bin.
        const int first = bin(a), last = std::max(first, bin(std::nextafter(b, a)));
        for (int k = first; k <= last; ++k)
            if (!(row(k) >= step.errorNorm)) row(k) = step.errorNorm;  // NaN-aware max
    }
    h.values.conservativeResize(h.values.rows() + 1, h.bins);
    h.values.row(h.values.rows() - 1) = row;
    h.iterations.push_back(it);
    if (int(h.iterations.size()) <= kHeatmapRows) return;
    // Keep the rows on the doubled stride.
    h.stride *= 2;
    std::vector<long> keptIterations;
    Eigen::MatrixXd kept(h.values.rows(), h.bins);
    Eigen::Index rows = 0;
    for (std::size_t r = 0; r < h.iterations.size(); ++r)
        if (h.iterations[r] % h.stride == 0) {
            keptIterations.push_back(h.iterations[r]);
            kept.row(rows++) = h.values.row(Eigen::Index(r));
        }
    h.iterations = std::move(keptIterations);
    h.values = kept.topRows(rows);
}

void TimeSeriesTrainer::evaluate() {
    State& s = *state_;
    auto& m = s.metrics;
    m.evaluatedAt = iteration_;
    const bool classification = data_.classes > 0;
    if (!s.validation.empty()) {
        TimeSeriesValidationRecord v;
        v.iteration = iteration_;
        v.loss = v.mse = kNaN;
        try {
            const auto r = model_->loss(s.validation, s.paths, kEvaluationNoise, nullptr);
            v.loss = r.loss;
            for (const auto& [name, value] : r.terms)
                if (name == "mse") v.mse = value;
        } catch (const SolverError&) {
            // Recorded as NaN: the curve shows the gap, training goes on.
        }
        s.validationHistory.push_back(v);
    }
    if (s.test.empty()) return;

    // Test metrics from forecasts, on exactly the cells the baselines score (target cells
    // whose channel has a context value), so the comparison is like for like.
    double squared = 0.0, nll = 0.0;
    long cells = 0, correct = 0, scored = 0;
    for (std::size_t k = 0; k < s.test.size(); ++k) {
        const auto& item = s.test[k];
        const Series& series = *item.series;
        models::SeriesForecast f;
        try {
            f = model_->forecast(series, *item.context, forecastPaths(), kEvaluationNoise + k, 2);
        } catch (const SolverError&) {
            m.testMse = m.testNll = m.testAccuracy = kNaN;
            return;
        }
        if (classification) {
            Eigen::Index best = 0;
            f.classProbabilities.maxCoeff(&best);
            correct += best == series.label ? 1 : 0;
            ++scored;
            continue;
        }
        const Eigen::MatrixXd linear = timeseries::baselinePredict(
            timeseries::BaselineKind::LinearInterpolation, series, *item.context);
        for (Eigen::Index j = 0; j < series.length(); ++j)
            for (Eigen::Index c = 0; c < series.channels(); ++c) {
                if (!(*item.target)(c, j) || !std::isfinite(linear(c, j))) continue;
                const double error = series.values(c, j) - f.meanAtObservations(c, j);
                const double variance =
                    f.stdAtObservations(c, j) * f.stdAtObservations(c, j) + kNllVarianceFloor;
                squared += error * error;
                nll +=
                    0.5 * (std::log(2.0 * std::numbers::pi * variance) + error * error / variance);
                ++cells;
            }
    }
    if (classification) {
        m.testAccuracy = scored > 0 ? double(correct) / double(scored) : kNaN;
    } else {
        m.testMse = cells > 0 ? squared / double(cells) : kNaN;
        m.testNll = cells > 0 ? nll / double(cells) : kNaN;
    }
}

void TimeSeriesTrainer::refreshDisplay() {
    State& s = *state_;
    for (std::size_t k = 0; k < s.displayed.size(); ++k) {
        auto& d = s.displayed[k];
        try {
            d.forecast = model_->forecast(d.series, d.context, forecastPaths(),
                                          kEvaluationNoise + 1000 + k, kForecastGridPoints);
        } catch (const SolverError&) {
            d.forecast = {};  // nothing drawn rather than a stale or broken fan
        }
    }
    s.displayedAt = iteration_;

    DriftField& field = s.drift;
    field = DriftField{};
    if (model_->config().latentDim != 2) return;  // set from the channels when not latent
    Eigen::Vector2d lo = Eigen::Vector2d::Constant(std::numeric_limits<double>::infinity());
    Eigen::Vector2d hi = -lo;
    for (const auto& d : s.displayed)
        for (const auto& z : d.forecast.latentPaths)
            if (z.rows() == 2 && z.allFinite() && z.cols() > 0) {
                lo = lo.cwiseMin(z.rowwise().minCoeff());
                hi = hi.cwiseMax(z.rowwise().maxCoeff());
            }
    if (!(lo.array() <= hi.array()).all()) lo.setConstant(-1.0), hi.setConstant(1.0);
    const Eigen::Vector2d pad = ((hi - lo) * 0.15).cwiseMax(Eigen::Vector2d::Constant(0.1));
    lo -= pad;
    hi += pad;
    Eigen::MatrixXd z(2, kDriftGrid * kDriftGrid);
    for (int i = 0; i < kDriftGrid; ++i)
        for (int j = 0; j < kDriftGrid; ++j)
            z.col(i * kDriftGrid + j) << lo(0) + (hi(0) - lo(0)) * i / (kDriftGrid - 1),
                lo(1) + (hi(1) - lo(1)) * j / (kDriftGrid - 1);
    const Eigen::MatrixXd f = model_->latentDrift(0.0, z);
    if (!f.allFinite()) return;
    field.available = true;
    field.time = 0.0;
    field.lower = lo;
    field.upper = hi;
    field.positions = z;
    field.vectors = f;
}

std::shared_ptr<const TimeSeriesSnapshot> TimeSeriesTrainer::snapshot(bool forecasts) {
    State& s = *state_;
    if (forecasts && s.displayedAt != iteration_) refreshDisplay();
    auto snap = std::make_shared<TimeSeriesSnapshot>();
    snap->config = config_;
    snap->iteration = iteration_;
    snap->totalIterations = s.totalIterations;
    snap->learningRate = s.adam.learningRate();
    snap->finished = finished();
    snap->diverged = diverged_;
    snap->message = message_;
    snap->termNames = s.termNames;
    snap->history = s.history;
    snap->validation = s.validationHistory;
    snap->heatmap = s.heatmap;
    snap->lastSteps = s.lastSteps;
    snap->displayed = s.displayed;
    snap->displayedAt = std::max(0L, s.displayedAt);
    snap->drift = s.drift;
    snap->metrics = s.metrics;
    return snap;
}

}  // namespace driftlab::core
