// The widgets of the Time series workspace: its left panel (CSV loading, the schema form;
// Train / Pause / Step / Cancel / Reset are the shell's run controls), the central series and
// phase-portrait tabs and the bottom statistics tabs. What they do lives in
// timeseries_workspace.cpp.
#include "app/workspaces/timeseries/timeseries_workspace.h"

#include "app/workspaces/timeseries/timeseries_view_data.h"
#include "core/timeseries/timeseries_config.h"
#include "widgets/panels/result_table.h"
#include "widgets/panels/schema_form.h"
#include "widgets/views/axis_heat_map_view.h"
#include "widgets/views/line_chart_view.h"
#include "widgets/views/series_fan_view.h"
#include "widgets/views/solver_diagnostics_view.h"
#include "widgets/views/vector_field_view.h"

#include <QComboBox>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>

namespace driftlab::app {

void TimeseriesWorkspace::buildLeftPanel() {
    left_ = new QWidget;
    auto* layout = new QVBoxLayout(left_);
    auto* teaching = new QLabel(
        "Fit a latent neural ODE or SDE to irregular, incomplete series: each series keeps "
        "its own observation times, dropped cells stay missing. The stable SDEs (LSDE, LNSDE, "
        "GSDE) tame the noise term; an adaptive ODE can be regularised by its own solver "
        "(ERNODE) to need fewer evaluations. <b>Train</b> runs or resumes, <b>Pause</b> "
        "stops after the current iteration, <b>Step</b> runs exactly one.");
    teaching->setWordWrap(true);
    teaching->setTextFormat(Qt::RichText);
    layout->addWidget(teaching);

    errorLabel_ = new QLabel;
    errorLabel_->setWordWrap(true);
    errorLabel_->setStyleSheet("color: #b00020;");
    errorLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    errorLabel_->hide();
    layout->addWidget(errorLabel_);

    auto* csvButton = new QPushButton("Load CSV…");
    csvButton->setToolTip(
        "Your own series: a header row, a time column, one or more value "
        "columns; empty cells are missing, times may be spaced arbitrarily");
    connect(csvButton, &QPushButton::clicked, this, &TimeseriesWorkspace::chooseCsv);
    layout->addWidget(csvButton, 0, Qt::AlignLeft);
    csvLabel_ = new QLabel;
    csvLabel_->setWordWrap(true);
    csvLabel_->hide();
    layout->addWidget(csvLabel_);

    auto* settingsBox = new QGroupBox("Data, task, model and training");
    auto* settingsLayout = new QVBoxLayout(settingsBox);
    settings_ = new widgets::SchemaForm(core::timeSeriesSchema());
    settingsLayout->addWidget(settings_);
    layout->addWidget(settingsBox);
    connect(settings_, &widgets::SchemaForm::valuesChanged, this, [this] { errorLabel_->hide(); });
    for (const auto& [key, names] : menuNames())
        if (auto* combo = qobject_cast<QComboBox*>(settings_->editorFor(key)))
            for (const auto& [id, name] : names)
                if (const int index = combo->findData(id); index >= 0)
                    combo->setItemText(index, name);
    layout->addStretch(1);
}

void TimeseriesWorkspace::buildCentral() {
    centralTabs_ = new QTabWidget;
    central_ = centralTabs_;

    auto* seriesPage = new QWidget;
    auto* seriesLayout = new QVBoxLayout(seriesPage);
    seriesLayout->setContentsMargins(0, 0, 0, 0);
    auto* selectors = new QHBoxLayout;
    selectors->setContentsMargins(6, 4, 6, 0);
    selectors->addWidget(new QLabel("Series"));
    seriesCombo_ = new QComboBox;
    seriesCombo_->setToolTip("A few training and test series, forecast by the current model");
    seriesCombo_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    selectors->addWidget(seriesCombo_);
    selectors->addSpacing(12);
    selectors->addWidget(new QLabel("Channel"));
    channelCombo_ = new QComboBox;
    channelCombo_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    selectors->addWidget(channelCombo_);
    selectors->addStretch(1);
    seriesLayout->addLayout(selectors);
    seriesView_ = new widgets::SeriesFanView;
    seriesLayout->addWidget(seriesView_, 1);
    connect(seriesCombo_, &QComboBox::currentIndexChanged, this, [this](int) {
        if (snapshot_) syncChannelsAndView();
    });
    connect(channelCombo_, &QComboBox::currentIndexChanged, this,
            [this](int) { updateSeriesView(); });
    centralTabs_->addTab(seriesPage, "Series");

    phasePortrait_ = new widgets::VectorFieldView;
    phasePortrait_->setAxisTitles("latent z1", "latent z2");
    centralTabs_->addTab(phasePortrait_, "Phase portrait");
}

void TimeseriesWorkspace::buildBottom() {
    bottomTabs_ = new QTabWidget;
    bottom_ = bottomTabs_;
    lossChart_ = new widgets::LineChartView;
    lossChart_->setAxisTitles("iteration", "loss");
    lossChart_->setLogScaleWhenPositive(true);
    bottomTabs_->addTab(lossChart_, "Loss");
    nfeChart_ = new widgets::LineChartView;
    nfeChart_->setAxisTitles("iteration", "NFE");
    bottomTabs_->addTab(nfeChart_, "NFE");
    diagnostics_ = new widgets::SolverDiagnosticsView;
    bottomTabs_->addTab(diagnostics_, "Solver diagnostics");
    heatMap_ = new widgets::AxisHeatMapView;
    heatMap_->setAxisTitles("time t", "iteration");
    heatMap_->setColorBarTitle("log10 error estimate");
    bottomTabs_->addTab(heatMap_, "Error heat map");
    metrics_ = widgets::makeResultTable({"quantity", "value"});
    metrics_->setSortingEnabled(false);
    metrics_->setToolTip(
        "Test metrics come from the latest evaluation (every validate_every "
        "iterations and at the end); the baselines score the same cells.");
    bottomTabs_->addTab(metrics_, "Metrics");
    connect(bottomTabs_, &QTabWidget::currentChanged, this, [this](int index) {
        Q_EMIT bottomHeightRequested(bottomTabs_->widget(index) == diagnostics_ ? 420 : 300);
    });
}

}  // namespace driftlab::app
