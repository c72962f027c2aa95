#include "core/experiment/training_schema.h"

#include <cctype>

namespace driftlab::core {

namespace {

std::string capitalised(std::string text) {
    if (!text.empty())
        text[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(text[0])));
    return text;
}

std::string keyed(const std::string& prefix, const std::string& key) {
    return prefix.empty() ? key : prefix + "_" + key;
}

}  // namespace

std::vector<SchemaField> networkFields(const NetworkShape& shape) {
    return {
        integerField(keyed(shape.keyPrefix, "width"), capitalised(shape.layerName) + " width",
                     shape.width, shape.minWidth, shape.maxWidth,
                     "Neurons per " + shape.layerName + " layer" + shape.widthNote + "."),
        integerField(keyed(shape.keyPrefix, "depth"), capitalised(shape.layerName) + " layers",
                     shape.depth, 1, 8, "Hidden layers of the " + shape.networkName + "."),
    };
}

SchemaField iterationsField(double defaultValue, double max) {
    return integerField("iterations", "Iterations", defaultValue, 1, max,
                        "Adam steps, one batch each.");
}

SchemaField batchField(double defaultValue, double max, const std::string& items,
                       const std::string& note) {
    return integerField("batch", "Batch", defaultValue, 1, max,
                        items + " per training iteration" + note + ".");
}

SchemaField learningRateField(double defaultValue, double min, double max) {
    return realField("learning_rate", "Learning rate", defaultValue, min, max, "Adam step size.");
}

SchemaField seedField(const std::string& key, const std::string& label, double defaultValue,
                      const std::string& help) {
    return integerField(key, label, defaultValue, 0, 1e9, help);
}

}  // namespace driftlab::core
