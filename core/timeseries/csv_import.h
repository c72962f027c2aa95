#pragma once
// CSV import of a user's own series: a header row, then one row per observation time with a
// time column and one or more value columns. Cells are comma separated (or semicolon or tab,
// whichever the header uses), surrounding spaces and quotes are ignored, an empty value cell
// means "not observed", and times may be spaced arbitrarily but must increase strictly.
//
// Import is a pure function: it builds a new dataset or throws ConfigError naming the line
// and the reason, so a failed import leaves whatever the caller had untouched.
#include <string>

#include "core/models/series_dataset.h"

namespace driftlab::core::timeseries {

struct CsvImportOptions {
    // Header name of the time column; empty: the first column.
    std::string timeColumn;
    // Dataset name; empty: "csv" (importCsvFile uses the file's name).
    std::string name;
};

// One series with a channel per value column.
TimeSeriesDataset importCsv(const std::string& text, const CsvImportOptions& options = {});
TimeSeriesDataset importCsvFile(const std::string& path, CsvImportOptions options = {});

}  // namespace driftlab::core::timeseries
