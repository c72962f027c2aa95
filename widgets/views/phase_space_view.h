#pragma once
// The drawn paths of a 2-D or 3-D system in phase space: polylines coloured by time with a
// colour bar, start points marked, axes labelled with the variable names. 3-D rotates with
// a trackball; 2-D uses a parallel projection with pan/zoom. Beyond three components the
// first three are shown.
#include "widgets/vtk/color_maps.h"
#include "widgets/vtk/vtk_view.h"

#include <memory>

namespace driftlab::core {
struct TrajectorySnapshot;
}

namespace driftlab::widgets {

class PhaseSpaceView : public VtkView {
    Q_OBJECT

public:
    explicit PhaseSpaceView(QWidget* parent = nullptr);
    ~PhaseSpaceView() override;

    // nullptr or a 1-D snapshot shows a hint instead of paths.
    void setSnapshot(std::shared_ptr<const core::TrajectorySnapshot> snapshot);
    std::shared_ptr<const core::TrajectorySnapshot> snapshot() const;

    void setColorMap(ColorMap map);
    ColorMap colorMap() const;

    int shownDimension() const;  // 0 (nothing drawn), 2 or 3
    int drawnPathCount() const;

public Q_SLOTS:
    void resetCamera() override;  // home view with room for the axes' labels

private:
    void updateColors();

    struct Impl;
    std::unique_ptr<Impl> p;
};

}  // namespace driftlab::widgets
