#pragma once
// Seedable per-path random streams and an exact standard normal sampler, both inline because
// they sit in the innermost simulation loop. Path p's stream depends only on (seed, p), so
// results do not depend on how paths are split over threads or blocks.
#include <cmath>
#include <cstdint>

namespace driftlab::core {

struct ZigguratTables;

// splitmix64: turns any seed (even 0, 1, 2, ...) into well-mixed 64-bit words; used only to
// seed the fast generator, as its authors recommend.
inline std::uint64_t splitmix64(std::uint64_t& state) {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

// xoshiro256++ (Blackman & Vigna): all 64 output bits are usable, which the normal sampler
// needs (it takes the layer from the low bits and the value from the high bits).
class RandomStream {
public:
    RandomStream() : RandomStream(0, 0) {}
    RandomStream(std::uint64_t seed, std::uint64_t stream) {
        std::uint64_t mix = seed;
        std::uint64_t key = splitmix64(mix);
        std::uint64_t sm = key ^ (stream * 0xD1342543DE82EF95ull + 0x2545F4914F6CDD1Dull);
        for (auto& word : s_) word = splitmix64(sm);
    }

    std::uint64_t next() {
        const std::uint64_t result = rotl(s_[0] + s_[3], 23) + s_[0];
        const std::uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }

    // Uniform on [0, 1) with 53 random bits.
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    // Uniform on (0, 1]; safe to take the log of.
    double uniformPositive() { return static_cast<double>((next() >> 11) + 1) * 0x1.0p-53; }

    double normal();
    // Same, with the tables looked up once by the caller (hot loops hoist the lookup).
    double normal(const ZigguratTables& tables);

private:
    static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    double normalSlow(std::uint64_t bits);
    std::uint64_t s_[4];
};

// Ziggurat tables (Marsaglia & Tsang 2000, 256 layers); exact, not an approximation.
struct ZigguratTables {
    double x[257];      // layer edges: x[0] = v / f(r) (virtual base width), x[1] = r, x[256] = 0
    double ratio[256];  // x[i + 1] / x[i]: a draw below it lies inside the density for sure
    double f[257];      // exp(-x^2 / 2)
};
const ZigguratTables& zigguratTables();

inline double RandomStream::normal() { return normal(zigguratTables()); }

inline double RandomStream::normal(const ZigguratTables& zt) {
    const std::uint64_t bits = next();
    const unsigned layer = static_cast<unsigned>(bits & 0xFF);
    // Top 53 bits as a signed value in [-1, 1): sign and magnitude in one draw.
    const double u = static_cast<double>(static_cast<std::int64_t>(bits) >> 11) * 0x1.0p-52;
    if (std::fabs(u) < zt.ratio[layer]) [[likely]]
        return u * zt.x[layer];
    return normalSlow(bits);
}

}  // namespace driftlab::core
