#pragma once
// The classic-SDE explorer: pick or type an equation, drag its parameters, and watch
// thousands of paths respond. Each simulation is a core::RunJob on the workspace's
// RunDriver; the GUI thread only hands finished view data to the views.
#include "app/workspace.h"
#include "core/trajectories/trajectory_config.h"

#include <QString>
#include <list>
#include <memory>

class QComboBox;
class QLabel;
class QListWidget;
class QStackedWidget;
class QTabWidget;
class QTableWidget;
class QTimer;

namespace driftlab::core {
struct TrajectoryViewData;
}
namespace driftlab::widgets {
class EquationEditor;
class HistogramView;
class ParameterSliders;
class PathFanView;
class PhaseSpaceView;
class SchemaForm;
class SolverDiagnosticsView;
}  // namespace driftlab::widgets

namespace driftlab::app {

class TrajectoriesWorkspace : public Workspace {
    Q_OBJECT
public:
    explicit TrajectoriesWorkspace(QObject* parent = nullptr);
    ~TrajectoriesWorkspace() override;

    QString title() const override { return "Trajectories"; }
    QWidget* leftPanel() override;
    QWidget* centralView() override;
    QWidget* bottomPanel() override;
    bool loadConfig(const QString& fileOrPresetId, QString* error) override;
    bool showPanel(const QString& name) override;

    // For tests and the screenshot path: the data currently drawn (null before a run).
    std::shared_ptr<const core::TrajectoryViewData> currentData() const { return data_; }
    const core::TrajectoryConfig& loadedConfig() const { return loaded_; }
    widgets::EquationEditor* equationEditor() const { return editor_; }
    widgets::ParameterSliders* parameterSliders() const { return sliders_; }
    widgets::SchemaForm* settingsForm() const { return settings_; }
    int timeCursor() const { return cursor_; }
    widgets::SolverDiagnosticsView* diagnosticsView() const { return diagnostics_; }
    QTabWidget* bottomTabs() const { return bottomTabs_; }

public Q_SLOTS:
    void run() override;
    void cancel() override;
    void reset() override;
    void setTimeCursor(int savedTimeIndex);

private:
    void buildLeftPanel();
    void buildCentral();
    void buildBottom();
    void applyConfigToEditors(const core::TrajectoryConfig& config);
    bool configFromEditors(core::TrajectoryConfig* config, QString* error) const;
    void scheduleLiveRun();
    void runSettled(core::RunState state, const QString& message) override;
    void showData(std::shared_ptr<const core::TrajectoryViewData> data);
    void updateCursorViews();
    void refreshPresetGallery();
    void loadPresetAt(int row);
    void saveAsPreset();
    void onParameterChanged(const QString& name, double value);
    // Greys out the solvers that cannot run the current equation, with the reason.
    void updateSolverAvailability();

    QTimer* debounce_ = nullptr;

    core::TrajectoryConfig loaded_;  // as loaded (Reset returns here)
    QString loadedSource_;
    std::shared_ptr<const core::TrajectoryViewData> data_;
    int cursor_ = -1;
    int histogramComponent_ = 0;

    QWidget* left_ = nullptr;
    QWidget* central_ = nullptr;
    QWidget* bottom_ = nullptr;
    QListWidget* gallery_ = nullptr;
    QLabel* errorLabel_ = nullptr;
    widgets::EquationEditor* editor_ = nullptr;
    widgets::ParameterSliders* sliders_ = nullptr;
    widgets::SchemaForm* settings_ = nullptr;
    QStackedWidget* mainStack_ = nullptr;
    widgets::PathFanView* bigFan_ = nullptr;
    widgets::PhaseSpaceView* phase_ = nullptr;
    widgets::PathFanView* componentFan_ = nullptr;
    QComboBox* componentSelector_ = nullptr;
    widgets::HistogramView* histogram_ = nullptr;
    QTableWidget* statsTable_ = nullptr;
    QTabWidget* bottomTabs_ = nullptr;
    widgets::SolverDiagnosticsView* diagnostics_ = nullptr;
    QLabel* runSummary_ = nullptr;
};

}  // namespace driftlab::app
