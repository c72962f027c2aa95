#pragma once
// A scalar over a rectangular grid as coloured cells on a chart with labelled axes and a
// colour bar, e.g. the solver's error estimate over (time, training iteration): a glance
// shows where in time and when in training the learned dynamics became harder to solve.
// (HeatMapView draws square densities in a 2-D scene without axes; this one is a chart.)
// Cells without data stay grey.
#include "widgets/vtk/theme.h"
#include "widgets/vtk/vtk_view.h"

#include <Eigen/Core>

#include <memory>
#include <utility>

class vtkChartXY;

namespace driftlab::widgets {

class AxisHeatMapView : public VtkView {
    Q_OBJECT

public:
    static constexpr theme::Rgb kNoDataColor{0.86, 0.86, 0.88};

    explicit AxisHeatMapView(QWidget* parent = nullptr);
    ~AxisHeatMapView() override;

    void setAxisTitles(const QString& x, const QString& y);
    void setColorBarTitle(const QString& title);
    // values(row, column): row i spans y in [y0 + i (y1 - y0) / rows, ...], column j spans x
    // likewise; NaN cells have no data. The colour scale spans the finite values.
    void setGrid(double x0, double x1, double y0, double y1, const Eigen::MatrixXd& values,
                 const QString& title);
    void clear(const QString& title);

    int rowCount() const;
    int columnCount() const;
    // The finite range the colours span; (0, 1) without data.
    std::pair<double, double> valueRange() const;
    // The colour a value is drawn in (viridis over valueRange()).
    theme::Rgb colorOf(double value) const;
    vtkChartXY* chart() const;

public Q_SLOTS:
    void resetCamera() override;

private:
    struct Impl;
    std::unique_ptr<Impl> p;
};

}  // namespace driftlab::widgets
