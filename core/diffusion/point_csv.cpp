#include "core/diffusion/point_csv.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

#include "core/common/error.h"

namespace driftlab::core::diffusion {

namespace {

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos) return {};
    const auto e = s.find_last_not_of(" \t\r");
    return s.substr(b, e - b + 1);
}

// Strict: the whole field must be a number (strtod alone would accept "1abc").
bool parseNumber(const std::string& field, double& value) {
    const std::string t = trim(field);
    if (t.empty()) return false;
    char* end = nullptr;
    errno = 0;
    value = std::strtod(t.c_str(), &end);
    return end == t.c_str() + t.size();
}

}  // namespace

Eigen::Matrix2Xd parsePointsCsv(const std::string& text, const std::string& sourceName) {
    std::istringstream in(text);
    std::string line;
    std::vector<Eigen::Vector2d> points;
    long lineNo = 0;
    bool sawContent = false;
    while (std::getline(in, line)) {
        ++lineNo;
        const std::string t = trim(line);
        if (t.empty()) continue;
        std::vector<std::string> fields;
        std::stringstream ls(t);
        std::string f;
        while (std::getline(ls, f, ',')) fields.push_back(f);
        if (!t.empty() && t.back() == ',') fields.emplace_back();
        const auto where = sourceName + ", line " + std::to_string(lineNo) + ": ";
        double first = 0.0;
        if (!sawContent && !fields.empty() && !parseNumber(fields[0], first)) {
            sawContent = true;  // a header line
            continue;
        }
        sawContent = true;
        if (fields.size() != 2)
            throw ConfigError(where + "expected 2 values (x,y), found " +
                              std::to_string(fields.size()));
        Eigen::Vector2d p;
        for (int d = 0; d < 2; ++d) {
            if (!parseNumber(fields[d], p(d)))
                throw ConfigError(where + (d == 0 ? "x" : "y") + " value '" + trim(fields[d]) +
                                  "' is not a number");
            if (!std::isfinite(p(d)))
                throw ConfigError(where + (d == 0 ? "x" : "y") + " value '" + trim(fields[d]) +
                                  "' is not finite");
        }
        points.push_back(p);
    }
    if (points.empty()) throw ConfigError(sourceName + ": no points");
    Eigen::Matrix2Xd out(2, static_cast<Eigen::Index>(points.size()));
    for (std::size_t i = 0; i < points.size(); ++i)
        out.col(static_cast<Eigen::Index>(i)) = points[i];
    return out;
}

Eigen::Matrix2Xd readPointsCsv(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) throw ConfigError("cannot open CSV file '" + path + "'");
    std::ostringstream buffer;
    buffer << file.rdbuf();
    return parsePointsCsv(buffer.str(), path);
}
}  // namespace driftlab::core::diffusion
