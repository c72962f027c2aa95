#include "widgets/views/vector_field_view.h"

#include "widgets/views/chart_items.h"

#include <vtkAxis.h>
#include <vtkChartXY.h>
#include <vtkContext2D.h>
#include <vtkContextScene.h>
#include <vtkContextView.h>
#include <vtkObjectFactory.h>
#include <vtkRenderer.h>

#include <algorithm>
#include <cmath>

namespace driftlab::widgets {
namespace {

// Arrows from points along vectors (data units), drawn as one batch of line segments.
class ArrowFieldPlot : public vtkPlot {
public:
    static ArrowFieldPlot* New();
    vtkTypeMacro(ArrowFieldPlot, vtkPlot);

    void setArrows(std::vector<double> tails, std::vector<double> tips) {
        tails_ = std::move(tails);
        tips_ = std::move(tips);
        bounds_[0] = bounds_[2] = 1.0;
        bounds_[1] = bounds_[3] = 0.0;
        for (const auto* points : {&tails_, &tips_})
            for (std::size_t i = 0; i + 1 < points->size(); i += 2) {
                const double x = (*points)[i], y = (*points)[i + 1];
                if (bounds_[0] > bounds_[1]) {
                    bounds_[0] = bounds_[1] = x;
                    bounds_[2] = bounds_[3] = y;
                }
                bounds_[0] = std::min(bounds_[0], x);
                bounds_[1] = std::max(bounds_[1], x);
                bounds_[2] = std::min(bounds_[2], y);
                bounds_[3] = std::max(bounds_[3], y);
            }
        Modified();
    }
    int arrowCount() const { return static_cast<int>(tails_.size() / 2); }

    bool Paint(vtkContext2D* painter) override {
        if (!GetVisible() || tails_.empty() || !GetXAxis() || !GetYAxis()) return true;
        const vtkRectd ss = GetShiftScale();
        // Pixels per data unit along each axis, to draw heads of a fixed on-screen shape.
        vtkAxis* ax = GetXAxis();
        vtkAxis* ay = GetYAxis();
        const double sx = (ax->GetPoint2()[0] - ax->GetPoint1()[0]) /
                          std::max(ax->GetMaximum() - ax->GetMinimum(), 1e-300);
        const double sy = (ay->GetPoint2()[1] - ay->GetPoint1()[1]) /
                          std::max(ay->GetMaximum() - ay->GetMinimum(), 1e-300);
        if (!(sx > 0 && sy > 0)) return true;
        std::vector<float> segments;
        segments.reserve(tails_.size() * 6);
        const auto push = [&](double x0, double y0, double x1, double y1) {
            segments.insert(segments.end(),
                            {float((x0 + ss[0]) * ss[2]), float((y0 + ss[1]) * ss[3]),
                             float((x1 + ss[0]) * ss[2]), float((y1 + ss[1]) * ss[3])});
        };
        constexpr double kWing = 0.45;  // radians either side of the shaft
        for (std::size_t i = 0; i + 1 < tails_.size(); i += 2) {
            const double x0 = tails_[i], y0 = tails_[i + 1], x1 = tips_[i], y1 = tips_[i + 1];
            push(x0, y0, x1, y1);
            const double px = (x1 - x0) * sx, py = (y1 - y0) * sy;  // the shaft in pixels
            const double length = std::hypot(px, py);
            if (length < 2.0) continue;  // a dot needs no head
            const double head = std::min(0.35 * length, 7.0);
            for (double side : {-1.0, 1.0}) {
                const double c = std::cos(side * kWing), s = std::sin(side * kWing);
                const double wx = -(c * px - s * py) / length * head;
                const double wy = -(s * px + c * py) / length * head;
                push(x1, y1, x1 + wx / sx, y1 + wy / sy);
            }
        }
        painter->ApplyPen(GetPen());
        painter->DrawLines(segments.data(), static_cast<int>(segments.size() / 2));
        return true;
    }
    bool PaintLegend(vtkContext2D* painter, const vtkRectf& rect, int) override {
        painter->ApplyPen(GetPen());
        const float y = rect[1] + rect[3] * 0.5f;
        painter->DrawLine(rect[0], y, rect[0] + rect[2], y);
        return true;
    }
    void GetBounds(double bounds[4]) override { std::copy(bounds_, bounds_ + 4, bounds); }

protected:
    ArrowFieldPlot() = default;

private:
    std::vector<double> tails_, tips_;  // x y pairs
    double bounds_[4] = {1.0, 0.0, 1.0, 0.0};
};

vtkStandardNewMacro(ArrowFieldPlot);

}  // namespace

struct VectorFieldView::Impl {
    vtkSmartPointer<vtkChartXY> chart;
    vtkSmartPointer<ArrowFieldPlot> arrows;
    vtkSmartPointer<detail::PolylineSetPlot> paths;
    double scale = 0.0;
};

VectorFieldView::VectorFieldView(QWidget* parent) : VtkView(parent), p(std::make_unique<Impl>()) {
    contextView()->GetRenderer()->SetBackground(theme::kBackground[0], theme::kBackground[1],
                                                theme::kBackground[2]);
    p->chart = vtkSmartPointer<vtkChartXY>::New();
    contextView()->GetScene()->AddItem(p->chart);
    detail::applyChartTheme(p->chart);
    p->arrows = vtkSmartPointer<ArrowFieldPlot>::New();
    detail::setRgb(p->arrows->GetPen(), kArrowColor);
    p->arrows->SetLabel("drift");
    p->chart->AddPlot(p->arrows);
    p->paths = vtkSmartPointer<detail::PolylineSetPlot>::New();
    detail::setRgb(p->paths->GetPen(), kPathColor, 0.8);
    p->paths->SetLabel("sample paths");
    p->chart->AddPlot(p->paths);
    p->chart->SetShowLegend(true);
    clear("No field yet");
}

VectorFieldView::~VectorFieldView() = default;

vtkChartXY* VectorFieldView::chart() const { return p->chart; }
int VectorFieldView::arrowCount() const { return p->arrows->arrowCount(); }
int VectorFieldView::pathCount() const { return p->paths->polylineCount(); }
double VectorFieldView::arrowScale() const { return p->scale; }

void VectorFieldView::setAxisTitles(const QString& x, const QString& y) {
    p->chart->GetAxis(vtkAxis::BOTTOM)->SetTitle(x.toStdString());
    p->chart->GetAxis(vtkAxis::LEFT)->SetTitle(y.toStdString());
    requestRender();
}

void VectorFieldView::setField(const Eigen::Matrix2Xd& positions, const Eigen::Matrix2Xd& vectors,
                               const std::vector<Eigen::Matrix2Xd>& paths, const QString& title) {
    const Eigen::Index n = std::min(positions.cols(), vectors.cols());
    std::vector<Eigen::Index> finite;
    double longest = 0.0;
    for (Eigen::Index i = 0; i < n; ++i)
        if (positions.col(i).allFinite() && vectors.col(i).allFinite()) {
            finite.push_back(i);
            longest = std::max(longest, vectors.col(i).norm());
        }
    // The grid spacing s of the bounding box W x H holding n points on a lattice solves
    // (W/s + 1)(H/s + 1) = n; the longest arrow spans 90 % of it.
    double spacing = 0.0;
    if (finite.size() > 1) {
        Eigen::Vector2d lo = positions.col(finite[0]), hi = lo;
        for (Eigen::Index i : finite) {
            lo = lo.cwiseMin(positions.col(i));
            hi = hi.cwiseMax(positions.col(i));
        }
        const double w = hi.x() - lo.x(), h = hi.y() - lo.y(), m = double(finite.size()) - 1.0;
        spacing = ((w + h) + std::sqrt((w + h) * (w + h) + 4.0 * m * w * h)) / (2.0 * m);
    }
    p->scale = longest > 0 && spacing > 0 ? 0.9 * spacing / longest : 0.0;
    std::vector<double> tails, tips;
    tails.reserve(2 * finite.size());
    tips.reserve(2 * finite.size());
    for (Eigen::Index i : finite) {
        const Eigen::Vector2d tail = positions.col(i), tip = tail + p->scale * vectors.col(i);
        tails.insert(tails.end(), {tail.x(), tail.y()});
        tips.insert(tips.end(), {tip.x(), tip.y()});
    }
    p->arrows->setArrows(std::move(tails), std::move(tips));

    std::vector<double> xy;
    std::vector<int> counts;
    for (const auto& path : paths) {
        for (Eigen::Index k = 0; k < path.cols(); ++k)
            xy.insert(xy.end(), {path(0, k), path(1, k)});
        counts.push_back(static_cast<int>(path.cols()));
    }
    p->paths->setPolylines(std::move(xy), std::move(counts));

    const float dpr = static_cast<float>(devicePixelRatioF());
    p->arrows->GetPen()->SetWidth(1.3f * dpr);
    p->paths->GetPen()->SetWidth(1.5f * dpr);
    p->arrows->SetVisible(p->arrows->arrowCount() > 0);
    p->paths->SetVisible(p->paths->polylineCount() > 0);
    p->chart->SetTitle(title.toStdString());
    p->chart->RecalculateBounds();
    requestRender();
}

void VectorFieldView::clear(const QString& title) {
    setField(Eigen::Matrix2Xd(2, 0), Eigen::Matrix2Xd(2, 0), {}, title);
}

void VectorFieldView::resetCamera() {
    p->chart->RecalculateBounds();
    requestRender();
    Q_EMIT cameraReset();
}

}  // namespace driftlab::widgets
