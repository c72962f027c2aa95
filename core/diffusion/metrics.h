#pragma once
// Sample-quality metrics of the sampler shoot-out, defined so anyone can recompute them.
#include <cstdint>

#include "core/diffusion/toy_datasets.h"

namespace driftlab::core::diffusion {

// SW2 = sqrt(mean over `directions` random unit directions of W2^2 between the two
// projected sets). The 1-D W2 is exact between the empirical measures: both sorted
// projections are read as quantile functions and (F^-1(u) - G^-1(u))^2 is integrated over
// u in [0, 1] piece by piece, which is plain sorted matching for equal sizes and quantile
// matching otherwise. Directions come from seed, so two calls compare alike.
double slicedWasserstein2(const Points& a, const Points& b, int directions = 1000,
                          std::uint64_t seed = 0);

// Unbiased MMD^2 (Gretton et al. 2012) with k(x, y) = sum_b exp(-|x - y|^2 / (2 b^2)) over
// the bandwidths b = 0.1, 0.2, 0.5, 1: the diagonal terms are left out of the within-set
// means, so it is 0 in expectation (and may be slightly negative) for equal laws.
double mmdSquaredUnbiased(const Points& a, const Points& b);

}  // namespace driftlab::core::diffusion
