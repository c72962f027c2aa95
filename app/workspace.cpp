#include "app/workspace.h"

#include "app/run_driver.h"

#include <QTabWidget>

namespace driftlab::app {

Workspace::Workspace(QObject* parent) : QObject(parent), driver_(new RunDriver(this)) {
    connect(driver_, &RunDriver::started, this, &Workspace::runStarted);
    connect(driver_, &RunDriver::progressChanged, this, &Workspace::progressChanged);
    connect(driver_, &RunDriver::stateChanged, this, &Workspace::runStateChanged);
    connect(driver_, &RunDriver::settled, this, &Workspace::runSettled);
}

Workspace::~Workspace() = default;

bool Workspace::isRunning() const { return driver_->isBusy(); }

void Workspace::cancel() { driver_->cancel(); }
void Workspace::pause() { driver_->pause(); }
void Workspace::resume() { driver_->resume(); }
void Workspace::stepOnce() { driver_->stepOnce(); }

void Workspace::runSettled(core::RunState state, const QString& message) {
    switch (state) {
        case core::RunState::Finished:
            Q_EMIT runFinished(true, message.isEmpty() ? QString("Done.") : message);
            break;
        case core::RunState::Paused:
            Q_EMIT statusMessage(message.isEmpty() ? QString("Paused.") : message);
            break;
        case core::RunState::Cancelled:
            Q_EMIT runFinished(false, message.isEmpty() ? QString("Cancelled.") : message);
            break;
        default:
            Q_EMIT runFinished(false, message);
            break;
    }
}

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
