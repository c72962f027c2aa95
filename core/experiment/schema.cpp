#include "core/experiment/schema.h"

#include "core/common/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>
#include <utility>

namespace driftlab::core {

namespace {

using nlohmann::json;

// "ou.json: simulation" -> source "ou.json", section "simulation", so messages can read
// "ou.json: simulation.paths = 0 ..." like a compiler diagnostic.
struct Context {
    std::string source;
    std::string section;

    explicit Context(const std::string& context) {
        const auto split = context.rfind(": ");
        if (split == std::string::npos) {
            section = context;
        } else {
            source = context.substr(0, split);
            section = context.substr(split + 2);
        }
    }
    std::string prefix() const { return source.empty() ? std::string() : source + ": "; }
    std::string keyPath(const std::string& key) const {
        return section.empty() ? key : section + "." + key;
    }
};

// Range bounds read as integers when they are integral, so messages say [1, 1000000]
// rather than [1, 1e+06].
std::string formatNumber(double value) {
    if (std::isfinite(value) && value == std::floor(value) && std::fabs(value) < 1e15) {
        return std::to_string(static_cast<long long>(value));
    }
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.10g", value);
    return buffer;
}

std::string describeType(FieldType type) {
    switch (type) {
        case FieldType::Integer:
            return "an integer";
        case FieldType::Real:
            return "a number";
        case FieldType::Boolean:
            return "true or false";
        case FieldType::Choice:
            return "one of the listed names (a string)";
        case FieldType::Text:
            return "a string";
    }
    return "a value";
}

std::string joinQuoted(const std::vector<std::string>& items) {
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i > 0) out += ", ";
        out += "\"" + items[i] + "\"";
    }
    return out;
}

std::size_t editDistance(const std::string& a, const std::string& b) {
    std::vector<std::size_t> previous(b.size() + 1), current(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) previous[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        current[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
            current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
        }
        std::swap(previous, current);
    }
    return previous[b.size()];
}

}  // namespace

std::string suggestClosest(const std::string& word, const std::vector<std::string>& candidates) {
    std::string best;
    std::size_t bestDistance = std::numeric_limits<std::size_t>::max();
    for (const auto& candidate : candidates) {
        const std::size_t distance = editDistance(word, candidate);
        if (distance < bestDistance) {
            bestDistance = distance;
            best = candidate;
        }
    }
    // Beyond a third of the word a "suggestion" is a guess that misleads more than it helps.
    const std::size_t allowed = std::max<std::size_t>(2, word.size() / 3);
    return bestDistance <= allowed ? best : std::string();
}

std::string unknownKeyMessage(const std::string& key, const std::string& where,
                              const std::vector<std::string>& known) {
    std::string message = "unknown key \"" + key + "\" in " + where;
    const std::string suggestion = suggestClosest(key, known);
    if (!suggestion.empty()) {
        message += " (did you mean \"" + suggestion + "\"?)";
    } else if (!known.empty()) {
        message += " (valid keys: " + joinQuoted(known) + ")";
    }
    return message;
}

std::vector<SchemaField> concatFields(std::vector<std::vector<SchemaField>> groups) {
    std::vector<SchemaField> fields;
    for (auto& group : groups)
        for (auto& field : group) fields.push_back(std::move(field));
    return fields;
}

Schema::Schema(std::string name, std::vector<SchemaField> fields)
    : name_(std::move(name)), fields_(std::move(fields)) {}

const SchemaField* Schema::find(const std::string& key) const {
    for (const auto& field : fields_) {
        if (field.key == key) return &field;
    }
    return nullptr;
}

namespace {

json defaultValue(const SchemaField& field) {
    switch (field.type) {
        case FieldType::Integer:
            return static_cast<long long>(std::llround(field.defaultNumber));
        case FieldType::Real:
            return field.defaultNumber;
        case FieldType::Boolean:
            return field.defaultNumber != 0.0;
        case FieldType::Choice:
        case FieldType::Text:
            return field.defaultText;
    }
    return nullptr;
}

void checkRange(const SchemaField& field, double value, const std::string& shown,
                const Context& context) {
    if (value < field.min || value > field.max) {
        throw ConfigError(context.prefix() + context.keyPath(field.key) + " = " + shown +
                          " is out of range [" + formatNumber(field.min) + ", " +
                          formatNumber(field.max) + "]");
    }
}

json validateValue(const SchemaField& field, const json& value, const Context& context) {
    const auto wrongType = [&]() {
        return ConfigError(context.prefix() + context.keyPath(field.key) + ": expected " +
                           describeType(field.type) + ", got " + value.dump());
    };
    switch (field.type) {
        case FieldType::Integer: {
            if (value.is_number_integer()) {
                // Unsigned values beyond int64 are out of any range we declare anyway.
                const double asDouble = value.is_number_unsigned()
                                            ? static_cast<double>(value.get<std::uint64_t>())
                                            : static_cast<double>(value.get<std::int64_t>());
                checkRange(field, asDouble, value.dump(), context);
                return value.is_number_unsigned()
                           ? json(static_cast<long long>(value.get<std::uint64_t>()))
                           : json(value.get<std::int64_t>());
            }
            if (value.is_number_float()) {
                // 1e6 is an integer written in scientific notation; 2.5 is not.
                const double number = value.get<double>();
                if (number != std::floor(number)) throw wrongType();
                checkRange(field, number, formatNumber(number), context);
                return static_cast<long long>(number);
            }
            throw wrongType();
        }
        case FieldType::Real: {
            if (!value.is_number()) throw wrongType();
            const double number = value.get<double>();
            checkRange(field, number, value.dump(), context);
            return number;
        }
        case FieldType::Boolean:
            if (!value.is_boolean()) throw wrongType();
            return value;
        case FieldType::Choice: {
            if (!value.is_string()) throw wrongType();
            const auto text = value.get<std::string>();
            if (std::find(field.choices.begin(), field.choices.end(), text) ==
                field.choices.end()) {
                std::string message = context.prefix() + context.keyPath(field.key) +
                                      ": unknown choice \"" + text + "\"";
                const std::string suggestion = suggestClosest(text, field.choices);
                if (!suggestion.empty()) message += " (did you mean \"" + suggestion + "\"?)";
                message += "; valid choices are " + joinQuoted(field.choices);
                throw ConfigError(message);
            }
            return value;
        }
        case FieldType::Text:
            if (!value.is_string()) throw wrongType();
            return value;
    }
    throw wrongType();
}

}  // namespace

json Schema::validate(const json& object, const std::string& context) const {
    const Context where(context);
    if (!object.is_object()) {
        throw ConfigError(where.prefix() + (where.section.empty() ? name_ : where.section) +
                          ": expected an object { ... }, got " + object.dump());
    }
    std::vector<std::string> keys;
    keys.reserve(fields_.size());
    for (const auto& field : fields_) keys.push_back(field.key);

    for (const auto& item : object.items()) {
        if (!find(item.key())) {
            throw ConfigError(
                where.prefix() +
                unknownKeyMessage(item.key(), where.section.empty() ? name_ : where.section, keys));
        }
    }
    json result = json::object();
    for (const auto& field : fields_) {
        const auto it = object.find(field.key);
        result[field.key] =
            it == object.end() ? defaultValue(field) : validateValue(field, *it, where);
    }
    return result;
}

json Schema::defaults() const {
    json result = json::object();
    for (const auto& field : fields_) result[field.key] = defaultValue(field);
    return result;
}

SchemaField numberField(FieldType type, std::string key, std::string label, double defaultValue,
                        double min, double max, std::string help, std::string unit) {
    SchemaField field;
    field.key = std::move(key);
    field.label = std::move(label);
    field.type = type;
    field.defaultNumber = defaultValue;
    field.min = min;
    field.max = max;
    field.help = std::move(help);
    field.unit = std::move(unit);
    return field;
}

SchemaField integerField(std::string key, std::string label, double defaultValue, double min,
                         double max, std::string help, std::string unit) {
    return numberField(FieldType::Integer, std::move(key), std::move(label), defaultValue, min, max,
                       std::move(help), std::move(unit));
}

SchemaField realField(std::string key, std::string label, double defaultValue, double min,
                      double max, std::string help, std::string unit) {
    return numberField(FieldType::Real, std::move(key), std::move(label), defaultValue, min, max,
                       std::move(help), std::move(unit));
}

SchemaField choiceField(std::string key, std::string label, std::string defaultChoice,
                        std::vector<std::string> choices, std::string help) {
    SchemaField field;
    field.key = std::move(key);
    field.label = std::move(label);
    field.type = FieldType::Choice;
    field.defaultText = std::move(defaultChoice);
    field.choices = std::move(choices);
    field.help = std::move(help);
    return field;
}

SchemaField booleanField(std::string key, std::string label, bool defaultValue, std::string help) {
    SchemaField field;
    field.key = std::move(key);
    field.label = std::move(label);
    field.type = FieldType::Boolean;
    field.defaultNumber = defaultValue ? 1.0 : 0.0;
    field.help = std::move(help);
    return field;
}

SchemaField textField(std::string key, std::string label, std::string defaultText,
                      std::string help) {
    SchemaField field;
    field.key = std::move(key);
    field.label = std::move(label);
    field.type = FieldType::Text;
    field.defaultText = std::move(defaultText);
    field.help = std::move(help);
    return field;
}

}  // namespace driftlab::core
