#pragma once
// The Diffusion workspace: train a score network on a 2-D point cloud, watch the samples
// condense while it learns, then send the same noise through the reverse SDE and the
// probability-flow ODE, look at the learned score as arrows, and race the samplers by NFE.
// Training, sampling and the shoot-out run on BackgroundTasks; the GUI polls at display
// rate and takes only the newest training snapshot, so nothing queues up behind a slow frame.
#include "app/workspace.h"

#include <nlohmann/json.hpp>

#include <QString>
#include <list>
#include <memory>

class QCheckBox;
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

struct DiffusionSession;
struct DiffusionTaskResult;
struct SampleViewData;
class SnapshotSlot;

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
    widgets::LossChartView* lossChart() const { return lossChart_; }
    QTableWidget* metricsTable() const { return metrics_; }
    QTabWidget* bottomTabs() const { return bottomTabs_; }
    QSlider* fieldTimeSlider() const { return fieldSlider_; }

public Q_SLOTS:
    // Train = run(): a fresh model on the form's settings, then one automatic Sample.
    void run() override;
    void cancel() override;
    void reset() override;
    // Samples with the trained model's EMA weights and the chosen sampler; needs a model.
    void sample();
    // Every sampler at NFE 5, 10, 20, 50 (and adaptive Dopri5), into the metrics table.
    void shootout();

private:
    enum class TaskKind { Train, Sample, Shootout };
    using Task = core::BackgroundTask<DiffusionTaskResult>;

    void buildLeftPanel();
    void buildCentral();
    void buildBottom();
    bool startTask(TaskKind kind, std::shared_ptr<DiffusionSession> session);
    bool sessionBusy() const;  // a cancelled task still using the current model
    void showError(const QString& message);
    void poll();
    void finishTask();
    void showSample(std::shared_ptr<const SampleViewData> sample);
    void updateArrows();
    void updateLossCharts(const std::vector<double>& iterations, const std::vector<double>& losses,
                          const std::vector<double>& buckets);
    void updateButtons();

    std::unique_ptr<Task> task_;
    TaskKind taskKind_ = TaskKind::Train;
    std::shared_ptr<DiffusionSession> taskSession_;  // the session the running task drives
    std::shared_ptr<SnapshotSlot> slot_;
    // Cancelled tasks finish on their own and are dropped once done, never joined.
    std::list<std::pair<TaskKind, std::unique_ptr<Task>>> retiring_;
    QTimer* pollTimer_ = nullptr;
    long lastSnapshotIteration_ = 0;

    nlohmann::json loaded_;  // the form values Reset returns to
    std::shared_ptr<DiffusionSession> session_;  // the trained model, when there is one
    std::shared_ptr<const SampleViewData> sample_;

    QWidget* left_ = nullptr;
    QWidget* central_ = nullptr;
    QWidget* bottom_ = nullptr;
    widgets::SchemaForm* settings_ = nullptr;
    widgets::RunControls* controls_ = nullptr;
    QPushButton* sampleButton_ = nullptr;
    QPushButton* shootoutButton_ = nullptr;
    QLabel* errorLabel_ = nullptr;
    widgets::PointCloudView* cloud_ = nullptr;
    QCheckBox* showData_ = nullptr;
    QCheckBox* showSamples_ = nullptr;
    QCheckBox* showPaths_ = nullptr;
    QCheckBox* showField_ = nullptr;
    QSlider* fieldSlider_ = nullptr;
    QLabel* fieldLabel_ = nullptr;
    QTabWidget* bottomTabs_ = nullptr;
    widgets::LossChartView* lossChart_ = nullptr;
    widgets::LossChartView* bucketChart_ = nullptr;
    QLabel* sampleSummary_ = nullptr;
    QTableWidget* metrics_ = nullptr;
};

}  // namespace driftlab::app
