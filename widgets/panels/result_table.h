#pragma once
// The compact read-only result tables the workspaces show under their views (statistics,
// sampler metrics): stretched columns, no row numbers, short rows, not editable.
#include <QStringList>

class QTableWidget;
class QWidget;

namespace driftlab::widgets {

QTableWidget* makeResultTable(const QStringList& headers, QWidget* parent = nullptr);

}  // namespace driftlab::widgets
