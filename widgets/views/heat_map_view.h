#pragma once
// A scalar field on a regular 2-D grid as a coloured image with a colour bar: the Diffusion
// workspace shows the model's log-density and the data histogram side by side with it.
// Values are given per cell (x fastest); NaN cells are drawn in the background colour.
#include "widgets/vtk/vtk_view.h"

#include <Eigen/Core>

#include <memory>

namespace driftlab::widgets {

class HeatMapView : public VtkView {
    Q_OBJECT

public:
    explicit HeatMapView(QWidget* parent = nullptr);
    ~HeatMapView() override;

    // grid x grid cells over [x0, x1] x [y0, y1], coloured from lo to hi (viridis).
    void setGrid(const Eigen::VectorXd& values, int grid, double x0, double x1, double y0,
                 double y1, double lo, double hi, const QString& title, const QString& barTitle);
    void clear(const QString& title);
    int cellCount() const;

public Q_SLOTS:
    void resetCamera() override;  // fits the grid

private:
    struct Impl;
    std::unique_ptr<Impl> p;
};

}  // namespace driftlab::widgets
