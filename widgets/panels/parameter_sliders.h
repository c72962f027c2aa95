#pragma once
// One slider and spin box per equation parameter, for exploring how the paths respond
// while dragging. The workspace debounces parameterChanged() and re-runs.
#include "core/equations/equation_spec.h"

#include <QWidget>

#include <vector>

class QDoubleSpinBox;
class QGridLayout;
class QLabel;
class QSlider;

namespace driftlab::widgets {

class ParameterSliders : public QWidget {
    Q_OBJECT
public:
    static constexpr int kSteps = 1000;

    explicit ParameterSliders(QWidget* parent = nullptr);
    ~ParameterSliders() override;

    // Same names in the same order update ranges and values in place (no flicker, and a
    // slider being dragged keeps its position); otherwise the rows are rebuilt. Emits nothing.
    void setParameters(const std::vector<core::Parameter>& parameters);
    std::vector<core::Parameter> parameters() const;
    // The current value of a parameter; NaN for unknown names.
    double value(const QString& name) const;

    QSlider* sliderFor(const QString& name) const;
    QDoubleSpinBox* spinBoxFor(const QString& name) const;

Q_SIGNALS:
    void parameterChanged(QString name, double value);

private:
    struct Row {
        core::Parameter parameter;
        QLabel* label;
        QSlider* slider;
        QDoubleSpinBox* spin;
    };
    void rebuild(const std::vector<core::Parameter>& parameters);
    void configure(Row& row, const core::Parameter& parameter);
    void onSliderMoved(int index, int position);
    void onSpinChanged(int index, double value);
    int sliderPosition(const Row& row, double value) const;

    std::vector<Row> rows_;
    QGridLayout* grid_ = nullptr;
    QLabel* empty_ = nullptr;
};

}  // namespace driftlab::widgets
