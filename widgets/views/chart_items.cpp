#include "widgets/views/chart_items.h"

#include "widgets/vtk/theme.h"

#include <vtkAxis.h>
#include <vtkBrush.h>
#include <vtkChartLegend.h>
#include <vtkChartXY.h>
#include <vtkContext2D.h>
#include <vtkContextMouseEvent.h>
#include <vtkObjectFactory.h>
#include <vtkPen.h>
#include <vtkTextProperty.h>

#include <algorithm>
#include <cmath>

namespace driftlab::widgets::detail {

vtkStandardNewMacro(PolylineSetPlot);
vtkStandardNewMacro(CursorPlot);

namespace {

// vtkChartXY draws plots in coordinates shifted and scaled for float precision.
float toChartX(double x, const vtkRectd& ss) { return static_cast<float>((x + ss[0]) * ss[2]); }
float toChartY(double y, const vtkRectd& ss) { return static_cast<float>((y + ss[1]) * ss[3]); }

unsigned char byte(double v) {
    return static_cast<unsigned char>(std::lround(std::clamp(v, 0.0, 1.0) * 255.0));
}

void styleText(vtkTextProperty* text, int size, bool bold) {
    text->SetColor(theme::kText[0], theme::kText[1], theme::kText[2]);
    text->SetFontSize(size);
    text->SetBold(bold);
    text->SetFontFamilyToArial();
}

}  // namespace

void setRgb(vtkPen* pen, const std::array<double, 3>& rgb, double opacity) {
    pen->SetColor(byte(rgb[0]), byte(rgb[1]), byte(rgb[2]), byte(opacity));
}

void setRgb(vtkBrush* brush, const std::array<double, 3>& rgb, double opacity) {
    brush->SetColor(byte(rgb[0]), byte(rgb[1]), byte(rgb[2]), byte(opacity));
}

void applyChartTheme(vtkChartXY* chart) {
    styleText(chart->GetTitleProperties(), theme::kTitleFontSize, true);
    for (int i = 0; i < 4; ++i) {
        vtkAxis* axis = chart->GetAxis(i);
        styleText(axis->GetTitleProperties(), theme::kAxisTitleFontSize, false);
        styleText(axis->GetLabelProperties(), theme::kLabelFontSize, false);
        setRgb(axis->GetGridPen(), theme::kGrid);
        setRgb(axis->GetPen(), theme::kText);
    }
    vtkChartLegend* legend = chart->GetLegend();
    styleText(legend->GetLabelProperties(), theme::kLabelFontSize, false);
    setRgb(legend->GetBrush(), theme::kBackground, 0.85);
    setRgb(legend->GetPen(), theme::kGrid);
    legend->SetInline(true);
    legend->SetHorizontalAlignment(vtkChartLegend::RIGHT);
    legend->SetVerticalAlignment(vtkChartLegend::TOP);
    chart->SetActionToButton(vtkChart::PAN, vtkContextMouseEvent::MIDDLE_BUTTON);
    chart->SetActionToButton(vtkChart::ZOOM, vtkContextMouseEvent::RIGHT_BUTTON);
    chart->SetClickActionToButton(vtkChart::SELECT, vtkContextMouseEvent::NO_BUTTON);
    chart->SetHiddenAxisBorder(24);  // room for the last tick label's half width
}

void PolylineSetPlot::setPolylines(std::vector<double> xy, std::vector<int> counts) {
    xy_ = std::move(xy);
    counts_ = std::move(counts);
    bounds_[0] = bounds_[2] = 1.0;
    bounds_[1] = bounds_[3] = 0.0;  // empty until a finite point is seen
    bool any = false;
    for (std::size_t i = 0; i + 1 < xy_.size(); i += 2) {
        const double x = xy_[i], y = xy_[i + 1];
        if (!std::isfinite(x) || !std::isfinite(y)) continue;
        if (!any) {
            bounds_[0] = bounds_[1] = x;
            bounds_[2] = bounds_[3] = y;
            any = true;
        }
        bounds_[0] = std::min(bounds_[0], x);
        bounds_[1] = std::max(bounds_[1], x);
        bounds_[2] = std::min(bounds_[2], y);
        bounds_[3] = std::max(bounds_[3], y);
    }
    segmentsShiftScale_ = vtkRectd(0.0, 0.0, -1.0, -1.0);  // force a rebuild at next paint
    Modified();
}

void PolylineSetPlot::rebuildSegments() {
    const vtkRectd ss = GetShiftScale();
    segments_.clear();
    std::size_t total = 0;
    for (int n : counts_) total += n > 1 ? 4 * static_cast<std::size_t>(n - 1) : 0;
    segments_.reserve(total);
    std::size_t offset = 0;
    for (int n : counts_) {
        for (int k = 0; k + 1 < n; ++k) {
            const double* a = &xy_[2 * (offset + k)];
            const double* b = a + 2;
            if (!std::isfinite(a[0] + a[1] + b[0] + b[1]))
                continue;  // a path that blew up just ends there
            segments_.insert(segments_.end(), {toChartX(a[0], ss), toChartY(a[1], ss),
                                               toChartX(b[0], ss), toChartY(b[1], ss)});
        }
        offset += n;
    }
    segmentsShiftScale_ = ss;
}

bool PolylineSetPlot::Paint(vtkContext2D* painter) {
    if (!GetVisible() || counts_.empty()) return true;
    const vtkRectd ss = GetShiftScale();
    if (!(ss == segmentsShiftScale_)) rebuildSegments();
    if (segments_.empty()) return true;
    painter->ApplyPen(GetPen());
    painter->DrawLines(segments_.data(), static_cast<int>(segments_.size() / 2));
    return true;
}

bool PolylineSetPlot::PaintLegend(vtkContext2D* painter, const vtkRectf& rect, int) {
    // The legend swatch as a line, opaque, so it reads even though the paths are faint.
    vtkNew<vtkPen> pen;
    pen->DeepCopy(GetPen());
    pen->SetOpacity(255);
    pen->SetWidth(std::max(2.0f, GetPen()->GetWidth()));
    painter->ApplyPen(pen);
    const float y = rect[1] + rect[3] * 0.5f;
    painter->DrawLine(rect[0], y, rect[0] + rect[2], y);
    return true;
}

void PolylineSetPlot::GetBounds(double bounds[4]) { std::copy(bounds_, bounds_ + 4, bounds); }

void CursorPlot::setPosition(double x) {
    if (x_ == x) return;
    x_ = x;
    Modified();
}

bool CursorPlot::Paint(vtkContext2D* painter) {
    if (!GetVisible() || !GetXAxis() || !GetYAxis()) return true;
    const vtkRectd ss = GetShiftScale();
    const double lo = GetYAxis()->GetMinimum();
    const double hi = GetYAxis()->GetMaximum();
    const float x = toChartX(x_, ss);
    painter->ApplyPen(GetPen());
    painter->DrawLine(x, toChartY(lo, ss), x, toChartY(hi, ss));
    if (!label_.empty()) {
        vtkTextProperty* text = painter->GetTextProp();
        text->SetColor(GetPen()->GetColorObject().GetRed() / 255.0,
                       GetPen()->GetColorObject().GetGreen() / 255.0,
                       GetPen()->GetColorObject().GetBlue() / 255.0);
        text->SetJustificationToLeft();
        text->SetVerticalJustificationToBottom();
        text->SetBold(true);
        // Right of the line, just above the bottom of the plot area (the legend owns the top
        // right corner, where the cursor starts); the corner transform
        // moves the anchor, the glyphs stay unscaled.
        const double axisLo = GetXAxis()->GetMinimum(), axisHi = GetXAxis()->GetMaximum();
        const bool flip = x_ > axisLo + 0.8 * (axisHi - axisLo);
        text->SetJustification(flip ? VTK_TEXT_RIGHT : VTK_TEXT_LEFT);
        const double pad = 0.01 * (axisHi - axisLo);
        painter->DrawString(toChartX(flip ? x_ - pad : x_ + pad, ss),
                            toChartY(lo + 0.01 * (hi - lo), ss), label_);
    }
    return true;
}

void CursorPlot::GetBounds(double bounds[4]) {
    bounds[0] = bounds[2] = 1.0;
    bounds[1] = bounds[3] = 0.0;  // max < min: vtkChartXY skips it when fitting the axes
}

double CursorPlot::dataX(const vtkContextMouseEvent& mouse) const {
    const vtkRectd ss = const_cast<CursorPlot*>(this)->GetShiftScale();
    return mouse.GetPos()[0] / ss[2] - ss[0];
}

bool CursorPlot::Hit(const vtkContextMouseEvent& mouse) {
    if (!GetVisible() || !GetXAxis() || !GetYAxis()) return false;
    const vtkRectd ss = GetShiftScale();
    const double x = mouse.GetPos()[0] / ss[2] - ss[0];
    const double y = mouse.GetPos()[1] / ss[3] - ss[1];
    return x >= GetXAxis()->GetMinimum() && x <= GetXAxis()->GetMaximum() &&
           y >= GetYAxis()->GetMinimum() && y <= GetYAxis()->GetMaximum();
}

bool CursorPlot::MouseButtonPressEvent(const vtkContextMouseEvent& mouse) {
    if (mouse.GetButton() != vtkContextMouseEvent::LEFT_BUTTON) return false;
    dragging_ = true;
    if (onUserMoved) onUserMoved(dataX(mouse));
    return true;
}

bool CursorPlot::MouseMoveEvent(const vtkContextMouseEvent& mouse) {
    if (!dragging_ || mouse.GetButton() != vtkContextMouseEvent::LEFT_BUTTON) return false;
    if (onUserMoved) onUserMoved(dataX(mouse));
    return true;
}

bool CursorPlot::MouseButtonReleaseEvent(const vtkContextMouseEvent& mouse) {
    if (mouse.GetButton() != vtkContextMouseEvent::LEFT_BUTTON || !dragging_) return false;
    dragging_ = false;
    return true;
}

}  // namespace driftlab::widgets::detail
