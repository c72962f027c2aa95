#pragma once
// One struct <-> JSON mapping per config: a table of (schema key, how the key reads into the
// struct, how the struct writes the key), used for both directions so they cannot drift
// apart. The table is checked against the schema (every key bound once, nothing else bound).
// Include only from .cpp files: it needs the whole of nlohmann/json.
#include "core/experiment/schema.h"

#include <nlohmann/json.hpp>

#include <functional>
#include <set>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace driftlab::core {

template <class Config>
struct FieldBinding {
    std::string key;
    // value is the schema-validated value of key.
    std::function<void(const nlohmann::json& value, Config& config)> read;
    std::function<nlohmann::json(const Config& config)> write;
};

// A key that is one member: access is a generic lambda returning a reference to it,
// e.g. [](auto& c) -> auto& { return c.training.iterations; }, so one accessor serves the
// const (write) and mutable (read) side.
template <class Config, class Access>
FieldBinding<Config> bindMember(std::string key, Access access) {
    return {std::move(key),
            [access](const nlohmann::json& value, Config& config) {
                auto& member = access(config);
                member = value.get<std::decay_t<decltype(member)>>();
            },
            [access](const Config& config) { return nlohmann::json(access(config)); }};
}

// A choice key stored as an enum (or any type with a name): toName / fromName convert.
template <class Config, class Access, class ToName, class FromName>
FieldBinding<Config> bindChoice(std::string key, Access access, ToName toName, FromName fromName) {
    return {std::move(key),
            [access, fromName](const nlohmann::json& value, Config& config) {
                access(config) = fromName(value.get<std::string>());
            },
            [access, toName](const Config& config) {
                return nlohmann::json(std::string(toName(access(config))));
            }};
}

// An MLP's hidden layers stored as a vector of equal widths, written as two keys: the width
// and the number of layers. Each side keeps the other, so the order of reading is free.
template <class Config, class Access>
FieldBinding<Config> bindLayerWidth(std::string key, Access access) {
    return {std::move(key),
            [access](const nlohmann::json& value, Config& config) {
                auto& widths = access(config);
                const std::size_t depth = widths.empty() ? 1 : widths.size();
                widths.assign(depth,
                              value.get<typename std::decay_t<decltype(widths)>::value_type>());
            },
            [access](const Config& config) {
                const auto& widths = access(config);
                return widths.empty() ? nlohmann::json(1) : nlohmann::json(widths.front());
            }};
}
template <class Config, class Access>
FieldBinding<Config> bindLayerCount(std::string key, Access access) {
    return {std::move(key),
            [access](const nlohmann::json& value, Config& config) {
                auto& widths = access(config);
                const auto width = widths.empty() ? 1 : widths.front();
                widths.assign(value.get<std::size_t>(), width);
            },
            [access](const Config& config) {
                const auto& widths = access(config);
                return nlohmann::json(widths.empty() ? std::size_t(1) : widths.size());
            }};
}

template <class Config>
class FieldBindings {
public:
    // Throws std::logic_error (a programming defect, not a user's) when the table and the
    // schema disagree: a key bound twice, a schema key without binding, a binding without key.
    FieldBindings(const Schema& schema, std::vector<FieldBinding<Config>> bindings)
        : schema_(schema) {
        std::set<std::string> seen;
        for (auto& binding : bindings) {
            if (!schema.find(binding.key))
                throw std::logic_error(schema.name() + ": binding of unknown key " + binding.key);
            if (!seen.insert(binding.key).second)
                throw std::logic_error(schema.name() + ": key bound twice: " + binding.key);
        }
        for (const auto& field : schema.fields()) {
            if (!seen.count(field.key))
                throw std::logic_error(schema.name() + ": key without binding: " + field.key);
            for (auto& binding : bindings)
                if (binding.key == field.key) ordered_.push_back(std::move(binding));
        }
    }

    // validated holds every schema key (Schema::validate's result); read in schema order.
    void read(const nlohmann::json& validated, Config& config) const {
        for (const auto& binding : ordered_) binding.read(validated.at(binding.key), config);
    }

    // The schema values of config, in schema order (ordered_json keeps it in files).
    template <class Json = nlohmann::json>
    Json write(const Config& config) const {
        Json values = Json::object();
        for (const auto& binding : ordered_) values[binding.key] = binding.write(config);
        return values;
    }

    const Schema& schema() const { return schema_; }

private:
    const Schema& schema_;
    std::vector<FieldBinding<Config>> ordered_;
};

}  // namespace driftlab::core
