#include "widgets/panels/equation_editor.h"

#include "core/equations/compiled_equation.h"
#include "widgets/panels/expression_marks.h"
#include "widgets/panels/noise_matrix_grid.h"
#include "widgets/panels/parameter_table.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

namespace driftlab::widgets {
namespace {

constexpr int kMaxDimension = 8;
constexpr int kMaxColumns = NoiseMatrixGrid::kMaxBrownianMotions;
const char* const kInvalidStyle =
    "QLineEdit { border: 2px solid #c62828; border-radius: 3px; padding: 1px 2px; }";
const char* const kProblemStyle = "color: #c62828;";

core::ExpressionCheck check(const std::string& expression, const core::EquationSpec& spec) {
    try {
        return core::checkExpression(expression, spec.variables, spec.parameters);
    } catch (const std::exception& e) {
        // checkExpression reports instead of throwing, but a surprise must not take the
        // editor down: it is shown like any other problem.
        core::ExpressionCheck result;
        result.ok = false;
        result.message = e.what();
        return result;
    }
}

// Marks the bad token inside edit (or clears an old mark) and returns the problem, empty
// when the expression is fine; *caret gets the caret picture of the first problem.
QString markExpression(QLineEdit* edit, const std::string& expression,
                       const core::EquationSpec& spec, const QString& where, QString* caret) {
    const core::ExpressionCheck result = check(expression, spec);
    if (edit->property("invalid").toBool() != !result.ok) {  // restyling is not free
        edit->setProperty("invalid", !result.ok);
        edit->setStyleSheet(result.ok ? QString() : QString::fromLatin1(kInvalidStyle));
    }
    const QString text = QString::fromStdString(expression);
    if (result.ok) {
        if (edit->property("marked").toBool()) markLineEditRange(edit, 0, 0);
        edit->setProperty("marked", false);
        return {};
    }
    const int position = result.position;
    const int length = tokenLength(text, position);
    if (position >= 0) {
        // An error at the very end (a missing operand) marks the last character.
        const int start = std::min<int>(position, std::max<int>(0, text.size() - 1));
        markLineEditRange(
            edit, start,
            text.isEmpty() ? 0 : std::max(1, std::min<int>(length, text.size() - start)));
        edit->setProperty("marked", true);
    }
    QString message = QString::fromStdString(result.message);
    if (message.isEmpty()) message = EquationEditor::tr("not a valid expression");
    if (position >= 0 && !message.contains(QStringLiteral("position")))
        message += EquationEditor::tr(" (at position %1)").arg(position);
    if (caret->isEmpty() && position >= 0) *caret = caretMarker(text, position, length);
    return where + ": " + message;
}

int decimalsFor(double v) {
    for (int k = 3; k < 8; ++k) {
        const double scaled = v * std::pow(10.0, k);
        if (std::abs(scaled - std::round(scaled)) < 1e-9 * std::max(1.0, std::abs(scaled)))
            return k;
    }
    return 8;
}

// Every component needs a drift, a diffusion and an initial value, whatever the file held.
void normalize(core::EquationSpec& spec) {
    if (spec.variables.empty()) spec.variables = core::defaultVariableNames(1);
    const std::size_t n = spec.variables.size();
    spec.drift.resize(n, "0");
    spec.diffusion.resize(n, "0");
    spec.initial.resize(n, 0.0);
}

// One row per component, every row kMaxColumns wide: new entries are "0" (no coupling).
void normalizeNoise(std::vector<std::vector<std::string>>& cells, std::size_t dimension) {
    cells.resize(dimension);
    for (auto& row : cells) row.resize(kMaxColumns, "0");
}

}  // namespace

EquationEditor::EquationEditor(QWidget* parent) : QWidget(parent) {
    description_ = new QLabel(this);
    description_->setWordWrap(true);
    description_->setTextFormat(Qt::RichText);
    description_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    description_->setAlignment(Qt::AlignLeft | Qt::AlignTop);

    dimension_ = new QSpinBox(this);
    dimension_->setRange(1, kMaxDimension);
    dimension_->setToolTip(
        tr("<p>Number of state components. Changing it renames the state variables "
           "(x | x, y | x, y, z | x1 … xn) in every expression and adds or removes "
           "components.</p>"));
    auto* dimensionLabel = new QLabel(tr("&Dimension"), this);
    dimensionLabel->setBuddy(dimension_);
    dimensionLabel->setToolTip(dimension_->toolTip());
    auto* dimensionRow = new QHBoxLayout;
    dimensionRow->addWidget(dimensionLabel);
    dimensionRow->addWidget(dimension_);
    dimensionRow->addStretch(1);

    rowsLayout_ = new QVBoxLayout;
    rowsLayout_->setSpacing(6);

    noise_ = new NoiseMatrixGrid(this);

    problem_ = new QLabel(this);
    problem_->setWordWrap(true);
    problem_->setStyleSheet(kProblemStyle);
    problem_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    caret_ = new QLabel(this);
    caret_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    caret_->setStyleSheet(kProblemStyle);
    caret_->setTextFormat(Qt::PlainText);
    notice_ = new QLabel(this);
    notice_->setWordWrap(true);
    problem_->hide();
    caret_->hide();
    notice_->hide();

    auto* parametersTitle = new QLabel(tr("<b>Parameters</b>"), this);
    parameters_ = new ParameterTable(this);

    saveButton_ = new QPushButton(tr("Save as preset…"), this);
    saveButton_->setToolTip(tr("Save this equation and its settings as a preset file"));
    auto* saveRow = new QHBoxLayout;
    saveRow->addStretch(1);
    saveRow->addWidget(saveButton_);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(description_);
    layout->addLayout(dimensionRow);
    layout->addLayout(rowsLayout_);
    layout->addWidget(noise_);
    layout->addWidget(problem_);
    layout->addWidget(caret_);
    layout->addWidget(notice_);
    layout->addSpacing(4);
    layout->addWidget(parametersTitle);
    layout->addWidget(parameters_);
    layout->addLayout(saveRow);
    layout->addStretch(1);

    connect(dimension_, &QSpinBox::valueChanged, this, &EquationEditor::onDimensionChanged);
    connect(parameters_, &ParameterTable::edited, this, &EquationEditor::onParametersEdited);
    connect(noise_, &NoiseMatrixGrid::modeChanged, this, &EquationEditor::onNoiseModeChanged);
    connect(noise_, &NoiseMatrixGrid::columnsChanged, this, &EquationEditor::onNoiseColumnsChanged);
    connect(noise_, &NoiseMatrixGrid::cellEdited, this, &EquationEditor::onNoiseCellEdited);
    connect(saveButton_, &QPushButton::clicked, this, &EquationEditor::saveAsPresetRequested);

    core::EquationSpec initial;
    initial.name = "Custom";
    initial.variables = {"x"};
    initial.drift = {"0"};
    initial.diffusion = {"1"};
    initial.initial = {0.0};
    setSpec(initial);
}

EquationEditor::~EquationEditor() = default;

QLineEdit* EquationEditor::driftEdit(int component) const {
    return component >= 0 && component < int(rows_.size()) ? rows_[component].drift : nullptr;
}
QLineEdit* EquationEditor::diffusionEdit(int component) const {
    return component >= 0 && component < int(rows_.size()) ? rows_[component].diffusion : nullptr;
}
QDoubleSpinBox* EquationEditor::initialBox(int component) const {
    return component >= 0 && component < int(rows_.size()) ? rows_[component].initial : nullptr;
}

void EquationEditor::setSpec(const core::EquationSpec& spec) {
    spec_ = spec;
    normalize(spec_);
    // A loaded matrix moves into noiseCells_; spec() puts it back while general_ holds.
    general_ = !spec_.noiseMatrix.empty();
    noiseCells_ = std::move(spec_.noiseMatrix);
    spec_.noiseMatrix.clear();
    columns_ = 1;
    for (const auto& row : noiseCells_) columns_ = std::max<int>(columns_, int(row.size()));
    columns_ = std::min(columns_, kMaxColumns);
    normalizeNoise(noiseCells_, spec_.variables.size());
    original_ = spec_;
    originalNoise_ = general_ ? noiseMatrix() : std::vector<std::vector<std::string>>{};

    QString text;
    if (!spec_.name.empty())
        text += "<b>" + QString::fromStdString(spec_.name).toHtmlEscaped() + "</b>";
    if (!spec_.description.empty()) {
        if (!text.isEmpty()) text += "<br>";
        text += QString::fromStdString(spec_.description).toHtmlEscaped().replace('\n', "<br>");
    }
    description_->setText(text);
    description_->setVisible(!text.isEmpty());

    updating_ = true;
    parameters_->setParameters(spec_.parameters);
    updating_ = false;
    syncRowsToSpec();

    const bool wasValid = valid_;
    validate();
    if (wasValid != valid_) Q_EMIT validityChanged(valid_);
}

core::EquationSpec EquationEditor::spec() const {
    core::EquationSpec out = spec_;
    if (general_) {
        out.noiseMatrix = noiseMatrix();
        // The diagonal fields are not part of a general-noise equation (they are kept only
        // for a switch back), so a saved file holds no misleading diffusion.
        out.diffusion.assign(out.variables.size(), "0");
    }
    auto names = [](const std::vector<core::Parameter>& ps) {
        std::vector<std::string> n;
        for (const auto& p : ps) n.push_back(p.name);
        return n;
    };
    const bool sameEquation =
        spec_.variables == original_.variables && spec_.drift == original_.drift &&
        spec_.diffusion == original_.diffusion &&
        names(spec_.parameters) == names(original_.parameters) && out.noiseMatrix == originalNoise_;
    out.analytic = sameEquation ? original_.analytic : core::AnalyticKind::None;
    return out;
}

void EquationEditor::setParameterValue(const QString& name, double value) {
    if (parameters_->setValue(name.toStdString(), value))
        spec_.parameters = parameters_->parameters();
}

std::vector<std::vector<std::string>> EquationEditor::noiseMatrix() const {
    std::vector<std::vector<std::string>> matrix;
    for (const auto& row : noiseCells_) matrix.emplace_back(row.begin(), row.begin() + columns_);
    return matrix;
}

void EquationEditor::addRow() {
    const int component = int(rows_.size());
    Row row{};
    row.box = new QGroupBox(this);
    auto* form = new QFormLayout(row.box);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->setContentsMargins(8, 6, 8, 6);
    const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);

    row.drift = new QLineEdit(row.box);
    row.drift->setFont(mono);
    row.drift->setPlaceholderText(tr("e.g. -theta*(x - mu)"));
    row.drift->setToolTip(
        tr("<p><b>Drift f(t, x)</b>: the deterministic part, the rate of change of this "
           "component per unit time. Use t, the state variables and the parameters, "
           "with + - * / ^ and functions such as sin, exp, sqrt.</p>"));
    row.diffusion = new QLineEdit(row.box);
    row.diffusion->setFont(mono);
    row.diffusion->setPlaceholderText(tr("e.g. sigma"));
    row.diffusion->setToolTip(
        tr("<p><b>Diffusion g(t, x)</b>: how strongly the Brownian noise dW drives "
           "this component (diagonal noise, Itô). A constant gives additive noise; "
           "0 makes the component deterministic.</p>"));
    row.initial = new QDoubleSpinBox(row.box);
    row.initial->setRange(-1e6, 1e6);
    row.initial->setDecimals(3);
    row.initial->setSingleStep(0.1);
    row.initial->setAccelerated(true);
    row.initial->setToolTip(
        tr("<p>The initial value at the start time, the same for every path.</p>"));
    row.initialLabel = new QLabel(row.box);

    form->addRow(tr("drift f"), row.drift);
    form->addRow(tr("diffusion g"), row.diffusion);
    form->addRow(row.initialLabel, row.initial);
    rowsLayout_->addWidget(row.box);
    rows_.push_back(row);

    connect(row.drift, &QLineEdit::textChanged, this,
            [this, component](const QString& text) { onExpressionEdited(component, true, text); });
    connect(row.diffusion, &QLineEdit::textChanged, this,
            [this, component](const QString& text) { onExpressionEdited(component, false, text); });
    connect(row.initial, &QDoubleSpinBox::valueChanged, this, [this, component](double v) {
        if (updating_ || component >= int(spec_.initial.size())) return;
        spec_.initial[component] = v;
        userEdited();
    });
}

void EquationEditor::syncRowsToSpec() {
    updating_ = true;
    const int n = spec_.dimension();
    dimension_->setValue(n);
    while (int(rows_.size()) < n) addRow();
    while (int(rows_.size()) > n) {
        delete rows_.back().box;
        rows_.pop_back();
    }
    for (int i = 0; i < n; ++i) {
        Row& row = rows_[i];
        const QString var = QString::fromStdString(spec_.variables[i]);
        row.box->setTitle(general_ ? tr("d%1 = f dt + Σj g%1,j dWj").arg(var)
                                   : tr("d%1 = f dt + g dW").arg(var));
        if (auto* form = qobject_cast<QFormLayout*>(row.box->layout()))
            form->setRowVisible(row.diffusion, !general_);
        row.initialLabel->setText(tr("%1(0)").arg(var));
        const QString drift = QString::fromStdString(spec_.drift[i]);
        const QString diffusion = QString::fromStdString(spec_.diffusion[i]);
        // Only rewrite changed text, and show a long expression from its start: setText
        // leaves the cursor, and so the visible part, at the end.
        for (auto [edit, text] :
             {std::pair{row.drift, drift}, std::pair{row.diffusion, diffusion}}) {
            if (edit->text() == text) continue;
            edit->setText(text);
            edit->setCursorPosition(0);
        }
        row.initial->setDecimals(decimalsFor(spec_.initial[i]));
        row.initial->setValue(spec_.initial[i]);
    }
    parameters_->setReservedNames(spec_.variables);
    noise_->setState(general_, columns_, spec_.variables, noiseCells_);
    updating_ = false;
}

void EquationEditor::onDimensionChanged(int dimension) {
    if (updating_) return;
    const std::vector<std::string> names = core::defaultVariableNames(dimension);
    std::map<std::string, std::string> renames;
    const std::size_t kept = std::min(names.size(), spec_.variables.size());
    for (std::size_t i = 0; i < kept; ++i)
        if (spec_.variables[i] != names[i]) renames[spec_.variables[i]] = names[i];
    if (!renames.empty()) {
        for (auto& e : spec_.drift) e = renameIdentifiers(e, renames);
        for (auto& e : spec_.diffusion) e = renameIdentifiers(e, renames);
        for (auto& row : noiseCells_)
            for (auto& e : row) e = renameIdentifiers(e, renames);
    }
    spec_.variables = names;
    normalize(spec_);  // new components start as dx = 0 dt + 0 dW at 0
    normalizeNoise(noiseCells_, spec_.variables.size());
    syncRowsToSpec();
    userEdited();
}

void EquationEditor::onExpressionEdited(int component, bool drift, const QString& text) {
    if (updating_ || component >= spec_.dimension()) return;
    (drift ? spec_.drift : spec_.diffusion)[component] = text.toStdString();
    userEdited();
}

void EquationEditor::onNoiseModeChanged(bool general) {
    if (updating_ || general == general_) return;
    general_ = general;
    const bool untouched = std::all_of(noiseCells_.begin(), noiseCells_.end(), [](const auto& row) {
        return std::all_of(row.begin(), row.end(), [](const std::string& e) { return e == "0"; });
    });
    if (general_ && untouched) {
        // A first switch starts from the diagonal noise already typed, one motion per
        // component, so the equation is unchanged until the user couples something.
        const int n = spec_.dimension();
        columns_ = std::min(n, kMaxColumns);
        for (int i = 0; i < n && i < kMaxColumns; ++i) noiseCells_[i][i] = spec_.diffusion[i];
    }
    syncRowsToSpec();
    userEdited();
}

void EquationEditor::onNoiseColumnsChanged(int columns) {
    if (updating_) return;
    columns_ = std::clamp(columns, 1, kMaxColumns);
    syncRowsToSpec();
    userEdited();
}

void EquationEditor::onNoiseCellEdited(int row, int column, const QString& text) {
    if (updating_ || row >= int(noiseCells_.size()) || column >= kMaxColumns) return;
    noiseCells_[row][column] = text.toStdString();
    userEdited();
}

void EquationEditor::onParametersEdited() {
    if (updating_) return;
    spec_.parameters = parameters_->parameters();
    userEdited();
}

void EquationEditor::userEdited() {
    const bool wasValid = valid_;
    validate();
    if (wasValid != valid_) Q_EMIT validityChanged(valid_);
    if (valid_) Q_EMIT specEdited();
}

void EquationEditor::validate() {
    QStringList problems;
    QString caret;
    for (int i = 0; i < spec_.dimension() && i < int(rows_.size()); ++i) {
        const QString var = QString::fromStdString(spec_.variables[i]);
        const QString drift = markExpression(rows_[i].drift, spec_.drift[i], spec_,
                                             tr("Drift of %1").arg(var), &caret);
        if (!drift.isEmpty()) problems << drift;
        if (general_) {
            // The hidden diagonal fields keep their text for a switch back; they do not count.
            for (int j = 0; j < columns_; ++j) {
                QLineEdit* cell = noise_->cell(i, j);
                if (!cell) continue;
                const QString where = tr("Noise of %1 for dW%2 (row %3, column %4)")
                                          .arg(var)
                                          .arg(j + 1)
                                          .arg(i + 1)
                                          .arg(j + 1);
                const QString problem =
                    markExpression(cell, noiseCells_[i][j], spec_, where, &caret);
                if (!problem.isEmpty()) problems << problem;
            }
        } else {
            const QString diffusion = markExpression(rows_[i].diffusion, spec_.diffusion[i], spec_,
                                                     tr("Diffusion of %1").arg(var), &caret);
            if (!diffusion.isEmpty()) problems << diffusion;
        }
    }
    const QString tableProblem = parameters_->problem();
    if (!tableProblem.isEmpty()) problems << tableProblem;

    valid_ = problems.isEmpty();
    message_ = problems.join('\n');
    problem_->setText(message_);
    problem_->setVisible(!valid_);
    caret_->setText(caret);
    caret_->setVisible(!caret.isEmpty());
    notice_->setText(parameters_->notice());
    notice_->setVisible(!parameters_->notice().isEmpty());
    saveButton_->setEnabled(valid_);
}

}  // namespace driftlab::widgets
