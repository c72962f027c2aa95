#pragma once
// The editable list of an equation's parameters (name, value, min, max). It keeps the exact
// doubles it was given, so a spec round-trips even where the table shows rounded text, and
// it reports what the user has to fix instead of silently rewriting their input.
#include "core/equations/equation_spec.h"

#include <QWidget>

#include <set>
#include <string>
#include <utility>
#include <vector>

class QPushButton;
class QTableWidget;
class QTableWidgetItem;

namespace driftlab::widgets {

class ParameterTable : public QWidget {
    Q_OBJECT
public:
    enum Column { NameColumn, ValueColumn, MinColumn, MaxColumn };

    explicit ParameterTable(QWidget* parent = nullptr);
    ~ParameterTable() override;

    void setParameters(const std::vector<core::Parameter>& parameters);
    const std::vector<core::Parameter>& parameters() const { return parameters_; }
    // Names a parameter must not take (state variables and t).
    void setReservedNames(const std::vector<std::string>& names);
    // Sets one value from outside (a slider), clamped to its range; no edited() signal.
    bool setValue(const std::string& name, double value);

    // What the user must fix before the equation can run (bad name, min > max, not a
    // number); empty when there is nothing.
    QString problem() const;
    // A note about the last automatic correction (a value clamped to its range).
    QString notice() const { return notice_; }

    QTableWidget* table() const { return table_; }
    QPushButton* addButton() const { return addButton_; }
    QPushButton* removeButton() const { return removeButton_; }

Q_SIGNALS:
    void edited();

private:
    void rebuildRows();
    void writeRow(int row);
    void onItemChanged(QTableWidgetItem* item);
    void addParameter();
    void removeSelected();
    void refreshMarks();
    void updateHeight();

    QTableWidget* table_ = nullptr;
    QPushButton* addButton_ = nullptr;
    QPushButton* removeButton_ = nullptr;
    std::vector<core::Parameter> parameters_;
    std::vector<std::string> reserved_;
    std::set<std::pair<int, int>> unparsable_;  // (row, column) cells that are not numbers
    QString notice_;
    bool updating_ = false;
};

}  // namespace driftlab::widgets
