// The Diffusion workspace's widgets: the left panel (teaching text, Sample / Shoot-out, model
// box, drawing tool, settings form), the point cloud with its scrubber, the bottom tabs.
#include "app/workspaces/diffusion/diffusion_workspace.h"

#include "app/run_driver.h"
#include "app/workspaces/diffusion/diffusion_draw_tool.h"
#include "app/workspaces/diffusion/diffusion_panels.h"
#include "app/workspaces/diffusion/diffusion_scrubber.h"
#include "core/common/error.h"
#include "core/diffusion/diffusion_headless.h"
#include "core/diffusion/diffusion_jobs.h"
#include "core/diffusion/point_csv.h"
#include "widgets/panels/schema_form.h"
#include "widgets/views/point_cloud_view.h"

#include <QComboBox>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <optional>

namespace driftlab::app {

void DiffusionWorkspace::buildLeftPanel() {
    left_ = new QWidget;
    auto* layout = new QVBoxLayout(left_);

    auto* teaching = new QLabel(
        "A network learns to undo noise: data is blurred by a forward SDE and the network "
        "predicts the noise (equivalently the score ∇ log p<sub>t</sub>); a stochastic "
        "interpolant instead learns the velocity that carries noise to data. <b>Train</b> fits "
        "the model and samples once; <b>Sample</b> draws again; <b>Shoot-out</b> races every "
        "sampler by network evaluations (NFE). Draw your own data with the brush below.");
    teaching->setWordWrap(true);
    teaching->setTextFormat(Qt::RichText);
    layout->addWidget(teaching);

    errorLabel_ = new QLabel;
    errorLabel_->setWordWrap(true);
    errorLabel_->setStyleSheet("color: #b00020;");
    errorLabel_->hide();
    layout->addWidget(errorLabel_);

    auto* actions = new QHBoxLayout;
    sampleButton_ = new QPushButton("Sample");
    sampleButton_->setToolTip(
        "Turn fresh noise into samples with the trained model (EMA weights) and the chosen "
        "sampler and NFE budget; also draws particle paths of the stochastic and the "
        "deterministic dynamics from the same noise, and the scrubber's frames.");
    shootoutButton_ = new QPushButton("Shoot-out");
    shootoutButton_->setToolTip(
        "Run every sampler at each budget of the Shoot-out tab and "
        "compare SW2 and MMD² to the held-out data");
    actions->addWidget(sampleButton_);
    actions->addWidget(shootoutButton_);
    layout->addLayout(actions);
    connect(sampleButton_, &QPushButton::clicked, this, &DiffusionWorkspace::sample);
    connect(shootoutButton_, &QPushButton::clicked, this, &DiffusionWorkspace::shootout);

    modelBox_ = new DiffusionModelBox;
    layout->addWidget(modelBox_);
    connect(modelBox_, &DiffusionModelBox::epsilonChanged, this,
            [this] { epsilonTimer_->start(); });

    auto* dataBox = new QGroupBox("Your data");
    auto* dataLayout = new QVBoxLayout(dataBox);
    drawTool_ = new DiffusionDrawTool(cloud_);
    dataLayout->addWidget(drawTool_);
    layout->addWidget(dataBox);
    connect(drawTool_, &DiffusionDrawTool::pointsChanged, this, &DiffusionWorkspace::showDataLayer);
    connect(drawTool_, &DiffusionDrawTool::errorOccurred, this, &DiffusionWorkspace::showError);

    // The buttons sit above the long form so they stay in view without scrolling.
    auto* settingsBox = new QGroupBox("Settings");
    auto* settingsLayout = new QVBoxLayout(settingsBox);
    settings_ = new widgets::SchemaForm(core::diffusionSchema());
    settingsLayout->addWidget(settings_);
    layout->addWidget(settingsBox);
    // A settings edit only changes what the next Train or Sample does: training is too slow
    // to restart on every keystroke, and the old picture stays meaningful until then.
    connect(settings_, &widgets::SchemaForm::valuesChanged, this, [this] { errorLabel_->hide(); });
    showMethodNames(settings_);
    modelBox_->bind(settings_);
    layout->addStretch(1);
}

void DiffusionWorkspace::buildCentral() {
    central_ = new QWidget;
    auto* layout = new QVBoxLayout(central_);
    layout->setContentsMargins(0, 0, 0, 0);
    cloud_ = new widgets::PointCloudView;
    cloud_->setTitle("Train a model to see samples");
    layout->addWidget(cloud_, 1);

    scrubber_ = new DiffusionScrubber(cloud_);
    layout->addWidget(scrubber_);
    connect(scrubber_, &DiffusionScrubber::frameShown, this, [this](const QString& title) {
        // Back in the Samples mode the samples' own title returns.
        cloud_->setTitle(!title.isEmpty() ? title : sample_ ? sampleTitle() : QString());
    });

    layout->addWidget(makeLayerToggles(cloud_));
}

void DiffusionWorkspace::buildBottom() {
    bottomTabs_ = new QTabWidget;
    bottom_ = bottomTabs_;
    lossPanel_ = new DiffusionLossPanel;
    bottomTabs_->addTab(lossPanel_, "Loss");

    shootoutPanel_ = new DiffusionShootoutPanel;
    bottomTabs_->addTab(shootoutPanel_, "Shoot-out");
    connect(shootoutPanel_, &DiffusionShootoutPanel::errorOccurred, this,
            &DiffusionWorkspace::showError);
    connect(shootoutPanel_, &DiffusionShootoutPanel::exported, this,
            [this](const QString& path) { Q_EMIT statusMessage("Shoot-out written to " + path); });

    density_ = new DiffusionDensityPanel;
    bottomTabs_->addTab(density_, "Density");
    connect(density_->computeButton(), &QPushButton::clicked, this,
            &DiffusionWorkspace::computeDensity);
    connect(bottomTabs_, &QTabWidget::currentChanged, this,
            [this](int index) { Q_EMIT bottomHeightRequested(index == 0 ? 260 : 400); });
}

}  // namespace driftlab::app
