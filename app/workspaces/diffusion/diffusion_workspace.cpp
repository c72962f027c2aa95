#include "app/workspaces/diffusion/diffusion_workspace.h"

#include "app/run_driver.h"
#include "app/workspaces/diffusion/diffusion_draw_tool.h"
#include "app/workspaces/diffusion/diffusion_panels.h"
#include "app/workspaces/diffusion/diffusion_scrubber.h"
#include "core/common/error.h"
#include "core/diffusion/diffusion_headless.h"
#include "core/diffusion/diffusion_jobs.h"
#include "core/diffusion/point_csv.h"
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

using core::diffusion::Points;

constexpr int kPathParticles = 20;  // more turn the jittery SDE paths into a web
constexpr int kEpsilonRestMs = 150;

// Each light snapshot redraws the loss charts and the preview cloud on the GUI thread, and
// each full one samples a preview (10 evaluations of 400 points) on the worker: at 5 and 1
// per second the curve still moves smoothly and the cloud visibly condenses, while the
// renderer and the preview take little from training on a two-core machine.
core::RunOptions trainingRunOptions() {
    core::RunOptions options;
    options.publishSeconds = 0.2;
    options.fullPublishSeconds = 1.0;
    return options;
}

QString number(double v, int digits = 4) {
    return std::isfinite(v) ? QString::number(v, 'g', digits) : QStringLiteral("—");
}

}  // namespace

DiffusionWorkspace::DiffusionWorkspace(QObject* parent) : Workspace(parent) {
    epsilonTimer_ = new QTimer(this);
    epsilonTimer_->setSingleShot(true);
    epsilonTimer_->setInterval(kEpsilonRestMs);
    connect(epsilonTimer_, &QTimer::timeout, this, [this] {
        // Only an interpolant samples with epsilon; a busy worker gets the new value next time.
        if (session_ && session_->isInterpolant() && !isRunning()) sample();
    });
    connect(runDriver(), &RunDriver::snapshotReady, this, &DiffusionWorkspace::showSnapshot);
    connect(runDriver(), &RunDriver::stateChanged, this, [this] { updateButtons(); });
    buildCentral();
    buildLeftPanel();
    buildBottom();
    loaded_ = settings_->values();
    const core::DiffusionPlan defaults;
    metrics_ = defaults.shootoutOptions;
    metricPoints_ = defaults.metricPoints;
    likelihoodPoints_ = defaults.likelihoodPoints;
    updateButtons();
}

// The driver (the base's) cancels and joins its runs; each step is one training iteration
// or sees the cancel flag within one network evaluation, so closing never waits for long.
DiffusionWorkspace::~DiffusionWorkspace() = default;

QWidget* DiffusionWorkspace::leftPanel() { return left_; }
QWidget* DiffusionWorkspace::centralView() { return central_; }
QWidget* DiffusionWorkspace::bottomPanel() { return bottom_; }
QTableWidget* DiffusionWorkspace::metricsTable() const { return shootoutPanel_->table(); }
widgets::LossChartView* DiffusionWorkspace::lossChart() const { return lossPanel_->lossChart(); }

bool DiffusionWorkspace::isTrainingPaused() const {
    // Paused as shown: the run's state can turn Paused before the poll has handed over the
    // snapshot of where it stopped.
    return runDriver()->kind() == Train && runDriver()->isPaused() && pausedShown_;
}

bool DiffusionWorkspace::showPanel(const QString& name) {
    return selectTabNamed(bottomTabs_, name);
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
        // The metric definitions and held-out sizes follow the config (the headless run's),
        // the defaults otherwise.
        const core::DiffusionPlan defaults;
        const core::DiffusionPlan& from = plan ? *plan : defaults;
        metrics_ = from.shootoutOptions;
        metricPoints_ = from.metricPoints;
        likelihoodPoints_ = from.likelihoodPoints;
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
    } else if (session_ && !session_->customData()) {
        cloud_->setData(session_->toUser(session_->train()));
    }
}

void DiffusionWorkspace::updateButtons() {
    // Sampling reads an immutable copy of the weights, so a paused training run may be
    // replaced by a Sample (Resume continues the same trainer afterwards).
    const bool idle = !isRunning();
    sampleButton_->setEnabled(idle && session_ != nullptr);
    shootoutButton_->setEnabled(idle && session_ != nullptr);
    density_->setBusy(!(idle && session_ != nullptr));
}

void DiffusionWorkspace::run() { startFresh(true); }

void DiffusionWorkspace::startFresh(bool immediately) {
    core::DiffusionConfig config;
    std::optional<Points> own;
    try {
        config = core::diffusionConfigFromJson(settings_->values(), "settings");
        // The points are copied into the job: drawing on goes untouched by the worker.
        if (drawTool_->usesOwnPoints()) own = drawTool_->points();
        // Too few points are refused at once (cheap), the rest is prepared on the worker.
        if (own && own->cols() < core::kMinimumUserPoints)
            core::prepareDiffusionData(config, metricPoints_, &*own);
    } catch (const std::exception& e) {
        const QString message = QString::fromUtf8(e.what());
        showError(message);
        Q_EMIT runFinished(false, "Not trained: " + message);
        return;
    }
    errorLabel_->hide();
    followUps_.clear();
    chainMessage_.clear();
    scrubber_->clear();
    cloud_->setSamples(Points(2, 0));
    cloud_->setPaths({}, {});
    cloud_->setArrows(Points(2, 0), Points(2, 0), {});
    cloud_->setTrueArrows(Points(2, 0), Points(2, 0), {});
    cloud_->setTitle("Training…");
    lossPanel_->clear("Training…", config.family == core::DiffusionModelFamily::Interpolant);
    density_->clear("Training…");
    trainer_.reset();
    training_.reset();
    trainingIteration_ = 0;
    dataShown_ = false;
    trainerSlot_ = std::make_shared<std::shared_ptr<core::DiffusionTrainer>>();
    pausedShown_ = false;
    const long metricPoints = metricPoints_;
    core::RunOptions options = trainingRunOptions();
    options.startImmediately = immediately;
    runDriver()->start(
        [config, own, metricPoints, slot = trainerSlot_](core::RunContext&) {
            auto data = std::make_shared<const core::DiffusionData>(
                core::prepareDiffusionData(config, metricPoints, own ? &*own : nullptr));
            *slot = std::make_shared<core::DiffusionTrainer>(config, std::move(data));
            return core::makeDiffusionTrainingJob(*slot);
        },
        options, Train);
}

void DiffusionWorkspace::startTraining(bool immediately) {
    if (!trainer_ || trainer_->finished()) {
        startFresh(immediately);
        return;
    }
    followUps_.clear();
    chainMessage_.clear();
    pausedShown_ = false;
    core::RunOptions options = trainingRunOptions();
    options.startImmediately = immediately;
    runDriver()->start(
        [trainer = trainer_](core::RunContext&) { return core::makeDiffusionTrainingJob(trainer); },
        options, Train);
}

void DiffusionWorkspace::pause() {
    if (runDriver()->kind() == Train) runDriver()->pause();
}

void DiffusionWorkspace::resume() {
    pausedShown_ = false;
    if (runDriver()->kind() == Train && runDriver()->isPaused()) {
        runDriver()->resume();
    } else if (!isRunning()) {
        startTraining(true);
    }
}

void DiffusionWorkspace::stepOnce() {
    pausedShown_ = false;
    if (runDriver()->kind() == Train && runDriver()->canStep()) {
        runDriver()->stepOnce();
        return;
    }
    if (isRunning()) return;
    // No training run to step (none yet, or a Sample replaced the paused one): one is
    // started on the kept trainer (or a fresh one), idle, and stepped.
    startTraining(false);
    if (runDriver()->kind() == Train && !core::isSettled(runDriver()->state()))
        runDriver()->stepOnce();
}

bool DiffusionWorkspace::canStartFollowUp() { return !isRunning() && session_ != nullptr; }

void DiffusionWorkspace::sample() {
    if (!canStartFollowUp()) return;
    // Sampler, budget, sample count and epsilon may have changed since training; the model
    // may not.
    try {
        const core::DiffusionConfig config =
            core::diffusionConfigFromJson(settings_->values(), "settings");
        auto session = std::make_shared<core::DiffusionSession>(*session_);
        session->config.sampler = config.sampler;
        session->config.nfe = config.nfe;
        session->config.samples = config.samples;
        session->config.epsilon = config.epsilon;
        session_ = std::move(session);
    } catch (const std::exception& e) {
        showError(QString::fromUtf8(e.what()));
        return;
    }
    errorLabel_->hide();
    followUps_ = {Scrub};
    chainMessage_.clear();
    startTask(Sample);
}

void DiffusionWorkspace::shootout() {
    if (!canStartFollowUp()) return;
    QString error;
    if (shootoutPanel_->budgets(&error).empty()) {
        showError(error);
        return;
    }
    if (std::abs(session_->config.epsilon - modelBox_->epsilon()) > 0) {
        auto session = std::make_shared<core::DiffusionSession>(*session_);
        session->config.epsilon = modelBox_->epsilon();
        session_ = std::move(session);
    }
    showPanel("Shoot-out");
    startTask(Shootout);
}

void DiffusionWorkspace::computeDensity() {
    if (!canStartFollowUp()) return;
    density_->clear("Computing the exact likelihood on the grid…");
    startTask(Density);
}

void DiffusionWorkspace::startTask(Kind kind) {
    core::DiffusionTaskOptions options;
    options.metrics = metrics_;
    options.particles = kPathParticles;
    options.likelihoodPoints = likelihoodPoints_;
    if (kind == Shootout) {
        options.metrics.budgets = shootoutPanel_->budgets(nullptr);
        // One adaptive row, at Sample's tolerance (samplerOptionsForNfe); headless sweeps
        // the config's tolerances.
        options.metrics.adaptiveTolerances = {1e-3};
    }
    const core::DiffusionTask task = kind == Sample    ? core::DiffusionTask::Sample
                                     : kind == Scrub   ? core::DiffusionTask::Scrub
                                     : kind == Density ? core::DiffusionTask::Density
                                                       : core::DiffusionTask::Shootout;
    runDriver()->start(
        [task, session = session_, options](core::RunContext&) {
            return core::makeDiffusionTaskJob(task, session, options);
        },
        {}, kind);
    updateButtons();
}

void DiffusionWorkspace::cancel() {
    followUps_.clear();
    Workspace::cancel();
}

void DiffusionWorkspace::reset() {
    followUps_.clear();
    chainMessage_.clear();
    if (isRunning() || runDriver()->isPaused()) runDriver()->cancel();
    settings_->setValues(loaded_);
    trainer_.reset();
    training_.reset();
    trainingIteration_ = 0;
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

void DiffusionWorkspace::showSnapshot(const std::shared_ptr<const core::Snapshot>& snapshot) {
    if (runDriver()->kind() != Train || !snapshot) return;
    // The factory has returned (a snapshot exists), so the trainer it built is set.
    if (!trainer_ && trainerSlot_ && *trainerSlot_) trainer_ = *trainerSlot_;
    showTraining(static_cast<const core::DiffusionTrainingSnapshot&>(*snapshot));
    training_ = std::static_pointer_cast<const core::DiffusionTrainingSnapshot>(snapshot);
}

void DiffusionWorkspace::showTraining(const core::DiffusionTrainingSnapshot& snapshot) {
    // A pause publishes a full snapshot first (the Run's order), so a paused driver's latest
    // snapshot holds the weights where it stopped: Sample draws from exactly those. (A single
    // Step may go Paused -> Running -> Paused between two polls, unseen as a state change.)
    if (snapshot.session && runDriver()->isPaused()) {
        session_ = snapshot.session;
        pausedShown_ = true;
    }
    if (!dataShown_ && snapshot.session) {
        const auto& data = *snapshot.session->data;
        cloud_->setData(data.toUser(data.train), !data.customData);
        dataShown_ = true;
    }
    // Only the newest snapshot is drawn; the ones in between were overwritten unseen.
    lossPanel_->setLosses(snapshot.lossIterations, snapshot.losses, snapshot.bucketLoss);
    cloud_->setSamples(snapshot.preview);
    const bool paused = runDriver()->isPaused();
    cloud_->setTitle(QString("Training%1: iteration %2 of %3 (preview: %4, 10 NFE)")
                         .arg(paused ? " (paused)" : "")
                         .arg(snapshot.iteration)
                         .arg(snapshot.totalIterations)
                         .arg(snapshot.previewSampler == "interpolant_ode" ? "interpolant ODE"
                                                                           : "DPM-Solver-2"));
    trainingIteration_ = snapshot.iteration;
}

void DiffusionWorkspace::runSettled(core::RunState state, const QString& message) {
    const int kind = runDriver()->kind();
    updateButtons();
    if (kind == Train) {
        const auto snapshot = training_;
        switch (state) {
            case core::RunState::Finished: {
                if (!snapshot || !snapshot->session) break;
                session_ = snapshot->session;
                heldOutBits_ = NAN;  // the old model's figure
                lossPanel_->setLosses(session_->lossIterations, session_->losses, {});
                const auto& losses = session_->losses;
                chainMessage_ = QString("Trained %1 iterations in %2 s (loss %3 → %4)")
                                    .arg(session_->iterations)
                                    .arg(session_->trainSeconds, 0, 'f', 2)
                                    .arg(losses.empty() ? NAN : losses.front(), 0, 'g', 3)
                                    .arg(losses.empty() ? NAN : losses.back(), 0, 'g', 3);
                Q_EMIT progressChanged(1.0,
                                       formatRate(double(session_->iterations) /
                                                      std::max(session_->trainSeconds, 1e-9),
                                                  "it"),
                                       session_->trainSeconds);
                density_->clear("Compute density for the new model.");
                // Train refreshes what the open tab shows, so the density or the shoot-out never
                // describes an older model than the samples next to it.
                followUps_ = {Scrub};
                const QString tab = bottomTabs_->tabText(bottomTabs_->currentIndex());
                if (tab == "Density") followUps_.push_back(Density);
                if (tab == "Shoot-out" && !shootoutPanel_->budgets(nullptr).empty())
                    followUps_.push_back(Shootout);
                startTask(Sample);
                return;
            }
            case core::RunState::Paused:
                // The weights where it paused: Sample may draw from them while training holds.
                if (snapshot && snapshot->session) {
                    session_ = snapshot->session;
                    pausedShown_ = true;
                }
                updateButtons();
                Q_EMIT statusMessage("Training paused at iteration " +
                                     QString::number(trainingIteration_) +
                                     ": Step runs one iteration, Resume carries on; Sample draws "
                                     "from the current weights.");
                return;
            case core::RunState::Cancelled:
                finishChain(false, "Training cancelled; the previous model is kept.");
                return;
            default:
                showError(message);
                cloud_->setTitle("Stopped: see the message on the left");
                finishChain(false, message);
                return;
        }
        finishChain(false, message);
        return;
    }
    if (state == core::RunState::Cancelled) {
        finishChain(false, "Cancelled.");
        return;
    }
    const auto result =
        std::static_pointer_cast<const core::DiffusionResultSnapshot>(runDriver()->latest());
    if (state != core::RunState::Finished || !result) {
        showError(message);
        if (kind == Density) density_->clear("Stopped: " + message);
        finishChain(false, message);
        return;
    }
    const QString text = applyResult(*result);
    if (!text.isEmpty())
        chainMessage_ = chainMessage_.isEmpty() ? text : chainMessage_ + "; " + text;
    if (!followUps_.empty()) {
        const Kind next = followUps_.front();
        followUps_.pop_front();
        if (next == Density) density_->clear("Computing the exact likelihood on the grid…");
        if (next == Shootout) showPanel("Shoot-out");
        startTask(next);
        return;
    }
    finishChain(true, chainMessage_);
}

// By value: the message is often chainMessage_ itself, which is cleared here.
void DiffusionWorkspace::finishChain(bool ok, QString message) {
    followUps_.clear();
    chainMessage_.clear();
    updateButtons();
    Q_EMIT runFinished(ok, message);
}

QString DiffusionWorkspace::applyResult(const core::DiffusionResultSnapshot& result) {
    switch (result.task) {
        case core::DiffusionTask::Shootout:
            shootoutPanel_->setRows(result.shootout, {});
            Q_EMIT progressChanged(1.0, {}, result.seconds);
            return QString("Shoot-out: %1 sampler runs in %2 s")
                .arg(result.shootout.size())
                .arg(result.seconds, 0, 'f', 2);
        case core::DiffusionTask::Density:
            density_->setMaps(*result.density);
            heldOutBits_ = result.density->heldOutBitsPerDim;
            updateSummary();
            Q_EMIT progressChanged(1.0, {}, result.seconds);
            return QString("Density: held-out %1 bits/dim (%2 NFE, %3 s)")
                .arg(number(result.density->heldOutBitsPerDim))
                .arg(result.density->nfe)
                .arg(result.density->seconds, 0, 'f', 2);
        case core::DiffusionTask::Scrub:
            if (sample_) scrubber_->setFrames(result.frames, session_->toUser(sample_->samples));
            return {};
        case core::DiffusionTask::Sample:
            break;
    }
    showSample(result.sample);
    QString message = QString("Sampled %1 points with %2 (NFE %3) in %4 ms: SW2 %5, MMD² %6")
                          .arg(sample_->samples.cols())
                          .arg(QString::fromStdString(sample_->sampler))
                          .arg(sample_->nfe)
                          .arg(sample_->seconds * 1e3, 0, 'f', 1)
                          .arg(number(sample_->sw2, 3))
                          .arg(number(sample_->mmd2, 3));
    if (!sample_->pathsRecorded) message += " (the samplers recorded no paths to draw)";
    Q_EMIT progressChanged(1.0, {}, result.seconds);
    return message;
}

void DiffusionWorkspace::showSample(std::shared_ptr<const core::DiffusionSample> sample) {
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
