#pragma once
// A config schema: every settable value with its type, default, range, unit and help text.
// The same schema validates JSON configs and the command line, generates the GUI forms and
// supplies their tooltips, so the three can never disagree.
#include <nlohmann/json_fwd.hpp>

#include <string>
#include <vector>

namespace driftlab::core {

enum class FieldType { Integer, Real, Boolean, Choice, Text };

struct SchemaField {
    std::string key;    // JSON key, snake_case
    std::string label;  // shown in forms
    FieldType type = FieldType::Real;
    double defaultNumber = 0.0;  // Integer, Real, Boolean (0/1)
    std::string defaultText;     // Choice, Text
    double min = 0.0;            // Integer, Real
    double max = 0.0;
    std::vector<std::string> choices;  // Choice
    std::string unit;
    std::string help;
};

// An Integer or Real field with a range; the common case of every schema.
SchemaField numberField(FieldType type, std::string key, std::string label, double defaultValue,
                        double min, double max, std::string help, std::string unit = {});
// numberField for the two numeric types.
SchemaField integerField(std::string key, std::string label, double defaultValue, double min,
                         double max, std::string help, std::string unit = {});
SchemaField realField(std::string key, std::string label, double defaultValue, double min,
                      double max, std::string help, std::string unit = {});
SchemaField choiceField(std::string key, std::string label, std::string defaultChoice,
                        std::vector<std::string> choices, std::string help);
SchemaField booleanField(std::string key, std::string label, bool defaultValue, std::string help);
SchemaField textField(std::string key, std::string label, std::string defaultText,
                      std::string help);

// The groups' fields in order: lets a schema list shared groups (training_schema.h) among
// its own fields.
std::vector<SchemaField> concatFields(std::vector<std::vector<SchemaField>> groups);

class Schema {
public:
    Schema(std::string name, std::vector<SchemaField> fields);
    const std::string& name() const { return name_; }
    const std::vector<SchemaField>& fields() const { return fields_; }
    const SchemaField* find(const std::string& key) const;

    // Returns a copy of object with defaults filled in. Throws ConfigError naming the key
    // and the problem: unknown key, wrong type, out of range, unknown choice. context names
    // where the object came from: "ou.json: simulation" gives messages like
    // `ou.json: simulation.paths = 0 is out of range [1, 1000000]`. Integers must be
    // integral numbers (1e6 is fine, 2.5 is not); the result holds every field of the schema.
    nlohmann::json validate(const nlohmann::json& object, const std::string& context) const;
    nlohmann::json defaults() const;

private:
    std::string name_;
    std::vector<SchemaField> fields_;
};

// The candidate closest to word within a small edit distance, or "" when none is close
// enough to be a helpful "did you mean" hint.
std::string suggestClosest(const std::string& word, const std::vector<std::string>& candidates);
// `unknown key "pathz" in simulation (did you mean "paths"?)`, listing the valid keys when
// no suggestion is close.
std::string unknownKeyMessage(const std::string& key, const std::string& where,
                              const std::vector<std::string>& known);

}  // namespace driftlab::core
