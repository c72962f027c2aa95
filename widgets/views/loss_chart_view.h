#pragma once
// A small vtkChartXY for training curves: the raw series faint, a smoothed one bold on top
// (a raw loss is noisy enough to hide its own trend), with axis titles and a legend.
#include "widgets/vtk/vtk_view.h"

#include <memory>
#include <vector>

class vtkChartXY;

namespace driftlab::widgets {

class LossChartView : public VtkView {
    Q_OBJECT

public:
    explicit LossChartView(QWidget* parent = nullptr);
    ~LossChartView() override;

    void setAxisTitles(const QString& x, const QString& y);
    void setSeriesLabels(const QString& raw, const QString& smoothed);
    // smoothed may be empty (then only raw is drawn); sizes must match x.
    void setSeries(const std::vector<double>& x, const std::vector<double>& raw,
                   const std::vector<double>& smoothed, const QString& title);
    void clear(const QString& title);
    int pointCount() const;
    vtkChartXY* chart() const;

public Q_SLOTS:
    void resetCamera() override;

private:
    struct Impl;
    std::unique_ptr<Impl> p;
};

// Exponential moving average with bias correction (as Adam does), so the first points are
// not pulled toward zero.
std::vector<double> smoothExponential(const std::vector<double>& values, double decay);

}  // namespace driftlab::widgets
