#pragma once
// The Diffusion workspace's own-data tools: paint points into the data view with a brush of
// adjustable radius and density, erase them, clear, or load a CSV. The points live here, in
// the user's coordinates; Train copies them into the next session, so drawing never waits
// for (or disturbs) a running job.
#include <Eigen/Core>

#include <QWidget>

#include <cstdint>
#include <random>

class QComboBox;
class QLabel;
class QDoubleSpinBox;
class QSpinBox;
class QToolButton;

namespace driftlab::widgets {
class PointCloudView;
}

namespace driftlab::app {

// Adds `count` points uniformly distributed over the disc (centre, radius).
void addBrushPoints(Eigen::Matrix2Xd& points, const Eigen::Vector2d& centre, double radius,
                    int count, std::mt19937_64& random);
// Removes the points within radius of centre; returns how many went.
int erasePoints(Eigen::Matrix2Xd& points, const Eigen::Vector2d& centre, double radius);

class DiffusionDrawTool : public QWidget {
    Q_OBJECT

public:
    explicit DiffusionDrawTool(widgets::PointCloudView* view, QWidget* parent = nullptr);

    // True when Train should use these points instead of the configured data set.
    bool usesOwnPoints() const;
    void setUsesOwnPoints(bool own);
    const Eigen::Matrix2Xd& points() const { return points_; }
    void setPoints(const Eigen::Matrix2Xd& points);  // switches to own points

    double brushRadius() const;
    void setBrushRadius(double radius);
    int pointsPerDab() const;
    void setPointsPerDab(int count);

    // Loads "x,y" lines; on a bad file returns false with the reason (naming the line) and
    // keeps the points drawn before.
    bool loadCsv(const QString& path, QString* error);

public Q_SLOTS:
    void clear();
    void chooseCsv();  // file dialog, then loadCsv; errors go to errorOccurred

Q_SIGNALS:
    // The points or the choice to use them changed; the owner redraws the data layer.
    void pointsChanged();
    void errorOccurred(const QString& message);

private:
    void applyBrush(double x, double y, bool erase);
    void updateCount();

    widgets::PointCloudView* view_;
    Eigen::Matrix2Xd points_{2, 0};
    std::mt19937_64 random_{20261128};
    QComboBox* source_ = nullptr;
    QToolButton* navigate_ = nullptr;
    QToolButton* draw_ = nullptr;
    QToolButton* erase_ = nullptr;
    QDoubleSpinBox* radius_ = nullptr;
    QSpinBox* density_ = nullptr;
    QLabel* count_ = nullptr;
};

}  // namespace driftlab::app
