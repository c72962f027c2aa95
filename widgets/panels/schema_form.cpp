#include "widgets/panels/schema_form.h"

#include <nlohmann/json.hpp>

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QRegularExpressionValidator>
#include <QSpinBox>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <limits>

namespace driftlab::widgets {
namespace {

using core::FieldType;
using core::SchemaField;

bool hasRange(const SchemaField& f) { return f.max > f.min; }

QString formatNumber(double v) { return QString::number(v, 'g', 12); }

// The fewest decimals (up to 8) that show v without rounding it away.
int decimalsNeeded(double v) {
    for (int k = 0; k < 8; ++k) {
        const double scaled = v * std::pow(10.0, k);
        if (std::abs(scaled - std::round(scaled)) < 1e-9 * std::max(1.0, std::abs(scaled)))
            return k;
    }
    return 8;
}

// Decimals follow the span (a [0,1] fraction needs more than a [0,1000] horizon) and never
// hide digits of the default or the bounds.
int decimalsFor(const SchemaField& f) {
    int d = 4;
    if (hasRange(f)) {
        const double span = f.max - f.min;
        d = span >= 100 ? 2 : span >= 1 ? 3 : int(std::ceil(-std::log10(span))) + 3;
    }
    d = std::max({d, decimalsNeeded(f.defaultNumber), decimalsNeeded(f.min)});
    return std::clamp(d, 1, 8);
}

// Seeds and similar counts do not fit QSpinBox's int; they get a digits-only line edit.
bool needsWideInteger(const SchemaField& f) {
    return !hasRange(f) || f.min < double(INT_MIN) || f.max > double(INT_MAX);
}

// Tolerances span many decades: a fixed-decimals spin box cannot show 1e-10. This one shows
// and reads scientific notation and steps by factors of ten.
bool isLogScale(const SchemaField& f) { return f.min > 0.0 && f.max / f.min >= 1e4; }

class ScientificSpinBox : public QDoubleSpinBox {
public:
    using QDoubleSpinBox::QDoubleSpinBox;
    QString textFromValue(double value) const override { return QString::number(value, 'g', 6); }
    double valueFromText(const QString& text) const override { return text.toDouble(); }
    QValidator::State validate(QString& text, int&) const override {
        bool ok = false;
        const double v = text.toDouble(&ok);
        if (ok && v >= minimum() && v <= maximum()) return QValidator::Acceptable;
        return QValidator::Intermediate;  // "1e-" on the way to "1e-6"
    }
    void stepBy(int steps) override { setValue(value() * std::pow(10.0, steps)); }
};

QString prettyChoice(const std::string& choice) {
    QStringList words = QString::fromStdString(choice).split('_', Qt::SkipEmptyParts);
    for (QString& w : words) w[0] = w[0].toUpper();
    return words.join(' ');
}

QString toolTipFor(const SchemaField& f) {
    QString tip = QStringLiteral("<p>%1</p>").arg(QString::fromStdString(f.help).toHtmlEscaped());
    const QString unit = QString::fromStdString(f.unit).toHtmlEscaped();
    switch (f.type) {
        case FieldType::Integer:
        case FieldType::Real:
            if (hasRange(f))
                tip += QStringLiteral("<p><b>Range:</b> %1 to %2 %3</p>")
                           .arg(formatNumber(f.min), formatNumber(f.max), unit);
            tip += QStringLiteral("<p><b>Default:</b> %1 %2</p>")
                       .arg(formatNumber(f.defaultNumber), unit);
            break;
        case FieldType::Boolean:
            tip += QStringLiteral("<p><b>Default:</b> %1</p>")
                       .arg(f.defaultNumber != 0 ? "on" : "off");
            break;
        case FieldType::Choice: {
            QStringList names;
            for (const auto& c : f.choices) names << QString::fromStdString(c).toHtmlEscaped();
            tip +=
                QStringLiteral("<p><b>Choices:</b> %1<br><b>Default:</b> %2</p>")
                    .arg(names.join(", "), QString::fromStdString(f.defaultText).toHtmlEscaped());
            break;
        }
        case FieldType::Text:
            if (!f.defaultText.empty())
                tip += QStringLiteral("<p><b>Default:</b> %1</p>")
                           .arg(QString::fromStdString(f.defaultText).toHtmlEscaped());
            break;
    }
    tip += QStringLiteral("<p><small>key: <code>%1</code></small></p>")
               .arg(QString::fromStdString(f.key));
    return tip;
}

// Parses and clamps a wide integer; as json so the sign decides signed vs unsigned storage.
nlohmann::json wideIntegerValue(const SchemaField& f, const QString& text) {
    bool ok = false;
    if (f.min >= 0) {
        quint64 v = text.toULongLong(&ok);
        if (!ok) {
            // A negative number is below the range and twenty nines are above it: neither
            // means "no value".
            static const QRegularExpression digits(QStringLiteral("^-?[0-9]+$"));
            if (digits.match(text.trimmed()).hasMatch())
                v = text.trimmed().startsWith('-') ? quint64(std::max(0.0, f.min)) : ~quint64(0);
            else
                v = quint64(std::max(0.0, f.defaultNumber));
        }
        if (hasRange(f)) {
            const double maxAsDouble = f.max;
            // 2^64 is not a quint64; anything at or above it means "no upper limit".
            if (maxAsDouble < 18446744073709551615.0 && double(v) > maxAsDouble)
                v = quint64(maxAsDouble);
            if (double(v) < f.min) v = quint64(f.min);
        }
        return std::uint64_t(v);
    }
    qint64 v = text.toLongLong(&ok);
    if (!ok) v = qint64(f.defaultNumber);
    if (hasRange(f)) {
        if (double(v) < f.min && f.min > -9.2e18) v = qint64(f.min);
        if (double(v) > f.max && f.max < 9.2e18) v = qint64(f.max);
    }
    return std::int64_t(v);
}

QString wideIntegerText(const nlohmann::json& v) {
    if (v.is_number_unsigned()) return QString::number(quint64(v.get<std::uint64_t>()));
    if (v.is_number_integer()) return QString::number(qint64(v.get<std::int64_t>()));
    return QString::number(qint64(std::llround(v.get<double>())));
}

}  // namespace

SchemaForm::SchemaForm(const core::Schema& schema, QWidget* parent)
    : QWidget(parent), schema_(schema) {
    layout_ = new QFormLayout(this);
    layout_->setContentsMargins(0, 0, 0, 0);
    // A 380 px panel: long labels move above their editor instead of squeezing it.
    layout_->setRowWrapPolicy(QFormLayout::WrapLongRows);
    layout_->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    layout_->setLabelAlignment(Qt::AlignLeft | Qt::AlignVCenter);

    for (const SchemaField& field : schema_.fields()) {
        QWidget* editor = makeEditor(field);
        editor->setObjectName(QString::fromStdString(field.key));
        const QString tip = toolTipFor(field);
        editor->setToolTip(tip);
        auto* label =
            new QLabel(QString::fromStdString(field.label.empty() ? field.key : field.label), this);
        label->setToolTip(tip);
        label->setBuddy(editor);
        layout_->addRow(label, editor);
        entries_.push_back({&field, editor});
    }
    updating_ = true;
    for (const Entry& e : entries_) setEditorToDefault(e);
    updating_ = false;
}

SchemaForm::~SchemaForm() = default;

QWidget* SchemaForm::makeEditor(const SchemaField& f) {
    const QString suffix = f.unit.empty() ? QString() : " " + QString::fromStdString(f.unit);
    switch (f.type) {
        case FieldType::Integer: {
            if (needsWideInteger(f)) {
                auto* edit = new QLineEdit(this);
                const QString pattern =
                    f.min >= 0 ? QStringLiteral("[0-9]{1,20}") : QStringLiteral("-?[0-9]{1,19}");
                edit->setValidator(
                    new QRegularExpressionValidator(QRegularExpression(pattern), edit));
                connect(edit, &QLineEdit::textChanged, this, [this, edit] {
                    if (edit->hasAcceptableInput()) onEdited();
                });
                // Out-of-range or empty input is corrected when the user leaves the field.
                connect(edit, &QLineEdit::editingFinished, this, [this, edit, &f] {
                    const QString fixed = wideIntegerText(wideIntegerValue(f, edit->text()));
                    if (fixed != edit->text()) edit->setText(fixed);
                });
                return edit;
            }
            auto* spin = new QSpinBox(this);
            spin->setRange(int(f.min), int(f.max));
            spin->setSuffix(suffix);
            spin->setAccelerated(true);
            // Wide counts (paths, steps) step by a tenth of their magnitude: 1000 -> 1100.
            if (f.max - f.min >= 1000) spin->setStepType(QAbstractSpinBox::AdaptiveDecimalStepType);
            spin->setGroupSeparatorShown(f.max >= 10000);
            connect(spin, &QSpinBox::valueChanged, this, &SchemaForm::onEdited);
            return spin;
        }
        case FieldType::Real: {
            if (isLogScale(f)) {
                auto* spin = new ScientificSpinBox(this);
                spin->setDecimals(300);  // no rounding: the text is what textFromValue writes
                spin->setRange(f.min, f.max);
                spin->setSuffix(suffix);
                connect(spin, &QDoubleSpinBox::valueChanged, this, &SchemaForm::onEdited);
                return spin;
            }
            auto* spin = new QDoubleSpinBox(this);
            const int decimals = decimalsFor(f);
            spin->setDecimals(decimals);
            if (hasRange(f))
                spin->setRange(f.min, f.max);
            else
                spin->setRange(-1e12, 1e12);
            // A step of about 1% of the span, or of the typical value when the range is only a
            // sanity bound (times in [-1e6, 1e6] step by 0.1, not by 10,000).
            const double span = hasRange(f) ? f.max - f.min : 10.0;
            const double scale =
                span <= 1000 ? span : 10.0 * std::max(1.0, std::abs(f.defaultNumber));
            spin->setSingleStep(std::max(std::pow(10.0, std::floor(std::log10(scale)) - 2),
                                         std::pow(10.0, -decimals)));
            spin->setSuffix(suffix);
            spin->setAccelerated(true);
            connect(spin, &QDoubleSpinBox::valueChanged, this, &SchemaForm::onEdited);
            return spin;
        }
        case FieldType::Boolean: {
            auto* box = new QCheckBox(this);
            connect(box, &QCheckBox::toggled, this, &SchemaForm::onEdited);
            return box;
        }
        case FieldType::Choice: {
            auto* combo = new QComboBox(this);
            for (const auto& c : f.choices)
                combo->addItem(prettyChoice(c), QString::fromStdString(c));
            connect(combo, &QComboBox::currentIndexChanged, this, &SchemaForm::onEdited);
            return combo;
        }
        case FieldType::Text: {
            auto* edit = new QLineEdit(this);
            connect(edit, &QLineEdit::textChanged, this, &SchemaForm::onEdited);
            return edit;
        }
    }
    return new QWidget(this);
}

void SchemaForm::setEditorToDefault(const Entry& e) {
    const SchemaField& f = *e.field;
    switch (f.type) {
        case FieldType::Integer:
            if (auto* edit = qobject_cast<QLineEdit*>(e.editor))
                edit->setText(
                    wideIntegerText(wideIntegerValue(f, QString::number(f.defaultNumber, 'f', 0))));
            else
                static_cast<QSpinBox*>(e.editor)->setValue(int(std::lround(f.defaultNumber)));
            break;
        case FieldType::Real:
            static_cast<QDoubleSpinBox*>(e.editor)->setValue(f.defaultNumber);
            break;
        case FieldType::Boolean:
            static_cast<QCheckBox*>(e.editor)->setChecked(f.defaultNumber != 0);
            break;
        case FieldType::Choice: {
            auto* combo = static_cast<QComboBox*>(e.editor);
            combo->setCurrentIndex(
                std::max(0, combo->findData(QString::fromStdString(f.defaultText))));
            break;
        }
        case FieldType::Text:
            static_cast<QLineEdit*>(e.editor)->setText(QString::fromStdString(f.defaultText));
            break;
    }
}

nlohmann::json SchemaForm::values() const {
    nlohmann::json out = nlohmann::json::object();
    for (const Entry& e : entries_) {
        const SchemaField& f = *e.field;
        switch (f.type) {
            case FieldType::Integer:
                if (auto* edit = qobject_cast<QLineEdit*>(e.editor))
                    out[f.key] = wideIntegerValue(f, edit->text());
                else
                    out[f.key] = static_cast<QSpinBox*>(e.editor)->value();
                break;
            case FieldType::Real:
                out[f.key] = static_cast<QDoubleSpinBox*>(e.editor)->value();
                break;
            case FieldType::Boolean:
                out[f.key] = static_cast<QCheckBox*>(e.editor)->isChecked();
                break;
            case FieldType::Choice:
                out[f.key] =
                    static_cast<QComboBox*>(e.editor)->currentData().toString().toStdString();
                break;
            case FieldType::Text:
                out[f.key] = static_cast<QLineEdit*>(e.editor)->text().toStdString();
                break;
        }
    }
    return out;
}

void SchemaForm::setValues(const nlohmann::json& object) {
    updating_ = true;
    for (const Entry& e : entries_) {
        const SchemaField& f = *e.field;
        const nlohmann::json* v = nullptr;
        if (object.is_object()) {
            auto it = object.find(f.key);
            if (it != object.end()) v = &*it;
        }
        bool applied = false;
        if (v) {
            switch (f.type) {
                case FieldType::Integer:
                    if (v->is_number()) {
                        if (auto* edit = qobject_cast<QLineEdit*>(e.editor))
                            edit->setText(
                                wideIntegerText(wideIntegerValue(f, wideIntegerText(*v))));
                        else
                            static_cast<QSpinBox*>(e.editor)->setValue(int(std::clamp<double>(
                                std::round(v->get<double>()), INT_MIN, INT_MAX)));
                        applied = true;
                    }
                    break;
                case FieldType::Real:
                    if (v->is_number()) {
                        static_cast<QDoubleSpinBox*>(e.editor)->setValue(v->get<double>());
                        applied = true;
                    }
                    break;
                case FieldType::Boolean:
                    if (v->is_boolean() || v->is_number()) {
                        static_cast<QCheckBox*>(e.editor)->setChecked(
                            v->is_boolean() ? v->get<bool>() : v->get<double>() != 0);
                        applied = true;
                    }
                    break;
                case FieldType::Choice:
                    if (v->is_string()) {
                        auto* combo = static_cast<QComboBox*>(e.editor);
                        const int index =
                            combo->findData(QString::fromStdString(v->get<std::string>()));
                        if (index >= 0) {
                            combo->setCurrentIndex(index);
                            applied = true;
                        }
                    }
                    break;
                case FieldType::Text:
                    if (v->is_string()) {
                        static_cast<QLineEdit*>(e.editor)->setText(
                            QString::fromStdString(v->get<std::string>()));
                        applied = true;
                    }
                    break;
            }
        }
        if (!applied) setEditorToDefault(e);
    }
    updating_ = false;
    Q_EMIT valuesChanged();
}

QWidget* SchemaForm::editorFor(const std::string& key) const {
    for (const Entry& e : entries_)
        if (e.field->key == key) return e.editor;
    return nullptr;
}

void SchemaForm::onEdited() {
    if (!updating_) Q_EMIT valuesChanged();
}

}  // namespace driftlab::widgets
