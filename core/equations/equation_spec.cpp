#include "core/equations/equation_spec.h"

namespace driftlab::core {

std::vector<std::string> defaultVariableNames(int dimension) {
    if (dimension <= 0) return {};
    if (dimension <= 3) {
        static const char* const names[] = {"x", "y", "z"};
        return std::vector<std::string>(names, names + dimension);
    }
    std::vector<std::string> names;
    names.reserve(dimension);
    for (int i = 1; i <= dimension; ++i) {
        // append() rather than "x" + ...: GCC 12 warns falsely (-Wrestrict) on the latter.
        std::string name = "x";
        name.append(std::to_string(i));
        names.push_back(std::move(name));
    }
    return names;
}

}  // namespace driftlab::core
