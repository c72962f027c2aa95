#pragma once
// Several named curves over a shared x axis (training loss against validation loss, each
// term of an objective, NFE of this run against the previous one), each with its own
// colour, width and dash. On request the y axis is logarithmic (log10 of the values, with a
// labelled tick per decade) while every value is positive. Non-finite points are left out.
#include "widgets/vtk/theme.h"
#include "widgets/vtk/vtk_view.h"

#include <QString>

#include <memory>
#include <vector>

class vtkChartXY;

namespace driftlab::widgets {

struct ChartLine {
    QString name;
    std::vector<double> x, y;
    theme::Rgb color = theme::kPath;
    double opacity = 1.0;
    float width = 2.0f;  // logical pixels
    bool dashed = false;
};

class LineChartView : public VtkView {
    Q_OBJECT

public:
    explicit LineChartView(QWidget* parent = nullptr);
    ~LineChartView() override;

    void setAxisTitles(const QString& x, const QString& y);
    // Applies at the next setLines: log scale only while all drawn values are > 0.
    void setLogScaleWhenPositive(bool on);
    void setLines(const std::vector<ChartLine>& lines, const QString& title);
    void clear(const QString& title);

    int lineCount() const;  // lines with at least two finite points (the ones drawn)
    bool logScale() const;  // the last setLines drew log10(y)
    vtkChartXY* chart() const;

public Q_SLOTS:
    void resetCamera() override;

private:
    struct Impl;
    std::unique_ptr<Impl> p;
};

}  // namespace driftlab::widgets
