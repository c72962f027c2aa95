#pragma once
// A phase portrait: a 2-D vector field as arrows on a grid (e.g. a model's learned latent
// drift) with sample paths on top, on real axes, so the user sees where the dynamics push
// and where the paths actually go. Arrow lengths are scaled so the longest spans most of a
// grid cell; their heads are built in screen space so they keep their shape at any aspect.
#include "widgets/vtk/theme.h"
#include "widgets/vtk/vtk_view.h"

#include <Eigen/Core>

#include <memory>
#include <vector>

class vtkChartXY;

namespace driftlab::widgets {

class VectorFieldView : public VtkView {
    Q_OBJECT

public:
    // Tests look for these exact colours in the pixels.
    static constexpr theme::Rgb kArrowColor{0.45, 0.20, 0.60};
    static constexpr theme::Rgb kPathColor{0.85, 0.33, 0.10};

    explicit VectorFieldView(QWidget* parent = nullptr);
    ~VectorFieldView() override;

    void setAxisTitles(const QString& x, const QString& y);
    // positions and vectors one per column (same count); paths one 2 x n polyline each.
    // Non-finite arrows and path segments are skipped.
    void setField(const Eigen::Matrix2Xd& positions, const Eigen::Matrix2Xd& vectors,
                  const std::vector<Eigen::Matrix2Xd>& paths, const QString& title);
    void clear(const QString& title);

    int arrowCount() const;  // finite arrows drawn
    int pathCount() const;
    // Data units per unit of field: the factor the arrows were scaled by.
    double arrowScale() const;
    vtkChartXY* chart() const;

public Q_SLOTS:
    void resetCamera() override;

private:
    struct Impl;
    std::unique_ptr<Impl> p;
};

}  // namespace driftlab::widgets
