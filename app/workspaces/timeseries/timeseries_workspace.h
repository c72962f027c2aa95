#pragma once
// The Time series workspace: pick or load irregular, incomplete series, choose a model
// (neural ODE/SDE, the stable Langevin / linear-noise / geometric SDEs, adaptive ODE with
// ERNODE regularisation), press Train and watch the fan chart over the observations, the
// learned drift's phase portrait, the loss terms, NFE per iteration, the solver's step sizes
// and the error estimate over (time, iteration) change while it learns.
//
// Training runs on a core::TimeSeriesTrainingRunner's worker thread. The GUI only sends it
// commands (train, pause, step, learning rate) and polls its latest immutable snapshot at
// about 8 Hz; nothing here waits for an iteration.
#include "app/workspace.h"

#include <nlohmann/json.hpp>

#include <QString>

#include <atomic>
#include <list>
#include <memory>
#include <optional>
#include <thread>

class QAction;
class QComboBox;
class QLabel;
class QPushButton;
class QTabWidget;
class QTableWidget;
class QTimer;

namespace driftlab::core {
class TimeSeriesTrainingRunner;
struct TimeSeriesSnapshot;
enum class TrainingRunState;
}  // namespace driftlab::core
namespace driftlab::widgets {
class AxisHeatMapView;
class LineChartView;
class RunControls;
class SchemaForm;
class SeriesFanView;
class SolverDiagnosticsView;
class VectorFieldView;
}  // namespace driftlab::widgets

namespace driftlab::app {

struct NfeCurve;

class TimeseriesWorkspace : public Workspace {
    Q_OBJECT
public:
    explicit TimeseriesWorkspace(QObject* parent = nullptr);
    ~TimeseriesWorkspace() override;  // waits for retired workers (at most one iteration each)

    QString title() const override { return "Time series"; }
    QWidget* leftPanel() override;
    QWidget* centralView() override;
    QWidget* bottomPanel() override;
    // A JSON config file, a time-series preset id (e.g. "ou_forecasting") or a dataset id
    // ("ou", "sunspots", ...).
    bool loadConfig(const QString& fileOrPresetId, QString* error) override;
    bool isRunning() const override;
    bool showPanel(const QString& name) override;

    // The CSV path "Load CSV…" takes: the file is imported to check it, and only a file that
    // imports becomes the data source; a refused one leaves the settings as they were.
    bool loadCsv(const QString& path, QString* error);

    // For tests and the screenshot path.
    std::shared_ptr<const core::TimeSeriesSnapshot> lastSnapshot() const { return snapshot_; }
    bool hasRun() const { return runner_ != nullptr; }
    core::TrainingRunState runState() const;  // of the current run; Idle without one
    widgets::SchemaForm* settingsForm() const { return settings_; }
    widgets::SeriesFanView* seriesView() const { return seriesView_; }
    widgets::VectorFieldView* phasePortrait() const { return phasePortrait_; }
    widgets::LineChartView* lossChart() const { return lossChart_; }
    widgets::LineChartView* nfeChart() const { return nfeChart_; }
    widgets::SolverDiagnosticsView* diagnostics() const { return diagnostics_; }
    widgets::AxisHeatMapView* heatMap() const { return heatMap_; }
    QTableWidget* metricsTable() const { return metrics_; }
    QComboBox* seriesSelector() const { return seriesCombo_; }
    QComboBox* channelSelector() const { return channelCombo_; }
    QTabWidget* centralTabs() const { return centralTabs_; }
    QTabWidget* bottomTabs() const { return bottomTabs_; }
    QLabel* errorLabel() const { return errorLabel_; }
    QAction* pauseAction() const { return pauseAction_; }
    QAction* stepAction() const { return stepAction_; }

public Q_SLOTS:
    // Train: resumes a paused or diverged run (with the form's learning rate, so a lower one
    // continues a diverged model from its last finite weights), or starts a fresh one.
    void run() override;
    void pause();
    void stepOnce();  // one iteration, then paused
    // Stops and drops the run; the views keep showing the model as it was.
    void cancel() override;
    // Drops the run, clears the views and returns the form to the loaded settings.
    void reset() override;
    void chooseCsv();  // the file dialog behind "Load CSV…"

private:
    enum class Pending { None, Finish, Step };

    void buildLeftPanel();
    void buildCentral();
    void buildBottom();
    // The form's settings as a run config; shows the message and returns false if refused.
    bool startRunner();
    void retireRunner();
    void poll();
    void showSnapshot(std::shared_ptr<const core::TimeSeriesSnapshot> snapshot);
    void showForecasts();
    void updateSeriesView();
    // The channel box lists the selected series' channels (rebuilt only when the count
    // changes, without signals), then the series view is redrawn.
    void syncChannelsAndView();
    void clearViews();
    void showError(const QString& message);
    void updateButtons();

    std::unique_ptr<core::TimeSeriesTrainingRunner> runner_;
    nlohmann::json runnerValues_;  // the form values the runner was built from
    struct Reaper {
        std::thread thread;
        std::shared_ptr<std::atomic<bool>> done;
    };
    std::list<Reaper> reapers_;
    QTimer* pollTimer_ = nullptr;
    long lastPublication_ = -1;
    long shownForecastAt_ = -1;
    Pending pending_ = Pending::None;
    long pendingFrom_ = 0;  // iteration the pending step started from
    bool reportedStop_ = false;  // runFinished sent for the current stop
    std::shared_ptr<const core::TimeSeriesSnapshot> snapshot_;
    std::unique_ptr<NfeCurve> previousNfe_;

    nlohmann::json loaded_;  // the form values Reset returns to

    QWidget* left_ = nullptr;
    QWidget* central_ = nullptr;
    QWidget* bottom_ = nullptr;
    widgets::SchemaForm* settings_ = nullptr;
    widgets::RunControls* controls_ = nullptr;
    QAction* pauseAction_ = nullptr;
    QAction* stepAction_ = nullptr;
    QPushButton* pauseButton_ = nullptr;
    QPushButton* stepButton_ = nullptr;
    QLabel* errorLabel_ = nullptr;
    QLabel* csvLabel_ = nullptr;
    QTabWidget* centralTabs_ = nullptr;
    widgets::SeriesFanView* seriesView_ = nullptr;
    QComboBox* seriesCombo_ = nullptr;
    QComboBox* channelCombo_ = nullptr;
    widgets::VectorFieldView* phasePortrait_ = nullptr;
    QTabWidget* bottomTabs_ = nullptr;
    widgets::LineChartView* lossChart_ = nullptr;
    widgets::LineChartView* nfeChart_ = nullptr;
    widgets::SolverDiagnosticsView* diagnostics_ = nullptr;
    widgets::AxisHeatMapView* heatMap_ = nullptr;
    QTableWidget* metrics_ = nullptr;
};

}  // namespace driftlab::app
