#pragma once
// Why was a solve slow? The per-step records of one ODE solve as two charts over a shared
// time axis: the step size (accepted steps as a line with dots, rejected attempts as red
// crosses), and the error estimate against the tolerance together with the stiffness
// estimate h·|λ| (explicit and stiff-solver steps in different colours), plus a one-line
// summary of the counters.
#include <QString>
#include <QWidget>

#include <memory>

class QLabel;
class vtkChartXY;

namespace driftlab::core {
struct OdeStats;
}

namespace driftlab::widgets {

class VtkView;

class SolverDiagnosticsView : public QWidget {
    Q_OBJECT

public:
    explicit SolverDiagnosticsView(QWidget* parent = nullptr);
    ~SolverDiagnosticsView() override;

    // Copies what it draws out of `stats`; a non-empty statusMessage means the solve failed
    // and is shown in the summary. Long solves are thinned for drawing (rejected attempts
    // are all kept), so drawing stays smooth on a software renderer.
    void setSolve(const QString& solverName, const core::OdeStats& stats,
                  const QString& statusMessage = {});
    void clear();

    // Steps shown, before thinning: records with a finite, nonzero step size.
    int acceptedPointCount() const;
    int rejectedPointCount() const;
    // Points the accepted step-size line really draws after thinning.
    int drawnAcceptedPointCount() const;
    bool hasErrorEstimate() const;
    QString summaryText() const;
    // The headers above the charts: title and colour key of each.
    QString stepSizeTitle() const;
    QString errorTitle() const;

    VtkView* stepSizeView() const;
    VtkView* errorView() const;
    vtkChartXY* stepSizeChart() const;
    vtkChartXY* errorChart() const;

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void syncTimeAxes(vtkChartXY* from);
    void layoutCharts();
    void applyRanges();

    struct Impl;
    std::unique_ptr<Impl> p;
};

}  // namespace driftlab::widgets
