#pragma once
// The Diffusion workspace: draw or pick a 2-D point cloud, train a score network or a
// stochastic interpolant on it, watch the samples condense while it learns (the shell's
// Pause / Step / Resume), scrub and play the noising and the generation over diffusion time
// with the learned field as arrows, compare the model's exact likelihood with the data
// histogram, and race the samplers by NFE. Every piece of work is a core::RunJob on the
// workspace's RunDriver (diffusion_jobs.h): training is steppable, sampling, the scrubber's
// frames, the density and the shoot-out are one-shot jobs on an immutable trained session,
// so sampling while training is paused reads a copy of the weights, never the trainer's.
#include "app/workspace.h"
#include "core/diffusion/diffusion_shootout.h"

#include <nlohmann/json.hpp>

#include <QString>
#include <deque>
#include <limits>
#include <memory>

class QLabel;
class QPushButton;
class QSlider;
class QTabWidget;
class QTableWidget;
class QTimer;

namespace driftlab::core {
class DiffusionTrainer;
struct DiffusionSample;
struct DiffusionSession;
struct DiffusionTrainingSnapshot;
struct DiffusionResultSnapshot;
struct Snapshot;
}  // namespace driftlab::core
namespace driftlab::widgets {
class LossChartView;
class PointCloudView;
class SchemaForm;
}  // namespace driftlab::widgets

namespace driftlab::app {

class DiffusionDensityPanel;
class DiffusionDrawTool;
class DiffusionLossPanel;
class DiffusionModelBox;
class DiffusionScrubber;
class DiffusionShootoutPanel;

class DiffusionWorkspace : public Workspace {
    Q_OBJECT
public:
    explicit DiffusionWorkspace(QObject* parent = nullptr);
    ~DiffusionWorkspace() override;

    QString title() const override { return "Diffusion"; }
    QString runLabel() const override { return "Train"; }
    QString runHelp() const override {
        return "Train a fresh model on these settings, then sample";
    }
    bool isSteppable() const override { return true; }
    QWidget* leftPanel() override;
    QWidget* centralView() override;
    QWidget* bottomPanel() override;
    // A JSON file (the schema's keys, flat or under "diffusion") or a data set id such as
    // "two_moons".
    bool loadConfig(const QString& fileOrPresetId, QString* error) override;
    bool showPanel(const QString& name) override;

    // For tests and the screenshot path.
    std::shared_ptr<const core::DiffusionSession> session() const { return session_; }
    std::shared_ptr<const core::DiffusionSample> lastSample() const { return sample_; }
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
    // The training run is paused: its worker stopped and published where, so
    // trainingIteration() holds still from here.
    bool isTrainingPaused() const;
    long trainingIteration() const { return trainingIteration_; }  // of the last snapshot
    // What the driver's current run does.
    enum Kind { Train = 1, Sample, Scrub, Density, Shootout };

public Q_SLOTS:
    // Train = run(): a fresh model on the form's settings and the chosen data, then one
    // automatic Sample (and the density or shoot-out when that tab is open).
    void run() override;
    void cancel() override;
    void reset() override;
    // Pause holds training after the current iteration; Step runs one (and starts or
    // continues a training run when none is current); Resume carries on, also after a
    // Sample replaced the paused training run (the trainer is kept).
    void pause() override;
    void resume() override;
    void stepOnce() override;
    // Samples with the trained model's EMA weights and the chosen sampler; needs a model.
    void sample();
    // Every sampler at each budget of the Shoot-out tab (and adaptive Dopri5).
    void shootout();
    // Exact likelihood heat map and held-out bits/dim of a trained model.
    void computeDensity();

protected:
    void runSettled(core::RunState state, const QString& message) override;

private:
    void buildLeftPanel();
    void buildCentral();
    void buildBottom();
    void showError(const QString& message);
    // A training run on trainer_ (a fresh one when there is none or it is done); not
    // immediately: it waits in Idle for Step.
    void startTraining(bool immediately);
    void startFresh(bool immediately);
    void startTask(Kind kind);
    bool canStartFollowUp();
    void showSnapshot(const std::shared_ptr<const core::Snapshot>& snapshot);
    void showTraining(const core::DiffusionTrainingSnapshot& snapshot);
    QString applyResult(const core::DiffusionResultSnapshot& result);
    void finishChain(bool ok, QString message);
    void showSample(std::shared_ptr<const core::DiffusionSample> sample);
    QString sampleTitle() const;
    void updateSummary();
    void showDataLayer();
    void updateButtons();

    QTimer* epsilonTimer_ = nullptr;  // re-samples once the epsilon slider rests
    // The mutable model lives in the trainer; the job factory sets it on the worker and the
    // GUI adopts it with the first snapshot (after the factory returned).
    std::shared_ptr<std::shared_ptr<core::DiffusionTrainer>> trainerSlot_;
    std::shared_ptr<core::DiffusionTrainer> trainer_;
    std::shared_ptr<const core::DiffusionTrainingSnapshot> training_;  // last shown
    long trainingIteration_ = 0;
    bool dataShown_ = false;    // the running training's data is on screen
    bool pausedShown_ = false;  // the snapshot of where training paused is on screen
    // Follow-ups of a Train or a Sample (Sample, Scrub, Density, Shoot-out), started one
    // after the other; runFinished is reported once at the end of the chain.
    std::deque<Kind> followUps_;
    QString chainMessage_;

    nlohmann::json loaded_;  // the form values Reset returns to
    // The metric definitions and held-out sizes of the loaded config's headless section, so
    // the window measures what `driftlab --headless` measures.
    core::ShootoutOptions metrics_;
    long metricPoints_ = 10000;
    long likelihoodPoints_ = 1000;
    std::shared_ptr<const core::DiffusionSession> session_;  // the trained model, if any
    std::shared_ptr<const core::DiffusionSample> sample_;
    double heldOutBits_ =
        std::numeric_limits<double>::quiet_NaN();  // of the current model, once the density ran

    QWidget* left_ = nullptr;
    QWidget* central_ = nullptr;
    QWidget* bottom_ = nullptr;
    widgets::SchemaForm* settings_ = nullptr;
    DiffusionModelBox* modelBox_ = nullptr;
    DiffusionDrawTool* drawTool_ = nullptr;
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
