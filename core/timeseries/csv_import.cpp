#include "core/timeseries/csv_import.h"

#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include "core/common/error.h"

namespace driftlab::core::timeseries {

namespace {

std::string trim(const std::string& s) {
    std::size_t a = 0, b = s.size();
    while (a < b && (std::isspace(static_cast<unsigned char>(s[a])) || s[a] == '"')) ++a;
    while (b > a && (std::isspace(static_cast<unsigned char>(s[b - 1])) || s[b - 1] == '"')) --b;
    return s.substr(a, b - a);
}

std::vector<std::string> splitCells(const std::string& line, char sep) {
    std::vector<std::string> cells;
    std::string cell;
    std::istringstream in(line);
    while (std::getline(in, cell, sep)) cells.push_back(trim(cell));
    if (!line.empty() && line.back() == sep) cells.emplace_back();  // trailing empty cell
    return cells;
}

[[noreturn]] void fail(long line, const std::string& reason) {
    throw ConfigError("CSV line " + std::to_string(line) + ": " + reason);
}

// Whole-cell number parse: rejects trailing text ("1.5abc") that strtod would accept.
double parseNumber(const std::string& cell, long line, const std::string& column) {
    const char* first = cell.data();
    const char* last = cell.data() + cell.size();
    if (first != last && *first == '+') ++first;  // from_chars does not take a plus sign
    double value = 0.0;
    const auto [ptr, ec] = std::from_chars(first, last, value);
    if (ec == std::errc::result_out_of_range)
        fail(line, "column '" + column + "': '" + cell + "' is out of range (not finite)");
    if (ec != std::errc() || ptr != last || first == last)
        fail(line, "column '" + column + "': '" + cell + "' is not a number");
    if (!std::isfinite(value)) fail(line, "column '" + column + "': '" + cell + "' is not finite");
    return value;
}

}  // namespace

TimeSeriesDataset importCsv(const std::string& text, const CsvImportOptions& options) {
    std::istringstream in(text);
    std::string raw;
    long lineNo = 0, headerLine = 0;
    std::vector<std::string> header;
    char sep = ',';
    while (std::getline(in, raw)) {
        ++lineNo;
        if (!raw.empty() && raw.back() == '\r') raw.pop_back();
        if (trim(raw).empty()) continue;
        for (char c : {',', ';', '\t'})
            if (raw.find(c) != std::string::npos) {
                sep = c;
                break;
            }
        header = splitCells(raw, sep);
        headerLine = lineNo;
        break;
    }
    if (header.empty()) throw ConfigError("CSV: the file is empty (no header row)");
    if (header.size() < 2)
        fail(headerLine, "no numeric columns: the header names only '" + header[0] +
                             "' (need a time column and at least one value column)");

    std::size_t timeIndex = 0;
    if (!options.timeColumn.empty()) {
        timeIndex = header.size();
        for (std::size_t i = 0; i < header.size(); ++i)
            if (header[i] == options.timeColumn) timeIndex = i;
        if (timeIndex == header.size())
            fail(headerLine, "no column named '" + options.timeColumn + "' for the time");
    }
    std::vector<std::string> channelNames;
    for (std::size_t i = 0; i < header.size(); ++i)
        if (i != timeIndex)
            channelNames.push_back(header[i].empty() ? "value" + std::to_string(i) : header[i]);

    const auto channels = static_cast<Eigen::Index>(channelNames.size());
    std::vector<double> times, values;  // values row-major by time, channels per row
    std::vector<char> observed;
    long previousLine = 0;
    while (std::getline(in, raw)) {
        ++lineNo;
        if (!raw.empty() && raw.back() == '\r') raw.pop_back();
        if (trim(raw).empty()) continue;
        const auto cells = splitCells(raw, sep);
        if (cells.size() != header.size())
            fail(lineNo, "ragged row: " + std::to_string(cells.size()) +
                             " cells, but the header has " + std::to_string(header.size()));
        if (cells[timeIndex].empty()) fail(lineNo, "the time cell is empty");
        const double t = parseNumber(cells[timeIndex], lineNo, header[timeIndex]);
        if (!times.empty() && !(t > times.back()))
            fail(lineNo, "times must increase: " + cells[timeIndex] +
                             " does not exceed the time on line " + std::to_string(previousLine));
        times.push_back(t);
        previousLine = lineNo;
        for (std::size_t i = 0; i < cells.size(); ++i) {
            if (i == timeIndex) continue;
            const bool present = !cells[i].empty();
            observed.push_back(present);
            values.push_back(present ? parseNumber(cells[i], lineNo, header[i])
                                     : std::numeric_limits<double>::quiet_NaN());
        }
    }
    if (times.empty()) fail(headerLine, "no data rows after the header");
    bool anyObserved = false;
    for (char o : observed) anyObserved = anyObserved || o;
    if (!anyObserved) fail(headerLine, "no numeric columns: every value cell is empty");

    Series s;
    s.times = std::move(times);
    const auto n = s.length();
    s.values = Eigen::Map<Eigen::MatrixXd>(values.data(), channels, n);
    s.observed.resize(channels, n);
    for (Eigen::Index j = 0; j < n; ++j)
        for (Eigen::Index c = 0; c < channels; ++c)
            s.observed(c, j) = observed[std::size_t(j * channels + c)] != 0;
    TimeSeriesDataset data(options.name.empty() ? "csv" : options.name, std::move(channelNames));
    data.add(std::move(s));
    return data;
}

TimeSeriesDataset importCsvFile(const std::string& path, CsvImportOptions options) {
    std::ifstream file(path, std::ios::binary);
    if (!file) throw ConfigError("CSV: cannot open '" + path + "'");
    std::ostringstream text;
    text << file.rdbuf();
    if (options.name.empty()) {
        const auto slash = path.find_last_of("/\\");
        options.name = slash == std::string::npos ? path : path.substr(slash + 1);
    }
    try {
        return importCsv(text.str(), options);
    } catch (const ConfigError& e) {
        throw ConfigError(options.name + ": " + e.what());
    }
}

}  // namespace driftlab::core::timeseries
