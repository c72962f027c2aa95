#pragma once
// The shell: workspace selector, left panel, central views, bottom dock, status bar. It
// hosts whatever workspace_registry.cpp lists and only talks to the Workspace interface.
#include <QMainWindow>
#include <vector>

class QComboBox;
class QDockWidget;
class QLabel;
class QProgressBar;
class QScrollArea;
class QStackedWidget;

namespace driftlab::widgets {
class RunControls;
}

namespace driftlab::app {

class Workspace;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    Workspace* currentWorkspace() const;
    int workspaceCount() const { return static_cast<int>(workspaces_.size()); }
    bool selectWorkspace(const QString& id);
    QProgressBar* progressBar() const { return progress_; }
    // The one set of run controls; it drives whichever workspace is visible.
    widgets::RunControls* runControls() const { return controls_; }
    QString statusRateText() const;

Q_SIGNALS:
    // Forwarded from the current workspace, for --screenshot and tests.
    void runFinished(bool ok, const QString& message);

private:
    void buildMenus();
    void showWorkspace(int index);
    void connectWorkspace(Workspace* workspace);
    // QStatusBar clips a long message mid-word under its permanent widgets; this elides it
    // with an ellipsis to the room there is and keeps the whole text as the tooltip.
    void showStatus(const QString& message);
    void openConfig();
    // Enables the controls for the visible workspace's run state and names its run action.
    void syncRunControls();

    std::vector<Workspace*> workspaces_;
    std::vector<QString> workspaceIds_;
    QComboBox* selector_ = nullptr;
    QStackedWidget* leftStack_ = nullptr;
    QStackedWidget* centralStack_ = nullptr;
    QStackedWidget* bottomStack_ = nullptr;
    QDockWidget* leftDock_ = nullptr;
    QDockWidget* bottomDock_ = nullptr;
    widgets::RunControls* controls_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QLabel* rateLabel_ = nullptr;
    QLabel* elapsedLabel_ = nullptr;
    int bottomHeight_ = 175;  // what the visible bottom panel asked for
};

}  // namespace driftlab::app
