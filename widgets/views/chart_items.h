#pragma once
// vtkPlot subclasses the Trajectories charts need and VTK lacks. Internal to widgets/views:
// this header includes VTK, so only .cpp files include it.
#include <vtkBrush.h>
#include <vtkPen.h>
#include <vtkPlot.h>

#include <array>
#include <functional>
#include <string>
#include <vector>

class vtkChartXY;

namespace driftlab::widgets::detail {

// The light theme on a chart: fonts, colours, grid, legend box, and the mouse mapping
// (middle drag pans, right drag zooms a box, wheel zooms; left belongs to the cursor).
void applyChartTheme(vtkChartXY* chart);
void setRgb(vtkPen* pen, const std::array<double, 3>& rgb, double opacity = 1.0);
void setRgb(vtkBrush* brush, const std::array<double, 3>& rgb, double opacity = 1.0);

// Many polylines drawn as one batch of segments: a hundred vtkPlotLine items cost a draw
// call, a table and a cache each; this costs one DrawLines per frame.
class PolylineSetPlot : public vtkPlot {
public:
    static PolylineSetPlot* New();
    vtkTypeMacro(PolylineSetPlot, vtkPlot);

    // xy holds each polyline's points back to back (x0 y0 x1 y1 ...); counts their lengths.
    void setPolylines(std::vector<double> xy, std::vector<int> counts);
    int polylineCount() const { return static_cast<int>(counts_.size()); }

    bool Paint(vtkContext2D* painter) override;
    bool PaintLegend(vtkContext2D* painter, const vtkRectf& rect, int legendIndex) override;
    void GetBounds(double bounds[4]) override;

protected:
    PolylineSetPlot() = default;

private:
    void rebuildSegments();

    std::vector<double> xy_;
    std::vector<int> counts_;
    std::vector<float> segments_;  // in the chart's shifted/scaled coordinates
    vtkRectd segmentsShiftScale_{0.0, 0.0, -1.0, -1.0};  // the shift-scale segments_ used
    double bounds_[4] = {1.0, 0.0, 1.0, 0.0};
};

// A vertical line at one x (a time) over the full y range, with a label at its top. A left
// press anywhere in the plot area moves it there and a drag drags it; other buttons and the
// wheel fall through to the chart's pan/zoom.
class CursorPlot : public vtkPlot {
public:
    static CursorPlot* New();
    vtkTypeMacro(CursorPlot, vtkPlot);

    void setPosition(double x);
    double position() const { return x_; }
    void setLabel(const std::string& label) { label_ = label; }
    // Called with the data x under the mouse while the user presses or drags.
    std::function<void(double)> onUserMoved;

    bool Paint(vtkContext2D* painter) override;
    void GetBounds(double bounds[4]) override;  // empty: the cursor never widens the axes
    bool Hit(const vtkContextMouseEvent& mouse) override;
    bool MouseButtonPressEvent(const vtkContextMouseEvent& mouse) override;
    bool MouseMoveEvent(const vtkContextMouseEvent& mouse) override;
    bool MouseButtonReleaseEvent(const vtkContextMouseEvent& mouse) override;

protected:
    CursorPlot() = default;

private:
    double dataX(const vtkContextMouseEvent& mouse) const;

    double x_ = 0.0;
    bool dragging_ = false;
    std::string label_;
};

}  // namespace driftlab::widgets::detail
