#pragma once
// One component of an SDE against time as a fan chart: the drawn paths (thin, faint), the
// 5-95 % and 25-75 % quantile bands, mean and median, and a draggable time cursor.
#include "widgets/vtk/vtk_view.h"

#include <memory>

class vtkChartXY;

namespace driftlab::core {
struct TrajectorySnapshot;
}

namespace driftlab::widgets {

class PathFanView : public VtkView {
    Q_OBJECT

public:
    explicit PathFanView(QWidget* parent = nullptr);
    ~PathFanView() override;

    // Draws component `component` of the snapshot; nullptr clears the chart. Only copies
    // into VTK arrays (reused between snapshots): the bands come precomputed.
    void setSnapshot(std::shared_ptr<const core::TrajectorySnapshot> snapshot, int component = 0);
    std::shared_ptr<const core::TrajectorySnapshot> snapshot() const;
    int component() const;

    int timeCursor() const;  // saved-time index, -1 without a snapshot
    int drawnPathCount() const;
    vtkChartXY* chart() const;

public Q_SLOTS:
    // Moves the cursor to a saved-time index (clamped); emits timeCursorChanged if it moved.
    void setTimeCursor(int savedTimeIndex);
    void resetCamera() override;

Q_SIGNALS:
    void timeCursorChanged(int savedTimeIndex);

private:
    void moveCursorToTime(double t);

    struct Impl;
    std::unique_ptr<Impl> p;
};

}  // namespace driftlab::widgets
