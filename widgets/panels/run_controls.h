#pragma once
// Run / Pause-Resume / Step / Cancel / Reset, always reachable from the keyboard: the
// shortcuts live on QActions with window context, so they work wherever focus is inside the
// main window. The actions are exposed so menus and toolbars share them (one shortcut owner,
// no ambiguity). The main window holds one set for whichever workspace is visible.
#include <QWidget>

class QAction;
class QPushButton;

namespace driftlab::widgets {

class RunControls : public QWidget {
    Q_OBJECT
public:
    explicit RunControls(QWidget* parent = nullptr);
    ~RunControls() override;

    // Running: only Cancel is enabled. Idle: Run and Reset are.
    void setRunning(bool running);
    bool isRunning() const { return running_; }
    // The full picture for a steppable run (training): pausable while running, Resume and
    // Step while paused. steppable = false hides Pause and Step (a one-shot simulation).
    struct State {
        bool busy = false;       // preparing or running
        bool paused = false;     // stopped between steps, can resume
        bool steppable = false;  // pause and single steps mean something
    };
    void setState(const State& state);
    // The run action's face: "Run" / "Train", with what it does.
    void setRunLabel(const QString& text, const QString& help);

    QAction* pauseAction() const { return pauseAction_; }
    QAction* stepAction() const { return stepAction_; }
    QPushButton* pauseButton() const { return pauseButton_; }
    QPushButton* stepButton() const { return stepButton_; }

    QAction* runAction() const { return runAction_; }
    QAction* cancelAction() const { return cancelAction_; }
    QAction* resetAction() const { return resetAction_; }
    QPushButton* runButton() const { return runButton_; }
    QPushButton* cancelButton() const { return cancelButton_; }
    QPushButton* resetButton() const { return resetButton_; }

Q_SIGNALS:
    void runRequested();
    void cancelRequested();
    void resetRequested();
    void pauseRequested();
    void resumeRequested();
    void stepRequested();

private:
    QAction* makeAction(const QString& text, const QString& help, const QList<QKeySequence>& keys);

    QAction* runAction_ = nullptr;
    QAction* cancelAction_ = nullptr;
    QAction* resetAction_ = nullptr;
    QAction* pauseAction_ = nullptr;
    QAction* stepAction_ = nullptr;
    QPushButton* pauseButton_ = nullptr;
    QPushButton* stepButton_ = nullptr;
    QPushButton* runButton_ = nullptr;
    QPushButton* cancelButton_ = nullptr;
    QPushButton* resetButton_ = nullptr;
    bool running_ = false;
    bool paused_ = false;
};

}  // namespace driftlab::widgets
