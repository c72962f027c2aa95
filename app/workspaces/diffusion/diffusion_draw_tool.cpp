#include "app/workspaces/diffusion/diffusion_draw_tool.h"

#include "core/diffusion/point_csv.h"
#include "widgets/views/point_cloud_view.h"

#include <QButtonGroup>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QToolButton>

#include <cmath>

namespace driftlab::app {

using Tool = widgets::PointCloudView::Tool;

void addBrushPoints(Eigen::Matrix2Xd& points, const Eigen::Vector2d& centre, double radius,
                    int count, std::mt19937_64& random) {
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    const Eigen::Index start = points.cols();
    points.conservativeResize(2, start + count);
    for (int k = 0; k < count; ++k) {
        // sqrt of a uniform radius fraction: uniform over the disc's area, not its radius.
        const double r = radius * std::sqrt(unit(random));
        const double a = 2.0 * 3.14159265358979323846 * unit(random);
        points.col(start + k) = centre + r * Eigen::Vector2d(std::cos(a), std::sin(a));
    }
}

int erasePoints(Eigen::Matrix2Xd& points, const Eigen::Vector2d& centre, double radius) {
    Eigen::Index kept = 0;
    for (Eigen::Index i = 0; i < points.cols(); ++i)
        if ((points.col(i) - centre).norm() > radius) points.col(kept++) = points.col(i);
    const int removed = static_cast<int>(points.cols() - kept);
    points.conservativeResize(2, kept);
    return removed;
}

DiffusionDrawTool::DiffusionDrawTool(widgets::PointCloudView* view, QWidget* parent)
    : QWidget(parent), view_(view) {
    auto* layout = new QGridLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    source_ = new QComboBox;
    source_->addItem("Generated set (settings below)");
    source_->addItem("My points (drawn / CSV)");
    source_->setToolTip(
        "What Train learns: the configured toy set, or the points you drew or "
        "loaded. Drawing switches to your points.");
    layout->addWidget(new QLabel("Data"), 0, 0);
    layout->addWidget(source_, 0, 1, 1, 3);

    auto* tools = new QHBoxLayout;
    auto* group = new QButtonGroup(this);
    const auto makeTool = [&](const QString& text, const QString& tip) {
        auto* button = new QToolButton;
        button->setText(text);
        button->setToolTip(tip);
        button->setCheckable(true);
        group->addButton(button);
        tools->addWidget(button);
        return button;
    };
    navigate_ = makeTool("Pan", "Pan and zoom the data view (left drag, wheel)");
    draw_ = makeTool("Draw", "Paint points: click or drag in the data view");
    erase_ = makeTool("Erase", "Remove the points under the brush");
    navigate_->setChecked(true);
    auto* clearButton = new QPushButton("Clear");
    clearButton->setToolTip("Remove all your points");
    auto* csvButton = new QPushButton("Load points CSV…");
    csvButton->setToolTip(
        "x,y per line, header optional; a bad line is refused with its "
        "number and your current points are kept");
    tools->addWidget(clearButton);
    tools->addWidget(csvButton);
    tools->addStretch(1);
    layout->addLayout(tools, 1, 0, 1, 4);

    radius_ = new QDoubleSpinBox;
    radius_->setRange(0.01, 10.0);
    radius_->setSingleStep(0.05);
    radius_->setValue(0.3);
    radius_->setToolTip("Brush radius in data units");
    density_ = new QSpinBox;
    density_->setRange(1, 200);
    density_->setValue(12);
    density_->setToolTip("Points added per dab (a click, or every half radius of a drag)");
    layout->addWidget(new QLabel("Radius"), 2, 0);
    layout->addWidget(radius_, 2, 1);
    layout->addWidget(new QLabel("Points/dab"), 2, 2);
    layout->addWidget(density_, 2, 3);
    count_ = new QLabel;
    layout->addWidget(count_, 3, 0, 1, 4);
    updateCount();

    connect(group, &QButtonGroup::buttonToggled, this, [this](QAbstractButton*, bool) {
        view_->setTool(draw_->isChecked()    ? Tool::Draw
                       : erase_->isChecked() ? Tool::Erase
                                             : Tool::Navigate);
        view_->setBrushRadius(radius_->value());
        if (view_->tool() != Tool::Navigate) setUsesOwnPoints(true);
    });
    connect(radius_, &QDoubleSpinBox::valueChanged, view_,
            &widgets::PointCloudView::setBrushRadius);
    connect(view_, &widgets::PointCloudView::brushApplied, this,
            [this](double x, double y, bool erase, bool) { applyBrush(x, y, erase); });
    connect(clearButton, &QPushButton::clicked, this, &DiffusionDrawTool::clear);
    connect(csvButton, &QPushButton::clicked, this, &DiffusionDrawTool::chooseCsv);
    connect(source_, &QComboBox::currentIndexChanged, this, [this] {
        updateCount();
        Q_EMIT pointsChanged();
    });
}

bool DiffusionDrawTool::usesOwnPoints() const { return source_->currentIndex() == 1; }

void DiffusionDrawTool::setUsesOwnPoints(bool own) { source_->setCurrentIndex(own ? 1 : 0); }

void DiffusionDrawTool::setPoints(const Eigen::Matrix2Xd& points) {
    points_ = points;
    const QSignalBlocker block(source_);
    source_->setCurrentIndex(1);
    updateCount();
    Q_EMIT pointsChanged();
}

double DiffusionDrawTool::brushRadius() const { return radius_->value(); }
void DiffusionDrawTool::setBrushRadius(double radius) { radius_->setValue(radius); }
int DiffusionDrawTool::pointsPerDab() const { return density_->value(); }
void DiffusionDrawTool::setPointsPerDab(int count) { density_->setValue(count); }

void DiffusionDrawTool::applyBrush(double x, double y, bool erase) {
    const Eigen::Vector2d centre(x, y);
    if (erase) {
        if (erasePoints(points_, centre, radius_->value()) == 0) return;
    } else {
        addBrushPoints(points_, centre, radius_->value(), density_->value(), random_);
    }
    setPoints(points_);
}

void DiffusionDrawTool::clear() { setPoints(Eigen::Matrix2Xd(2, 0)); }

bool DiffusionDrawTool::loadCsv(const QString& path, QString* error) {
    try {
        setPoints(core::diffusion::readPointsCsv(path.toStdString()));
        return true;
    } catch (const std::exception& e) {
        if (error) *error = QString::fromUtf8(e.what());
        return false;
    }
}

void DiffusionDrawTool::chooseCsv() {
    const QString path = QFileDialog::getOpenFileName(this, "Load points CSV", QString(),
                                                      "CSV files (*.csv *.txt);;All files (*)");
    if (path.isEmpty()) return;
    QString error;
    if (!loadCsv(path, &error)) Q_EMIT errorOccurred("Points not loaded: " + error);
}

void DiffusionDrawTool::updateCount() {
    count_->setText(usesOwnPoints()
                        ? QString("Your points: %1 (Train needs at least 10)").arg(points_.cols())
                        : QString("Using the generated set; draw or load a CSV to use your own"));
}

}  // namespace driftlab::app
