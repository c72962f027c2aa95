#include "widgets/panels/parameter_sliders.h"

#include <QDoubleSpinBox>
#include <QGridLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSlider>

#include <algorithm>
#include <cmath>
#include <limits>

namespace driftlab::widgets {
namespace {

QString formatNumber(double v) { return QString::number(v, 'g', 8); }

// One slider step must be visible in the spin box, and the bounds must show exactly.
int decimalsFor(const core::Parameter& p) {
    const double step = (p.max - p.min) / ParameterSliders::kSteps;
    int d = step > 0 ? int(std::ceil(-std::log10(step))) : 3;
    for (double v : {p.min, p.max, p.value}) {
        for (int k = 0; k <= 8; ++k) {
            const double scaled = v * std::pow(10.0, k);
            if (std::abs(scaled - std::round(scaled)) < 1e-9 * std::max(1.0, std::abs(scaled))) {
                d = std::max(d, k);
                break;
            }
        }
    }
    return std::clamp(d, 1, 8);
}

QString toolTipFor(const core::Parameter& p) {
    QString tip;
    if (!p.help.empty())
        tip += QStringLiteral("<p>%1</p>").arg(QString::fromStdString(p.help).toHtmlEscaped());
    tip += QObject::tr("<p><b>%1</b> from %2 to %3</p>")
               .arg(QString::fromStdString(p.name).toHtmlEscaped(), formatNumber(p.min),
                    formatNumber(p.max));
    return tip;
}

}  // namespace

ParameterSliders::ParameterSliders(QWidget* parent) : QWidget(parent) {
    grid_ = new QGridLayout(this);
    grid_->setContentsMargins(0, 0, 0, 0);
    grid_->setColumnStretch(1, 1);
    empty_ = new QLabel(tr("This equation has no parameters."), this);
    empty_->setEnabled(false);
    grid_->addWidget(empty_, 0, 0, 1, 3);
}

ParameterSliders::~ParameterSliders() = default;

void ParameterSliders::setParameters(const std::vector<core::Parameter>& parameters) {
    bool sameNames = parameters.size() == rows_.size();
    for (std::size_t i = 0; sameNames && i < parameters.size(); ++i)
        sameNames = parameters[i].name == rows_[i].parameter.name;
    if (!sameNames) {
        rebuild(parameters);
        return;
    }
    for (std::size_t i = 0; i < parameters.size(); ++i) configure(rows_[i], parameters[i]);
}

void ParameterSliders::rebuild(const std::vector<core::Parameter>& parameters) {
    for (Row& row : rows_) {
        delete row.label;
        delete row.slider;
        delete row.spin;
    }
    rows_.clear();
    for (std::size_t i = 0; i < parameters.size(); ++i) {
        const int index = int(i);
        Row row{};
        row.label = new QLabel(QString::fromStdString(parameters[i].name), this);
        row.slider = new QSlider(Qt::Horizontal, this);
        row.slider->setRange(0, kSteps);
        row.slider->setPageStep(kSteps / 20);
        row.slider->setMinimumWidth(80);
        row.spin = new QDoubleSpinBox(this);
        row.spin->setAccelerated(true);
        row.spin->setKeyboardTracking(false);  // a half-typed number is not a value to run
        row.spin->setMinimumWidth(90);
        row.label->setBuddy(row.spin);
        grid_->addWidget(row.label, index, 0);
        grid_->addWidget(row.slider, index, 1);
        grid_->addWidget(row.spin, index, 2);
        connect(row.slider, &QSlider::valueChanged, this,
                [this, index](int p) { onSliderMoved(index, p); });
        connect(row.spin, &QDoubleSpinBox::valueChanged, this,
                [this, index](double v) { onSpinChanged(index, v); });
        rows_.push_back(row);
        configure(rows_.back(), parameters[i]);
    }
    empty_->setVisible(rows_.empty());
}

void ParameterSliders::configure(Row& row, const core::Parameter& parameter) {
    row.parameter = parameter;
    const double lo = std::min(parameter.min, parameter.max);
    const double hi = std::max(parameter.min, parameter.max);
    row.parameter.min = lo;
    row.parameter.max = hi;
    row.parameter.value = std::clamp(parameter.value, lo, hi);
    const QString tip = toolTipFor(row.parameter);
    row.label->setToolTip(tip);
    row.slider->setToolTip(tip);
    row.spin->setToolTip(tip);

    const QSignalBlocker blockSpin(row.spin);
    const QSignalBlocker blockSlider(row.slider);
    const int decimals = decimalsFor(row.parameter);
    row.spin->setDecimals(decimals);
    row.spin->setRange(lo, hi);
    row.spin->setSingleStep(std::max((hi - lo) / 100.0, std::pow(10.0, -decimals)));
    row.spin->setValue(row.parameter.value);
    // The user's hand wins over an echo of an older value.
    if (!row.slider->isSliderDown()) row.slider->setValue(sliderPosition(row, row.parameter.value));
}

int ParameterSliders::sliderPosition(const Row& row, double value) const {
    const double span = row.parameter.max - row.parameter.min;
    if (span <= 0) return 0;
    return int(std::lround((value - row.parameter.min) / span * kSteps));
}

void ParameterSliders::onSliderMoved(int index, int position) {
    Row& row = rows_[index];
    const double v =
        position >= kSteps
            ? row.parameter.max
            : row.parameter.min + (row.parameter.max - row.parameter.min) * position / kSteps;
    row.parameter.value = v;
    {
        const QSignalBlocker block(row.spin);
        row.spin->setValue(v);
    }
    Q_EMIT parameterChanged(QString::fromStdString(row.parameter.name), v);
}

void ParameterSliders::onSpinChanged(int index, double value) {
    Row& row = rows_[index];
    row.parameter.value = value;
    {
        const QSignalBlocker block(row.slider);
        row.slider->setValue(sliderPosition(row, value));
    }
    Q_EMIT parameterChanged(QString::fromStdString(row.parameter.name), value);
}

std::vector<core::Parameter> ParameterSliders::parameters() const {
    std::vector<core::Parameter> out;
    for (const Row& row : rows_) out.push_back(row.parameter);
    return out;
}

double ParameterSliders::value(const QString& name) const {
    for (const Row& row : rows_)
        if (QString::fromStdString(row.parameter.name) == name) return row.parameter.value;
    return std::numeric_limits<double>::quiet_NaN();
}

QSlider* ParameterSliders::sliderFor(const QString& name) const {
    for (const Row& row : rows_)
        if (QString::fromStdString(row.parameter.name) == name) return row.slider;
    return nullptr;
}

QDoubleSpinBox* ParameterSliders::spinBoxFor(const QString& name) const {
    for (const Row& row : rows_)
        if (QString::fromStdString(row.parameter.name) == name) return row.spin;
    return nullptr;
}

}  // namespace driftlab::widgets
