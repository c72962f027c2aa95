#include "core/common/random.h"

namespace driftlab::core {

namespace {

constexpr int layers = 256;
constexpr double tailStart = 3.6541528853610088;  // r for 256 layers
constexpr double layerArea = 0.00492867323399;    // v: area of every layer

ZigguratTables buildTables() {
    ZigguratTables zt{};
    const auto f = [](double x) { return std::exp(-0.5 * x * x); };
    zt.x[0] = layerArea / f(tailStart);
    zt.x[1] = tailStart;
    for (int i = 1; i < layers - 1; ++i)
        zt.x[i + 1] = std::sqrt(-2.0 * std::log(layerArea / zt.x[i] + f(zt.x[i])));
    zt.x[layers] = 0.0;
    for (int i = 0; i <= layers; ++i) zt.f[i] = f(zt.x[i]);
    for (int i = 0; i < layers; ++i) zt.ratio[i] = zt.x[i + 1] / zt.x[i];
    return zt;
}

}  // namespace

const ZigguratTables& zigguratTables() {
    static const ZigguratTables tables = buildTables();
    return tables;
}

double RandomStream::normalSlow(std::uint64_t bits) {
    const ZigguratTables& zt = zigguratTables();
    for (;;) {
        const unsigned layer = static_cast<unsigned>(bits & 0xFF);
        const double u = static_cast<double>(static_cast<std::int64_t>(bits) >> 11) * 0x1.0p-52;
        const double z = u * zt.x[layer];
        if (std::fabs(u) < zt.ratio[layer]) return z;
        if (layer == 0) {
            // Base layer beyond r: sample the normal tail exactly (Marsaglia 1964).
            double a, b;
            do {
                a = -std::log(uniformPositive()) / tailStart;
                b = -std::log(uniformPositive());
            } while (2.0 * b < a * a);
            return u < 0.0 ? -(tailStart + a) : tailStart + a;
        }
        // Wedge between layer edges: accept under the curve.
        const double y = zt.f[layer] + uniform() * (zt.f[layer + 1] - zt.f[layer]);
        if (y < std::exp(-0.5 * z * z)) return z;
        bits = next();
    }
}

}  // namespace driftlab::core
