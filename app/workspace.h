#pragma once
// What the main window needs from a workspace. The shell knows nothing else about a
// workspace, so adding one (Diffusion, Fields, ...) means writing a Workspace and listing its
// factory in workspace_registry.cpp, never editing MainWindow.
//
// The run plumbing is the base class's: every workspace runs its work as core::RunJobs on
// its RunDriver (one worker mechanism), and the shell's one set of run controls (Run/Train,
// Pause/Resume, Step, Cancel, Reset), progress bar, rate, elapsed time and status line follow
// the driver of the visible workspace. A workspace builds its jobs, shows their snapshots and
// says what a finished run means; it never starts a thread or a progress timer of its own.
#include "core/experiment/run.h"

#include <QObject>
#include <QString>

#include <memory>

class QTabWidget;
class QWidget;

namespace driftlab::app {

class RunDriver;

class Workspace : public QObject {
    Q_OBJECT
public:
    explicit Workspace(QObject* parent = nullptr);
    ~Workspace() override;

    virtual QString title() const = 0;
    // The run action's name in the shell's controls: "Run" for a simulation, "Train" for a
    // model, with a tooltip saying what it does.
    virtual QString runLabel() const { return "Run"; }
    virtual QString runHelp() const { return "Run the experiment with the current settings"; }
    RunDriver* runDriver() const { return driver_; }
    // Pause and Step mean something here (training): the shell shows them. A workspace that
    // trains says true even before its first run, as Step then starts one.
    virtual bool isSteppable() const { return false; }
    // Widgets are created once and owned by the shell after it takes them.
    virtual QWidget* leftPanel() = 0;
    virtual QWidget* centralView() = 0;
    virtual QWidget* bottomPanel() = 0;  // may be nullptr

    // Loads a config file (JSON) or a preset id; returns false and sets error if refused,
    // keeping whatever was loaded before.
    virtual bool loadConfig(const QString& fileOrPresetId, QString* error) = 0;
    // The driver's run is busy (preparing or running); a workspace with work outside its
    // driver (none today) would extend this.
    virtual bool isRunning() const;
    // Brings a named panel (a bottom-dock tab such as "Solver diagnostics") to the front;
    // false if there is none of that name. Lets --screenshot show any panel.
    virtual bool showPanel(const QString& name) { return name.isEmpty(); }

public Q_SLOTS:
    virtual void run() = 0;
    virtual void cancel();
    virtual void reset() = 0;
    // Pause / resume / one step of a steppable run (training); the driver's by default.
    virtual void pause();
    virtual void resume();
    virtual void stepOnce();

protected:
    // showPanel() for workspaces whose bottom panel is a QTabWidget: fronts the tab whose
    // title matches name (case-insensitive).
    static bool selectTabNamed(QTabWidget* tabs, const QString& name);
    // What a run that settled means to this workspace: show the result, return the status
    // line, and whether it counts as success. The default reports the run's own message.
    virtual void runSettled(core::RunState state, const QString& message);

private:
    RunDriver* driver_ = nullptr;

Q_SIGNALS:
    void runStarted();
    // fraction in [0, 1]; rate is e.g. "48.2 M path·steps/s"; elapsed in seconds.
    void progressChanged(double fraction, const QString& rate, double elapsedSeconds);
    // ok is false on error or cancel; message says which.
    void runFinished(bool ok, const QString& message);
    void statusMessage(const QString& message);
    // The driver's run changed state (or the run was replaced): the shell re-reads which
    // controls apply.
    void runStateChanged();
    // The bottom panel's current content wants about this many pixels of height (a tall
    // diagnostics chart vs a short table); the shell resizes the dock.
    void bottomHeightRequested(int pixels);
};

}  // namespace driftlab::app
