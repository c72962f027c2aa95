#include "app/workspace.h"

#include <QTabWidget>

namespace driftlab::app {

bool Workspace::selectTabNamed(QTabWidget* tabs, const QString& name) {
    for (int i = 0; tabs && i < tabs->count(); ++i) {
        if (tabs->tabText(i).compare(name, Qt::CaseInsensitive) == 0) {
            tabs->setCurrentIndex(i);
            return true;
        }
    }
    return false;
}

}  // namespace driftlab::app
