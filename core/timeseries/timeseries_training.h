#pragma once
// Training a time-series model, one Adam iteration at a time, and what the views draw of it.
//
// TimeSeriesTrainer is single-threaded: step() runs one iteration (a batch of training
// series, loss and gradient, clipping, Adam) and records its loss terms, NFE, wall time and
// the solver's error estimates; snapshot() copies everything the views need into an
// immutable TimeSeriesSnapshot. A diverging iteration (non-finite loss, gradient or
// parameters, or a solve that fails) stops training with a message naming the iteration and
// the quantity and restores the last finite parameters (when finite parameters gave the
// non-finite loss, the ones before the update that made them); setLearningRate() clears the
// stop, so training resumes with more step()s.
//
// The window and the headless run drive a trainer through TimeSeriesJob
// (timeseries_job.h), the core::RunJob that a core::Run owns on its worker.
#include "core/experiment/run.h"
#include "core/models/series_dataset.h"
#include "core/models/series_model.h"
#include "core/solvers/ode_solve.h"
#include "core/timeseries/timeseries_config.h"

#include <Eigen/Core>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace driftlab::core {

struct TimeSeriesIterationRecord {
    long iteration = 0;  // 1-based
    double loss = 0.0;
    std::vector<double> terms;  // in the order of TimeSeriesSnapshot::termNames
    long nfe = 0;
    double seconds = 0.0;       // wall time of this iteration
    double gradientNorm = 0.0;  // before clipping
};

struct TimeSeriesValidationRecord {
    long iteration = 0;
    double loss = 0.0;  // the objective on the validation series
    double mse = 0.0;   // NaN for classification
};

// The solver's scaled error estimate over (time, iteration): each row is one recorded
// iteration, each column a time bin over [t0, t1]; the value is the largest error norm of an
// accepted step overlapping the bin (NaN where no step did). Rows are decimated (every other
// one dropped, stride doubled) once there are more than maxRows, so it stays small.
struct ErrorHeatmap {
    double t0 = 0.0, t1 = 1.0;
    int bins = 64;
    int stride = 1;                // iterations between kept rows
    std::vector<long> iterations;  // one per row
    Eigen::MatrixXd values;        // rows = iterations.size(), cols = bins
};

// Phase portrait of the learned latent drift (latentDim == 2): arrows on a grid around the
// displayed latent paths.
struct DriftField {
    bool available = false;  // false unless the latent space is 2-D
    double time = 0.0;       // the drift is evaluated at this time
    Eigen::Vector2d lower = Eigen::Vector2d::Zero(), upper = Eigen::Vector2d::Zero();
    Eigen::Matrix2Xd positions, vectors;  // same columns
};

enum class CellRole { Context, Target, Missing, Unused };

struct DisplayedSeries {
    std::string part;       // "train" or "test"
    std::size_t index = 0;  // in the dataset
    timeseries::Series series;
    timeseries::Mask context, target;
    models::SeriesForecast forecast;
    // Baselines at the series' observation times (channels x length) from the context cells.
    Eigen::MatrixXd persistence, linear;
    CellRole role(Eigen::Index channel, Eigen::Index observation) const;
};

struct TimeSeriesMetrics {
    long iterations = 0;
    double trainLoss = 0.0;  // last iteration's objective
    // From the latest test evaluation (every validateEvery iterations and at the end);
    // NaN before the first. accuracy only for classification, mse/nll only for regression.
    long evaluatedAt = 0;
    double testMse = 0.0, testNll = 0.0, testAccuracy = 0.0;
    double persistenceMse = 0.0, linearMse = 0.0;  // test split, same cells as testMse
    long totalNfe = 0;
    double meanNfePerIteration = 0.0;
    double wallSeconds = 0.0;  // time spent in step()
    double iterationsPerSecond = 0.0;
};

// iteration and totalIterations (the Snapshot base's) count training iterations.
struct TimeSeriesSnapshot : Snapshot {
    TimeSeriesConfig config;
    double learningRate = 0.0;
    bool finished = false;  // iteration == totalIterations
    bool diverged = false;
    std::string message;  // the divergence message, empty otherwise
    std::vector<std::string> termNames;
    std::vector<TimeSeriesIterationRecord> history;  // one per iteration
    std::vector<TimeSeriesValidationRecord> validation;
    ErrorHeatmap heatmap;
    std::vector<OdeStepRecord> lastSteps;    // the last iteration's representative solve
    std::vector<DisplayedSeries> displayed;  // forecasts of the last refresh
    long displayedAt = 0;                    // iteration the forecasts are of
    DriftField drift;
    TimeSeriesMetrics metrics;
};

class TimeSeriesTrainer {
public:
    // Builds the data, the model (makeSeriesModel) and Adam. Throws ConfigError.
    explicit TimeSeriesTrainer(TimeSeriesConfig config);
    TimeSeriesTrainer(TimeSeriesConfig config, TimeSeriesData data);
    ~TimeSeriesTrainer();
    // Batches point into the data, so a trainer stays where it was built.
    TimeSeriesTrainer(const TimeSeriesTrainer&) = delete;
    TimeSeriesTrainer& operator=(const TimeSeriesTrainer&) = delete;

    enum class StepResult { Trained, Finished, Diverged };
    // One iteration. Finished: all iterations were already done (nothing ran); Diverged: this
    // iteration (or an earlier one, until setLearningRate) diverged; see message().
    StepResult step();
    bool finished() const;
    bool diverged() const { return diverged_; }
    const std::string& message() const { return message_; }
    long iteration() const { return iteration_; }

    // Also clears a divergence stop (the Adam moments were reset at the stop).
    void setLearningRate(double learningRate);
    double learningRate() const;
    // More iterations after the configured ones (continue training); never below iteration().
    void setTotalIterations(long iterations);
    long totalIterations() const;

    // Validation loss and test metrics now (step() does it every validateEvery iterations).
    void evaluate();

    // forecasts: recompute the displayed series' forecasts and the drift field (the costly
    // part) rather than reuse the last ones.
    std::shared_ptr<const TimeSeriesSnapshot> snapshot(bool forecasts = true);

    const TimeSeriesConfig& config() const { return config_; }
    const TimeSeriesData& data() const { return data_; }
    const models::SeriesModel& model() const { return *model_; }
    Eigen::VectorXd parameters() const;
    // ConfigError on size; non-finite values are taken as they are (a test injects NaN).
    void setParameters(const Eigen::VectorXd& theta);
    // JSON text naming the model (kind, sizes) for nn::saveParameters.
    std::string architecture() const;

private:
    struct State;
    TimeSeriesConfig config_;
    TimeSeriesData data_;
    std::unique_ptr<models::SeriesModel> model_;
    std::unique_ptr<State> state_;
    long iteration_ = 0;
    bool diverged_ = false;
    std::string message_;

    void initialize();
    int forecastPaths() const;
    void stopDiverged(const std::string& what, bool parametersAtFault);
    void recordHeatmapRow(const std::vector<OdeStepRecord>& steps);
    void refreshDisplay();
};

}  // namespace driftlab::core
