#include "widgets/views/solver_diagnostics_view.h"

#include "core/solvers/ode_solve.h"
#include "widgets/views/chart_items.h"
#include "widgets/vtk/theme.h"
#include "widgets/vtk/vtk_view.h"

#include <QColor>
#include <QEvent>
#include <QLabel>
#include <QLocale>
#include <QVBoxLayout>

#include <vtkAxis.h>
#include <vtkChartLegend.h>
#include <vtkChartXY.h>
#include <vtkCommand.h>
#include <vtkContext2D.h>
#include <vtkContextScene.h>
#include <vtkContextView.h>
#include <vtkDoubleArray.h>
#include <vtkObjectFactory.h>
#include <vtkPen.h>
#include <vtkPlotLine.h>
#include <vtkPlotPoints.h>
#include <vtkRenderer.h>
#include <vtkStringArray.h>
#include <vtkTable.h>
#include <vtkTextProperty.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace driftlab::widgets {

using detail::setRgb;

namespace {

// About this many points per drawn series: min/max buckets keep every spike of a 100k-step
// solve visible while llvmpipe draws a few thousand markers per frame at most.
constexpr int kMaxDrawnPoints = 4000;

// Margins around the plot area, in logical pixels. Both charts use the same ones so their
// time axes line up, and the right one leaves room for the stiffness axis.
constexpr int kMarginLeft = 84, kMarginRight = 84, kMarginBottom = 52, kMarginTop = 12;

struct Series {
    std::vector<double> t, y;
    void add(double tv, double yv) {
        t.push_back(tv);
        y.push_back(yv);
    }
};

// Log axes: only strictly positive finite values may reach VTK.
bool loggable(double v) { return std::isfinite(v) && v > 0.0; }

// A horizontal line at one y over the whole visible time range, labelled at its right end;
// it never widens the axes, so it can't squash the data it is a reference for.
class ReferenceLinePlot : public vtkPlot {
public:
    static ReferenceLinePlot* New();
    vtkTypeMacro(ReferenceLinePlot, vtkPlot);

    double value = 1.0;
    std::string text;

    bool Paint(vtkContext2D* painter) override {
        vtkAxis* xAxis = GetXAxis();
        vtkAxis* yAxis = GetYAxis();
        if (!GetVisible() || !xAxis || !yAxis) return true;
        const double y = yAxis->GetLogScaleActive() ? std::log10(value) : value;
        if (!std::isfinite(y) || y < yAxis->GetMinimum() || y > yAxis->GetMaximum()) return true;
        const vtkRectd ss = GetShiftScale();
        const auto cx = [&](double v) { return static_cast<float>((v + ss[0]) * ss[2]); };
        const float cy = static_cast<float>((y + ss[1]) * ss[3]);
        const double x0 = xAxis->GetMinimum(), x1 = xAxis->GetMaximum();
        painter->ApplyPen(GetPen());
        painter->DrawLine(cx(x0), cy, cx(x1), cy);
        vtkTextProperty* prop = painter->GetTextProp();
        const vtkColor4ub c = GetPen()->GetColorObject();
        prop->SetColor(c.GetRed() / 255.0, c.GetGreen() / 255.0, c.GetBlue() / 255.0);
        prop->SetFontSize(theme::kLabelFontSize);
        prop->SetBold(true);
        prop->SetJustificationToLeft();
        prop->SetVerticalJustificationToBottom();
        // The painter works in the chart's shifted/scaled data space: offsets are in data
        // units, a hair above the line.
        const double above = y + 0.015 * (yAxis->GetMaximum() - yAxis->GetMinimum());
        // A light backing keeps the label readable over the points it sits on; the text
        // property is the painter's shared one, so the backing is taken off again.
        prop->SetBackgroundColor(theme::kBackground[0], theme::kBackground[1],
                                 theme::kBackground[2]);
        prop->SetBackgroundOpacity(0.8);
        painter->DrawString(cx(x0 + 0.01 * (x1 - x0)), static_cast<float>((above + ss[1]) * ss[3]),
                            text);
        prop->SetBackgroundOpacity(0.0);
        return true;
    }
    void GetBounds(double bounds[4]) override {
        bounds[0] = bounds[2] = 1.0;
        bounds[1] = bounds[3] = 0.0;
    }

protected:
    ReferenceLinePlot() = default;
};
vtkStandardNewMacro(ReferenceLinePlot);

// Range of a log axis: the data padded by a fifth of a decade at each end, so markers on
// the extremes aren't cut in half and a constant series still gets ticks.
struct LogRange {
    double lo = std::numeric_limits<double>::infinity(), hi = 0.0;
    void add(const std::vector<double>& ys) {
        for (double y : ys) {
            lo = std::min(lo, y);
            hi = std::max(hi, y);
        }
    }
    void apply(vtkAxis* axis) const {
        const bool empty = !(lo <= hi);
        double a = empty ? 0.1 : lo / 1.6, b = empty ? 10.0 : hi * 1.6;
        if (b < 10.0 * a) {  // at least a decade, or a log axis may show a single tick
            const double mid = std::sqrt(a * b);
            a = mid / std::sqrt(10.0);
            b = mid * std::sqrt(10.0);
        }
        axis->SetBehavior(vtkAxis::FIXED);
        axis->SetUnscaledRange(a, b);
        // VTK labels every 1-2-5 step of a log axis, which overprints in a short chart:
        // label whole decades only, at most about six of them.
        const int first = static_cast<int>(std::ceil(std::log10(a)));
        const int last = static_cast<int>(std::floor(std::log10(b)));
        const int stride = std::max(1, (last - first + 6) / 6);
        vtkNew<vtkDoubleArray> positions;
        vtkNew<vtkStringArray> labels;
        for (int e = first; e <= last; e += stride) {
            positions->InsertNextValue(static_cast<double>(e));
            labels->InsertNextValue(e == 0 ? "1" : e == 1 ? "10" : "1e" + std::to_string(e));
        }
        axis->SetCustomTickPositions(positions, labels);
    }
};

QString hex(const theme::Rgb& c) {
    return QColor::fromRgbF(static_cast<float>(c[0]), static_cast<float>(c[1]),
                            static_cast<float>(c[2]))
        .name();
}

QString key(const theme::Rgb& c, const QString& symbol, const QString& label) {
    return QString("<span style=\"color:%1\"><b>%2</b></span>&nbsp;%3").arg(hex(c), symbol, label);
}

// Keeps each bucket's smallest and largest y in time order, so rejections' neighbours and
// sudden step-size collapses survive the thinning.
Series thin(const Series& in, int maxPoints) {
    const std::size_t n = in.t.size();
    if (n <= static_cast<std::size_t>(maxPoints)) return in;
    const std::size_t buckets = static_cast<std::size_t>(maxPoints / 2);
    Series out;
    out.t.reserve(2 * buckets);
    out.y.reserve(2 * buckets);
    for (std::size_t b = 0; b < buckets; ++b) {
        const std::size_t lo = b * n / buckets, hi = (b + 1) * n / buckets;
        if (lo >= hi) continue;
        std::size_t iMin = lo, iMax = lo;
        for (std::size_t i = lo + 1; i < hi; ++i) {
            if (in.y[i] < in.y[iMin]) iMin = i;
            if (in.y[i] > in.y[iMax]) iMax = i;
        }
        const std::size_t first = std::min(iMin, iMax), second = std::max(iMin, iMax);
        out.add(in.t[first], in.y[first]);
        if (second != first) out.add(in.t[second], in.y[second]);
    }
    return out;
}

vtkSmartPointer<vtkTable> makeTable(const char* yName) {
    auto table = vtkSmartPointer<vtkTable>::New();
    for (const char* name : {"t", yName}) {
        vtkNew<vtkDoubleArray> column;
        column->SetName(name);
        table->AddColumn(column);
    }
    return table;
}

void fill(vtkTable* table, const Series& s) {
    const auto n = static_cast<vtkIdType>(s.t.size());
    table->SetNumberOfRows(n);
    auto* t = vtkDoubleArray::SafeDownCast(table->GetColumn(0));
    auto* y = vtkDoubleArray::SafeDownCast(table->GetColumn(1));
    std::copy(s.t.begin(), s.t.end(), t->GetPointer(0));
    std::copy(s.y.begin(), s.y.end(), y->GetPointer(0));
    t->Modified();
    y->Modified();
    table->Modified();
}

template <class PlotT>
vtkSmartPointer<PlotT> addPlot(vtkChartXY* chart, vtkTable* table, const char* label,
                               const theme::Rgb& rgb, int marker) {
    auto plot = vtkSmartPointer<PlotT>::New();
    plot->SetInputData(table, "t", table->GetColumnName(1));
    setRgb(plot->GetPen(), rgb);
    setRgb(plot->GetBrush(), rgb);
    plot->SetMarkerStyle(marker);
    plot->SetLabel(label);
    plot->SetTooltipLabelFormat("%l: %y at t = %x");
    chart->AddPlot(plot);
    return plot;
}

vtkSmartPointer<vtkChartXY> makeChart(VtkView* view) {
    view->contextView()->GetRenderer()->SetBackground(theme::kBackground[0], theme::kBackground[1],
                                                      theme::kBackground[2]);
    auto chart = vtkSmartPointer<vtkChartXY>::New();
    view->contextView()->GetScene()->AddItem(chart);
    detail::applyChartTheme(chart);
    chart->SetLayoutStrategy(vtkChart::AXES_TO_RECT);
    // Titles and legends live in a Qt label above each chart: they wrap, never cover data.
    chart->SetShowLegend(false);
    chart->SetRenderEmpty(true);  // axes and grid even when nothing is there to plot
    chart->GetAxis(vtkAxis::BOTTOM)->SetTitle("time t");
    chart->GetAxis(vtkAxis::BOTTOM)->SetBehavior(vtkAxis::FIXED);
    return chart;
}

QString number(long n) { return QLocale::c().toString(static_cast<qlonglong>(n)); }

}  // namespace

struct SolverDiagnosticsView::Impl {
    QLabel* summary = nullptr;
    QLabel* dtHeader = nullptr;
    QLabel* errHeader = nullptr;
    LogRange dtRange, errRange, stiffRange;
    double tMin = 0.0, tMax = 1.0;
    VtkView* dtView = nullptr;
    VtkView* errView = nullptr;
    vtkSmartPointer<vtkChartXY> dtChart, errChart;

    vtkSmartPointer<vtkTable> dtAccepted = makeTable("dt"), dtRejected = makeTable("dt_rej");
    vtkSmartPointer<vtkTable> errAccepted = makeTable("err"), errRejected = makeTable("err_rej");
    vtkSmartPointer<vtkTable> stiffExplicit = makeTable("hl"),
                              stiffImplicit = makeTable("hl_stiff");

    vtkSmartPointer<vtkPlotLine> dtLine;
    vtkSmartPointer<ReferenceLinePlot> tolLine;
    vtkSmartPointer<vtkPlotPoints> dtRej, errAcc, errRej, stiffExp, stiffImp;
    vtkSmartPointer<detail::CursorPlot> dtStiffMark, errStiffMark;

    int accepted = 0, rejected = 0, drawnAccepted = 0;
    bool hasError = false;
};

SolverDiagnosticsView::SolverDiagnosticsView(QWidget* parent)
    : QWidget(parent), p(std::make_unique<Impl>()) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->setSpacing(2);
    p->summary = new QLabel(this);
    p->summary->setWordWrap(true);
    p->summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    p->summary->setTextFormat(Qt::RichText);
    p->summary->setContentsMargins(6, 2, 6, 2);
    layout->addWidget(p->summary);
    p->dtView = new VtkView(this);
    p->errView = new VtkView(this);
    p->dtHeader = new QLabel(this);
    p->errHeader = new QLabel(this);
    for (auto [header, view] :
         {std::pair{p->dtHeader, p->dtView}, std::pair{p->errHeader, p->errView}}) {
        header->setWordWrap(true);
        header->setTextFormat(Qt::RichText);
        header->setContentsMargins(6, 4, 6, 0);
        layout->addWidget(header);
        view->setMinimumHeight(100);  // the dock also holds a short statistics table
        view->installEventFilter(this);
        layout->addWidget(view, 1);
        // Reset restores our padded ranges, not VTK's data bounds.
        connect(view, &VtkView::cameraReset, this, [this] { applyRanges(); });
    }

    layout->addStretch(0);  // takes the room only when both charts are hidden

    p->dtChart = makeChart(p->dtView);
    p->dtChart->GetAxis(vtkAxis::LEFT)->SetTitle("step size |dt|");
    p->dtChart->GetAxis(vtkAxis::LEFT)->SetLogScale(true);
    // Rejected first, so thousands of crosses can't bury the accepted line drawn over them.
    p->dtRej = addPlot<vtkPlotPoints>(p->dtChart, p->dtRejected, "rejected", theme::kRejected,
                                      vtkPlotPoints::CROSS);
    p->dtLine = addPlot<vtkPlotLine>(p->dtChart, p->dtAccepted, "accepted", theme::kAccepted,
                                     vtkPlotPoints::CIRCLE);

    p->errChart = makeChart(p->errView);
    p->errChart->GetAxis(vtkAxis::LEFT)->SetTitle("error estimate");
    p->errChart->GetAxis(vtkAxis::LEFT)->SetLogScale(true);
    p->errChart->GetAxis(vtkAxis::RIGHT)->SetTitle("h·|lambda|");
    p->errChart->GetAxis(vtkAxis::RIGHT)->SetLogScale(true);
    p->errRej = addPlot<vtkPlotPoints>(p->errChart, p->errRejected, "error, rejected",
                                       theme::kRejected, vtkPlotPoints::CROSS);
    p->errAcc = addPlot<vtkPlotPoints>(p->errChart, p->errAccepted, "error, accepted",
                                       theme::kAccepted, vtkPlotPoints::CIRCLE);
    p->tolLine = vtkSmartPointer<ReferenceLinePlot>::New();
    p->tolLine->text = "tolerance";
    setRgb(p->tolLine->GetPen(), theme::kTolerance);
    p->tolLine->GetPen()->SetLineType(vtkPen::DASH_LINE);
    p->errChart->AddPlot(p->tolLine);
    p->stiffExp = addPlot<vtkPlotPoints>(p->errChart, p->stiffExplicit, "h·|lambda|, explicit",
                                         theme::kNonStiff, vtkPlotPoints::DIAMOND);
    p->stiffImp = addPlot<vtkPlotPoints>(p->errChart, p->stiffImplicit, "h·|lambda|, stiff solver",
                                         theme::kStiff, vtkPlotPoints::DIAMOND);
    p->errChart->SetPlotCorner(p->stiffExp, 1);
    p->errChart->SetPlotCorner(p->stiffImp, 1);

    // Where stiffness was detected: a dashed vertical line, labelled, in both charts.
    for (auto* mark : {&p->dtStiffMark, &p->errStiffMark}) {
        *mark = vtkSmartPointer<detail::CursorPlot>::New();
        setRgb((*mark)->GetPen(), theme::kStiff);
        (*mark)->GetPen()->SetLineType(vtkPen::DASH_LINE);
        (*mark)->SetLegendVisibility(false);
        (*mark)->SetVisible(false);
    }
    p->dtChart->AddPlot(p->dtStiffMark);
    p->errChart->AddPlot(p->errStiffMark);

    // Zooming or panning one chart in time moves the other with it.
    struct Observer : vtkCommand {
        static Observer* New() { return new Observer; }
        SolverDiagnosticsView* view = nullptr;
        void Execute(vtkObject* caller, unsigned long, void*) override {
            view->syncTimeAxes(vtkChartXY::SafeDownCast(caller));
        }
    };
    vtkNew<Observer> observer;
    observer->view = this;
    p->dtChart->AddObserver(vtkCommand::InteractionEvent, observer);
    p->errChart->AddObserver(vtkCommand::InteractionEvent, observer);

    clear();
}

SolverDiagnosticsView::~SolverDiagnosticsView() = default;

int SolverDiagnosticsView::acceptedPointCount() const { return p->accepted; }
int SolverDiagnosticsView::rejectedPointCount() const { return p->rejected; }
int SolverDiagnosticsView::drawnAcceptedPointCount() const { return p->drawnAccepted; }
bool SolverDiagnosticsView::hasErrorEstimate() const { return p->hasError; }
QString SolverDiagnosticsView::summaryText() const { return p->summary->text(); }
QString SolverDiagnosticsView::stepSizeTitle() const { return p->dtHeader->text(); }
QString SolverDiagnosticsView::errorTitle() const { return p->errHeader->text(); }
VtkView* SolverDiagnosticsView::stepSizeView() const { return p->dtView; }
VtkView* SolverDiagnosticsView::errorView() const { return p->errView; }
vtkChartXY* SolverDiagnosticsView::stepSizeChart() const { return p->dtChart; }
vtkChartXY* SolverDiagnosticsView::errorChart() const { return p->errChart; }

void SolverDiagnosticsView::clear() { setSolve(QString(), core::OdeStats{}); }

void SolverDiagnosticsView::setSolve(const QString& solverName, const core::OdeStats& stats,
                                     const QString& statusMessage) {
    Series dtAcc, dtRej, errAcc, errRej, stiffExp, stiffImp;
    double tMin = std::numeric_limits<double>::infinity(), tMax = -tMin;
    for (const core::OdeStepRecord& r : stats.steps) {
        const double h = std::abs(r.dt);
        if (!std::isfinite(r.t) || !loggable(h)) continue;
        // The time axis spans what was attempted, so a failed last step still shows.
        tMin = std::min({tMin, r.t, r.t + r.dt});
        tMax = std::max({tMax, r.t, r.t + r.dt});
        (r.accepted ? dtAcc : dtRej).add(r.t, h);
        if (loggable(r.errorNorm)) (r.accepted ? errAcc : errRej).add(r.t, r.errorNorm);
        if (r.accepted && loggable(r.stiffness))
            (r.stiffSolver ? stiffImp : stiffExp).add(r.t, r.stiffness);
    }
    p->accepted = static_cast<int>(dtAcc.t.size());
    p->rejected = static_cast<int>(dtRej.t.size());
    p->hasError = !errAcc.t.empty() || !errRej.t.empty();
    const bool any = p->accepted + p->rejected > 0;

    const Series dtDrawn = thin(dtAcc, kMaxDrawnPoints);
    p->drawnAccepted = static_cast<int>(dtDrawn.t.size());
    fill(p->dtAccepted, dtDrawn);
    fill(p->dtRejected, dtRej);
    fill(p->errAccepted, thin(errAcc, kMaxDrawnPoints));
    fill(p->errRejected, errRej);
    fill(p->stiffExplicit, thin(stiffExp, kMaxDrawnPoints));
    fill(p->stiffImplicit, thin(stiffImp, kMaxDrawnPoints));

    // Dots only while they stay apart; a thinned 100k-step line would be one blue smear.
    const float dpr = static_cast<float>(devicePixelRatioF());
    const bool dots = dtDrawn.t.size() <= 1500;
    p->dtLine->SetMarkerStyle(dots ? vtkPlotPoints::CIRCLE : vtkPlotPoints::NONE);
    p->dtLine->SetMarkerSize((dtDrawn.t.size() > 400 ? 3.5f : 5.0f) * dpr);
    p->dtLine->GetPen()->SetWidth((dots ? 1.5f : 2.0f) * dpr);
    // Every rejection keeps its cross; only their size gives way when there are thousands.
    const bool manyRejected = dtRej.t.size() > 1000;
    for (vtkPlotPoints* plot : {p->dtRej.Get(), p->errRej.Get()}) {
        plot->SetMarkerSize((manyRejected ? 5.0f : 9.0f) * dpr);
        plot->GetPen()->SetWidth((manyRejected ? 1.0f : 2.0f) * dpr);
    }
    for (vtkPlotPoints* plot : {p->errAcc.Get(), p->stiffExp.Get(), p->stiffImp.Get()})
        plot->SetMarkerSize((errAcc.t.size() > 2000 ? 3.0f : 4.5f) * dpr);
    p->tolLine->GetPen()->SetWidth(1.5f * dpr);

    const std::pair<vtkPlot*, vtkTable*> plots[] = {
        {p->dtLine, p->dtAccepted},      {p->dtRej, p->dtRejected},
        {p->errAcc, p->errAccepted},     {p->errRej, p->errRejected},
        {p->stiffExp, p->stiffExplicit}, {p->stiffImp, p->stiffImplicit}};
    // Empty plots stay hidden: VTK warns about them and a log axis can't bound them.
    for (auto [plot, table] : plots) plot->SetVisible(table->GetNumberOfRows() > 0);
    p->tolLine->SetVisible(p->hasError);
    // An empty vtkChartXY hides its axes too, so a chart with nothing to show is hidden and
    // its header says why.
    const bool hasStiffness = !stiffExp.t.empty() || !stiffImp.t.empty();
    p->dtView->setVisible(any);
    p->errView->setVisible(p->hasError || hasStiffness);
    p->errChart->GetAxis(vtkAxis::RIGHT)
        ->SetVisible(p->stiffExplicit->GetNumberOfRows() + p->stiffImplicit->GetNumberOfRows() > 0);

    const double tStiff = stats.stiffnessDetectedAt;
    const bool markStiff = any && stats.stiffnessDetected && std::isfinite(tStiff);
    for (detail::CursorPlot* mark : {p->dtStiffMark.Get(), p->errStiffMark.Get()}) {
        mark->SetVisible(markStiff);
        mark->GetPen()->SetWidth(1.5f * dpr);
        if (markStiff) {
            mark->setPosition(tStiff);
            mark->setLabel(QString("stiff at t = %1").arg(tStiff, 0, 'g', 4).toStdString());
        }
    }

    // Headers: what each chart shows and its key, in Qt text that wraps instead of clipping.
    const QString dtKey = key(theme::kAccepted, "&#9679;&#8212;", "accepted step") +
                          "&nbsp;&nbsp;" + key(theme::kRejected, "&#215;", "rejected attempt");
    QString dtTitle;
    if (!any)
        dtTitle = stats.steps.empty() ? "no steps recorded" : "no finite steps";
    else
        dtTitle = QString("%1 accepted, %2 rejected%3")
                      .arg(number(p->accepted), number(p->rejected),
                           p->drawnAccepted < p->accepted
                               ? QString(" (line thinned to %1 points for drawing)")
                                     .arg(number(p->drawnAccepted))
                               : QString());
    p->dtHeader->setText(
        QString("<b>Step size |dt|</b>: %1&nbsp;&nbsp;&nbsp; %2").arg(dtTitle, dtKey));
    const QString errKey =
        (p->hasError ? key(theme::kAccepted, "&#9632;", "error, accepted") + "&nbsp;&nbsp;" +
                           key(theme::kRejected, "&#215;", "error, rejected") + "&nbsp;&nbsp;" +
                           key(theme::kTolerance, "- -", "tolerance (error = 1)") + "&nbsp;&nbsp;"
                     : QString()) +
        key(theme::kNonStiff, "&#9670;", "h·|&lambda;| explicit (right axis)") + "&nbsp;&nbsp;" +
        key(theme::kStiff, "&#9670;", "h·|&lambda;| stiff solver");
    p->errHeader->setText(
        QString("<b>%1</b>&nbsp;&nbsp;&nbsp; %2")
            .arg(!any ? QString("Error estimate and stiffness: no data")
                 : p->hasError
                     ? (hasStiffness ? QString("Error estimate and stiffness")
                                     : QString("Error estimate (no stiffness estimate)"))
                     : (hasStiffness ? QString("No error estimate; stiffness only")
                                     : QString("No error estimate and no stiffness estimate "
                                               "from this method")),
                 p->errView->isVisibleTo(this) ? errKey : QString()));

    if (!any) {
        tMin = 0.0;
        tMax = 1.0;
    } else if (tMax <= tMin) {
        tMax = tMin + 1.0;
    }
    p->tMin = tMin;
    p->tMax = tMax;
    p->dtRange = {};
    p->dtRange.add(dtAcc.y);
    p->dtRange.add(dtRej.y);
    p->errRange = {};
    p->errRange.add(errAcc.y);
    p->errRange.add(errRej.y);
    if (p->hasError) p->errRange.add({1.0});  // the tolerance line is always in view
    p->stiffRange = {};
    p->stiffRange.add(stiffExp.y);
    p->stiffRange.add(stiffImp.y);
    applyRanges();

    // The summary: counters first, the failure last and in red so it can't be missed.
    QStringList parts;
    parts << (solverName.isEmpty() ? QStringLiteral("<b>No solve</b>")
                                   : QString("<b>%1</b>").arg(solverName.toHtmlEscaped()));
    parts << QString("NFE %1").arg(number(stats.nfe))
          << QString("accepted %1").arg(number(stats.accepted))
          << QString("rejected %1").arg(number(stats.rejected))
          << QString("Jacobians %1").arg(number(stats.jacobianEvaluations))
          << QString("method switches %1").arg(number(stats.methodSwitches));
    parts << (stats.stiffnessDetected && std::isfinite(tStiff)
                  ? QString("stiffness detected at t = %1").arg(tStiff, 0, 'g', 6)
                  : QStringLiteral("no stiffness detected"));
    QString text = parts.join(QStringLiteral(" &nbsp;·&nbsp; "));
    if (!statusMessage.isEmpty())
        text += QString("<br><span style=\"color:#c01018\"><b>Failed:</b> %1</span>")
                    .arg(statusMessage.toHtmlEscaped());
    p->summary->setText(text);

    layoutCharts();
    p->dtView->requestRender();
    p->errView->requestRender();
}

void SolverDiagnosticsView::applyRanges() {
    for (vtkChartXY* chart : {p->dtChart.Get(), p->errChart.Get()}) {
        chart->GetAxis(vtkAxis::BOTTOM)->SetBehavior(vtkAxis::FIXED);
        chart->GetAxis(vtkAxis::BOTTOM)->SetRange(p->tMin, p->tMax);
    }
    p->dtRange.apply(p->dtChart->GetAxis(vtkAxis::LEFT));
    p->errRange.apply(p->errChart->GetAxis(vtkAxis::LEFT));
    p->stiffRange.apply(p->errChart->GetAxis(vtkAxis::RIGHT));
    p->dtChart->RecalculateBounds();
    p->errChart->RecalculateBounds();
    p->dtView->requestRender();
    p->errView->requestRender();
}

void SolverDiagnosticsView::syncTimeAxes(vtkChartXY* from) {
    if (!from) return;
    vtkChartXY* to = from == p->dtChart ? p->errChart.Get() : p->dtChart.Get();
    vtkAxis* source = from->GetAxis(vtkAxis::BOTTOM);
    vtkAxis* target = to->GetAxis(vtkAxis::BOTTOM);
    if (target->GetMinimum() == source->GetMinimum() &&
        target->GetMaximum() == source->GetMaximum())
        return;
    target->SetRange(source->GetMinimum(), source->GetMaximum());
    (from == p->dtChart ? p->errView : p->dtView)->requestRender();
}

bool SolverDiagnosticsView::eventFilter(QObject* watched, QEvent* event) {
    if (event->type() == QEvent::Resize && (watched == p->dtView || watched == p->errView))
        layoutCharts();
    return QWidget::eventFilter(watched, event);
}

void SolverDiagnosticsView::layoutCharts() {
    // AXES_TO_RECT puts the axes' corners on this rectangle (device pixels, y up), the same
    // one in both charts, so a time on one lies straight above the same time on the other.
    for (VtkView* view : {p->dtView, p->errView}) {
        const double dpr = view->devicePixelRatioF();
        const float w = static_cast<float>(view->width() * dpr);
        const float h = static_cast<float>(view->height() * dpr);
        const float l = static_cast<float>(kMarginLeft * dpr),
                    r = static_cast<float>(kMarginRight * dpr);
        const float b = static_cast<float>(kMarginBottom * dpr),
                    t = static_cast<float>(kMarginTop * dpr);
        vtkChartXY* chart = view == p->dtView ? p->dtChart.Get() : p->errChart.Get();
        chart->SetSize(vtkRectf(l, b, std::max(10.0f, w - l - r), std::max(10.0f, h - b - t)));
        view->requestRender();
    }
}

}  // namespace driftlab::widgets
