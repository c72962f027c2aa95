#pragma once
// What the main window needs from a workspace. The shell knows nothing else about a
// workspace, so adding one (Diffusion, Fields, ...) means writing a Workspace and listing its
// factory in workspace_registry.cpp, never editing MainWindow.
#include <QObject>
#include <QString>

class QTabWidget;
class QWidget;

namespace driftlab::app {

class Workspace : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;
    ~Workspace() override = default;

    virtual QString title() const = 0;
    // Widgets are created once and owned by the shell after it takes them.
    virtual QWidget* leftPanel() = 0;
    virtual QWidget* centralView() = 0;
    virtual QWidget* bottomPanel() = 0;  // may be nullptr

    // Loads a config file (JSON) or a preset id; returns false and sets error if refused,
    // keeping whatever was loaded before.
    virtual bool loadConfig(const QString& fileOrPresetId, QString* error) = 0;
    virtual bool isRunning() const = 0;
    // Brings a named panel (a bottom-dock tab such as "Solver diagnostics") to the front;
    // false if there is none of that name. Lets --screenshot show any panel.
    virtual bool showPanel(const QString& name) { return name.isEmpty(); }

public Q_SLOTS:
    virtual void run() = 0;
    virtual void cancel() = 0;
    virtual void reset() = 0;

protected:
    // showPanel() for workspaces whose bottom panel is a QTabWidget: fronts the tab whose
    // title matches name (case-insensitive).
    static bool selectTabNamed(QTabWidget* tabs, const QString& name);

Q_SIGNALS:
    void runStarted();
    // fraction in [0, 1]; rate is e.g. "48.2 M path·steps/s"; elapsed in seconds.
    void progressChanged(double fraction, const QString& rate, double elapsedSeconds);
    // ok is false on error or cancel; message says which.
    void runFinished(bool ok, const QString& message);
    void statusMessage(const QString& message);
    // The bottom panel's current content wants about this many pixels of height (a tall
    // diagnostics chart vs a short table); the shell resizes the dock.
    void bottomHeightRequested(int pixels);
};

}  // namespace driftlab::app
