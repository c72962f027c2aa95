#pragma once
// What the Time series workspace's views draw, taken out of one immutable training snapshot:
// plain copies and relabelling only (the snapshot already holds the forecasts, the drift on
// its grid and the error estimates), so the GUI thread can afford it at each poll.
#include "core/timeseries/timeseries_training.h"
#include "widgets/views/line_chart_view.h"
#include "widgets/views/series_fan_view.h"

#include <QString>
#include <QStringList>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace driftlab::app {

// Display names of the form's menu entries, per schema key: (config id, name).
const std::vector<std::pair<std::string, std::vector<std::pair<QString, QString>>>>& menuNames();

// "train series 12" / "test series 3"
QString displayedSeriesLabel(const core::DisplayedSeries& displayed);

// Channel `channel` of displayed series `index`, with at most maxPaths sample paths; null when
// either index is out of range.
std::shared_ptr<const widgets::SeriesFanData> makeSeriesFanData(
    const core::TimeSeriesSnapshot& snapshot, int index, int channel, int maxPaths = 24);

struct PhasePortraitData {
    bool available = false;
    Eigen::Matrix2Xd positions, vectors;
    std::vector<Eigen::Matrix2Xd> paths;  // latent sample paths of the displayed series
    QString title;
};
PhasePortraitData makePhasePortrait(const core::TimeSeriesSnapshot& snapshot, int maxPaths = 12);

struct ErrorHeatMapData {
    double t0 = 0, t1 = 1, iteration0 = 0, iteration1 = 1;
    Eigen::MatrixXd log10Error;  // rows = kept iterations, columns = time bins; NaN = no step
};
ErrorHeatMapData makeErrorHeatMap(const core::TimeSeriesSnapshot& snapshot);

// Training objective per iteration (faint) and smoothed, validation loss, and every named
// term of the objective, against the iteration.
std::vector<widgets::ChartLine> makeLossLines(const core::TimeSeriesSnapshot& snapshot);

// Drift evaluations per iteration of this run (raw and smoothed) and, when given, the smoothed
// curve of an earlier run (e.g. without regularisation) for comparison.
struct NfeCurve {
    QString label;
    std::vector<double> iterations, nfe;
};
NfeCurve nfeCurve(const core::TimeSeriesSnapshot& snapshot, const QString& label);
std::vector<widgets::ChartLine> makeNfeLines(const NfeCurve& current, const NfeCurve* previous);
// A short description of the run's solver settings for an NFE curve's legend.
QString solverSettingsLabel(const core::TimeSeriesConfig& config);

// The last iteration's representative solve as the diagnostics view's stats.
core::OdeStats lastSolveStats(const core::TimeSeriesSnapshot& snapshot);

// (quantity, value) rows of the metrics table.
std::vector<std::pair<QString, QString>> makeMetricRows(const core::TimeSeriesSnapshot& snapshot);

// "Trained N iterations in S s (R it/s): test MSE ... (persistence ..., linear ...)"
QString trainingSummary(const core::TimeSeriesSnapshot& snapshot);

}  // namespace driftlab::app
