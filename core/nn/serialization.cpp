#include "core/nn/serialization.h"

#include <bit>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "core/common/atomic_file.h"
#include "core/common/error.h"

namespace driftlab::core::nn {

static_assert(std::endian::native == std::endian::little,
              "parameter files are little-endian; add byte swapping for this platform");

namespace {

constexpr char kMagic[8] = {'D', 'L', 'N', 'N', 'P', 'A', 'R', '1'};

template <typename Scalar>
const char* scalarName() {
    return sizeof(Scalar) == 8 ? "float64" : "float32";
}

struct ParsedFile {
    nlohmann::json header;
    std::string bytes;
    std::size_t dataOffset = 0;
};

ParsedFile readParameterFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error("cannot open parameter file " + path + ": " + std::strerror(errno));
    ParsedFile file;
    file.bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (in.bad()) throw Error("cannot read parameter file " + path);
    const std::string& b = file.bytes;
    if (b.size() < 12 || std::memcmp(b.data(), kMagic, 8) != 0)
        throw ConfigError(path + " is not a Driftlab parameter file (bad magic)");
    std::uint32_t headerLength = 0;
    std::memcpy(&headerLength, b.data() + 8, 4);
    if (b.size() < 12 + std::size_t{headerLength})
        throw ConfigError("parameter file " + path + " is truncated (header)");
    try {
        file.header = nlohmann::json::parse(b.substr(12, headerLength));
        file.header.at("architecture");
        file.header.at("scalar").get<std::string>();
        file.header.at("count").get<std::uint64_t>();
    } catch (const nlohmann::json::exception& error) {
        throw ConfigError("parameter file " + path + " has a malformed header: " + error.what());
    }
    file.dataOffset = 12 + headerLength;
    return file;
}

template <typename Stored, typename Scalar>
Vector<Scalar> decode(const std::string& bytes, std::size_t offset, Index count) {
    Vector<Stored> stored(count);
    std::memcpy(stored.data(), bytes.data() + offset, sizeof(Stored) * count);
    return stored.template cast<Scalar>();
}

}  // namespace

template <typename Scalar>
void saveParameters(const std::string& path, const std::string& architecture,
                    const VectorCRef<Scalar>& parameters) {
    nlohmann::json header;
    try {
        header["architecture"] = nlohmann::json::parse(architecture);
    } catch (const nlohmann::json::exception&) {
        header["architecture"] = architecture;  // not JSON: keep it as an opaque name
    }
    header["scalar"] = scalarName<Scalar>();
    header["count"] = parameters.size();
    const std::string headerText = header.dump();
    const auto headerLength = static_cast<std::uint32_t>(headerText.size());

    std::string bytes(kMagic, 8);
    bytes.append(reinterpret_cast<const char*>(&headerLength), 4);
    bytes += headerText;
    bytes.append(reinterpret_cast<const char*>(parameters.data()),
                 sizeof(Scalar) * static_cast<std::size_t>(parameters.size()));
    writeFileAtomically(path, bytes);
}

std::string readParameterArchitecture(const std::string& path) {
    const ParsedFile file = readParameterFile(path);
    const auto& architecture = file.header.at("architecture");
    return architecture.is_string() ? architecture.get<std::string>() : architecture.dump();
}

template <typename Scalar>
Vector<Scalar> loadParameters(const std::string& path, const std::string& expectedArchitecture) {
    const ParsedFile file = readParameterFile(path);
    const auto& stored = file.header.at("architecture");
    const std::string storedText = stored.is_string() ? stored.get<std::string>() : stored.dump();
    // Compare as JSON where possible, so formatting and key order do not matter.
    bool same = storedText == expectedArchitecture;
    if (!same) {
        try {
            same = stored == nlohmann::json::parse(expectedArchitecture);
        } catch (const nlohmann::json::exception&) {
        }
    }
    if (!same)
        throw ConfigError("parameter file " + path + " was saved for architecture " + storedText +
                          ", which differs from this model's " + expectedArchitecture);

    const auto count = file.header.at("count").get<std::uint64_t>();
    const auto scalar = file.header.at("scalar").get<std::string>();
    const std::size_t width = scalar == "float64" ? 8 : scalar == "float32" ? 4 : 0;
    if (width == 0) throw ConfigError("parameter file " + path + ": unknown scalar " + scalar);
    if (file.bytes.size() != file.dataOffset + width * count)
        throw ConfigError("parameter file " + path + " holds " +
                          std::to_string(file.bytes.size() - file.dataOffset) +
                          " bytes of values, expected " + std::to_string(width * count) +
                          " (truncated or corrupt)");
    const auto n = static_cast<Index>(count);
    return width == 8 ? decode<double, Scalar>(file.bytes, file.dataOffset, n)
                      : decode<float, Scalar>(file.bytes, file.dataOffset, n);
}

template void saveParameters<double>(const std::string&, const std::string&,
                                     const VectorCRef<double>&);
template void saveParameters<float>(const std::string&, const std::string&,
                                    const VectorCRef<float>&);
template Vector<double> loadParameters<double>(const std::string&, const std::string&);
template Vector<float> loadParameters<float>(const std::string&, const std::string&);

}  // namespace driftlab::core::nn
