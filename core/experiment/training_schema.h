#pragma once
// The schema fields every trained family shares (network shape, iterations, batch, learning
// rate, seed), declared once so the same key reads the same in every form and tooltip.
// Families pass what differs: keys where they train several networks, defaults and ranges,
// and what one batch item is.
#include "core/experiment/schema.h"

#include <string>
#include <vector>

namespace driftlab::core {

// The hidden layers of one MLP, all of one width.
struct NetworkShape {
    std::string keyPrefix;    // "drift" -> keys drift_width, drift_depth; "" -> width, depth
    std::string layerName;    // "drift": label "Drift width", help "Neurons per drift layer."
    std::string networkName;  // "drift MLP": help "Hidden layers of the drift MLP."
    double width = 32;
    double depth = 2;
    double minWidth = 1;
    double maxWidth = 4096;
    std::string widthNote;  // appended to the width help, e.g. " (SDE kinds)"
};

// {width field, depth field}; depth ranges over [1, 8].
std::vector<SchemaField> networkFields(const NetworkShape& shape);

// "iterations": Adam steps, one batch each.
SchemaField iterationsField(double defaultValue, double max);
// "batch": items per training iteration; items names them ("Series", "Data points") and may
// carry a note ("Series ... (at most the training set)").
SchemaField batchField(double defaultValue, double max, const std::string& items,
                       const std::string& note = {});
// "learning_rate": Adam's step size.
SchemaField learningRateField(double defaultValue, double min, double max);
// A seed in [0, 1e9]; help says what it seeds, which differs by family.
SchemaField seedField(const std::string& key, const std::string& label, double defaultValue,
                      const std::string& help);

}  // namespace driftlab::core
