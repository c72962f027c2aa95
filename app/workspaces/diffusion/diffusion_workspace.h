#pragma once
// The Diffusion workspace: draw or pick a 2-D point cloud, train a score network or a
// stochastic interpolant on it, watch the samples condense while it learns (pause, step,
// resume), scrub and play the noising and the generation over diffusion time with the learned
// field as arrows, compare the model's exact likelihood with the data histogram, and race the
// samplers by NFE. Training, sampling, density and the shoot-out run on BackgroundTasks; the
// GUI polls at display rate and takes only the newest training snapshot, so nothing queues
// up behind a slow frame.
#include "app/workspace.h"

#include <nlohmann/json.hpp>

#include <QString>
#include <limits>
#include <list>
#include <memory>

class QLabel;
class QPushButton;
class QSlider;
class QTabWidget;
class QTableWidget;
class QTimer;

namespace driftlab::core {
template <class> class BackgroundTask;
}
namespace driftlab::widgets {
class LossChartView;
class PointCloudView;
class RunControls;
class SchemaForm;
}  // namespace driftlab::widgets

namespace driftlab::app {

class DiffusionDensityPanel;
class DiffusionDrawTool;
class DiffusionLossPanel;
class DiffusionModelBox;
class DiffusionScrubber;
class DiffusionShootoutPanel;
struct DiffusionSession;
struct DiffusionTaskResult;
struct SampleViewData;
class SnapshotSlot;
struct TrainingControl;

class DiffusionWorkspace : public Workspace {
    Q_OBJECT
public:
    explicit DiffusionWorkspace(QObject* parent = nullptr);
    ~DiffusionWorkspace() override;

    QString title() const override { return "Diffusion"; }
    QWidget* leftPanel() override;
    QWidget* centralView() override;
    QWidget* bottomPanel() override;
    // A JSON file (the schema's keys, flat or under "diffusion") or a data set id such as
    // "two_moons".
    bool loadConfig(const QString& fileOrPresetId, QString* error) override;
    bool isRunning() const override;
    bool showPanel(const QString& name) override;

    // For tests and the screenshot path.
    std::shared_ptr<const DiffusionSession> session() const;
    std::shared_ptr<const SampleViewData> lastSample() const { return sample_; }
    widgets::SchemaForm* settingsForm() const { return settings_; }
    widgets::PointCloudView* pointCloud() const { return cloud_; }
    widgets::LossChartView* lossChart() const;
    QTableWidget* metricsTable() const;
    QTabWidget* bottomTabs() const { return bottomTabs_; }
    DiffusionDrawTool* drawTool() const { return drawTool_; }
    DiffusionModelBox* modelBox() const { return modelBox_; }
    DiffusionScrubber* scrubber() const { return scrubber_; }
    DiffusionDensityPanel* densityPanel() const { return density_; }
    DiffusionShootoutPanel* shootoutPanel() const { return shootoutPanel_; }
    bool isTrainingPaused() const;
    // The worker has stopped and published where: trainingIteration() holds still from here.
    bool isPauseAcknowledged() const { return isTrainingPaused() && snapshotPaused_; }
    long trainingIteration() const { return lastSnapshotIteration_; }  // of the running job

public Q_SLOTS:
    // Train = run(): a fresh model on the form's settings and the chosen data, then one
    // automatic Sample (and the density or shoot-out when that tab is open).
    void run() override;
    void cancel() override;
    void reset() override;
    // Samples with the trained model's EMA weights and the chosen sampler; needs a model.
    void sample();
    // Every sampler at each budget of the Shoot-out tab (and adaptive Dopri5).
    void shootout();
    // Exact likelihood heat map and held-out bits/dim of a trained score model.
    void computeDensity();
    void pauseTraining();
    void resumeTraining();
    void stepTraining();  // one iteration while paused

private:
    enum class TaskKind { Train, Sample, Shootout, Density };
    using Task = core::BackgroundTask<DiffusionTaskResult>;

    void buildLeftPanel();
    void buildCentral();
    void buildBottom();
    bool startTask(TaskKind kind, std::shared_ptr<DiffusionSession> session);
    bool canStartFollowUp(const char* what);
    void showError(const QString& message);
    void poll();
    void finishTask();
    QString applyResult(TaskKind kind, const DiffusionTaskResult& result, double elapsed);
    void showSample(std::shared_ptr<const SampleViewData> sample);
    QString sampleTitle() const;
    void updateSummary();
    void showDataLayer();
    void updateButtons();

    std::unique_ptr<Task> task_;
    TaskKind taskKind_ = TaskKind::Train;
    std::shared_ptr<DiffusionSession> taskSession_;  // the session the running task drives
    std::shared_ptr<SnapshotSlot> slot_;
    std::shared_ptr<TrainingControl> control_;
    // Cancelled tasks finish on their own and are dropped once done, never joined.
    std::list<std::pair<TaskKind, std::unique_ptr<Task>>> retiring_;
    QTimer* pollTimer_ = nullptr;
    QTimer* epsilonTimer_ = nullptr;  // re-samples once the epsilon slider rests
    long lastSnapshotIteration_ = 0;
    bool snapshotPaused_ = false;
    QString chainMessage_;  // what Train reported when a density or shoot-out follows it

    nlohmann::json loaded_;  // the form values Reset returns to
    std::shared_ptr<DiffusionSession> session_;  // the trained model, when there is one
    std::shared_ptr<const SampleViewData> sample_;
    double heldOutBits_ = std::numeric_limits<double>::quiet_NaN();  // of the current model, once the density ran

    QWidget* left_ = nullptr;
    QWidget* central_ = nullptr;
    QWidget* bottom_ = nullptr;
    widgets::SchemaForm* settings_ = nullptr;
    widgets::RunControls* controls_ = nullptr;
    DiffusionModelBox* modelBox_ = nullptr;
    DiffusionDrawTool* drawTool_ = nullptr;
    QPushButton* pauseButton_ = nullptr;
    QPushButton* stepButton_ = nullptr;
    QPushButton* sampleButton_ = nullptr;
    QPushButton* shootoutButton_ = nullptr;
    QLabel* errorLabel_ = nullptr;
    widgets::PointCloudView* cloud_ = nullptr;
    DiffusionScrubber* scrubber_ = nullptr;
    QTabWidget* bottomTabs_ = nullptr;
    DiffusionLossPanel* lossPanel_ = nullptr;
    DiffusionShootoutPanel* shootoutPanel_ = nullptr;
    DiffusionDensityPanel* density_ = nullptr;
};

}  // namespace driftlab::app
