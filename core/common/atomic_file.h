#pragma once
#include <string>

namespace driftlab::core {

// Writes via a temporary file, fsync and rename, so a failed save leaves the old file whole.
// Throws Error naming the file and the step that failed.
void saveTextAtomically(const std::string& path, const std::string& text);

}  // namespace driftlab::core
