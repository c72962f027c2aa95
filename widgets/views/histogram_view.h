#pragma once
// The distribution of one component at one time: histogram bars with the closed-form
// density (where the equation has one) drawn over them. Takes precomputed histograms.
#include "widgets/vtk/vtk_view.h"

#include <memory>
#include <utility>
#include <vector>

class vtkChartXY;

namespace driftlab::core {
struct Histogram;
}

namespace driftlab::widgets {

class HistogramView : public VtkView {
    Q_OBJECT

public:
    explicit HistogramView(QWidget* parent = nullptr);
    ~HistogramView() override;

    // analytic: (x, density) points of the closed form, or empty for none.
    void setHistogram(const core::Histogram& histogram,
                      const std::vector<std::pair<double, double>>& analytic, const QString& title);
    void clear();
    void setValueAxisTitle(const QString& title);  // x axis, "value" by default

    int binCount() const;
    bool hasAnalyticCurve() const;
    vtkChartXY* chart() const;

public Q_SLOTS:
    void resetCamera() override;

private:
    struct Impl;
    std::unique_ptr<Impl> p;
};

}  // namespace driftlab::widgets
