#pragma once
// Sample quality against network evaluations: one line per sampler over a logarithmic NFE
// axis (the shoot-out's budgets span 5 to 1000), so "how good for how many evaluations" reads
// off at a glance. A sampler with a single point (adaptive Dopri5) is drawn as a marker.
#include "widgets/vtk/vtk_view.h"

#include <memory>
#include <vector>

class vtkChartXY;

namespace driftlab::widgets {

struct QualitySeries {
    QString name;
    std::vector<double> nfe;    // > 0
    std::vector<double> value;  // NaN entries are skipped
};

class QualityNfeChartView : public VtkView {
    Q_OBJECT

public:
    explicit QualityNfeChartView(QWidget* parent = nullptr);
    ~QualityNfeChartView() override;

    void setSeries(const std::vector<QualitySeries>& series, const QString& title,
                   const QString& valueTitle);
    void clear(const QString& title);
    // A logarithmic value axis (for SW2, which spans decades between 5 and 1000 NFE);
    // non-positive values are then skipped. MMD² can be negative and stays linear.
    void setLogValues(bool log);
    // The legend sits outside the plot, to its right, so it never hides a line.
    void setLegendVisible(bool visible);
    int seriesCount() const;  // series with at least one drawn point
    vtkChartXY* chart() const;

public Q_SLOTS:
    void resetCamera() override;

private:
    struct Impl;
    std::unique_ptr<Impl> p;
};

}  // namespace driftlab::widgets
