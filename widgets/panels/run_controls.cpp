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
    QObject::connect(action, &QAction::changed, button, [button, action] { button->setEnabled(action->isEnabled()); });
    return button;
}

}  // namespace

RunControls::RunControls(QWidget* parent) : QWidget(parent) {
    runAction_ = makeAction(tr("Run"), tr("Simulate the paths with the current equation and settings"),
                            {QKeySequence(Qt::CTRL | Qt::Key_R), QKeySequence(Qt::Key_F5)});
    cancelAction_ = makeAction(tr("Cancel"), tr("Stop the running simulation; the paths so far are kept"),
                               {QKeySequence(Qt::Key_Escape)});
    resetAction_ = makeAction(tr("Reset"), tr("Clear the results and return to the preset's settings"),
                              {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R)});
    connect(runAction_, &QAction::triggered, this, &RunControls::runRequested);
    connect(cancelAction_, &QAction::triggered, this, &RunControls::cancelRequested);
    connect(resetAction_, &QAction::triggered, this, &RunControls::resetRequested);

    runButton_ = makeButton(runAction_, QStyle::SP_MediaPlay, this);
    cancelButton_ = makeButton(cancelAction_, QStyle::SP_MediaStop, this);
    resetButton_ = makeButton(resetAction_, QStyle::SP_BrowserReload, this);
    runButton_->setDefault(true);

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(runButton_, 2);
    layout->addWidget(cancelButton_, 1);
    layout->addWidget(resetButton_, 1);
    setRunning(false);
}

RunControls::~RunControls() = default;

QAction* RunControls::makeAction(const QString& text, const QString& help, const QList<QKeySequence>& keys) {
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
    running_ = running;
    runAction_->setEnabled(!running);
    cancelAction_->setEnabled(running);
    resetAction_->setEnabled(!running);
}

}  // namespace driftlab::widgets
