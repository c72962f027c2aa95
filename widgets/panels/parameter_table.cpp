#include "widgets/panels/parameter_table.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLocale>
#include <QPushButton>
#include <QRegularExpression>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace driftlab::widgets {
namespace {

QString formatNumber(double v) { return QString::number(v, 'g', 10); }

// Accepts both "0.5" and the user's locale ("0,5").
bool parseNumber(const QString& text, double* out) {
    bool ok = false;
    double v = QLocale::c().toDouble(text.trimmed(), &ok);
    if (!ok) v = QLocale().toDouble(text.trimmed(), &ok);
    if (ok && std::isfinite(v)) *out = v;
    return ok && std::isfinite(v);
}

bool isIdentifier(const std::string& name) {
    static const QRegularExpression re(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*$"));
    return re.match(QString::fromStdString(name)).hasMatch();
}

constexpr int kMaxVisibleRows = 6;

}  // namespace

ParameterTable::ParameterTable(QWidget* parent) : QWidget(parent) {
    table_ = new QTableWidget(0, 4, this);
    table_->setHorizontalHeaderLabels({tr("Name"), tr("Value"), tr("Min"), tr("Max")});
    table_->verticalHeader()->setVisible(false);
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    table_->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed |
                            QAbstractItemView::AnyKeyPressed | QAbstractItemView::SelectedClicked);
    table_->horizontalHeaderItem(NameColumn)
        ->setToolTip(tr(
            "The name used in the expressions. Letters, digits and _; not a state variable or t."));
    table_->horizontalHeaderItem(ValueColumn)
        ->setToolTip(tr("The value used in the simulation, kept within [min, max]."));
    table_->horizontalHeaderItem(MinColumn)->setToolTip(tr("Lower end of the slider range."));
    table_->horizontalHeaderItem(MaxColumn)->setToolTip(tr("Upper end of the slider range."));

    addButton_ = new QPushButton(tr("Add"), this);
    addButton_->setToolTip(tr("Add a parameter that the expressions can use"));
    removeButton_ = new QPushButton(tr("Remove"), this);
    removeButton_->setToolTip(
        tr("Remove the selected parameters (the last one if none is selected)"));

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(addButton_);
    buttons->addWidget(removeButton_);
    buttons->addStretch(1);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(table_);
    layout->addLayout(buttons);

    connect(table_, &QTableWidget::itemChanged, this, &ParameterTable::onItemChanged);
    connect(addButton_, &QPushButton::clicked, this, &ParameterTable::addParameter);
    connect(removeButton_, &QPushButton::clicked, this, &ParameterTable::removeSelected);
    updateHeight();
}

ParameterTable::~ParameterTable() = default;

void ParameterTable::setParameters(const std::vector<core::Parameter>& parameters) {
    parameters_ = parameters;
    unparsable_.clear();
    notice_.clear();
    rebuildRows();
}

void ParameterTable::setReservedNames(const std::vector<std::string>& names) {
    reserved_ = names;
    refreshMarks();
}

bool ParameterTable::setValue(const std::string& name, double value) {
    for (int row = 0; row < int(parameters_.size()); ++row) {
        core::Parameter& p = parameters_[row];
        if (p.name != name) continue;
        p.value = p.min <= p.max ? std::clamp(value, p.min, p.max) : value;
        unparsable_.erase({row, ValueColumn});
        writeRow(row);
        return true;
    }
    return false;
}

void ParameterTable::rebuildRows() {
    updating_ = true;
    table_->setRowCount(int(parameters_.size()));
    for (int row = 0; row < int(parameters_.size()); ++row) {
        for (int col = 0; col < 4; ++col)
            if (!table_->item(row, col)) table_->setItem(row, col, new QTableWidgetItem);
        writeRow(row);
    }
    updating_ = false;
    refreshMarks();
    updateHeight();
}

void ParameterTable::writeRow(int row) {
    const bool wasUpdating = updating_;
    updating_ = true;
    const core::Parameter& p = parameters_[row];
    table_->item(row, NameColumn)->setText(QString::fromStdString(p.name));
    table_->item(row, NameColumn)->setToolTip(QString::fromStdString(p.help));
    table_->item(row, ValueColumn)->setText(formatNumber(p.value));
    table_->item(row, MinColumn)->setText(formatNumber(p.min));
    table_->item(row, MaxColumn)->setText(formatNumber(p.max));
    for (int col = ValueColumn; col <= MaxColumn; ++col)
        table_->item(row, col)->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    updating_ = wasUpdating;
}

void ParameterTable::onItemChanged(QTableWidgetItem* item) {
    if (updating_) return;
    const int row = item->row();
    const int col = item->column();
    if (row < 0 || row >= int(parameters_.size())) return;
    core::Parameter& p = parameters_[row];
    notice_.clear();
    if (col == NameColumn) {
        p.name = item->text().trimmed().toStdString();
    } else {
        double v = 0.0;
        if (!parseNumber(item->text(), &v)) {
            unparsable_.insert({row, col});
        } else {
            unparsable_.erase({row, col});
            (col == ValueColumn ? p.value : col == MinColumn ? p.min : p.max) = v;
            // min > max is reported rather than "fixed": the user may be halfway through
            // moving the range. A valid range pulls the value into it.
            if (p.min <= p.max && (p.value < p.min || p.value > p.max)) {
                const double clamped = std::clamp(p.value, p.min, p.max);
                notice_ = tr("%1 = %2 lies outside [%3, %4]; set to %5.")
                              .arg(QString::fromStdString(p.name), formatNumber(p.value),
                                   formatNumber(p.min), formatNumber(p.max), formatNumber(clamped));
                p.value = clamped;
            }
        }
        if (!unparsable_.count({row, col})) writeRow(row);
    }
    refreshMarks();
    Q_EMIT edited();
}

void ParameterTable::addParameter() {
    auto taken = [this](const std::string& name) {
        if (std::find(reserved_.begin(), reserved_.end(), name) != reserved_.end() || name == "t")
            return true;
        return std::any_of(parameters_.begin(), parameters_.end(),
                           [&](const core::Parameter& p) { return p.name == name; });
    };
    std::string name;
    for (char c : std::string("abcdkmnpqrsuvw")) {
        if (!taken(std::string(1, c))) {
            name = std::string(1, c);
            break;
        }
    }
    for (int i = 1; name.empty(); ++i) {
        const std::string candidate = QStringLiteral("p%1").arg(i).toStdString();
        if (!taken(candidate)) name = candidate;
    }
    parameters_.push_back({name, 1.0, 0.0, 2.0, ""});
    notice_.clear();
    rebuildRows();
    table_->setCurrentCell(int(parameters_.size()) - 1, NameColumn);
    Q_EMIT edited();
}

void ParameterTable::removeSelected() {
    if (parameters_.empty()) return;
    std::set<int> rows;
    for (const QModelIndex& index : table_->selectionModel()->selectedIndexes())
        rows.insert(index.row());
    if (rows.empty()) rows.insert(int(parameters_.size()) - 1);
    for (auto it = rows.rbegin(); it != rows.rend(); ++it)
        if (*it < int(parameters_.size())) parameters_.erase(parameters_.begin() + *it);
    // Cell errors are tied to row numbers that just shifted; the table is rewritten from
    // the model, which only ever holds parsed numbers.
    unparsable_.clear();
    notice_.clear();
    rebuildRows();
    Q_EMIT edited();
}

QString ParameterTable::problem() const {
    for (const auto& [row, col] : unparsable_) {
        const QTableWidgetItem* item = table_->item(row, col);
        return tr("Parameter %1: \"%2\" is not a number.")
            .arg(QString::fromStdString(parameters_[row].name), item ? item->text() : QString());
    }
    std::set<std::string> seen;
    for (const core::Parameter& p : parameters_) {
        const QString name = QString::fromStdString(p.name);
        if (!isIdentifier(p.name))
            return tr("Parameter name \"%1\" is not valid: use letters, digits and _, starting "
                      "with a letter.")
                .arg(name);
        if (p.name == "t" ||
            std::find(reserved_.begin(), reserved_.end(), p.name) != reserved_.end())
            return tr("Parameter name \"%1\" is already a state variable or the time t.").arg(name);
        if (!seen.insert(p.name).second)
            return tr("Parameter name \"%1\" is used twice.").arg(name);
        if (p.min > p.max)
            return tr("Parameter %1: min (%2) must not exceed max (%3).")
                .arg(name, formatNumber(p.min), formatNumber(p.max));
    }
    return {};
}

void ParameterTable::refreshMarks() {
    const bool wasUpdating = updating_;
    updating_ = true;
    const QBrush bad(QColor(255, 205, 210));
    for (int row = 0; row < table_->rowCount() && row < int(parameters_.size()); ++row) {
        const core::Parameter& p = parameters_[row];
        const bool nameBad =
            !isIdentifier(p.name) || p.name == "t" ||
            std::find(reserved_.begin(), reserved_.end(), p.name) != reserved_.end() ||
            std::count_if(parameters_.begin(), parameters_.end(),
                          [&](const core::Parameter& q) { return q.name == p.name; }) > 1;
        const bool rangeBad = p.min > p.max;
        for (int col = 0; col < 4; ++col) {
            const bool cellBad = unparsable_.count({row, col}) || (col == NameColumn && nameBad) ||
                                 ((col == MinColumn || col == MaxColumn) && rangeBad);
            if (QTableWidgetItem* item = table_->item(row, col))
                item->setBackground(cellBad ? bad : QBrush());
        }
    }
    updating_ = wasUpdating;
}

void ParameterTable::updateHeight() {
    // The table sits in a scrolling side panel: show the rows instead of a nested scroll area.
    const int rows = std::clamp(table_->rowCount(), 1, kMaxVisibleRows);
    const int rowHeight = table_->verticalHeader()->defaultSectionSize();
    table_->setFixedHeight(table_->horizontalHeader()->sizeHint().height() + rows * rowHeight +
                           2 * table_->frameWidth());
}

}  // namespace driftlab::widgets
