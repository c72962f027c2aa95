#pragma once
// Run / Cancel / Reset, always reachable from the keyboard: the shortcuts live on QActions
// with window context, so they work wherever focus is inside the main window. The actions
// are exposed so menus and toolbars share them (one shortcut owner, no ambiguity).
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

private:
    QAction* makeAction(const QString& text, const QString& help, const QList<QKeySequence>& keys);

    QAction* runAction_ = nullptr;
    QAction* cancelAction_ = nullptr;
    QAction* resetAction_ = nullptr;
    QPushButton* runButton_ = nullptr;
    QPushButton* cancelButton_ = nullptr;
    QPushButton* resetButton_ = nullptr;
    bool running_ = false;
};

}  // namespace driftlab::widgets
