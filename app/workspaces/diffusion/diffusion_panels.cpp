#include "app/workspaces/diffusion/diffusion_panels.h"

#include "core/diffusion/diffusion_analysis.h"
#include "widgets/panels/result_table.h"
#include "widgets/panels/schema_form.h"
#include "widgets/views/heat_map_view.h"
#include "widgets/views/loss_chart_view.h"
#include "widgets/views/quality_nfe_chart_view.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QSlider>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

#include <vtkChartXY.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace driftlab::app {

namespace cd = core::diffusion;

namespace {

constexpr double kEpsilonStep = 0.05;    // slider units
constexpr double kLogDensitySpan = 8.0;  // shown below the peak, in nats

QString number(double v, int digits = 4) {
    return std::isfinite(v) ? QString::number(v, 'g', digits) : QStringLiteral("—");
}

}  // namespace

void showMethodNames(widgets::SchemaForm* form) {
    const std::vector<std::pair<const char*, const char*>> names = {
        {"vp", "VP"},
        {"sub_vp", "sub-VP"},
        {"ve", "VE"},
        {"reverse_sde", "Reverse SDE (Euler–Maruyama)"},
        {"predictor_corrector", "Predictor–corrector (Langevin)"},
        {"probability_flow", "Probability-flow ODE (Heun)"},
        {"probability_flow_dopri5", "Probability-flow ODE (adaptive Dopri5)"},
        {"ddim", "DDIM"},
        {"dpm_solver_1", "DPM-Solver-1"},
        {"dpm_solver_2", "DPM-Solver-2"},
        {"dpm_solver_3", "DPM-Solver-3"},
        {"dpm_solver_pp_2m", "DPM-Solver++(2M)"}};
    for (const char* key : {"process", "sampler"}) {
        auto* combo = qobject_cast<QComboBox*>(form->editorFor(key));
        if (!combo) continue;
        for (const auto& [id, name] : names) {
            const int index = combo->findData(QString(id));
            if (index >= 0) combo->setItemText(index, QString::fromUtf8(name));
        }
    }
}

// ---- model box -----------------------------------------------------------------------------

DiffusionModelBox::DiffusionModelBox(QWidget* parent) : QGroupBox("Model", parent) {
    auto* form = new QFormLayout(this);
    family_ = new QComboBox;
    family_->addItem("Score SDE (process in Settings)");
    family_->addItem("Interpolant, linear");
    family_->addItem("Interpolant, trigonometric");
    const core::Schema& schema = core::diffusionSchema();
    family_->setToolTip(QString::fromStdString(schema.find("model")->help + "\n" +
                                               schema.find("interpolant")->help));
    gamma_ = new QDoubleSpinBox;
    gamma_->setRange(schema.find("gamma")->min, schema.find("gamma")->max);
    gamma_->setSingleStep(0.1);
    gamma_->setToolTip(QString::fromStdString(schema.find("gamma")->help + " Needs retraining."));
    epsilon_ = new QSlider(Qt::Horizontal);
    epsilon_->setRange(0,
                       static_cast<int>(std::lround(schema.find("epsilon")->max / kEpsilonStep)));
    epsilon_->setToolTip(QString::fromStdString(schema.find("epsilon")->help +
                                                " Moving it re-samples with the trained model."));
    epsilonLabel_ = new QLabel("0 (ODE)");
    epsilonLabel_->setMinimumWidth(60);
    auto* epsilonRow = new QHBoxLayout;
    epsilonRow->addWidget(epsilon_, 1);
    epsilonRow->addWidget(epsilonLabel_);
    form->addRow("Family", family_);
    form->addRow("γ scale", gamma_);
    form->addRow("SDE ε", epsilonRow);
    connect(family_, &QComboBox::currentIndexChanged, this, [this] {
        updateEnabled();
        writeForm();
    });
    connect(gamma_, &QDoubleSpinBox::valueChanged, this, [this] { writeForm(); });
    connect(epsilon_, &QSlider::valueChanged, this, [this](int v) {
        const double epsilon = v * kEpsilonStep;
        epsilonLabel_->setText(v == 0 ? QString("0 (ODE)") : QString::number(epsilon, 'f', 2));
        if (syncing_) return;
        writeForm();
        Q_EMIT epsilonChanged(epsilon);
    });
    updateEnabled();
}

void DiffusionModelBox::bind(widgets::SchemaForm* form) {
    form_ = form;
    if (auto* layout = qobject_cast<QFormLayout*>(form->layout()))
        for (const std::string& key : core::diffusionModelKeys())
            layout->setRowVisible(form->editorFor(key), false);
    connect(form, &widgets::SchemaForm::valuesChanged, this, [this] { readForm(); });
    readForm();
}

double DiffusionModelBox::epsilon() const { return epsilon_->value() * kEpsilonStep; }

void DiffusionModelBox::readForm() {
    if (!form_ || syncing_) return;
    const nlohmann::json v = form_->values();
    syncing_ = true;
    const bool interpolant = v["model"] == "interpolant";
    family_->setCurrentIndex(!interpolant ? 0 : v["interpolant"] == "trigonometric" ? 2 : 1);
    // A score model's form holds the defaults; the box keeps the interpolant settings the user
    // had, for when they switch back.
    if (interpolant) {
        gamma_->setValue(v["gamma"].get<double>());
        epsilon_->setValue(
            static_cast<int>(std::lround(v["epsilon"].get<double>() / kEpsilonStep)));
    }
    syncing_ = false;
    updateEnabled();
}

void DiffusionModelBox::writeForm() {
    if (!form_ || syncing_) return;
    nlohmann::json v = form_->values();
    const int family = family_->currentIndex();
    if (family == 0) {
        // The score model's config carries the defaults, as interpolant keys on it are refused.
        const nlohmann::json defaults = core::diffusionSchema().defaults();
        for (const std::string& key : core::diffusionModelKeys()) v[key] = defaults[key];
    } else {
        v["model"] = "interpolant";
        v["interpolant"] = family == 2 ? "trigonometric" : "linear";
        v["gamma"] = gamma_->value();
        v["epsilon"] = epsilon();
    }
    syncing_ = true;
    form_->setValues(v);
    syncing_ = false;
}

void DiffusionModelBox::updateEnabled() {
    const bool interpolant = family_->currentIndex() != 0;
    gamma_->setEnabled(interpolant);
    epsilon_->setEnabled(interpolant);
}

// ---- loss ----------------------------------------------------------------------------------

DiffusionLossPanel::DiffusionLossPanel(QWidget* parent) : QWidget(parent) {
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* split = new QSplitter(Qt::Horizontal);
    loss_ = new widgets::LossChartView;
    loss_->setAxisTitles("iteration", "training loss");
    loss_->setSeriesLabels("mean per report", "smoothed");
    buckets_ = new widgets::LossChartView;
    buckets_->chart()->SetShowLegend(false);
    split->addWidget(loss_);
    split->addWidget(buckets_);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    layout->addWidget(split);
    clear("No training yet", false);
}

void DiffusionLossPanel::clear(const QString& title, bool interpolant) {
    loss_->clear(title);
    buckets_->setAxisTitles(
        interpolant ? "interpolant time (0 noise, 1 data)" : "diffusion time t (bucket centre)",
        "loss");
    buckets_->clear("Loss per time bucket");
}

void DiffusionLossPanel::setLosses(const std::vector<double>& iterations,
                                   const std::vector<double>& losses,
                                   const std::vector<double>& buckets) {
    loss_->setSeries(iterations, losses, widgets::smoothExponential(losses, 0.8),
                     losses.empty() ? QString("Loss")
                                    : QString("Loss %1 at iteration %2")
                                          .arg(losses.back(), 0, 'g', 3)
                                          .arg(iterations.back(), 0, 'f', 0));
    if (buckets.empty()) return;
    std::vector<double> centres(buckets.size());
    for (std::size_t i = 0; i < buckets.size(); ++i)
        centres[i] = (double(i) + 0.5) / double(buckets.size());
    // The same series as the bold line: one curve needs no legend and should not look faint.
    buckets_->setSeries(centres, buckets, buckets,
                        "Loss per time bucket (the data end is hardest to denoise)");
}

// ---- density -------------------------------------------------------------------------------

DiffusionDensityPanel::DiffusionDensityPanel(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    auto* top = new QHBoxLayout;
    summary_ = new QLabel;
    summary_->setWordWrap(true);
    summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    compute_ = new QPushButton("Compute density");
    compute_->setToolTip(
        "Exact log-likelihood under the probability-flow ODE (adaptive Dopri5, "
        "exact divergence) on a 48 × 48 grid and of the held-out points");
    top->addWidget(summary_, 1);
    top->addWidget(compute_);
    layout->addLayout(top);
    auto* split = new QSplitter(Qt::Horizontal);
    model_ = new widgets::HeatMapView;
    data_ = new widgets::HeatMapView;
    split->addWidget(model_);
    split->addWidget(data_);
    layout->addWidget(split, 1);
    clear(
        "Train a score model, then Compute density (it also runs after Train while this tab "
        "is open).");
}

void DiffusionDensityPanel::clear(const QString& message) {
    summary_->setText(message);
    model_->clear("Model log-density");
    data_->clear("Data histogram");
}

void DiffusionDensityPanel::setBusy(bool busy) { compute_->setEnabled(!busy); }

void DiffusionDensityPanel::setMaps(const DensityMaps& maps) {
    const auto finiteMax = [](const Eigen::VectorXd& v) {
        double m = -std::numeric_limits<double>::infinity();
        for (Eigen::Index i = 0; i < v.size(); ++i)
            if (std::isfinite(v(i))) m = std::max(m, v(i));
        return m;
    };
    // Both maps in log density on one colour scale, so equal colours mean equal density.
    const Eigen::VectorXd dataLog = maps.dataDensity.array().log();
    const double hi = std::max(finiteMax(maps.modelLogDensity), finiteMax(dataLog));
    const double lo = hi - kLogDensitySpan;
    const core::Box& b = maps.box;
    if (maps.modelLogDensity.size() > 0) {
        model_->setGrid(maps.modelLogDensity, maps.grid, b.x0, b.x1, b.y0, b.y1, lo, hi,
                        QString("Model log p (exact ODE likelihood, %1 × %1)").arg(maps.grid), {});
    } else {
        model_->clear("Model log-density: not available");
    }
    // Empty cells have log 0 = -inf: shown in the colour below the range.
    Eigen::VectorXd shown =
        dataLog.unaryExpr([lo](double v) { return std::isfinite(v) ? v : lo - 1.0; });
    data_->setGrid(shown, maps.grid, b.x0, b.x1, b.y0, b.y1, lo, hi,
                   QString("Training data, log histogram density (%1 × %1)").arg(maps.grid), {});
    QString text = QString(
                       "Held-out bits/dim: <b>%1</b> (standardised coordinates) · %2 network "
                       "evaluations in %3 s")
                       .arg(number(maps.heldOutBitsPerDim))
                       .arg(maps.nfe)
                       .arg(maps.seconds, 0, 'f', 2);
    if (!maps.message.empty()) text += " · " + QString::fromStdString(maps.message).toHtmlEscaped();
    summary_->setText(text);
}

// ---- shoot-out -----------------------------------------------------------------------------

DiffusionShootoutPanel::DiffusionShootoutPanel(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    sampleSummary_ = new QLabel("No samples yet.");
    sampleSummary_->setWordWrap(true);
    sampleSummary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(sampleSummary_);
    auto* row = new QHBoxLayout;
    row->addWidget(new QLabel("NFE budgets"));
    // 1000 is left out by default: eight samplers at 1000 evaluations take minutes on a
    // laptop, the smaller budgets seconds.
    budgets_ = new QLineEdit("5, 10, 20, 50, 100");
    budgets_->setToolTip(
        "Comma-separated network-evaluation budgets for Shoot-out (1 to 100000, "
        "at most 10); every sampler runs at each. Add 1000 for the reference "
        "budget (minutes).");
    row->addWidget(budgets_, 1);
    export_ = new QPushButton("Export CSV…");
    export_->setEnabled(false);
    row->addWidget(export_);
    layout->addLayout(row);
    auto* split = new QSplitter(Qt::Horizontal);
    table_ = widgets::makeResultTable({"sampler", "budget", "NFE", "SW2", "MMD²", "ms"});
    table_->setSortingEnabled(false);
    // Sampler names are the widest cells; the numbers share what is left.
    table_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    table_->setToolTip(
        "budget: the NFE asked for; NFE: evaluations spent; SW2: sliced Wasserstein-2 over "
        "1,000 directions; MMD²: unbiased, RBF bandwidths 0.1, 0.2, 0.5, 1, both against the "
        "held-out fifth of the data (standardised); ms: the sampler's wall time.");
    sw2Chart_ = new widgets::QualityNfeChartView;
    mmdChart_ = new widgets::QualityNfeChartView;
    sw2Chart_->setLogValues(true);
    sw2Chart_->setLegendVisible(false);  // the MMD² chart's legend names both charts' lines
    sw2Chart_->clear("SW2 vs NFE");
    mmdChart_->clear("MMD² vs NFE");
    split->addWidget(table_);
    split->addWidget(sw2Chart_);
    split->addWidget(mmdChart_);
    split->setSizes({460, 420, 600});
    layout->addWidget(split, 1);
    connect(export_, &QPushButton::clicked, this, &DiffusionShootoutPanel::chooseExportFile);
}

std::vector<int> DiffusionShootoutPanel::budgets(QString* error) const {
    std::vector<int> out;
    const QStringList parts = budgets_->text().split(',', Qt::SkipEmptyParts);
    for (const QString& part : parts) {
        bool ok = false;
        const int v = part.trimmed().toInt(&ok);
        if (!ok || v < 1 || v > 100000) {
            if (error)
                *error = QString("NFE budget \"%1\" is not a whole number from 1 to 100000")
                             .arg(part.trimmed());
            return {};
        }
        out.push_back(v);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    if (out.empty() || out.size() > 10) {
        if (error) *error = "give between 1 and 10 NFE budgets, e.g. 5, 10, 20, 50";
        return {};
    }
    return out;
}

void DiffusionShootoutPanel::setBudgets(const std::vector<int>& budgets) {
    QStringList parts;
    for (int b : budgets) parts << QString::number(b);
    budgets_->setText(parts.join(", "));
}

void DiffusionShootoutPanel::setSampleSummary(const QString& text) {
    sampleSummary_->setText(text);
}

void DiffusionShootoutPanel::setRows(const std::vector<ShootoutRow>& rows, const QString& summary) {
    rows_ = rows;
    table_->setRowCount(static_cast<int>(rows.size()));
    std::map<std::string, std::pair<widgets::QualitySeries, widgets::QualitySeries>> series;
    std::vector<std::string> order;
    for (int i = 0; i < static_cast<int>(rows.size()); ++i) {
        const auto& row = rows[i];
        const QStringList cells = {
            QString::fromStdString(row.sampler),
            row.budget > 0 ? QString::number(row.budget) : QStringLiteral("adaptive"),
            QString::number(row.nfe),
            row.ok ? number(row.sw2) : QString::fromStdString(row.message),
            row.ok ? number(row.mmd2, 3) : QStringLiteral("—"),
            QString::number(row.seconds * 1e3, 'f', 1)};
        for (int c = 0; c < cells.size(); ++c)
            table_->setItem(i, c, new QTableWidgetItem(cells[c]));
        if (!row.ok) continue;
        if (!series.count(row.sampler)) order.push_back(row.sampler);
        auto& [sw2, mmd] = series[row.sampler];
        sw2.name = mmd.name = QString::fromStdString(row.sampler);
        sw2.nfe.push_back(double(row.nfe));
        sw2.value.push_back(row.sw2);
        mmd.nfe.push_back(double(row.nfe));
        mmd.value.push_back(row.mmd2);
    }
    std::vector<widgets::QualitySeries> sw2, mmd;
    for (const auto& name : order) {
        sw2.push_back(series[name].first);
        mmd.push_back(series[name].second);
    }
    sw2Chart_->setSeries(sw2, "SW2 to held-out data vs NFE", "SW2 (log scale)");
    mmdChart_->setSeries(mmd, "MMD² (RBF 0.1, 0.2, 0.5, 1) vs NFE", "MMD²");
    export_->setEnabled(!rows.empty());
    if (!summary.isEmpty()) sampleSummary_->setText(summary);
}

bool DiffusionShootoutPanel::exportCsv(const QString& path, QString* error) const {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text)) {
        if (error) *error = QString("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    const std::string text = core::shootoutCsv(rows_);
    file.write(text.data(), static_cast<qint64>(text.size()));
    if (!file.commit()) {
        if (error) *error = QString("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

void DiffusionShootoutPanel::chooseExportFile() {
    const QString path =
        QFileDialog::getSaveFileName(this, "Export shoot-out", "shootout.csv", "CSV files (*.csv)");
    if (path.isEmpty()) return;
    QString error;
    if (exportCsv(path, &error)) {
        Q_EMIT exported(path);
    } else {
        Q_EMIT errorOccurred(error);
    }
}

}  // namespace driftlab::app
