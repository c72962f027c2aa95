#include "app/workspaces/timeseries/timeseries_workspace.h"

#include "app/run_driver.h"
#include "app/workspaces/timeseries/timeseries_view_data.h"
#include "core/common/error.h"
#include "core/timeseries/csv_import.h"
#include "core/timeseries/timeseries_job.h"
#include "widgets/panels/schema_form.h"
#include "widgets/views/axis_heat_map_view.h"
#include "widgets/views/line_chart_view.h"
#include "widgets/views/series_fan_view.h"
#include "widgets/views/solver_diagnostics_view.h"
#include "widgets/views/vector_field_view.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QSignalBlocker>
#include <QTabWidget>
#include <QTableWidget>

#include <algorithm>
#include <cmath>

namespace driftlab::app {
namespace {

using State = core::RunState;

// Curves at about 8 Hz, forecasts (several model solves on the worker) at about 3 Hz.
constexpr double kPublishSeconds = 0.12;
constexpr double kForecastSeconds = 0.36;

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
    connect(runDriver(), &RunDriver::snapshotReady, this,
            [this](std::shared_ptr<const core::Snapshot> snapshot) {
                if (dropped_) return;
                showSnapshot(std::static_pointer_cast<const core::TimeSeriesSnapshot>(snapshot));
            });
    buildLeftPanel();
    buildCentral();
    buildBottom();
    loaded_ = settings_->values();
    clearViews();
}

TimeseriesWorkspace::~TimeseriesWorkspace() = default;

QWidget* TimeseriesWorkspace::leftPanel() { return left_; }
QWidget* TimeseriesWorkspace::centralView() { return central_; }
QWidget* TimeseriesWorkspace::bottomPanel() { return bottom_; }

QString TimeseriesWorkspace::runHelp() const {
    return "Train on these settings: resumes a paused or diverged run (with the form's learning "
           "rate), otherwise starts a fresh model";
}

core::RunState TimeseriesWorkspace::runState() const { return runDriver()->state(); }

bool TimeseriesWorkspace::hasRun() const {
    const State state = runState();
    return runDriver()->run() && !dropped_ && !cancelling_ && state != State::Cancelled &&
           state != State::Failed;
}

// A cancelled run's worker may still be ending its iteration; the workspace is free at once
// (a new run replaces it, the driver keeps the old one until its worker is done).
bool TimeseriesWorkspace::isRunning() const { return hasRun() && Workspace::isRunning(); }

bool TimeseriesWorkspace::showPanel(const QString& name) {
    // "Phase portrait, Solver diagnostics" fronts a central and a bottom tab at once.
    const QStringList names = name.split(',', Qt::SkipEmptyParts);
    if (names.isEmpty()) return name.isEmpty();
    return std::all_of(names.begin(), names.end(), [this](const QString& part) {
        return selectTabNamed(bottomTabs_, part.trimmed()) ||
               selectTabNamed(centralTabs_, part.trimmed());
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

bool TimeseriesWorkspace::startRun(bool startImmediately) {
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
        previousNfe_ = std::make_unique<NfeCurve>(
            nfeCurve(*snapshot_, solverSettingsLabel(snapshot_->config)));
    snapshot_.reset();
    clearViews();
    dropped_ = cancelling_ = false;
    runValues_ = values;
    shownForecastAt_ = -1;
    core::RunOptions options;
    options.startImmediately = startImmediately;
    options.publishSeconds = kPublishSeconds;
    options.fullPublishSeconds = kForecastSeconds;
    runDriver()->start([config](core::RunContext&) { return core::makeTimeSeriesJob(config); },
                       options);
    return true;
}

TimeseriesWorkspace::Carry TimeseriesWorkspace::carryOn(
    std::initializer_list<core::RunState> states) {
    core::Run* run = runDriver()->run();
    const State state = runState();
    if (!hasRun() || std::find(states.begin(), states.end(), state) == states.end())
        return Carry::No;
    const nlohmann::json values = settings_->values();
    if (!sameModelAndData(values, runValues_)) return Carry::No;
    const long moreIterations = values.value("iterations", 0L) - runValues_.value("iterations", 0L);
    if (state == State::Finished && moreIterations <= 0) return Carry::No;
    try {
        const auto config = core::timeSeriesConfigFromJson(values, "settings");
        if (state == State::Diverged || values["learning_rate"] != runValues_["learning_rate"])
            run->post(core::setLearningRateCommand(config.training.learningRate));
        if (moreIterations != 0) run->post(core::addIterationsCommand(moreIterations));
        runValues_ = values;
        return Carry::Yes;
    } catch (const std::exception& e) {
        showError(QString::fromUtf8(e.what()));
        Q_EMIT runFinished(false, "Not resumed: " + QString::fromUtf8(e.what()));
        return Carry::Refused;
    }
}

void TimeseriesWorkspace::run() {
    if (isRunning()) return;
    errorLabel_->hide();
    expected_ = Stop::None;
    switch (carryOn({State::Paused, State::Idle, State::Diverged, State::Finished})) {
        case Carry::Refused:
            return;
        case Carry::Yes:
            runDriver()->resume();
            Q_EMIT runStarted();
            break;
        case Carry::No:
            if (!startRun(true)) return;
            break;
    }
    // Room for the curves under the fan chart; the two diagnostics charts need more.
    Q_EMIT bottomHeightRequested(bottomTabs_->currentWidget() == diagnostics_ ? 420 : 300);
}

void TimeseriesWorkspace::resume() {
    if (isRunning()) return;
    if (!hasRun() || runState() != State::Paused) {
        run();
        return;
    }
    errorLabel_->hide();
    expected_ = Stop::None;
    // Changed model or data settings wait for Train (a fresh model); Resume keeps this one.
    if (carryOn({State::Paused}) == Carry::Refused) return;
    runDriver()->resume();
    Q_EMIT runStarted();
}

void TimeseriesWorkspace::stepOnce() {
    if (isRunning()) return;
    errorLabel_->hide();
    switch (carryOn({State::Paused, State::Idle, State::Diverged})) {
        case Carry::Refused:
            return;
        case Carry::Yes:
            break;
        case Carry::No:
            if (!startRun(false)) return;
            break;
    }
    expected_ = Stop::Step;
    stepFrom_ = snapshot_ ? snapshot_->iteration : 0;
    runDriver()->stepOnce();
}

void TimeseriesWorkspace::pause() {
    if (!runDriver()->canPause()) return;
    expected_ = Stop::Pause;
    Workspace::pause();
}

void TimeseriesWorkspace::cancel() {
    if (!hasRun()) return;
    cancelling_ = true;
    runDriver()->cancel();
    Q_EMIT runStateChanged();
}

void TimeseriesWorkspace::reset() {
    // The worker stops within an iteration; the driver keeps the cancelled run until it has.
    dropped_ = true;
    runDriver()->cancel();
    Q_EMIT runStateChanged();
    snapshot_.reset();
    previousNfe_.reset();
    settings_->setValues(loaded_);
    clearViews();
    errorLabel_->hide();
    csvLabel_->hide();
}

void TimeseriesWorkspace::runSettled(core::RunState state, const QString& message) {
    if (dropped_) return;
    if (state != State::Paused) expected_ = Stop::None;
    switch (state) {
        case State::Finished:
            Q_EMIT runFinished(true, snapshot_ ? trainingSummary(*snapshot_) : QString("Done."));
            return;
        case State::Paused:
            // A command that lifts a stop (a new learning rate, more iterations) pauses the run
            // for a moment before Train carries on: only the stops asked for are reported.
            if (expected_ == Stop::Step && snapshot_ && snapshot_->iteration > stepFrom_) {
                expected_ = Stop::None;
                Q_EMIT statusMessage(QString("Stepped to iteration %1 (loss %2).")
                                         .arg(snapshot_->iteration)
                                         .arg(snapshot_->metrics.trainLoss, 0, 'g', 4));
            } else if (expected_ == Stop::Pause) {
                expected_ = Stop::None;
                Q_EMIT statusMessage(
                    "Paused after the current iteration: Resume or Train carries on, Step runs one "
                    "iteration.");
            }
            return;
        case State::Diverged:
            showError(QString("%1\nLower the learning rate in the form (now %2) and press Train to "
                              "resume from the last finite weights.")
                          .arg(message)
                          .arg(snapshot_ ? snapshot_->learningRate : 0.0, 0, 'g', 3));
            Q_EMIT runFinished(false, message);
            return;
        case State::Cancelled:
            Q_EMIT runFinished(false, QString("Training cancelled at iteration %1; the views keep "
                                              "the model as it was.")
                                          .arg(snapshot_ ? snapshot_->iteration : 0));
            return;
        case State::Failed:
            showError((snapshot_ ? "Training failed: " : "Training could not start: ") + message);
            Q_EMIT runFinished(false, message);
            return;
        default:
            Workspace::runSettled(state, message);
            return;
    }
}

void TimeseriesWorkspace::showSnapshot(std::shared_ptr<const core::TimeSeriesSnapshot> snapshot) {
    snapshot_ = std::move(snapshot);
    const auto& s = *snapshot_;
    const QString lossTitle = s.history.empty() ? QString("Objective: no iteration yet")
                                                : QString("Objective %1 at iteration %2")
                                                      .arg(s.history.back().loss, 0, 'g', 4)
                                                      .arg(s.iteration);
    lossChart_->setLines(makeLossLines(s), lossTitle);
    const NfeCurve current = nfeCurve(s, solverSettingsLabel(s.config));
    nfeChart_->setLines(
        makeNfeLines(current, previousNfe_.get()),
        QString("Drift evaluations per iteration (batch, forward + backward): mean %1")
            .arg(s.metrics.meanNfePerIteration, 0, 'f', 0));
    if (!s.lastSteps.empty()) {
        const QString what = s.config.model.adaptive ? "the model's own adaptive Dopri5 solve"
                                                     : "Dopri5 on the learned mean latent drift";
        diagnostics_->setSolve(QString("%1, first series of iteration %2 (NFE shown: whole batch, "
                                       "forward + backward)")
                                   .arg(what)
                                   .arg(s.iteration),
                               lastSolveStats(s));
    }
    const ErrorHeatMapData heat = makeErrorHeatMap(s);
    if (heat.log10Error.rows() > 0)
        heatMap_->setGrid(
            heat.t0, heat.t1, heat.iteration0, heat.iteration1, heat.log10Error,
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
        phasePortrait_->setField(portrait.positions, portrait.vectors, portrait.paths,
                                 portrait.title);
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
