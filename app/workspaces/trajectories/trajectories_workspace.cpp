#include "app/workspaces/trajectories/trajectories_workspace.h"

#include "app/run_driver.h"
#include "core/common/atomic_file.h"
#include "core/common/error.h"
#include "core/equations/compiled_equation.h"
#include "core/trajectories/trajectory_view_data.h"
#include "widgets/panels/equation_editor.h"
#include "widgets/panels/parameter_sliders.h"
#include "widgets/panels/result_table.h"
#include "widgets/panels/run_controls.h"
#include "widgets/panels/schema_form.h"
#include "widgets/views/histogram_view.h"
#include "widgets/views/path_fan_view.h"
#include "widgets/views/phase_space_view.h"
#include "widgets/views/solver_diagnostics_view.h"

#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QRegularExpression>
#include <QSignalBlocker>
#include <QSlider>
#include <QSplitter>
#include <QStackedWidget>
#include <QStandardItemModel>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>

#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <optional>

namespace driftlab::app {
namespace {

constexpr int kLiveRunDelayMs = 120;  // debounce for slider drags and typing

QString userPresetDir() {
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + "/presets";
}

QString formatRate(double pathStepsPerSecond) {
    return app::formatRate(pathStepsPerSecond, "path·steps");
}

QString cell(double v) { return std::isfinite(v) ? QString::number(v, 'g', 5) : "—"; }

}  // namespace

TrajectoriesWorkspace::TrajectoriesWorkspace(QObject* parent) : Workspace(parent) {
    connect(runDriver(), &RunDriver::snapshotReady, this,
            [this](std::shared_ptr<const core::Snapshot> snapshot) {
                showData(std::static_pointer_cast<const core::TrajectoryViewData>(snapshot));
            });
    debounce_ = new QTimer(this);
    debounce_->setSingleShot(true);
    debounce_->setInterval(kLiveRunDelayMs);
    connect(debounce_, &QTimer::timeout, this, &TrajectoriesWorkspace::run);

    buildLeftPanel();
    buildCentral();
    buildBottom();
    loaded_ = core::builtinPresets().front();
    loadedSource_ = "preset";
    applyConfigToEditors(loaded_);
}

TrajectoriesWorkspace::~TrajectoriesWorkspace() = default;

QWidget* TrajectoriesWorkspace::leftPanel() { return left_; }
QWidget* TrajectoriesWorkspace::centralView() { return central_; }
QWidget* TrajectoriesWorkspace::bottomPanel() { return bottom_; }

bool TrajectoriesWorkspace::showPanel(const QString& name) {
    return selectTabNamed(bottomTabs_, name);
}

void TrajectoriesWorkspace::buildLeftPanel() {
    left_ = new QWidget;
    auto* layout = new QVBoxLayout(left_);

    auto* galleryBox = new QGroupBox("Presets");
    auto* galleryLayout = new QVBoxLayout(galleryBox);
    gallery_ = new QListWidget;
    gallery_->setMaximumHeight(150);
    galleryLayout->addWidget(gallery_);
    layout->addWidget(galleryBox);
    refreshPresetGallery();
    connect(gallery_, &QListWidget::itemActivated, this,
            [this](QListWidgetItem* item) { loadPresetAt(gallery_->row(item)); });
    connect(gallery_, &QListWidget::itemClicked, this,
            [this](QListWidgetItem* item) { loadPresetAt(gallery_->row(item)); });

    auto* equationBox = new QGroupBox("Equation");
    auto* equationLayout = new QVBoxLayout(equationBox);
    editor_ = new widgets::EquationEditor;
    equationLayout->addWidget(editor_);
    layout->addWidget(equationBox);
    connect(editor_, &widgets::EquationEditor::specEdited, this, [this] {
        sliders_->setParameters(editor_->spec().parameters);
        updateSolverAvailability();
        scheduleLiveRun();
    });
    connect(editor_, &widgets::EquationEditor::saveAsPresetRequested, this,
            &TrajectoriesWorkspace::saveAsPreset);

    auto* paramBox = new QGroupBox("Parameters (drag: paths re-simulate live)");
    auto* paramLayout = new QVBoxLayout(paramBox);
    sliders_ = new widgets::ParameterSliders;
    paramLayout->addWidget(sliders_);
    layout->addWidget(paramBox);
    connect(sliders_, &widgets::ParameterSliders::parameterChanged, this,
            &TrajectoriesWorkspace::onParameterChanged);

    auto* settingsBox = new QGroupBox("Simulation");
    auto* settingsLayout = new QVBoxLayout(settingsBox);
    settings_ = new widgets::SchemaForm(core::simulationSchema());
    settingsLayout->addWidget(settings_);
    // The Hurst index is what students sweep to see rough vs smooth noise: a slider that
    // drives its spin box, so the form's live re-run and saved configs stay the one path.
    if (auto* hurstSpin = qobject_cast<QDoubleSpinBox*>(settings_->editorFor("hurst"))) {
        auto* hurstRow = new QHBoxLayout;
        auto* hurstSlider = new QSlider(Qt::Horizontal);
        hurstSlider->setObjectName("hurstSlider");
        hurstSlider->setRange(1, 99);  // H in hundredths, the schema's 0.01 .. 0.99
        hurstSlider->setValue(int(std::lround(hurstSpin->value() * 100)));
        hurstSlider->setToolTip(hurstSpin->toolTip());
        hurstRow->addWidget(new QLabel("Hurst H (drag)"));
        hurstRow->addWidget(hurstSlider, 1);
        settingsLayout->addLayout(hurstRow);
        connect(hurstSlider, &QSlider::valueChanged, hurstSpin,
                [hurstSpin](int hundredths) { hurstSpin->setValue(hundredths / 100.0); });
        connect(hurstSpin, &QDoubleSpinBox::valueChanged, hurstSlider, [hurstSlider](double h) {
            const QSignalBlocker block(hurstSlider);
            hurstSlider->setValue(int(std::lround(h * 100)));
        });
    }
    layout->addWidget(settingsBox);
    connect(settings_, &widgets::SchemaForm::valuesChanged, this, [this] {
        updateSolverAvailability();
        scheduleLiveRun();
    });
    // The menu shows the solvers' names, not their config ids.
    if (auto* combo = qobject_cast<QComboBox*>(settings_->editorFor("solver"))) {
        // Long solver names must not widen the whole left panel (it would clip the text).
        combo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        combo->setMinimumContentsLength(18);
        for (const auto& choice : core::trajectorySolverChoices()) {
            const int index = combo->findData(QString::fromStdString(choice.id));
            if (index >= 0) combo->setItemText(index, QString::fromStdString(choice.displayName));
        }
    }

    errorLabel_ = new QLabel;
    errorLabel_->setWordWrap(true);
    errorLabel_->setStyleSheet("color: #b00020;");
    errorLabel_->hide();
    layout->addWidget(errorLabel_);

    layout->addStretch(1);
}

void TrajectoriesWorkspace::buildCentral() {
    auto* splitter = new QSplitter(Qt::Horizontal);
    mainStack_ = new QStackedWidget;
    bigFan_ = new widgets::PathFanView;
    phase_ = new widgets::PhaseSpaceView;
    mainStack_->addWidget(bigFan_);
    mainStack_->addWidget(phase_);
    splitter->addWidget(mainStack_);

    auto* side = new QWidget;
    auto* sideLayout = new QVBoxLayout(side);
    sideLayout->setContentsMargins(0, 0, 0, 0);
    componentSelector_ = new QComboBox;
    componentSelector_->setToolTip("Component shown in the time series and the histogram");
    sideLayout->addWidget(componentSelector_);
    auto* sideSplit = new QSplitter(Qt::Vertical);
    componentFan_ = new widgets::PathFanView;
    histogram_ = new widgets::HistogramView;
    sideSplit->addWidget(componentFan_);
    sideSplit->addWidget(histogram_);
    sideLayout->addWidget(sideSplit, 1);
    splitter->addWidget(side);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    central_ = splitter;

    connect(bigFan_, &widgets::PathFanView::timeCursorChanged, this,
            &TrajectoriesWorkspace::setTimeCursor);
    connect(componentFan_, &widgets::PathFanView::timeCursorChanged, this,
            &TrajectoriesWorkspace::setTimeCursor);
    connect(componentSelector_, &QComboBox::currentIndexChanged, this, [this](int index) {
        if (index < 0 || !data_) return;
        histogramComponent_ = index;
        componentFan_->setSnapshot(data_->snapshot, index);
        componentFan_->setTimeCursor(cursor_);
        updateCursorViews();
    });
}

void TrajectoriesWorkspace::buildBottom() {
    auto* tabs = new QTabWidget;
    bottomTabs_ = tabs;
    bottom_ = tabs;
    auto* statistics = new QWidget;
    auto* layout = new QVBoxLayout(statistics);
    runSummary_ = new QLabel("No run yet.");
    runSummary_->setWordWrap(true);
    runSummary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(runSummary_);
    statsTable_ =
        widgets::makeResultTable({"component", "mean", "5 %", "25 %", "median", "75 %", "95 %"});
    statsTable_->setMinimumHeight(90);
    layout->addWidget(statsTable_);
    tabs->addTab(statistics, "Statistics");

    diagnostics_ = new widgets::SolverDiagnosticsView;
    diagnostics_->setToolTip(
        "What the solver did, step by step: step size (rejected attempts marked), error "
        "estimate against the tolerance, stiffness estimate, and evaluation counts.");
    tabs->addTab(diagnostics_, "Solver diagnostics");
    connect(tabs, &QTabWidget::currentChanged, this, [this, tabs](int index) {
        Q_EMIT bottomHeightRequested(tabs->widget(index) == diagnostics_ ? 420 : 175);
    });
}

void TrajectoriesWorkspace::refreshPresetGallery() {
    gallery_->clear();
    for (const auto& preset : core::builtinPresets()) {
        auto* item = new QListWidgetItem(QString::fromStdString(preset.equation.name));
        item->setToolTip(QString::fromStdString(preset.equation.description));
        gallery_->addItem(item);
    }
    const QDir dir(userPresetDir());
    for (const QFileInfo& file : dir.entryInfoList({"*.json"}, QDir::Files, QDir::Name)) {
        auto* item = new QListWidgetItem(file.completeBaseName() + "  (yours)");
        item->setData(Qt::UserRole, file.absoluteFilePath());
        item->setToolTip(file.absoluteFilePath());
        gallery_->addItem(item);
    }
}

void TrajectoriesWorkspace::loadPresetAt(int row) {
    const int builtin = static_cast<int>(core::builtinPresets().size());
    if (row < 0) return;
    QString error;
    const bool ok = row < builtin
                        ? loadConfig(QString::fromStdString(core::presetIds()[row]), &error)
                        : loadConfig(gallery_->item(row)->data(Qt::UserRole).toString(), &error);
    if (!ok) {
        errorLabel_->setText(error);
        errorLabel_->show();
        return;
    }
    run();
}

bool TrajectoriesWorkspace::loadConfig(const QString& fileOrPresetId, QString* error) {
    try {
        core::TrajectoryConfig config;
        const std::string source = fileOrPresetId.toStdString();
        if (std::filesystem::exists(source)) {
            config = core::loadTrajectoryConfig(source);
        } else if (const auto* preset = core::findPreset(source)) {
            config = *preset;
        } else {
            throw ConfigError("\"" + source + "\" is neither a file nor a preset");
        }
        loaded_ = config;
        loadedSource_ = fileOrPresetId;
        applyConfigToEditors(config);
        return true;
    } catch (const std::exception& e) {
        if (error) *error = QString::fromUtf8(e.what());
        return false;
    }
}

void TrajectoriesWorkspace::applyConfigToEditors(const core::TrajectoryConfig& config) {
    // Loading must not trigger live re-runs for each field it fills.
    const QSignalBlocker blockEditor(editor_);
    const QSignalBlocker blockSliders(sliders_);
    const QSignalBlocker blockSettings(settings_);
    editor_->setSpec(config.equation);
    sliders_->setParameters(config.equation.parameters);
    nlohmann::json settings = core::toJson(config)["simulation"];
    settings_->setValues(settings);
    errorLabel_->hide();
    updateSolverAvailability();
}

void TrajectoriesWorkspace::updateSolverAvailability() {
    auto* combo = qobject_cast<QComboBox*>(settings_->editorFor("solver"));
    auto* model = combo ? qobject_cast<QStandardItemModel*>(combo->model()) : nullptr;
    if (!model || !editor_->isValid()) return;
    // Compiling a handful of expressions takes microseconds: fine on the GUI thread, like
    // the editor's own live validation.
    std::optional<core::CompiledEquation> equation;
    try {
        equation.emplace(editor_->spec());
    } catch (const std::exception&) {
        return;
    }
    const double hurst = settings_->values().value("hurst", 0.5);
    for (const auto& choice : core::trajectorySolverChoices()) {
        const int index = combo->findData(QString::fromStdString(choice.id));
        if (index < 0) continue;
        const std::string reason = core::solverRefusal(choice.id, *equation, hurst);
        QStandardItem* item = model->item(index);
        item->setEnabled(reason.empty());
        item->setToolTip(reason.empty() ? QString()
                                        : "Not available: " + QString::fromStdString(reason));
        item->setText(QString::fromStdString(choice.displayName) +
                      (reason.empty() ? QString() : QStringLiteral("  — not for this equation")));
    }
}

bool TrajectoriesWorkspace::configFromEditors(core::TrajectoryConfig* config,
                                              QString* error) const {
    if (!editor_->isValid()) {
        *error = editor_->validationMessage();
        return false;
    }
    try {
        core::TrajectoryConfig edited;
        edited.equation = editor_->spec();
        nlohmann::json json = core::toJson(edited);
        json["simulation"] = settings_->values();
        *config = core::trajectoryConfigFromJson(json, "the form");
        return true;
    } catch (const std::exception& e) {
        *error = QString::fromUtf8(e.what());
        return false;
    }
}

void TrajectoriesWorkspace::onParameterChanged(const QString& name, double value) {
    editor_->setParameterValue(name, value);
    scheduleLiveRun();
}

void TrajectoriesWorkspace::scheduleLiveRun() { debounce_->start(); }

void TrajectoriesWorkspace::run() {
    debounce_->stop();
    core::TrajectoryConfig config;
    QString error;
    if (!configFromEditors(&config, &error)) {
        errorLabel_->setText(error);
        errorLabel_->show();
        Q_EMIT runFinished(false, "Not run: " + error);
        return;
    }
    errorLabel_->hide();
    runDriver()->start([config](core::RunContext&) { return core::makeTrajectoryJob(config); });
}

void TrajectoriesWorkspace::cancel() {
    debounce_->stop();
    if (!runDriver()->isBusy()) return;
    runDriver()->cancel();
}

void TrajectoriesWorkspace::reset() {
    cancel();
    applyConfigToEditors(loaded_);
    run();
}

void TrajectoriesWorkspace::runSettled(core::RunState state, const QString& message) {
    if (state == core::RunState::Cancelled) {
        Q_EMIT runFinished(false, "Cancelled; the previous picture is kept.");
        return;
    }
    if (state != core::RunState::Finished || !data_) {
        errorLabel_->setText(message);
        errorLabel_->show();
        Q_EMIT runFinished(false, message);
        return;
    }
    const auto& stats = data_->snapshot->result->stats;
    Q_EMIT progressChanged(1.0, formatRate(stats.pathStepsPerSecond), stats.wallSeconds);
    QString text = QString("Simulated %1 paths × %2 steps in %3 s")
                       .arg(data_->snapshot->result->paths)
                       .arg(stats.steps)
                       .arg(stats.wallSeconds, 0, 'f', 3);
    if (stats.nonFinitePaths > 0) {
        text += QString("; %1 paths became non-finite (first at t = %2, step %3)")
                    .arg(stats.nonFinitePaths)
                    .arg(stats.firstNonFiniteTime, 0, 'g', 4)
                    .arg(stats.firstNonFiniteStep);
    }
    Q_EMIT runFinished(true, text);
}

void TrajectoriesWorkspace::showData(std::shared_ptr<const core::TrajectoryViewData> data) {
    data_ = std::move(data);
    const auto& snapshot = data_->snapshot;
    const auto& result = *snapshot->result;
    const int dimension = result.dimension;
    const int times = static_cast<int>(result.times.size());
    if (cursor_ < 0 || cursor_ >= times) cursor_ = times - 1;
    if (histogramComponent_ >= dimension) histogramComponent_ = 0;

    {
        const QSignalBlocker block(componentSelector_);
        componentSelector_->clear();
        for (const auto& name : snapshot->config.equation.variables)
            componentSelector_->addItem(QString::fromStdString(name));
        componentSelector_->setCurrentIndex(histogramComponent_);
    }
    if (dimension == 1) {
        mainStack_->setCurrentWidget(bigFan_);
        bigFan_->setSnapshot(snapshot, 0);
        bigFan_->setTimeCursor(cursor_);
        componentFan_->hide();
        componentSelector_->hide();
    } else {
        mainStack_->setCurrentWidget(phase_);
        phase_->setSnapshot(snapshot);
        componentFan_->show();
        componentSelector_->show();
        componentFan_->setSnapshot(snapshot, histogramComponent_);
        componentFan_->setTimeCursor(cursor_);
    }
    const auto& stats = result.stats;
    runSummary_->setText(
        QString("<b>%1</b> — %2 (%3), %4 paths × %5 steps, seed %6. NFE: %7 drift, %8 "
                "diffusion. Wall time %9 s, %10. Non-finite paths: %11.")
            .arg(QString::fromStdString(snapshot->config.equation.name).toHtmlEscaped(),
                 QString::fromStdString(result.solverName), QString::fromStdString(result.calculus))
            .arg(result.paths)
            .arg(stats.steps)
            .arg(snapshot->config.simulation.seed)
            .arg(stats.driftEvaluations)
            .arg(stats.diffusionEvaluations)
            .arg(stats.wallSeconds, 0, 'f', 3)
            .arg(formatRate(stats.pathStepsPerSecond))
            .arg(stats.nonFinitePaths));
    const auto& diagnostics = data_->diagnostics;
    diagnostics_->setSolve(
        QString::fromStdString(diagnostics.solverName + " — " + diagnostics.scope),
        diagnostics.stats, QString::fromStdString(diagnostics.message));
    updateCursorViews();
}

void TrajectoriesWorkspace::setTimeCursor(int savedTimeIndex) {
    if (!data_) return;
    const int times = static_cast<int>(data_->snapshot->result->times.size());
    if (savedTimeIndex < 0 || savedTimeIndex >= times || savedTimeIndex == cursor_) return;
    cursor_ = savedTimeIndex;
    // Keep both fans' cursors together without echoing signals back here.
    for (auto* fan : {bigFan_, componentFan_}) {
        const QSignalBlocker block(fan);
        fan->setTimeCursor(cursor_);
    }
    updateCursorViews();
}

void TrajectoriesWorkspace::updateCursorViews() {
    if (!data_ || cursor_ < 0) return;
    const auto& result = *data_->snapshot->result;
    const auto& names = data_->snapshot->config.equation.variables;
    const int c = histogramComponent_;
    const double t = result.times[cursor_];
    const bool overlay = c == 0 && !data_->analyticCurves[cursor_].empty();
    histogram_->setHistogram(
        data_->histograms[c][cursor_],
        overlay ? data_->analyticCurves[cursor_] : std::vector<std::pair<double, double>>{},
        QString("%1 at t = %2").arg(QString::fromStdString(names[c])).arg(t, 0, 'g', 4));

    statsTable_->setRowCount(result.dimension);
    for (int k = 0; k < result.dimension; ++k) {
        const auto& bands = data_->snapshot->bands.perComponent[k];
        statsTable_->setItem(k, 0, new QTableWidgetItem(QString::fromStdString(names[k])));
        for (int row = 0; row < core::QuantileBands::RowCount; ++row) {
            statsTable_->setItem(k, row + 1, new QTableWidgetItem(cell(bands(row, cursor_))));
        }
    }
    statsTable_->setToolTip(
        QString("Statistics over all %1 paths at t = %2").arg(result.paths).arg(t, 0, 'g', 4));
}

void TrajectoriesWorkspace::saveAsPreset() {
    core::TrajectoryConfig config;
    QString error;
    if (!configFromEditors(&config, &error)) {
        errorLabel_->setText("Cannot save: " + error);
        errorLabel_->show();
        return;
    }
    bool ok = false;
    const QString name =
        QInputDialog::getText(central_, "Save as preset", "Preset name:", QLineEdit::Normal,
                              QString::fromStdString(config.equation.name) + " (edited)", &ok);
    if (!ok || name.trimmed().isEmpty()) return;
    config.equation.name = name.trimmed().toStdString();
    QString fileStem = name.trimmed();
    fileStem.replace(QRegularExpression("[^A-Za-z0-9_-]+"), "_");
    QDir().mkpath(userPresetDir());
    const QString path = userPresetDir() + "/" + fileStem + ".json";
    try {
        core::writeFileAtomically(path.toStdString(), core::toJsonText(config));
        refreshPresetGallery();
        Q_EMIT statusMessage("Preset saved to " + path);
    } catch (const std::exception& e) {
        errorLabel_->setText(QString("Preset not saved: %1").arg(e.what()));
        errorLabel_->show();
    }
}

}  // namespace driftlab::app
