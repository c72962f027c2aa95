#pragma once
// The Time series workspace: pick or load irregular, incomplete series, choose a model
// (neural ODE/SDE, the stable Langevin / linear-noise / geometric SDEs, adaptive ODE with
// ERNODE regularisation), press Train and watch the fan chart over the observations, the
// learned drift's phase portrait, the loss terms, NFE per iteration, the solver's step sizes
// and the error estimate over (time, iteration) change while it learns.
//
// Training is a core::TimeSeriesJob on the base's RunDriver (the same job the headless run
// steps): the shell's run controls train, pause, step and cancel it, a new learning rate or
// more iterations reach it as posted commands, and its snapshots arrive latest-wins; nothing
// here waits for an iteration.
#include "app/workspace.h"

#include <nlohmann/json.hpp>

#include <QString>

#include <initializer_list>
#include <memory>

class QComboBox;
class QLabel;
class QTabWidget;
class QTableWidget;

namespace driftlab::core {
struct TimeSeriesSnapshot;
}  // namespace driftlab::core
namespace driftlab::widgets {
class AxisHeatMapView;
class LineChartView;
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
    ~TimeseriesWorkspace() override;

    QString title() const override { return "Time series"; }
    QString runLabel() const override { return "Train"; }
    QString runHelp() const override;
    bool isSteppable() const override { return true; }
    QWidget* leftPanel() override;
    QWidget* centralView() override;
    QWidget* bottomPanel() override;
    // A JSON config file, a time-series preset id (e.g. "ou_forecasting") or a dataset id
    // ("ou", "sunspots", ...).
    bool loadConfig(const QString& fileOrPresetId, QString* error) override;
    bool showPanel(const QString& name) override;
    bool isRunning() const override;

    // The CSV path "Load CSV…" takes: the file is imported to check it, and only a file that
    // imports becomes the data source; a refused one leaves the settings as they were.
    bool loadCsv(const QString& path, QString* error);

    // For tests and the screenshot path.
    std::shared_ptr<const core::TimeSeriesSnapshot> lastSnapshot() const { return snapshot_; }
    // A run Train or Step would carry on (not cancelled, reset or failed).
    bool hasRun() const;
    core::RunState runState() const;  // of the driver's run; Idle without one
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

public Q_SLOTS:
    // Train: resumes a paused or diverged run (with the form's learning rate, so a lower one
    // continues a diverged model from its last finite weights, and its iterations, so more
    // extend a finished one), or starts a fresh one.
    void run() override;
    // Resume: carries on the paused run, taking the form's learning rate and iterations when
    // the model and data settings are still the run's.
    void resume() override;
    // One iteration, then paused; starts a run (paused) when there is none to carry on.
    void stepOnce() override;
    void pause() override;  // after the current iteration
    // Stops the run; the views keep showing the model as it was.
    void cancel() override;
    // Drops the run, clears the views and returns the form to the loaded settings.
    void reset() override;
    void chooseCsv();  // the file dialog behind "Load CSV…"

protected:
    void runSettled(core::RunState state, const QString& message) override;

private:
    void buildLeftPanel();
    void buildCentral();
    void buildBottom();
    // A fresh run on the form's settings (started at once, or idle for a first Step); shows
    // the message and returns false if the settings are refused.
    bool startRun(bool startImmediately);
    // Whether the driver's run can carry on with the form's settings (same model and data),
    // in one of states; if so, posts the form's learning rate (always after a divergence)
    // and added iterations to it. False (with the message shown) if the form is refused.
    enum class Carry { No, Yes, Refused };
    Carry carryOn(std::initializer_list<core::RunState> states);
    void showSnapshot(std::shared_ptr<const core::TimeSeriesSnapshot> snapshot);
    void showForecasts();
    void updateSeriesView();
    // The channel box lists the selected series' channels (rebuilt only when the count
    // changes, without signals), then the series view is redrawn.
    void syncChannelsAndView();
    void clearViews();
    void showError(const QString& message);

    nlohmann::json runValues_;  // the form values the driver's run was built from
    // Reset dropped the run: its last snapshots and its cancel are not shown.
    bool dropped_ = true;
    bool cancelling_ = false;  // Cancel was pressed; the worker ends its iteration
    // The stop the user asked for, reported when the run settles there.
    enum class Stop { None, Pause, Step };
    Stop expected_ = Stop::None;
    long stepFrom_ = 0;  // iteration a pending Step started from
    long shownForecastAt_ = -1;
    std::shared_ptr<const core::TimeSeriesSnapshot> snapshot_;
    std::unique_ptr<NfeCurve> previousNfe_;

    nlohmann::json loaded_;  // the form values Reset returns to

    QWidget* left_ = nullptr;
    QWidget* central_ = nullptr;
    QWidget* bottom_ = nullptr;
    widgets::SchemaForm* settings_ = nullptr;
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
