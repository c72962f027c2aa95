#pragma once
// The GUI's side of core::Run, written once for every workspace: it owns the current run,
// polls it at display rate (never blocking: every Run call it makes returns at once), hands
// each new snapshot to the workspace, turns progress into the status bar's fraction, rate
// and elapsed time, and reports state changes. A run that is replaced or cancelled is kept
// until its worker has returned and only then destroyed, so no frame ever waits for a step.
#include "core/experiment/run.h"

#include <QElapsedTimer>
#include <QObject>
#include <QString>

#include <list>
#include <memory>

class QTimer;

namespace driftlab::app {

class RunDriver : public QObject {
    Q_OBJECT
public:
    explicit RunDriver(QObject* parent = nullptr);
    ~RunDriver() override;

    // Replaces the current run (cancelling it) by a new one on factory's job. kind is the
    // workspace's own tag for what the run does (train, sample, ...), given back by kind().
    void start(core::Run::JobFactory factory, core::RunOptions options = {}, int kind = 0);

    core::Run* run() const { return run_.get(); }
    int kind() const { return kind_; }
    core::RunState state() const;
    // Running or preparing: the worker is busy with the current run.
    bool isBusy() const;
    bool isPaused() const { return state() == core::RunState::Paused; }
    bool canPause() const;  // a steppable run that is running
    bool canStep() const;   // a steppable run that is paused or idle
    std::shared_ptr<const core::Snapshot> latest() const;
    // Runs still finishing after a cancel (their workers see the flag within one step).
    int retiringCount() const { return static_cast<int>(retiring_.size()); }

public Q_SLOTS:
    void resume();
    void pause();
    void stepOnce();
    // The current run is dropped at once (its worker winds down on its own) and settles as
    // Cancelled; its last snapshot stays with the views.
    void cancel();
    // The current run rebuilds its job from its factory (fresh model, empty history).
    void reset();

Q_SIGNALS:
    void started();
    void snapshotReady(std::shared_ptr<const core::Snapshot> snapshot);
    void progressChanged(double fraction, const QString& rate, double elapsedSeconds);
    void stateChanged(core::RunState state);
    // The run reached Finished, Paused-by-step, Diverged, Failed or Cancelled; message is
    // the run's (failure or divergence text), empty otherwise.
    void settled(core::RunState state, const QString& message);

private:
    void poll();
    void retire();

    std::unique_ptr<core::Run> run_;
    std::list<std::unique_ptr<core::Run>> retiring_;
    int kind_ = 0;
    core::RunState lastState_ = core::RunState::Idle;  // of the last run, once dropped
    long seenVersion_ = -1;
    std::shared_ptr<const core::Snapshot> shown_;  // the last one handed out
    core::RunState seenState_ = core::RunState::Preparing;
    QTimer* timer_ = nullptr;
    QElapsedTimer frameClock_;  // while running: progress and views change every 500 ms
};

// "48.2 M path·steps/s", "1,070 it/s"; empty when the rate is unknown.
QString formatRate(double perSecond, const QString& unit);

}  // namespace driftlab::app
