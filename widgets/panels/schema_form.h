#pragma once
// A form generated from a core::Schema, so the GUI offers exactly the keys, ranges and help
// texts the engine validates against; the tooltips are the teaching text of each setting.
#include "core/experiment/schema.h"

#include <nlohmann/json_fwd.hpp>

#include <QWidget>

#include <string>
#include <vector>

class QFormLayout;

namespace driftlab::widgets {

class SchemaForm : public QWidget {
    Q_OBJECT
public:
    explicit SchemaForm(const core::Schema& schema, QWidget* parent = nullptr);
    ~SchemaForm() override;

    // One JSON object with every key of the schema, each inside its field's range.
    nlohmann::json values() const;
    // Keys missing from object (or of the wrong type) take the schema default; unknown keys
    // are ignored. Emits valuesChanged() once, not once per field.
    void setValues(const nlohmann::json& object);

    const core::Schema& schema() const { return schema_; }
    // The editor of one key (QSpinBox, QDoubleSpinBox, QCheckBox, QComboBox or QLineEdit);
    // nullptr for unknown keys.
    QWidget* editorFor(const std::string& key) const;

Q_SIGNALS:
    void valuesChanged();

private:
    struct Entry {
        const core::SchemaField* field;
        QWidget* editor;
    };
    QWidget* makeEditor(const core::SchemaField& field);
    void setEditorToDefault(const Entry& entry);
    void onEdited();

    core::Schema schema_;
    std::vector<Entry> entries_;
    QFormLayout* layout_ = nullptr;
    bool updating_ = false;  // programmatic updates must not look like user edits
};

}  // namespace driftlab::widgets
