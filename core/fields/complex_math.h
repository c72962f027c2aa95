#pragma once
// Complex products for the per-mode loops. std::complex's operator* follows C's Annex G
// (it re-checks NaN results and may call __muldc3), which keeps GCC from vectorising the
// loops; these are the plain formulas, which is all a spectral multiplier needs.
#include <complex>

namespace driftlab::core::fields {

inline std::complex<double> mul(std::complex<double> a, std::complex<double> b)
{
    return {a.real() * b.real() - a.imag() * b.imag(), a.real() * b.imag() + a.imag() * b.real()};
}

inline std::complex<double> mul(double a, std::complex<double> b)
{
    return {a * b.real(), a * b.imag()};
}

}  // namespace driftlab::core::fields
