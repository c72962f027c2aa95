#include "app/run_driver.h"

#include <QElapsedTimer>
#include <QLocale>
#include <QTimer>

#include <cmath>

namespace driftlab::app {
namespace {
constexpr int kPollMs = 16;  // about one frame: a state change is never shown later
constexpr int kRunningFrameMs = 500;
}  // namespace

QString formatRate(double perSecond, const QString& unit) {
    if (!(perSecond > 0.0) || !std::isfinite(perSecond)) return {};
    if (perSecond >= 1e9) return QString("%1 G %2/s").arg(perSecond / 1e9, 0, 'f', 2).arg(unit);
    if (perSecond >= 1e6) return QString("%1 M %2/s").arg(perSecond / 1e6, 0, 'f', 1).arg(unit);
    if (perSecond >= 1e4) return QString("%1 k %2/s").arg(perSecond / 1e3, 0, 'f', 1).arg(unit);
    return QString("%1 %2/s").arg(
        QLocale(QLocale::English).toString(perSecond, 'f', perSecond < 10 ? 2 : 0), unit);
}

RunDriver::RunDriver(QObject* parent) : QObject(parent) {
    timer_ = new QTimer(this);
    timer_->setInterval(kPollMs);
    connect(timer_, &QTimer::timeout, this, &RunDriver::poll);
}

// Destroying a busy Run joins its worker, which waits for at most one step that already sees
// the cancel flag; at window close that is the right trade (no thread outlives the app).
RunDriver::~RunDriver() = default;

void RunDriver::start(core::Run::JobFactory factory, core::RunOptions options, int kind) {
    retire();
    kind_ = kind;
    seenVersion_ = -1;
    shown_.reset();
    seenState_ = core::RunState::Preparing;
    run_ = std::make_unique<core::Run>(std::move(factory), options);
    timer_->start();
    Q_EMIT started();
    Q_EMIT stateChanged(seenState_);
}

void RunDriver::retire() {
    if (!run_) return;
    run_->cancel();
    retiring_.push_back(std::move(run_));
}

core::RunState RunDriver::state() const { return run_ ? run_->state() : lastState_; }

bool RunDriver::isBusy() const { return run_ && !core::isSettled(run_->state()); }

void RunDriver::reset() {
    if (!run_) return;
    run_->reset();
    timer_->start();
}

bool RunDriver::canPause() const {
    return run_ && run_->steppable() && run_->state() == core::RunState::Running;
}

bool RunDriver::canStep() const {
    if (!run_ || !run_->steppable()) return false;
    const auto s = run_->state();
    return s == core::RunState::Paused || s == core::RunState::Idle;
}

std::shared_ptr<const core::Snapshot> RunDriver::latest() const {
    return run_ ? run_->latest() : nullptr;
}

void RunDriver::resume() {
    if (!run_) return;
    run_->start();
    timer_->start();
}

void RunDriver::pause() {
    if (run_) run_->pause();
}

void RunDriver::stepOnce() {
    if (!run_) return;
    run_->stepOnce();
    timer_->start();
}

// Cancel answers at once, whatever the step's length: the run is retired (its worker sees
// the flag and winds down in the background) and the views keep its last snapshot.
void RunDriver::cancel() {
    if (!run_) return;
    const core::RunState was = run_->state();
    retire();
    timer_->start();
    if (was == core::RunState::Finished || was == core::RunState::Failed ||
        was == core::RunState::Diverged || was == core::RunState::Cancelled) {
        lastState_ = was;
        return;
    }
    lastState_ = core::RunState::Cancelled;
    Q_EMIT stateChanged(lastState_);
    Q_EMIT settled(lastState_, {});
}

void RunDriver::poll() {
    retiring_.remove_if([](const std::unique_ptr<core::Run>& r) { return r->workerDone(); });
    if (!run_) {
        if (retiring_.empty()) timer_->stop();
        return;
    }
    const long version = run_->version();
    const core::RunState state = run_->state();
    const core::RunProgress progress = run_->progress();
    // Every repaint of a window that holds a QOpenGLWidget recomposes the whole window through
    // GL, in software (llvmpipe) on machines like the one this runs on, and those threads
    // compete with the worker's: measured on time-series training, progress at 10 Hz plus
    // views at their own times left the window at 0.57x headless, one 500 ms frame 0.80x. So
    // while the worker runs, the progress read-out and the views change together, once every
    // kRunningFrameMs; a state change (pause, finish, failure) is shown at once.
    const bool running = !core::isSettled(state);
    const bool frameDue = !frameClock_.isValid() || frameClock_.elapsed() >= kRunningFrameMs;
    if (running && state == seenState_ && !frameDue) return;
    if (running) {
        frameClock_.start();
        const double rate = progress.runningSeconds > 0.0 && std::isfinite(progress.work)
                                ? progress.work / progress.runningSeconds
                                : 0.0;
        Q_EMIT progressChanged(progress.fraction,
                               formatRate(rate, QString::fromStdString(run_->workUnit())),
                               progress.runningSeconds);
    }
    if (version == seenVersion_) return;
    seenVersion_ = version;
    if (auto snapshot = run_->latest(); snapshot && snapshot != shown_) {
        shown_ = snapshot;
        Q_EMIT snapshotReady(std::move(snapshot));
    }
    if (state != seenState_) {
        seenState_ = state;
        Q_EMIT stateChanged(state);
        if (core::isSettled(state) && state != core::RunState::Idle) {
            const double rate = progress.runningSeconds > 0.0 && std::isfinite(progress.work)
                                    ? progress.work / progress.runningSeconds
                                    : 0.0;
            Q_EMIT progressChanged(state == core::RunState::Finished ? 1.0 : progress.fraction,
                                   formatRate(rate, QString::fromStdString(run_->workUnit())),
                                   progress.runningSeconds);
            Q_EMIT settled(state, QString::fromStdString(run_->message()));
        }
    }
    // A settled run changes only when told (commands restart the timer), so polling stops
    // unless a retired run still has to be reaped.
    if (core::isSettled(state) && retiring_.empty()) timer_->stop();
}

}  // namespace driftlab::app
