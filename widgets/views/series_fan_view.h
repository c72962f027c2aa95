#pragma once
// One channel of one irregular time series with a model's forecast over it: the model's
// sample paths (faint), its 5-95 % band and mean, the observations the model read (filled
// dots), the held-out targets it is scored on (green dots), and the cells that were never
// observed (hollow rings, placed on the model's mean, where the model fills them in). A
// forecasting task marks where the held-out end begins.
#include "widgets/vtk/theme.h"
#include "widgets/vtk/vtk_view.h"

#include <memory>
#include <string>
#include <vector>

class vtkChartXY;

namespace driftlab::widgets {

// What SeriesFanView draws, computed off the GUI thread. Sizes must match pairwise.
struct SeriesFanData {
    std::vector<double> gridTimes;                    // the forecast grid
    std::vector<double> mean, lower, upper;           // on gridTimes
    std::vector<std::vector<double>> paths;           // on gridTimes
    std::vector<double> contextTimes, contextValues;  // observed and read by the model
    std::vector<double> targetTimes, targetValues;    // observed, held out
    std::vector<double> missingTimes, missingValues;  // never observed
    double holdOutStart = 0.0;                        // NaN or outside the grid: no marker
    bool markHoldOut = false;
    std::string title, valueLabel;
};

class SeriesFanView : public VtkView {
    Q_OBJECT

public:
    // Tests look for these exact colours in the pixels.
    static constexpr theme::Rgb kContextColor{0.13, 0.13, 0.15};
    static constexpr theme::Rgb kTargetColor{0.10, 0.60, 0.35};
    static constexpr theme::Rgb kMissingColor{0.40, 0.40, 0.46};

    explicit SeriesFanView(QWidget* parent = nullptr);
    ~SeriesFanView() override;

    // nullptr clears the chart (showing emptyTitle).
    void setData(std::shared_ptr<const SeriesFanData> data, const QString& emptyTitle = {});
    std::shared_ptr<const SeriesFanData> data() const;

    int drawnPathCount() const;
    int contextPointCount() const;
    int targetPointCount() const;
    int missingPointCount() const;
    vtkChartXY* chart() const;

public Q_SLOTS:
    void resetCamera() override;

private:
    struct Impl;
    std::unique_ptr<Impl> p;
};

}  // namespace driftlab::widgets
