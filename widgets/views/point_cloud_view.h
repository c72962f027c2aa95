#pragma once
// A 2-D point cloud in VTK: the training data faintly behind, generated samples in front,
// particle paths of two dynamics as polylines (reverse SDE vs probability-flow ODE), and a
// vector field as arrows. Parallel projection with pan/zoom; the camera follows the data,
// not the samples, so a bad early sample set cannot throw the picture off screen.
// With the Draw or Erase tool, left presses and drags become brush dabs in data coordinates
// (brushApplied); the owner edits its point set and hands it back, so the view holds no
// data model of its own.
#include "widgets/vtk/theme.h"
#include "widgets/vtk/vtk_view.h"

#include <Eigen/Core>

#include <memory>
#include <vector>

namespace driftlab::widgets {

class PointCloudView : public VtkView {
    Q_OBJECT

public:
    // Tests look for these exact colours in the pixels.
    static constexpr theme::Rgb kDataColor{0.55, 0.57, 0.62};
    static constexpr theme::Rgb kSampleColor{0.85, 0.33, 0.10};
    static constexpr theme::Rgb kSdePathColor{0.16, 0.35, 0.62};
    static constexpr theme::Rgb kOdePathColor{0.10, 0.60, 0.35};
    static constexpr theme::Rgb kArrowColor{0.45, 0.20, 0.60};
    static constexpr theme::Rgb kTrueArrowColor{0.95, 0.60, 0.05};
    static constexpr theme::Rgb kBrushColor{0.80, 0.10, 0.45};

    enum class Layer { Data, Samples, Paths, Arrows, TrueArrows };
    enum class Tool { Navigate, Draw, Erase };

    explicit PointCloudView(QWidget* parent = nullptr);
    ~PointCloudView() override;

    // Points one per column. Setting the data refits the camera to it unless refit is false
    // (drawing: the canvas must not move under the brush).
    void setData(const Eigen::Matrix2Xd& points, bool refit = true);
    void setSamples(const Eigen::Matrix2Xd& points);
    // One polyline (2 x steps) per particle for each dynamics; empty vectors clear them.
    void setPaths(const std::vector<Eigen::Matrix2Xd>& sde,
                  const std::vector<Eigen::Matrix2Xd>& ode);
    // Legend names of the two path sets ("reverse_sde", "interpolant_ode", ...).
    void setPathLabels(const QString& stochastic, const QString& deterministic);
    // Arrows from positions along vectors (already in data units).
    void setArrows(const Eigen::Matrix2Xd& positions, const Eigen::Matrix2Xd& vectors,
                   const QString& legend);
    // The known exact field, drawn in its own colour under the learned arrows.
    void setTrueArrows(const Eigen::Matrix2Xd& positions, const Eigen::Matrix2Xd& vectors,
                       const QString& legend);
    void clearAll();
    void setTitle(const QString& title);
    void setLayerVisible(Layer layer, bool visible);
    bool layerVisible(Layer layer) const;

    int dataCount() const;
    int sampleCount() const;
    int pathCount() const;  // SDE + ODE polylines
    int arrowCount() const;
    int trueArrowCount() const;

    void setTool(Tool tool);
    Tool tool() const;
    void setBrushRadius(double radius);  // data units; drawn as a circle under the mouse
    double brushRadius() const;
    // The camera's mapping between widget pixels (logical) and data coordinates.
    Eigen::Vector2d widgetToData(const QPointF& position) const;
    QPointF dataToWidget(const Eigen::Vector2d& point) const;

Q_SIGNALS:
    // A dab of the brush at a data-space centre; dragging is true for dabs after the press.
    void brushApplied(double x, double y, bool erase, bool dragging);

public Q_SLOTS:
    void resetCamera() override;  // fits the data with a margin

protected:
    void resizeGL(int w, int h) override;
    void mousePressEvent(QMouseEvent* e) override;
    void mouseMoveEvent(QMouseEvent* e) override;
    void mouseReleaseEvent(QMouseEvent* e) override;

private:
    void updateLegend();
    void moveBrushCircle(const Eigen::Vector2d& centre);

    struct Impl;
    std::unique_ptr<Impl> p;
};

}  // namespace driftlab::widgets
