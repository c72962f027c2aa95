#include "widgets/panels/run_controls.h"

#include <QAction>
#include <QHBoxLayout>
#include <QPushButton>
#include <QStyle>

namespace driftlab::widgets {
namespace {

QPushButton* makeButton(QAction* action, QStyle::StandardPixmap icon, QWidget* parent) {
    auto* button = new QPushButton(action->text(), parent);
    button->setIcon(parent->style()->standardIcon(icon));
    button->setToolTip(action->toolTip());
    button->setEnabled(action->isEnabled());
    // The button is only a face for the action: one trigger path, one enabled state.
    QObject::connect(button, &QPushButton::clicked, action, &QAction::trigger);
    QObject::connect(action, &QAction::changed, button,
                     [button, action] { button->setEnabled(action->isEnabled()); });
    return button;
}

}  // namespace

RunControls::RunControls(QWidget* parent) : QWidget(parent) {
    runAction_ =
        makeAction(tr("Run"), tr("Simulate the paths with the current equation and settings"),
                   {QKeySequence(Qt::CTRL | Qt::Key_R), QKeySequence(Qt::Key_F5)});
    cancelAction_ =
        makeAction(tr("Cancel"), tr("Stop the running simulation; the paths so far are kept"),
                   {QKeySequence(Qt::Key_Escape)});
    resetAction_ =
        makeAction(tr("Reset"), tr("Clear the results and return to the preset's settings"),
                   {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R)});
    pauseAction_ =
        makeAction(tr("Pause"), tr("Hold the run after the current step; Resume carries on"),
                   {QKeySequence(Qt::Key_F6), QKeySequence(Qt::CTRL | Qt::Key_P)});
    stepAction_ =
        makeAction(tr("Step"), tr("Run exactly one step (one training iteration), then pause"),
                   {QKeySequence(Qt::Key_F7), QKeySequence(Qt::CTRL | Qt::Key_T)});
    connect(pauseAction_, &QAction::triggered, this,
            [this] { paused_ ? Q_EMIT resumeRequested() : Q_EMIT pauseRequested(); });
    connect(stepAction_, &QAction::triggered, this, &RunControls::stepRequested);
    connect(runAction_, &QAction::triggered, this, &RunControls::runRequested);
    connect(cancelAction_, &QAction::triggered, this, &RunControls::cancelRequested);
    connect(resetAction_, &QAction::triggered, this, &RunControls::resetRequested);

    runButton_ = makeButton(runAction_, QStyle::SP_MediaPlay, this);
    cancelButton_ = makeButton(cancelAction_, QStyle::SP_MediaStop, this);
    resetButton_ = makeButton(resetAction_, QStyle::SP_BrowserReload, this);
    pauseButton_ = makeButton(pauseAction_, QStyle::SP_MediaPause, this);
    stepButton_ = makeButton(stepAction_, QStyle::SP_MediaSkipForward, this);
    // Resume / Pause changes the text: the button follows the action's.
    connect(pauseAction_, &QAction::changed, pauseButton_, [this] {
        pauseButton_->setText(pauseAction_->text());
        pauseButton_->setToolTip(pauseAction_->toolTip());
        pauseButton_->setIcon(
            style()->standardIcon(paused_ ? QStyle::SP_MediaPlay : QStyle::SP_MediaPause));
    });
    runButton_->setDefault(true);

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(runButton_, 2);
    layout->addWidget(pauseButton_, 1);
    layout->addWidget(stepButton_, 1);
    layout->addWidget(cancelButton_, 1);
    layout->addWidget(resetButton_, 1);
    setRunning(false);
}

RunControls::~RunControls() = default;

QAction* RunControls::makeAction(const QString& text, const QString& help,
                                 const QList<QKeySequence>& keys) {
    auto* action = new QAction(text, this);
    action->setShortcuts(keys);
    action->setShortcutContext(Qt::WindowShortcut);
    QStringList names;
    for (const QKeySequence& k : keys) names << k.toString(QKeySequence::NativeText);
    action->setToolTip(QStringLiteral("%1 (%2)").arg(help, names.join(tr(" or "))));
    action->setStatusTip(help);
    addAction(action);  // a widget's actions' shortcuts are live while the widget is visible
    return action;
}

void RunControls::setRunning(bool running) {
    State state;
    state.busy = running;
    state.paused = false;
    state.steppable = false;
    setState(state);
}

void RunControls::setState(const State& state) {
    running_ = state.busy;
    paused_ = state.paused;
    runAction_->setEnabled(!state.busy);
    cancelAction_->setEnabled(state.busy || state.paused);
    resetAction_->setEnabled(!state.busy);
    pauseAction_->setEnabled(state.steppable && (state.busy || state.paused));
    stepAction_->setEnabled(state.steppable && !state.busy);
    pauseAction_->setText(state.paused ? tr("Resume") : tr("Pause"));
    pauseAction_->setToolTip(
        state.paused ? tr("Carry on from where the run paused (F6 or Ctrl+P)")
                     : tr("Hold the run after the current step; Resume carries on (F6 or Ctrl+P)"));
    pauseButton_->setVisible(state.steppable);
    stepButton_->setVisible(state.steppable);
}

void RunControls::setRunLabel(const QString& text, const QString& help) {
    runAction_->setText(text);
    runButton_->setText(text);
    const QString keys = tr("Ctrl+R or F5");
    runAction_->setToolTip(QStringLiteral("%1 (%2)").arg(help, keys));
    runButton_->setToolTip(runAction_->toolTip());
}

}  // namespace driftlab::widgets
