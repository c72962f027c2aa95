#pragma once
// Parameter files: a small binary format, so a save/load round trip is bit-exact.
//   bytes 0-7   magic "DLNNPAR1"
//   bytes 8-11  header length n (uint32, little-endian)
//   n bytes     JSON header {"architecture": ..., "scalar": "float64"|"float32", "count": N}
//   N values    the parameter vector, little-endian IEEE 754
// Files are written to a temporary, fsynced and renamed, so a crash never leaves half a file.
#include <string>

#include "core/nn/types.h"

namespace driftlab::core::nn {

// architecture is JSON text (e.g. mlpArchitecture()).
template <typename Scalar>
void saveParameters(const std::string& path, const std::string& architecture,
                    const VectorCRef<Scalar>& parameters);

// Throws ConfigError when the file is not a parameter file, is truncated, or was saved for
// another architecture (the message names both); driftlab::Error when it cannot be read.
// A file saved in the other precision is converted.
template <typename Scalar>
Vector<Scalar> loadParameters(const std::string& path, const std::string& expectedArchitecture);

// The architecture JSON text stored in a parameter file's header.
std::string readParameterArchitecture(const std::string& path);

}  // namespace driftlab::core::nn
