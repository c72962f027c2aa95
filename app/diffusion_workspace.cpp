#include "app/diffusion_workspace.h"

#include "app/diffusion_view_data.h"
#include "core/common/error.h"
#include "core/experiment/background_task.h"
#include "widgets/panels/result_table.h"
#include "widgets/panels/run_controls.h"
#include "widgets/panels/schema_form.h"
#include "widgets/views/loss_chart_view.h"
#include "widgets/views/point_cloud_view.h"

#include <vtkChartXY.h>

#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSlider>
#include <QSplitter>
#include <QTabWidget>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <filesystem>

namespace driftlab::app {
namespace {

constexpr int kPollMs = 16;  // about one frame
constexpr int kPathParticles = 20;  // more turn the jittery SDE paths into a web
const std::vector<int> kShootoutBudgets = {5, 10, 20, 50};

QString number(double v, int digits = 4) {
    return std::isfinite(v) ? QString::number(v, 'g', digits) : QStringLiteral("—");
}

}  // namespace

DiffusionWorkspace::DiffusionWorkspace(QObject* parent) : Workspace(parent) {
    pollTimer_ = new QTimer(this);
    pollTimer_->setInterval(kPollMs);
    connect(pollTimer_, &QTimer::timeout, this, &DiffusionWorkspace::poll);
    buildLeftPanel();
    buildCentral();
    buildBottom();
    loaded_ = settings_->values();
    updateButtons();
}

DiffusionWorkspace::~DiffusionWorkspace() = default;

QWidget* DiffusionWorkspace::leftPanel() { return left_; }
QWidget* DiffusionWorkspace::centralView() { return central_; }
QWidget* DiffusionWorkspace::bottomPanel() { return bottom_; }
bool DiffusionWorkspace::isRunning() const { return task_ != nullptr; }
std::shared_ptr<const DiffusionSession> DiffusionWorkspace::session() const { return session_; }

bool DiffusionWorkspace::showPanel(const QString& name) {
    return selectTabNamed(bottomTabs_, name);
}

void DiffusionWorkspace::buildLeftPanel() {
    left_ = new QWidget;
    auto* layout = new QVBoxLayout(left_);

    auto* teaching = new QLabel(
        "A network learns to undo noise: data is blurred by a forward SDE and the network "
        "predicts the noise (equivalently the score ∇ log p<sub>t</sub>). Running time "
        "backwards with that score turns fresh noise into new data, either stochastically "
        "(reverse SDE) or deterministically (probability-flow ODE, DDIM, DPM-Solver). "
        "<b>Train</b> fits the model and samples once; <b>Sample</b> draws again with the "
        "chosen sampler; <b>Shoot-out</b> races every sampler by network evaluations (NFE).");
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

    auto* actions = new QHBoxLayout;
    sampleButton_ = new QPushButton("Sample");
    sampleButton_->setToolTip(
        "Turn fresh noise into samples with the trained model (EMA weights) and the chosen "
        "sampler and NFE budget; also draws 50 particle paths of the reverse SDE and the "
        "probability-flow ODE from the same noise.");
    shootoutButton_ = new QPushButton("Shoot-out");
    shootoutButton_->setToolTip(
        "Run every sampler at NFE 5, 10, 20 and 50 (adaptive Dopri5 once) and compare SW2 and "
        "MMD² to the held-out data in the Metrics tab.");
    actions->addWidget(sampleButton_);
    actions->addWidget(shootoutButton_);
    layout->addLayout(actions);
    connect(sampleButton_, &QPushButton::clicked, this, &DiffusionWorkspace::sample);
    connect(shootoutButton_, &QPushButton::clicked, this, &DiffusionWorkspace::shootout);
    // The buttons sit above the long form so they stay in view without scrolling.
    auto* settingsBox = new QGroupBox("Settings");
    auto* settingsLayout = new QVBoxLayout(settingsBox);
    settings_ = new widgets::SchemaForm(core::diffusionSchema());
    settingsLayout->addWidget(settings_);
    layout->addWidget(settingsBox);
    // A settings edit only changes what the next Train or Sample does: training is too slow
    // to restart on every keystroke, and the old picture stays meaningful until then.
    connect(settings_, &widgets::SchemaForm::valuesChanged, this, [this] { errorLabel_->hide(); });
    // The menus show the methods' usual names, not their config ids.
    const std::vector<std::pair<const char*, const char*>> names = {
        {"vp", "VP"}, {"sub_vp", "sub-VP"}, {"ve", "VE"},
        {"reverse_sde", "Reverse SDE (Euler–Maruyama)"},
        {"predictor_corrector", "Predictor–corrector (Langevin)"},
        {"probability_flow", "Probability-flow ODE (Heun)"},
        {"probability_flow_dopri5", "Probability-flow ODE (adaptive Dopri5)"},
        {"ddim", "DDIM"}, {"dpm_solver_1", "DPM-Solver-1"}, {"dpm_solver_2", "DPM-Solver-2"},
        {"dpm_solver_3", "DPM-Solver-3"}, {"dpm_solver_pp_2m", "DPM-Solver++(2M)"}};
    for (const char* key : {"process", "sampler"}) {
        auto* combo = qobject_cast<QComboBox*>(settings_->editorFor(key));
        if (!combo) continue;
        for (const auto& [id, name] : names) {
            const int index = combo->findData(QString(id));
            if (index >= 0) combo->setItemText(index, QString::fromUtf8(name));
        }
    }

    layout->addStretch(1);
}

void DiffusionWorkspace::buildCentral() {
    central_ = new QWidget;
    auto* layout = new QVBoxLayout(central_);
    layout->setContentsMargins(0, 0, 0, 0);
    cloud_ = new widgets::PointCloudView;
    cloud_->setTitle("Train a model to see samples");
    layout->addWidget(cloud_, 1);

    auto* row = new QHBoxLayout;
    row->setContentsMargins(6, 2, 6, 4);
    showData_ = new QCheckBox("Data");
    showSamples_ = new QCheckBox("Samples");
    showPaths_ = new QCheckBox("Paths");
    showField_ = new QCheckBox("Score arrows");
    for (auto* box : {showData_, showSamples_, showPaths_, showField_}) {
        box->setChecked(true);
        row->addWidget(box);
    }
    showPaths_->setToolTip("20 particles from the same noise: reverse SDE (blue) and "
                           "probability-flow ODE (green)");
    connect(showData_, &QCheckBox::toggled, this, [this](bool on) {
        cloud_->setLayerVisible(widgets::PointCloudView::Layer::Data, on);
    });
    connect(showSamples_, &QCheckBox::toggled, this, [this](bool on) {
        cloud_->setLayerVisible(widgets::PointCloudView::Layer::Samples, on);
    });
    connect(showPaths_, &QCheckBox::toggled, this, [this](bool on) {
        cloud_->setLayerVisible(widgets::PointCloudView::Layer::Paths, on);
    });
    connect(showField_, &QCheckBox::toggled, this, [this](bool on) {
        cloud_->setLayerVisible(widgets::PointCloudView::Layer::Arrows, on);
    });
    row->addSpacing(16);
    row->addWidget(new QLabel("Score at t"));
    fieldSlider_ = new QSlider(Qt::Horizontal);
    fieldSlider_->setRange(1, 100);  // t in hundredths
    fieldSlider_->setValue(10);
    fieldSlider_->setToolTip("Diffusion time of the learned score shown as arrows: near 0 it "
                             "points onto the data, near 1 it is almost the prior's −x.");
    row->addWidget(fieldSlider_, 1);
    fieldLabel_ = new QLabel("0.10");
    fieldLabel_->setMinimumWidth(36);
    row->addWidget(fieldLabel_);
    connect(fieldSlider_, &QSlider::valueChanged, this, [this](int hundredths) {
        fieldLabel_->setText(QString::number(hundredths / 100.0, 'f', 2));
        updateArrows();
    });
    layout->addLayout(row);
}

void DiffusionWorkspace::buildBottom() {
    bottomTabs_ = new QTabWidget;
    bottom_ = bottomTabs_;
    auto* lossSplit = new QSplitter(Qt::Horizontal);
    lossChart_ = new widgets::LossChartView;
    lossChart_->setAxisTitles("iteration", "denoising loss");
    lossChart_->setSeriesLabels("mean per report", "smoothed");
    bucketChart_ = new widgets::LossChartView;
    bucketChart_->setAxisTitles("diffusion time t (bucket centre)", "loss");
    bucketChart_->clear("Loss per time bucket");
    bucketChart_->chart()->SetShowLegend(false);
    lossSplit->addWidget(lossChart_);
    lossSplit->addWidget(bucketChart_);
    lossSplit->setStretchFactor(0, 3);
    lossSplit->setStretchFactor(1, 2);
    bottomTabs_->addTab(lossSplit, "Loss");

    auto* metricsPage = new QWidget;
    auto* metricsLayout = new QVBoxLayout(metricsPage);
    sampleSummary_ = new QLabel("No samples yet.");
    sampleSummary_->setWordWrap(true);
    sampleSummary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    metricsLayout->addWidget(sampleSummary_);
    metrics_ = widgets::makeResultTable(
        {"sampler", "NFE budget", "NFE", "SW2", "MMD²", "wall time (ms)"});
    metrics_->setSortingEnabled(false);
    metrics_->setToolTip(
        "SW2: sliced Wasserstein-2 over 1,000 directions; MMD²: unbiased, RBF bandwidths 0.1, "
        "0.2, 0.5, 1; both against the held-out fifth of the data (standardised).");
    metricsLayout->addWidget(metrics_);
    bottomTabs_->addTab(metricsPage, "Metrics");
    connect(bottomTabs_, &QTabWidget::currentChanged, this,
            [this](int index) { Q_EMIT bottomHeightRequested(index == 0 ? 260 : 300); });
}

bool DiffusionWorkspace::loadConfig(const QString& fileOrPresetId, QString* error) {
    try {
        nlohmann::json values = settings_->values();
        const std::string source = fileOrPresetId.toStdString();
        const auto& ids = core::diffusionDatasetIds();
        if (std::filesystem::exists(source)) {
            QFile file(fileOrPresetId);
            if (!file.open(QIODevice::ReadOnly)) throw ConfigError("cannot read " + source);
            nlohmann::json json = nlohmann::json::parse(file.readAll().toStdString());
            if (json.is_object() && json.contains("diffusion")) json = json["diffusion"];
            core::diffusionConfigFromJson(json, source);  // refuses before anything changes
            values = core::diffusionSchema().validate(json, source);
        } else if (std::find(ids.begin(), ids.end(), source) != ids.end()) {
            values["dataset"] = source;
        } else {
            std::string list;
            for (const auto& id : ids) list += (list.empty() ? "" : ", ") + id;
            throw ConfigError("\"" + source + "\" is neither a file nor a data set (" + list + ")");
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

void DiffusionWorkspace::showError(const QString& message) {
    errorLabel_->setText(message);
    errorLabel_->show();
}

bool DiffusionWorkspace::sessionBusy() const {
    return std::any_of(retiring_.begin(), retiring_.end(), [](const auto& entry) {
        return entry.first != TaskKind::Train && !entry.second->finished();
    });
}

void DiffusionWorkspace::updateButtons() {
    const bool idle = task_ == nullptr;
    sampleButton_->setEnabled(idle && session_ != nullptr);
    shootoutButton_->setEnabled(idle && session_ != nullptr);
}

void DiffusionWorkspace::run() {
    std::shared_ptr<DiffusionSession> session;
    try {
        session = makeDiffusionSession(core::diffusionConfigFromJson(settings_->values(), "settings"));
    } catch (const std::exception& e) {
        const QString message = QString::fromUtf8(e.what());
        showError(message);
        Q_EMIT runFinished(false, "Not trained: " + message);
        return;
    }
    errorLabel_->hide();
    if (task_) cancel();
    cloud_->setData(session->train);
    cloud_->setSamples(Points(2, 0));
    cloud_->setPaths({}, {});
    cloud_->setArrows(Points(2, 0), Points(2, 0), {});
    cloud_->setTitle("Training…");
    lossChart_->clear("Training…");
    bucketChart_->clear("Loss per time bucket");
    startTask(TaskKind::Train, std::move(session));
}

void DiffusionWorkspace::sample() {
    if (task_ || !session_) return;
    if (sessionBusy()) {
        Q_EMIT statusMessage("Still winding down the cancelled job; try again in a moment.");
        return;
    }
    // Sampler, budget and sample count may have changed since training; the model may not.
    try {
        const core::DiffusionConfig config =
            core::diffusionConfigFromJson(settings_->values(), "settings");
        session_->config.sampler = config.sampler;
        session_->config.nfe = config.nfe;
        session_->config.samples = config.samples;
    } catch (const std::exception& e) {
        showError(QString::fromUtf8(e.what()));
        return;
    }
    errorLabel_->hide();
    startTask(TaskKind::Sample, session_);
}

void DiffusionWorkspace::shootout() {
    if (task_ || !session_) return;
    if (sessionBusy()) {
        Q_EMIT statusMessage("Still winding down the cancelled job; try again in a moment.");
        return;
    }
    metrics_->setRowCount(0);
    showPanel("Metrics");
    startTask(TaskKind::Shootout, session_);
}

bool DiffusionWorkspace::startTask(TaskKind kind, std::shared_ptr<DiffusionSession> session) {
    slot_ = std::make_shared<SnapshotSlot>();
    const double fieldTime = fieldSlider_->value() / 100.0;
    auto job = [kind, session, slot = slot_, fieldTime](core::TaskContext& context) {
        auto result = std::make_shared<DiffusionTaskResult>();
        result->session = session;
        const auto progress = [&context](double f) { context.setProgress(f); };
        if (kind == TaskKind::Train) {
            if (!trainDiffusionSession(*session, context.cancelFlag(), *slot, progress)) {
                result->cancelled = true;
                return std::shared_ptr<const DiffusionTaskResult>(result);
            }
            result->trained = true;
        }
        if (kind == TaskKind::Shootout) {
            result->shootout = runShootout(*session, kShootoutBudgets, context.cancelFlag(), progress);
            result->cancelled = context.cancelled();
        } else {
            result->sample = sampleDiffusionSession(*session, kPathParticles);
            result->field = learnedScoreArrows(*session, fieldTime);
        }
        return std::shared_ptr<const DiffusionTaskResult>(result);
    };
    task_ = std::make_unique<Task>(std::move(job));
    taskKind_ = kind;
    taskSession_ = std::move(session);
    lastSnapshotIteration_ = 0;
    controls_->setRunning(true);
    updateButtons();
    pollTimer_->start();
    Q_EMIT runStarted();
    return true;
}

void DiffusionWorkspace::cancel() {
    if (!task_) return;
    task_->cancel();
    retiring_.emplace_back(taskKind_, std::move(task_));
    taskSession_.reset();
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
    cloud_->clearAll();
    cloud_->setTitle("Train a model to see samples");
    lossChart_->clear("No training yet");
    bucketChart_->clear("Loss per time bucket");
    metrics_->setRowCount(0);
    sampleSummary_->setText("No samples yet.");
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
        updateLossCharts(snapshot->lossIterations, snapshot->losses, snapshot->bucketLoss);
        cloud_->setSamples(snapshot->preview);
        cloud_->setTitle(QString("Training: iteration %1 of %2 (preview: DPM-Solver-2, 10 NFE)")
                             .arg(snapshot->iteration)
                             .arg(snapshot->totalIterations));
        lastSnapshotIteration_ = snapshot->iteration;
    }
    if (taskKind_ == TaskKind::Train && elapsed > 0 && lastSnapshotIteration_ > 0)
        rate = QString("%1 it/s").arg(lastSnapshotIteration_ / elapsed, 0, 'f', 0);
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
        cloud_->setTitle("Stopped: see the message on the left");
        updateButtons();
        Q_EMIT runFinished(false, message);
        return;
    }
    const auto result = done->result();
    if (!result || result->cancelled) {
        updateButtons();
        Q_EMIT runFinished(false, "Cancelled.");
        return;
    }
    QString message;
    if (kind == TaskKind::Train) {
        session_ = result->session;
        const auto& losses = session_->losses;
        updateLossCharts(session_->lossIterations, losses, {});
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
    }
    if (kind == TaskKind::Shootout) {
        const auto& rows = result->shootout;
        metrics_->setRowCount(static_cast<int>(rows.size()));
        for (int i = 0; i < static_cast<int>(rows.size()); ++i) {
            const auto& row = rows[i];
            const QStringList cells = {
                QString::fromStdString(row.sampler),
                row.budget > 0 ? QString::number(row.budget) : QStringLiteral("adaptive"),
                QString::number(row.nfe),
                row.error.empty() ? number(row.sw2) : QString::fromStdString(row.error),
                row.error.empty() ? number(row.mmd2, 3) : QStringLiteral("—"),
                QString::number(row.seconds * 1e3, 'f', 1)};
            for (int c = 0; c < cells.size(); ++c)
                metrics_->setItem(i, c, new QTableWidgetItem(cells[c]));
        }
        message = QString("Shoot-out: %1 sampler runs in %2 s").arg(rows.size()).arg(elapsed, 0, 'f', 2);
        Q_EMIT progressChanged(1.0, {}, elapsed);
    } else {
        showSample(result->sample);
        if (result->field) {
            cloud_->setArrows(result->field->positions, result->field->vectors,
                              QString("learned score at t = %1").arg(result->field->time, 0, 'f', 2));
        }
        // The slider may have moved while the worker held the model.
        if (!result->field || std::abs(result->field->time - fieldSlider_->value() / 100.0) > 1e-9)
            QTimer::singleShot(0, this, &DiffusionWorkspace::updateArrows);
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
    }
    updateButtons();
    Q_EMIT runFinished(true, message);
}

void DiffusionWorkspace::showSample(std::shared_ptr<const SampleViewData> sample) {
    sample_ = std::move(sample);
    if (!sample_) return;
    cloud_->setSamples(sample_->samples);
    cloud_->setPaths(sample_->sdePaths, sample_->odePaths);
    cloud_->setTitle(QString("%1, NFE %2: SW2 %3 to held-out data")
                         .arg(QString::fromStdString(sample_->sampler))
                         .arg(sample_->nfe)
                         .arg(number(sample_->sw2, 3)));
    sampleSummary_->setText(
        QString("Last sample: <b>%1</b>, %2 points, NFE %3, %4 ms — SW2 %5, MMD² %6. "
                "Shoot-out rows below use %7 points from the same noise.")
            .arg(QString::fromStdString(sample_->sampler))
            .arg(sample_->samples.cols())
            .arg(sample_->nfe)
            .arg(sample_->seconds * 1e3, 0, 'f', 1)
            .arg(number(sample_->sw2, 3))
            .arg(number(sample_->mmd2, 3))
            .arg(sample_->samples.cols()));
}

void DiffusionWorkspace::updateArrows() {
    // The model belongs to the worker while one runs; a finished task draws the arrows at
    // the slider's time anyway.
    if (!session_ || task_ || sessionBusy()) return;
    const auto arrows = learnedScoreArrows(*session_, fieldSlider_->value() / 100.0);
    cloud_->setArrows(arrows->positions, arrows->vectors,
                      QString("learned score at t = %1").arg(arrows->time, 0, 'f', 2));
}

void DiffusionWorkspace::updateLossCharts(const std::vector<double>& iterations,
                                          const std::vector<double>& losses,
                                          const std::vector<double>& buckets) {
    lossChart_->setSeries(iterations, losses, widgets::smoothExponential(losses, 0.8),
                          losses.empty() ? QString("Loss")
                                         : QString("Loss %1 at iteration %2")
                                               .arg(losses.back(), 0, 'g', 3)
                                               .arg(iterations.back(), 0, 'f', 0));
    if (buckets.empty()) return;
    std::vector<double> centres(buckets.size());
    for (std::size_t i = 0; i < buckets.size(); ++i)
        centres[i] = (double(i) + 0.5) / double(buckets.size());
    // The same series as the bold line: one curve needs no legend and should not look faint.
    bucketChart_->setSeries(centres, buckets, buckets,
                            "Loss per time bucket (small t: hardest to denoise)");
}

}  // namespace driftlab::app
