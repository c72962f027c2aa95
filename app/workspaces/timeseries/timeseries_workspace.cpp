#include "app/workspaces/timeseries/timeseries_workspace.h"

#include "app/workspaces/timeseries/timeseries_view_data.h"
#include "core/common/error.h"
#include "core/timeseries/timeseries_training.h"
#include "core/timeseries/csv_import.h"
#include "widgets/panels/result_table.h"
#include "widgets/panels/run_controls.h"
#include "widgets/panels/schema_form.h"
#include "widgets/views/axis_heat_map_view.h"
#include "widgets/views/line_chart_view.h"
#include "widgets/views/series_fan_view.h"
#include "widgets/views/solver_diagnostics_view.h"
#include "widgets/views/vector_field_view.h"

#include <QAction>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSignalBlocker>
#include <QTabWidget>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace driftlab::app {
namespace {

constexpr int kPollMs = 120;               // the runner publishes about as often
constexpr double kPublishSeconds = 0.12;

using State = core::TrainingRunState;

// Settings a paused run can take without starting afresh: a new learning rate is applied
// between iterations and more iterations extend the run.
bool sameModelAndData(nlohmann::json a, nlohmann::json b) {
    for (auto* values : {&a, &b}) {
        values->erase("learning_rate");
        values->erase("iterations");
    }
    return a == b;
}

}  // namespace

TimeseriesWorkspace::TimeseriesWorkspace(QObject* parent) : Workspace(parent) {
    pollTimer_ = new QTimer(this);
    pollTimer_->setInterval(kPollMs);
    connect(pollTimer_, &QTimer::timeout, this, &TimeseriesWorkspace::poll);
    buildLeftPanel();
    buildCentral();
    buildBottom();
    loaded_ = settings_->values();
    clearViews();
    updateButtons();
}

TimeseriesWorkspace::~TimeseriesWorkspace() {
    runner_.reset();
    for (auto& reaper : reapers_)
        if (reaper.thread.joinable()) reaper.thread.join();
}

QWidget* TimeseriesWorkspace::leftPanel() { return left_; }
QWidget* TimeseriesWorkspace::centralView() { return central_; }
QWidget* TimeseriesWorkspace::bottomPanel() { return bottom_; }

core::TrainingRunState TimeseriesWorkspace::runState() const {
    return runner_ ? runner_->state() : State::Idle;
}

bool TimeseriesWorkspace::isRunning() const {
    return runner_ && (pending_ != Pending::None || runner_->state() == State::Running);
}

bool TimeseriesWorkspace::showPanel(const QString& name) {
    // "Phase portrait, Solver diagnostics" fronts a central and a bottom tab at once.
    const QStringList names = name.split(',', Qt::SkipEmptyParts);
    if (names.isEmpty()) return name.isEmpty();
    return std::all_of(names.begin(), names.end(), [this](const QString& part) {
        return selectTabNamed(bottomTabs_, part.trimmed()) || selectTabNamed(centralTabs_, part.trimmed());
    });
}

bool TimeseriesWorkspace::loadConfig(const QString& fileOrPresetId, QString* error) {
    try {
        const std::string source = fileOrPresetId.toStdString();
        nlohmann::json values = settings_->values();
        const auto& ids = core::timeSeriesDatasetIds();
        if (std::find(ids.begin(), ids.end(), source) != ids.end() && source != "csv") {
            values["dataset"] = source;
            core::timeSeriesConfigFromJson(values, source);
        } else {
            values = core::timeSeriesValues(core::resolveTimeSeriesConfig(source));
        }
        settings_->setValues(values);
        loaded_ = settings_->values();
        errorLabel_->hide();
        return true;
    } catch (const std::exception& e) {
        if (error) *error = QString::fromUtf8(e.what());
        return false;
    }
}

bool TimeseriesWorkspace::loadCsv(const QString& path, QString* error) {
    try {
        const auto dataset = core::timeseries::importCsvFile(path.toStdString());
        nlohmann::json values = settings_->values();
        values["dataset"] = "csv";
        values["csv_path"] = path.toStdString();
        core::timeSeriesConfigFromJson(values, path.toStdString());  // the other keys still fit
        settings_->setValues(values);
        csvLabel_->setText(QString("Loaded %1: %2 times, %3 channel(s), %4 % missing")
                               .arg(QFileInfo(path).fileName())
                               .arg(dataset.empty() ? 0 : dataset[0].length())
                               .arg(dataset.channels())
                               .arg(100.0 * dataset.missingFraction(), 0, 'f', 1));
        csvLabel_->show();
        errorLabel_->hide();
        return true;
    } catch (const std::exception& e) {
        const QString message = QString::fromUtf8(e.what());
        if (error) *error = message;
        showError(QString("CSV not loaded, the previous data is kept: %1").arg(message));
        return false;
    }
}

void TimeseriesWorkspace::chooseCsv() {
    const QString path = QFileDialog::getOpenFileName(left_, "Load a time series CSV", {},
                                                      "CSV files (*.csv *.txt);;All files (*)");
    if (path.isEmpty()) return;
    QString error;
    if (!loadCsv(path, &error)) Q_EMIT statusMessage("CSV refused: " + error);
}

void TimeseriesWorkspace::showError(const QString& message) {
    errorLabel_->setText(message);
    errorLabel_->show();
}

void TimeseriesWorkspace::updateButtons() {
    const bool running = isRunning();
    controls_->setRunning(running);
    pauseAction_->setEnabled(runner_ && pending_ == Pending::Finish);
    stepAction_->setEnabled(!running);
}

bool TimeseriesWorkspace::startRunner() {
    const nlohmann::json values = settings_->values();
    core::TimeSeriesConfig config;
    try {
        config = core::timeSeriesConfigFromJson(values, "settings");
    } catch (const std::exception& e) {
        const QString message = QString::fromUtf8(e.what());
        showError(message);
        Q_EMIT runFinished(false, "Not trained: " + message);
        return false;
    }
    // The last run's NFE curve stays on the chart to compare with (e.g. unregularised).
    if (snapshot_ && !snapshot_->history.empty())
        previousNfe_ = std::make_unique<NfeCurve>(nfeCurve(*snapshot_, solverSettingsLabel(snapshot_->config)));
    retireRunner();
    snapshot_.reset();
    clearViews();
    runner_ = std::make_unique<core::TimeSeriesTrainingRunner>(std::move(config), kPublishSeconds);
    runnerValues_ = values;
    lastPublication_ = -1;
    shownForecastAt_ = -1;
    return true;
}

void TimeseriesWorkspace::retireRunner() {
    if (!runner_) return;
    // The destructor joins the worker after its current iteration: let another thread wait.
    runner_->pause();
    auto done = std::make_shared<std::atomic<bool>>(false);
    reapers_.push_back({std::thread([runner = std::move(runner_), done]() mutable {
                            runner.reset();
                            done->store(true);
                        }),
                        done});
    pending_ = Pending::None;
}

void TimeseriesWorkspace::run() {
    if (pending_ != Pending::None) return;
    errorLabel_->hide();
    const nlohmann::json values = settings_->values();
    const State state = runState();
    const long moreIterations = runner_ ? values.value("iterations", 0L) - runnerValues_.value("iterations", 0L) : 0;
    const bool resumable = runner_ && sameModelAndData(values, runnerValues_) &&
                           (state == State::Paused || state == State::Idle || state == State::Diverged ||
                            (state == State::Finished && moreIterations > 0));
    if (resumable) {
        try {
            const auto config = core::timeSeriesConfigFromJson(values, "settings");
            if (state == State::Diverged || values["learning_rate"] != runnerValues_["learning_rate"])
                runner_->setLearningRate(config.training.learningRate);
            if (moreIterations > 0) runner_->addIterations(moreIterations);
            runnerValues_ = values;
        } catch (const std::exception& e) {
            showError(QString::fromUtf8(e.what()));
            Q_EMIT runFinished(false, "Not resumed: " + QString::fromUtf8(e.what()));
            return;
        }
    } else if (!startRunner()) {
        return;
    }
    runner_->train();
    pending_ = Pending::Finish;
    reportedStop_ = false;
    pollTimer_->start();
    updateButtons();
    Q_EMIT runStarted();
    // Room for the curves under the fan chart; the two diagnostics charts need more.
    Q_EMIT bottomHeightRequested(bottomTabs_->currentWidget() == diagnostics_ ? 420 : 300);
}

void TimeseriesWorkspace::pause() {
    if (!runner_ || pending_ != Pending::Finish) return;
    runner_->pause();
    pending_ = Pending::None;
    updateButtons();
    Q_EMIT statusMessage("Paused after the current iteration: Train resumes, Step runs one iteration.");
}

void TimeseriesWorkspace::stepOnce() {
    if (pending_ != Pending::None) return;
    errorLabel_->hide();
    const nlohmann::json values = settings_->values();
    const State state = runState();
    const bool resumable = runner_ && sameModelAndData(values, runnerValues_) &&
                           (state == State::Paused || state == State::Idle ||
                            state == State::Diverged || state == State::Preparing);
    if (resumable) {
        if (state == State::Diverged || values["learning_rate"] != runnerValues_["learning_rate"]) {
            try {
                runner_->setLearningRate(core::timeSeriesConfigFromJson(values, "settings").training.learningRate);
                runnerValues_ = values;
            } catch (const std::exception& e) {
                showError(QString::fromUtf8(e.what()));
                return;
            }
        }
    } else if (!startRunner()) {
        return;
    }
    const auto latest = runner_->latest();
    pendingFrom_ = latest ? latest->iteration : 0;
    runner_->stepOnce();
    pending_ = Pending::Step;
    reportedStop_ = false;
    pollTimer_->start();
    updateButtons();
}

void TimeseriesWorkspace::cancel() {
    if (!runner_) return;
    const long iteration = snapshot_ ? snapshot_->iteration : 0;
    retireRunner();
    updateButtons();
    Q_EMIT runFinished(false, QString("Training cancelled at iteration %1; the views keep the "
                                      "model as it was.")
                                  .arg(iteration));
}

void TimeseriesWorkspace::reset() {
    retireRunner();
    snapshot_.reset();
    previousNfe_.reset();
    settings_->setValues(loaded_);
    clearViews();
    errorLabel_->hide();
    csvLabel_->hide();
    updateButtons();
}

void TimeseriesWorkspace::poll() {
    reapers_.remove_if([](Reaper& reaper) {
        if (!reaper.done->load()) return false;
        reaper.thread.join();
        return true;
    });
    if (!runner_) {
        if (reapers_.empty()) pollTimer_->stop();
        return;
    }
    const State state = runner_->state();
    if (const long publications = runner_->publications(); publications != lastPublication_) {
        lastPublication_ = publications;
        if (auto snapshot = runner_->latest()) showSnapshot(std::move(snapshot));
    }
    if (state == State::Failed && !reportedStop_) {
        reportedStop_ = true;
        pending_ = Pending::None;
        const QString message = QString::fromStdString(runner_->message());
        showError("Training could not start: " + message);
        updateButtons();
        Q_EMIT runFinished(false, message);
        return;
    }
    if (snapshot_) {
        const auto& m = snapshot_->metrics;
        Q_EMIT progressChanged(snapshot_->totalIterations > 0
                                   ? double(snapshot_->iteration) / double(snapshot_->totalIterations)
                                   : 0.0,
                               QString("%1 it/s").arg(m.iterationsPerSecond, 0, 'f', 1), m.wallSeconds);
    }
    // A stop is reported once the snapshot published with it has arrived, so the views and
    // the message agree.
    const bool diverged = state == State::Diverged && snapshot_ && snapshot_->diverged;
    const bool finished = state == State::Finished && snapshot_ && snapshot_->finished;
    if (diverged && !reportedStop_) {
        reportedStop_ = true;
        pending_ = Pending::None;
        showError(QString("%1\nLower the learning rate in the form (now %2) and press Train to "
                          "resume from the last finite weights.")
                      .arg(QString::fromStdString(snapshot_->message))
                      .arg(snapshot_->learningRate, 0, 'g', 3));
        updateButtons();
        Q_EMIT runFinished(false, QString::fromStdString(snapshot_->message));
        return;
    }
    if (pending_ == Pending::Finish && finished) {
        pending_ = Pending::None;
        reportedStop_ = true;
        updateButtons();
        Q_EMIT runFinished(true, trainingSummary(*snapshot_));
        return;
    }
    if (pending_ == Pending::Step && snapshot_ && snapshot_->iteration > pendingFrom_ &&
        state != State::Running) {
        pending_ = Pending::None;
        Q_EMIT statusMessage(QString("Stepped to iteration %1 (loss %2).")
                                 .arg(snapshot_->iteration)
                                 .arg(snapshot_->metrics.trainLoss, 0, 'g', 4));
    }
    updateButtons();  // a pause takes effect when the worker's iteration ends
}

void TimeseriesWorkspace::showSnapshot(std::shared_ptr<const core::TimeSeriesSnapshot> snapshot) {
    snapshot_ = std::move(snapshot);
    const auto& s = *snapshot_;
    const QString lossTitle =
        s.history.empty() ? QString("Objective: no iteration yet")
                          : QString("Objective %1 at iteration %2")
                                .arg(s.history.back().loss, 0, 'g', 4)
                                .arg(s.iteration);
    lossChart_->setLines(makeLossLines(s), lossTitle);
    const NfeCurve current = nfeCurve(s, solverSettingsLabel(s.config));
    nfeChart_->setLines(makeNfeLines(current, previousNfe_.get()),
                        QString("Drift evaluations per iteration (batch, forward + backward): mean %1")
                            .arg(s.metrics.meanNfePerIteration, 0, 'f', 0));
    if (!s.lastSteps.empty()) {
        const QString what = s.config.model.adaptive
                                 ? "the model's own adaptive Dopri5 solve"
                                 : "Dopri5 on the learned mean latent drift";
        diagnostics_->setSolve(QString("%1, first series of iteration %2 (NFE shown: whole batch, "
                                       "forward + backward)")
                                   .arg(what)
                                   .arg(s.iteration),
                               lastSolveStats(s));
    }
    const ErrorHeatMapData heat = makeErrorHeatMap(s);
    if (heat.log10Error.rows() > 0)
        heatMap_->setGrid(heat.t0, heat.t1, heat.iteration0, heat.iteration1, heat.log10Error,
                          QString("Solver error estimate over time and training (%1)")
                              .arg(s.heatmap.stride == 1 ? QString("every iteration")
                                                         : QString("every %1 iterations").arg(s.heatmap.stride)));
    const auto rows = makeMetricRows(s);
    metrics_->setRowCount(int(rows.size()));
    for (int i = 0; i < int(rows.size()); ++i) {
        metrics_->setItem(i, 0, new QTableWidgetItem(rows[std::size_t(i)].first));
        metrics_->setItem(i, 1, new QTableWidgetItem(rows[std::size_t(i)].second));
    }
    if (s.displayedAt != shownForecastAt_ || s.displayedAt == 0) showForecasts();
}

void TimeseriesWorkspace::showForecasts() {
    shownForecastAt_ = snapshot_->displayedAt;
    QStringList labels;
    for (const auto& d : snapshot_->displayed) labels << displayedSeriesLabel(d);
    QStringList shown;
    for (int i = 0; i < seriesCombo_->count(); ++i) shown << seriesCombo_->itemText(i);
    if (labels != shown) {
        const QSignalBlocker block(seriesCombo_);
        const int keep = seriesCombo_->currentIndex();
        seriesCombo_->clear();
        seriesCombo_->addItems(labels);
        seriesCombo_->setCurrentIndex(keep >= 0 && keep < labels.size() ? keep : 0);
    }
    syncChannelsAndView();
    const PhasePortraitData portrait = makePhasePortrait(*snapshot_);
    // A non-latent model's state is the observations themselves.
    if (snapshot_->config.model.latent)
        phasePortrait_->setAxisTitles("latent z1", "latent z2");
    else
        phasePortrait_->setAxisTitles("channel 1", "channel 2");
    if (portrait.available)
        phasePortrait_->setField(portrait.positions, portrait.vectors, portrait.paths, portrait.title);
    else
        phasePortrait_->clear(portrait.title);
}

void TimeseriesWorkspace::syncChannelsAndView() {
    const int index = seriesCombo_->currentIndex();
    const int channels = index >= 0 && index < int(snapshot_->displayed.size())
                             ? int(snapshot_->displayed[std::size_t(index)].series.channels())
                             : 0;
    if (channelCombo_->count() != channels) {
        const QSignalBlocker block(channelCombo_);
        channelCombo_->clear();
        for (int c = 0; c < channels; ++c) channelCombo_->addItem(QString("channel %1").arg(c + 1));
    }
    updateSeriesView();
}

void TimeseriesWorkspace::updateSeriesView() {
    if (!snapshot_) return;
    seriesView_->setData(makeSeriesFanData(*snapshot_, seriesCombo_->currentIndex(),
                                           std::max(0, channelCombo_->currentIndex())),
                         "No forecast yet");
}

void TimeseriesWorkspace::clearViews() {
    seriesView_->setData(nullptr, "Press Train to fit a model to the series");
    {
        const QSignalBlocker blockSeries(seriesCombo_), blockChannel(channelCombo_);
        seriesCombo_->clear();
        channelCombo_->clear();
    }
    phasePortrait_->clear("The learned drift appears here for a 2-D latent space");
    lossChart_->clear("No training yet");
    nfeChart_->clear("No training yet");
    diagnostics_->clear();
    heatMap_->clear("Solver error estimate over time and training");
    metrics_->setRowCount(0);
}

}  // namespace driftlab::app
