#include "app/workspaces/diffusion/diffusion_workspace.h"

#include "app/workspaces/diffusion/diffusion_analysis.h"
#include "app/workspaces/diffusion/diffusion_draw_tool.h"
#include "app/workspaces/diffusion/diffusion_panels.h"
#include "app/workspaces/diffusion/diffusion_scrubber.h"
#include "core/common/error.h"
#include "core/diffusion/point_csv.h"
#include "core/experiment/background_task.h"
#include "core/diffusion/diffusion_headless.h"
#include "widgets/panels/run_controls.h"
#include "widgets/panels/schema_form.h"
#include "widgets/views/point_cloud_view.h"

#include <QComboBox>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <optional>

namespace driftlab::app {
namespace {

constexpr int kPollMs = 16;  // about one frame
constexpr int kPathParticles = 20;  // more turn the jittery SDE paths into a web
constexpr int kEpsilonRestMs = 150;

QString number(double v, int digits = 4) {
    return std::isfinite(v) ? QString::number(v, 'g', digits) : QStringLiteral("—");
}

}  // namespace

DiffusionWorkspace::DiffusionWorkspace(QObject* parent) : Workspace(parent) {
    pollTimer_ = new QTimer(this);
    pollTimer_->setInterval(kPollMs);
    connect(pollTimer_, &QTimer::timeout, this, &DiffusionWorkspace::poll);
    epsilonTimer_ = new QTimer(this);
    epsilonTimer_->setSingleShot(true);
    epsilonTimer_->setInterval(kEpsilonRestMs);
    connect(epsilonTimer_, &QTimer::timeout, this, [this] {
        // Only an interpolant samples with epsilon; a busy worker gets the new value next time.
        if (session_ && session_->isInterpolant() && !task_) sample();
    });
    buildCentral();
    buildLeftPanel();
    buildBottom();
    loaded_ = settings_->values();
    updateButtons();
}

DiffusionWorkspace::~DiffusionWorkspace() {
    // The engine's train() watches only the interrupt flag; without it the task's destructor
    // would join a training run to its end.
    if (control_) control_->interrupt = true;
}

QWidget* DiffusionWorkspace::leftPanel() { return left_; }
QWidget* DiffusionWorkspace::centralView() { return central_; }
QWidget* DiffusionWorkspace::bottomPanel() { return bottom_; }
bool DiffusionWorkspace::isRunning() const { return task_ != nullptr; }
std::shared_ptr<const DiffusionSession> DiffusionWorkspace::session() const { return session_; }
QTableWidget* DiffusionWorkspace::metricsTable() const { return shootoutPanel_->table(); }
widgets::LossChartView* DiffusionWorkspace::lossChart() const { return lossPanel_->lossChart(); }

bool DiffusionWorkspace::isTrainingPaused() const {
    return task_ && taskKind_ == TaskKind::Train && control_ && control_->paused.load();
}

bool DiffusionWorkspace::showPanel(const QString& name) {
    return selectTabNamed(bottomTabs_, name);
}

void DiffusionWorkspace::buildLeftPanel() {
    left_ = new QWidget;
    auto* layout = new QVBoxLayout(left_);

    auto* teaching = new QLabel(
        "A network learns to undo noise: data is blurred by a forward SDE and the network "
        "predicts the noise (equivalently the score ∇ log p<sub>t</sub>); a stochastic "
        "interpolant instead learns the velocity that carries noise to data. <b>Train</b> fits "
        "the model and samples once; <b>Sample</b> draws again; <b>Shoot-out</b> races every "
        "sampler by network evaluations (NFE). Draw your own data with the brush below.");
    teaching->setWordWrap(true);
    teaching->setTextFormat(Qt::RichText);
    layout->addWidget(teaching);

    errorLabel_ = new QLabel;
    errorLabel_->setWordWrap(true);
    errorLabel_->setStyleSheet("color: #b00020;");
    errorLabel_->hide();
    layout->addWidget(errorLabel_);

    controls_ = new widgets::RunControls;
    controls_->runButton()->setText("Train");
    controls_->runAction()->setText("Train");
    controls_->runAction()->setToolTip("Train a fresh model on these settings, then sample");
    controls_->runButton()->setToolTip(controls_->runAction()->toolTip());
    layout->addWidget(controls_);
    connect(controls_, &widgets::RunControls::runRequested, this, &DiffusionWorkspace::run);
    connect(controls_, &widgets::RunControls::cancelRequested, this, &DiffusionWorkspace::cancel);
    connect(controls_, &widgets::RunControls::resetRequested, this, &DiffusionWorkspace::reset);

    auto* trainRow = new QHBoxLayout;
    pauseButton_ = new QPushButton("Pause");
    pauseButton_->setToolTip("Hold training after the current iteration; Resume carries on");
    stepButton_ = new QPushButton("Step");
    stepButton_->setToolTip("While paused: run exactly one training iteration");
    trainRow->addWidget(pauseButton_);
    trainRow->addWidget(stepButton_);
    layout->addLayout(trainRow);
    connect(pauseButton_, &QPushButton::clicked, this,
            [this] { isTrainingPaused() ? resumeTraining() : pauseTraining(); });
    connect(stepButton_, &QPushButton::clicked, this, &DiffusionWorkspace::stepTraining);

    auto* actions = new QHBoxLayout;
    sampleButton_ = new QPushButton("Sample");
    sampleButton_->setToolTip(
        "Turn fresh noise into samples with the trained model (EMA weights) and the chosen "
        "sampler and NFE budget; also draws particle paths of the stochastic and the "
        "deterministic dynamics from the same noise, and the scrubber's frames.");
    shootoutButton_ = new QPushButton("Shoot-out");
    shootoutButton_->setToolTip("Run every sampler at each budget of the Shoot-out tab and "
                                "compare SW2 and MMD² to the held-out data");
    actions->addWidget(sampleButton_);
    actions->addWidget(shootoutButton_);
    layout->addLayout(actions);
    connect(sampleButton_, &QPushButton::clicked, this, &DiffusionWorkspace::sample);
    connect(shootoutButton_, &QPushButton::clicked, this, &DiffusionWorkspace::shootout);

    modelBox_ = new DiffusionModelBox;
    layout->addWidget(modelBox_);
    connect(modelBox_, &DiffusionModelBox::epsilonChanged, this, [this] { epsilonTimer_->start(); });

    auto* dataBox = new QGroupBox("Your data");
    auto* dataLayout = new QVBoxLayout(dataBox);
    drawTool_ = new DiffusionDrawTool(cloud_);
    dataLayout->addWidget(drawTool_);
    layout->addWidget(dataBox);
    connect(drawTool_, &DiffusionDrawTool::pointsChanged, this, &DiffusionWorkspace::showDataLayer);
    connect(drawTool_, &DiffusionDrawTool::errorOccurred, this, &DiffusionWorkspace::showError);

    // The buttons sit above the long form so they stay in view without scrolling.
    auto* settingsBox = new QGroupBox("Settings");
    auto* settingsLayout = new QVBoxLayout(settingsBox);
    settings_ = new widgets::SchemaForm(core::diffusionSchema());
    settingsLayout->addWidget(settings_);
    layout->addWidget(settingsBox);
    // A settings edit only changes what the next Train or Sample does: training is too slow
    // to restart on every keystroke, and the old picture stays meaningful until then.
    connect(settings_, &widgets::SchemaForm::valuesChanged, this, [this] { errorLabel_->hide(); });
    showMethodNames(settings_);
    modelBox_->bind(settings_);
    layout->addStretch(1);
}

void DiffusionWorkspace::buildCentral() {
    central_ = new QWidget;
    auto* layout = new QVBoxLayout(central_);
    layout->setContentsMargins(0, 0, 0, 0);
    cloud_ = new widgets::PointCloudView;
    cloud_->setTitle("Train a model to see samples");
    layout->addWidget(cloud_, 1);

    scrubber_ = new DiffusionScrubber(cloud_);
    layout->addWidget(scrubber_);
    connect(scrubber_, &DiffusionScrubber::frameShown, this, [this](const QString& title) {
        // Back in the Samples mode the samples' own title returns.
        cloud_->setTitle(!title.isEmpty() ? title : sample_ ? sampleTitle() : QString());
    });

    layout->addWidget(makeLayerToggles(cloud_));
}

void DiffusionWorkspace::buildBottom() {
    bottomTabs_ = new QTabWidget;
    bottom_ = bottomTabs_;
    lossPanel_ = new DiffusionLossPanel;
    bottomTabs_->addTab(lossPanel_, "Loss");

    shootoutPanel_ = new DiffusionShootoutPanel;
    bottomTabs_->addTab(shootoutPanel_, "Shoot-out");
    connect(shootoutPanel_, &DiffusionShootoutPanel::errorOccurred, this,
            &DiffusionWorkspace::showError);
    connect(shootoutPanel_, &DiffusionShootoutPanel::exported, this,
            [this](const QString& path) { Q_EMIT statusMessage("Shoot-out written to " + path); });

    density_ = new DiffusionDensityPanel;
    bottomTabs_->addTab(density_, "Density");
    connect(density_->computeButton(), &QPushButton::clicked, this,
            &DiffusionWorkspace::computeDensity);
    connect(bottomTabs_, &QTabWidget::currentChanged, this,
            [this](int index) { Q_EMIT bottomHeightRequested(index == 0 ? 260 : 400); });
}

bool DiffusionWorkspace::loadConfig(const QString& fileOrPresetId, QString* error) {
    try {
        nlohmann::json values = settings_->values();
        const std::string source = fileOrPresetId.toStdString();
        const auto& ids = core::diffusionDatasetIds();
        std::optional<core::DiffusionPlan> plan;
        if (std::find(ids.begin(), ids.end(), source) != ids.end()) {
            values["dataset"] = source;
        } else {
            try {
                // A config file or a shipped preset, checked whole before anything changes.
                plan = core::loadDiffusionPlan(source);
            } catch (const ConfigError& e) {
                std::string list;
                for (const auto& id : ids) list += (list.empty() ? "" : ", ") + id;
                throw ConfigError(std::string(e.what()) + "; or give a data set: " + list);
            }
            values = plan->values;
        }
        // The user's points of a config's data_file, read before the form changes.
        const Points own = plan && !plan->dataFile.empty()
                               ? core::diffusion::readPointsCsv(plan->dataFile)
                               : Points(2, 0);
        settings_->setValues(values);
        loaded_ = settings_->values();
        if (plan && !plan->dataFile.empty()) {
            drawTool_->setPoints(own);
        } else {
            drawTool_->setUsesOwnPoints(false);
        }
        if (plan && plan->headless.contains("budgets"))
            shootoutPanel_->setBudgets(plan->headless["budgets"].get<std::vector<int>>());
        errorLabel_->hide();
        return true;
    } catch (const std::exception& e) {
        if (error) *error = QString::fromUtf8(e.what());
        return false;
    }
}

void DiffusionWorkspace::showError(const QString& message) {
    errorLabel_->setText(message);
    errorLabel_->show();
}

void DiffusionWorkspace::showDataLayer() {
    // Drawing shows the user's points at once, in place: the camera stays under the brush.
    if (drawTool_->usesOwnPoints()) {
        cloud_->setData(drawTool_->points(), false);
    } else if (session_ && !session_->customData) {
        cloud_->setData(session_->toUser(session_->train));
    }
}

void DiffusionWorkspace::updateButtons() {
    const bool idle = task_ == nullptr;
    const bool training = task_ && taskKind_ == TaskKind::Train;
    sampleButton_->setEnabled(idle && session_ != nullptr);
    shootoutButton_->setEnabled(idle && session_ != nullptr);
    density_->setBusy(!(idle && session_ != nullptr));
    pauseButton_->setEnabled(training);
    pauseButton_->setText(isTrainingPaused() ? "Resume" : "Pause");
    stepButton_->setEnabled(isTrainingPaused());
}

void DiffusionWorkspace::run() {
    std::shared_ptr<DiffusionSession> session;
    try {
        const core::DiffusionConfig config =
            core::diffusionConfigFromJson(settings_->values(), "settings");
        const Points* own = drawTool_->usesOwnPoints() ? &drawTool_->points() : nullptr;
        // The points are copied into the session: drawing on goes untouched by the worker.
        session = makeDiffusionSession(config, own);
    } catch (const std::exception& e) {
        const QString message = QString::fromUtf8(e.what());
        showError(message);
        Q_EMIT runFinished(false, "Not trained: " + message);
        return;
    }
    errorLabel_->hide();
    if (task_) cancel();
    chainMessage_.clear();
    scrubber_->clear();
    cloud_->setData(session->toUser(session->train), !session->customData);
    cloud_->setSamples(Points(2, 0));
    cloud_->setPaths({}, {});
    cloud_->setArrows(Points(2, 0), Points(2, 0), {});
    cloud_->setTrueArrows(Points(2, 0), Points(2, 0), {});
    cloud_->setTitle("Training…");
    lossPanel_->clear("Training…", session->isInterpolant());
    density_->clear("Training…");
    startTask(TaskKind::Train, std::move(session));
}

bool DiffusionWorkspace::canStartFollowUp(const char* what) {
    if (task_ || !session_) return false;
    // A cancelled sample/shoot-out/density job may still be evaluating the model.
    const bool busy = std::any_of(retiring_.begin(), retiring_.end(), [](const auto& entry) {
        return entry.first != TaskKind::Train && !entry.second->finished();
    });
    if (busy) {
        Q_EMIT statusMessage(QString("Still winding down the cancelled job; %1 again in a moment.")
                                 .arg(what));
        return false;
    }
    return true;
}

void DiffusionWorkspace::sample() {
    if (!canStartFollowUp("sample")) return;
    // Sampler, budget, sample count and epsilon may have changed since training; the model
    // may not.
    try {
        const core::DiffusionConfig config =
            core::diffusionConfigFromJson(settings_->values(), "settings");
        session_->config.sampler = config.sampler;
        session_->config.nfe = config.nfe;
        session_->config.samples = config.samples;
        session_->config.epsilon = config.epsilon;
    } catch (const std::exception& e) {
        showError(QString::fromUtf8(e.what()));
        return;
    }
    errorLabel_->hide();
    startTask(TaskKind::Sample, session_);
}

void DiffusionWorkspace::shootout() {
    if (!canStartFollowUp("shoot-out")) return;
    QString error;
    if (shootoutPanel_->budgets(&error).empty()) {
        showError(error);
        return;
    }
    session_->config.epsilon = modelBox_->epsilon();
    showPanel("Shoot-out");
    startTask(TaskKind::Shootout, session_);
}

void DiffusionWorkspace::computeDensity() {
    if (!canStartFollowUp("density")) return;
    density_->clear("Computing the exact likelihood on the grid…");
    startTask(TaskKind::Density, session_);
}

void DiffusionWorkspace::pauseTraining() {
    if (!task_ || taskKind_ != TaskKind::Train || !control_) return;
    control_->pause();
    updateButtons();
    Q_EMIT statusMessage("Training paused: Step runs one iteration, Resume carries on.");
}

void DiffusionWorkspace::resumeTraining() {
    if (!task_ || taskKind_ != TaskKind::Train || !control_) return;
    control_->resume();
    snapshotPaused_ = false;  // the next pause waits for its own acknowledgement
    updateButtons();
}

void DiffusionWorkspace::stepTraining() {
    if (isTrainingPaused()) control_->step();
}

bool DiffusionWorkspace::startTask(TaskKind kind, std::shared_ptr<DiffusionSession> session) {
    slot_ = std::make_shared<SnapshotSlot>();
    control_ = std::make_shared<TrainingControl>();
    const std::vector<int> budgets =
        kind == TaskKind::Shootout ? shootoutPanel_->budgets(nullptr) : std::vector<int>{};
    auto job = [kind, session, slot = slot_, control = control_,
                budgets](core::TaskContext& context) {
        auto result = std::make_shared<DiffusionTaskResult>();
        result->session = session;
        const auto progress = [&context](double f) { context.setProgress(f); };
        switch (kind) {
        case TaskKind::Train:
            if (!trainDiffusionSession(*session, context.cancelFlag(), *control, *slot, progress)) {
                result->cancelled = true;
                break;
            }
            result->trained = true;
            [[fallthrough]];
        case TaskKind::Sample:
            result->sample = sampleDiffusionSession(*session, kPathParticles);
            result->frames = computeScrubFrames(*session);
            break;
        case TaskKind::Shootout:
            result->shootout = runSessionShootout(*session, budgets, context.cancelFlag(), progress);
            result->cancelled = context.cancelled();
            break;
        case TaskKind::Density:
            result->density = computeDensityMaps(*session);
            break;
        }
        return std::shared_ptr<const DiffusionTaskResult>(result);
    };
    task_ = std::make_unique<Task>(std::move(job));
    taskKind_ = kind;
    taskSession_ = std::move(session);
    lastSnapshotIteration_ = 0;
    snapshotPaused_ = false;
    controls_->setRunning(true);
    updateButtons();
    pollTimer_->start();
    Q_EMIT runStarted();
    return true;
}

void DiffusionWorkspace::cancel() {
    if (!task_) return;
    task_->cancel();
    control_->interrupt = true;  // stops train() after the current iteration
    retiring_.emplace_back(taskKind_, std::move(task_));
    taskSession_.reset();
    chainMessage_.clear();
    controls_->setRunning(false);
    updateButtons();
    Q_EMIT runFinished(false, taskKind_ == TaskKind::Train
                                  ? "Training cancelled; the previous model is kept."
                                  : "Cancelled.");
}

void DiffusionWorkspace::reset() {
    cancel();
    settings_->setValues(loaded_);
    session_.reset();
    sample_.reset();
    heldOutBits_ = NAN;
    scrubber_->clear();
    cloud_->clearAll();
    showDataLayer();
    cloud_->setTitle("Train a model to see samples");
    lossPanel_->clear("No training yet", false);
    shootoutPanel_->setRows({}, "No samples yet.");
    density_->clear("Train a score model, then Compute density.");
    errorLabel_->hide();
    updateButtons();
}

void DiffusionWorkspace::poll() {
    retiring_.remove_if([](const auto& entry) { return entry.second->finished(); });
    if (!task_) {
        if (retiring_.empty()) pollTimer_->stop();
        return;
    }
    const double elapsed = task_->elapsedSeconds();
    QString rate;
    if (auto snapshot = slot_->take()) {
        // Only the newest snapshot is drawn; the ones in between were overwritten unseen.
        lossPanel_->setLosses(snapshot->lossIterations, snapshot->losses, snapshot->bucketLoss);
        cloud_->setSamples(snapshot->preview);
        cloud_->setTitle(QString("Training%1: iteration %2 of %3 (preview: %4, 10 NFE)")
                             .arg(snapshot->paused ? " (paused)" : "")
                             .arg(snapshot->iteration)
                             .arg(snapshot->totalIterations)
                             .arg(taskSession_ && taskSession_->isInterpolant()
                                      ? "interpolant ODE"
                                      : "DPM-Solver-2"));
        lastSnapshotIteration_ = snapshot->iteration;
        snapshotPaused_ = snapshot->paused;
    }
    if (taskKind_ == TaskKind::Train && elapsed > 0 && lastSnapshotIteration_ > 0)
        rate = isTrainingPaused() ? QString("paused at %1").arg(lastSnapshotIteration_)
                                  : QString("%1 it/s").arg(lastSnapshotIteration_ / elapsed, 0, 'f', 0);
    Q_EMIT progressChanged(task_->progress(), rate, elapsed);
    if (task_->finished()) finishTask();
}

void DiffusionWorkspace::finishTask() {
    std::unique_ptr<Task> done = std::move(task_);
    const TaskKind kind = taskKind_;
    taskSession_.reset();
    controls_->setRunning(false);
    const double elapsed = done->elapsedSeconds();
    if (!done->error().empty()) {
        const QString message = QString::fromStdString(done->error());
        showError(message);
        if (kind == TaskKind::Train) cloud_->setTitle("Stopped: see the message on the left");
        if (kind == TaskKind::Density) density_->clear("Stopped: " + message);
        chainMessage_.clear();
        updateButtons();
        Q_EMIT runFinished(false, message);
        return;
    }
    const auto result = done->result();
    if (!result || result->cancelled) {
        chainMessage_.clear();
        updateButtons();
        Q_EMIT runFinished(false, "Cancelled.");
        return;
    }
    QString message = applyResult(kind, *result, elapsed);
    if (!chainMessage_.isEmpty()) message = chainMessage_ + "; " + message;
    chainMessage_.clear();
    updateButtons();
    // Train refreshes what the open tab shows, so the density or the shoot-out never
    // describes an older model than the samples next to it.
    if (kind == TaskKind::Train) {
        const QString tab = bottomTabs_->tabText(bottomTabs_->currentIndex());
        const bool density = tab == "Density";
        if (density || tab == "Shoot-out") {
            chainMessage_ = message;
            density ? computeDensity() : shootout();
            if (task_) return;
            chainMessage_.clear();
        }
    }
    Q_EMIT runFinished(true, message);
}

QString DiffusionWorkspace::applyResult(TaskKind kind, const DiffusionTaskResult& result,
                                        double elapsed) {
    QString message;
    if (kind == TaskKind::Train) {
        session_ = result.session;
        heldOutBits_ = NAN;  // the old model's figure
        const auto& losses = session_->losses;
        lossPanel_->setLosses(session_->lossIterations, losses, {});
        message = QString("Trained %1 iterations in %2 s (loss %3 → %4)")
                      .arg(session_->config.iterations)
                      .arg(session_->trainSeconds, 0, 'f', 2)
                      .arg(losses.empty() ? NAN : losses.front(), 0, 'g', 3)
                      .arg(losses.empty() ? NAN : losses.back(), 0, 'g', 3);
        Q_EMIT progressChanged(1.0,
                               QString("%1 it/s").arg(session_->config.iterations /
                                                          std::max(session_->trainSeconds, 1e-9),
                                                      0, 'f', 0),
                               elapsed);
        density_->clear("Compute density for the new model.");
    }
    if (kind == TaskKind::Shootout) {
        shootoutPanel_->setRows(result.shootout, {});
        Q_EMIT progressChanged(1.0, {}, elapsed);
        return QString("Shoot-out: %1 sampler runs in %2 s")
            .arg(result.shootout.size())
            .arg(elapsed, 0, 'f', 2);
    }
    if (kind == TaskKind::Density) {
        density_->setMaps(*result.density);
        heldOutBits_ = result.density->heldOutBitsPerDim;
        updateSummary();
        Q_EMIT progressChanged(1.0, {}, elapsed);
        return QString("Density: held-out %1 bits/dim (%2 NFE, %3 s)")
            .arg(number(result.density->heldOutBitsPerDim))
            .arg(result.density->nfe)
            .arg(result.density->seconds, 0, 'f', 2);
    }
    showSample(result.sample);
    scrubber_->setFrames(result.frames, session_->toUser(sample_->samples));
    message += QString("%1Sampled %2 points with %3 (NFE %4) in %5 ms: SW2 %6, MMD² %7")
                   .arg(message.isEmpty() ? "" : "; ")
                   .arg(sample_->samples.cols())
                   .arg(QString::fromStdString(sample_->sampler))
                   .arg(sample_->nfe)
                   .arg(sample_->seconds * 1e3, 0, 'f', 1)
                   .arg(number(sample_->sw2, 3))
                   .arg(number(sample_->mmd2, 3));
    if (!sample_->pathsRecorded) message += " (the samplers recorded no paths to draw)";
    if (kind == TaskKind::Sample) Q_EMIT progressChanged(1.0, {}, elapsed);
    return message;
}

void DiffusionWorkspace::showSample(std::shared_ptr<const SampleViewData> sample) {
    sample_ = std::move(sample);
    if (!sample_ || !session_) return;
    if (scrubber_->mode() == DiffusionScrubber::Mode::Samples)
        cloud_->setSamples(session_->toUser(sample_->samples));
    cloud_->setPaths(sample_->sdePaths, sample_->odePaths);
    cloud_->setPathLabels(QString::fromStdString(sample_->stochasticName),
                          QString::fromStdString(sample_->deterministicName));
    cloud_->setTitle(sampleTitle());
    updateSummary();
}

QString DiffusionWorkspace::sampleTitle() const {
    return QString("%1, NFE %2: SW2 %3 to held-out data")
        .arg(QString::fromStdString(sample_->sampler))
        .arg(sample_->nfe)
        .arg(number(sample_->sw2, 3));
}

void DiffusionWorkspace::updateSummary() {
    if (!sample_) return;
    shootoutPanel_->setSampleSummary(
        QString("Last sample: <b>%1</b>, %2 points, NFE %3, %4 ms — SW2 %5, MMD² %6; held-out "
                "bits/dim %7 (Density tab). Shoot-out rows use %2 points from the same noise.")
            .arg(QString::fromStdString(sample_->sampler))
            .arg(sample_->samples.cols())
            .arg(sample_->nfe)
            .arg(sample_->seconds * 1e3, 0, 'f', 1)
            .arg(number(sample_->sw2, 3))
            .arg(number(sample_->mmd2, 3))
            .arg(number(heldOutBits_)));
}

}  // namespace driftlab::app
