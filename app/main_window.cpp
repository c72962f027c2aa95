#include "app/main_window.h"

#include <algorithm>

#include "app/run_driver.h"
#include "app/workspace.h"
#include "app/workspace_registry.h"
#include "widgets/panels/run_controls.h"

#include <QComboBox>
#include <QDockWidget>
#include <QFileDialog>
#include <QKeySequence>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QScrollArea>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>

namespace driftlab::app {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    setWindowTitle("Driftlab");
    resize(1500, 920);

    auto* toolbar = addToolBar("Workspace");
    toolbar->setObjectName("workspaceToolbar");
    toolbar->setMovable(false);
    toolbar->addWidget(new QLabel(" Workspace: "));
    selector_ = new QComboBox;
    selector_->setToolTip("Each workspace is one family of experiments.");
    toolbar->addWidget(selector_);

    leftStack_ = new QStackedWidget;
    centralStack_ = new QStackedWidget;
    bottomStack_ = new QStackedWidget;
    setCentralWidget(centralStack_);

    leftDock_ = new QDockWidget("Experiment", this);
    leftDock_->setObjectName("experimentDock");
    leftDock_->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable);
    auto* scroll = new QScrollArea;
    scroll->setWidgetResizable(true);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setWidget(leftStack_);
    scroll->setMinimumWidth(400);
    // The run controls stay above the scrolling form, so they never scroll out of reach.
    controls_ = new widgets::RunControls;
    auto* leftPane = new QWidget;
    auto* leftLayout = new QVBoxLayout(leftPane);
    leftLayout->setContentsMargins(6, 6, 6, 0);
    leftLayout->setSpacing(4);
    leftLayout->addWidget(controls_);
    leftLayout->addWidget(scroll, 1);
    leftDock_->setWidget(leftPane);
    const auto current = [this] { return currentWorkspace(); };
    connect(controls_, &widgets::RunControls::runRequested, this, [current] {
        if (auto* w = current()) w->run();
    });
    connect(controls_, &widgets::RunControls::cancelRequested, this, [current] {
        if (auto* w = current()) w->cancel();
    });
    connect(controls_, &widgets::RunControls::resetRequested, this, [current] {
        if (auto* w = current()) w->reset();
    });
    connect(controls_, &widgets::RunControls::pauseRequested, this, [current] {
        if (auto* w = current()) w->pause();
    });
    connect(controls_, &widgets::RunControls::resumeRequested, this, [current] {
        if (auto* w = current()) w->resume();
    });
    connect(controls_, &widgets::RunControls::stepRequested, this, [current] {
        if (auto* w = current()) w->stepOnce();
    });
    addDockWidget(Qt::LeftDockWidgetArea, leftDock_);

    bottomDock_ = new QDockWidget("Statistics", this);
    bottomDock_->setObjectName("statisticsDock");
    bottomDock_->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable);
    bottomDock_->setWidget(bottomStack_);
    addDockWidget(Qt::BottomDockWidgetArea, bottomDock_);

    progress_ = new QProgressBar;
    progress_->setRange(0, 1000);
    progress_->setValue(0);
    progress_->setMaximumWidth(260);
    progress_->setTextVisible(true);
    rateLabel_ = new QLabel;
    rateLabel_->setMinimumWidth(220);
    elapsedLabel_ = new QLabel;
    elapsedLabel_->setMinimumWidth(110);
    statusBar()->addPermanentWidget(rateLabel_);
    statusBar()->addPermanentWidget(elapsedLabel_);
    statusBar()->addPermanentWidget(progress_);

    for (const auto& factory : workspaceFactories()) {
        Workspace* workspace = factory.create(this);
        workspaces_.push_back(workspace);
        workspaceIds_.push_back(factory.id);
        selector_->addItem(factory.title);
        leftStack_->addWidget(workspace->leftPanel());
        centralStack_->addWidget(workspace->centralView());
        QWidget* bottom = workspace->bottomPanel();
        bottomStack_->addWidget(bottom ? bottom : new QWidget);
        connectWorkspace(workspace);
    }
    connect(selector_, &QComboBox::currentIndexChanged, this, &MainWindow::showWorkspace);
    buildMenus();
    showWorkspace(0);
    // The views deserve the height; the statistics need only a few rows.
    // Dock sizes only stick once the window has its layout, hence after the first show.
    QTimer::singleShot(0, this, [this] {
        resizeDocks({bottomDock_}, {bottomHeight_}, Qt::Vertical);
        resizeDocks({leftDock_}, {420}, Qt::Horizontal);
    });
}

MainWindow::~MainWindow() = default;

Workspace* MainWindow::currentWorkspace() const {
    const int index = selector_->currentIndex();
    return index >= 0 && index < workspaceCount() ? workspaces_[index] : nullptr;
}

bool MainWindow::selectWorkspace(const QString& id) {
    for (int i = 0; i < workspaceCount(); ++i) {
        if (workspaceIds_[i] == id) {
            selector_->setCurrentIndex(i);
            return true;
        }
    }
    return false;
}

QString MainWindow::statusRateText() const { return rateLabel_->text(); }

void MainWindow::showWorkspace(int index) {
    if (index < 0 || index >= workspaceCount()) return;
    leftStack_->setCurrentIndex(index);
    centralStack_->setCurrentIndex(index);
    bottomStack_->setCurrentIndex(index);
    bottomDock_->setVisible(workspaces_[index]->bottomPanel() != nullptr);
    syncRunControls();
}

void MainWindow::syncRunControls() {
    Workspace* workspace = currentWorkspace();
    if (!workspace) return;
    controls_->setRunLabel(workspace->runLabel(), workspace->runHelp());
    const RunDriver* driver = workspace->runDriver();
    widgets::RunControls::State state;
    state.busy = workspace->isRunning();
    state.paused = driver->isPaused();
    state.steppable = workspace->isSteppable();
    controls_->setState(state);
}

void MainWindow::connectWorkspace(Workspace* workspace) {
    // Only the visible workspace drives the status bar.
    auto isCurrent = [this, workspace] { return currentWorkspace() == workspace; };
    connect(workspace, &Workspace::runStateChanged, this, [this, isCurrent] {
        if (isCurrent()) syncRunControls();
    });
    connect(workspace, &Workspace::runStarted, this, [this, isCurrent] {
        if (!isCurrent()) return;
        progress_->setValue(0);
        showStatus("Running…");
    });
    connect(workspace, &Workspace::progressChanged, this,
            [this, isCurrent](double fraction, const QString& rate, double elapsed) {
                if (!isCurrent()) return;
                // Each change repaints the status bar; unchanged text costs nothing.
                const int value = static_cast<int>(fraction * 1000.0);
                if (progress_->value() != value) progress_->setValue(value);
                if (rateLabel_->text() != rate) rateLabel_->setText(rate);
                const QString since = QString("elapsed %1 s").arg(elapsed, 0, 'f', 1);
                if (elapsedLabel_->text() != since) elapsedLabel_->setText(since);
            });
    connect(workspace, &Workspace::runFinished, this,
            [this, isCurrent](bool ok, const QString& message) {
                if (!isCurrent()) return;
                if (ok) progress_->setValue(1000);
                showStatus(message);
                Q_EMIT runFinished(ok, message);
            });
    connect(workspace, &Workspace::bottomHeightRequested, this, [this, isCurrent](int pixels) {
        if (!isCurrent()) return;
        bottomHeight_ = pixels;
        resizeDocks({bottomDock_}, {pixels}, Qt::Vertical);
    });
    connect(workspace, &Workspace::statusMessage, this, [this, isCurrent](const QString& m) {
        if (isCurrent()) showStatus(m);
    });
}

void MainWindow::showStatus(const QString& message) {
    const int permanent = rateLabel_->width() + elapsedLabel_->width() + progress_->width();
    const int room = std::max(120, statusBar()->width() - permanent - 48);
    statusBar()->setToolTip(message);
    statusBar()->showMessage(statusBar()->fontMetrics().elidedText(message, Qt::ElideRight, room));
}

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu("&File");
    QAction* open = file->addAction("&Open config…", this, &MainWindow::openConfig);
    open->setShortcut(QKeySequence::Open);
    file->addSeparator();
    QAction* quit = file->addAction("&Quit", this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* view = menuBar()->addMenu("&View");
    view->addAction(leftDock_->toggleViewAction());
    view->addAction(bottomDock_->toggleViewAction());
}

void MainWindow::openConfig() {
    const QString path = QFileDialog::getOpenFileName(this, "Open experiment config", QString(),
                                                      "Driftlab config (*.json)");
    if (path.isEmpty() || !currentWorkspace()) return;
    QString error;
    if (!currentWorkspace()->loadConfig(path, &error)) {
        QMessageBox::warning(this, "Config not loaded", error);
    }
}

}  // namespace driftlab::app
