#pragma once
// Complex products for the per-mode loops. std::complex's operator* follows C's Annex G
// (it re-checks NaN results and may call __muldc3), which keeps GCC from vectorising the
// loops; these are the plain formulas, which is all a spectral multiplier needs.
#include <complex>
#include <vector>

namespace driftlab::core::fields {

inline std::complex<double> mul(std::complex<double> a, std::complex<double> b) {
    return {a.real() * b.real() - a.imag() * b.imag(), a.real() * b.imag() + a.imag() * b.real()};
}

inline std::complex<double> mul(double a, std::complex<double> b) {
    return {a * b.real(), a * b.imag()};
}

// A per-mode multiplier stored by what it is: spectral derivatives of even total order (and
// masks) are real, of odd order purely imaginary, so most tables need one double per mode and
// half the products.
class ModeMultiplier {
public:
    enum class Kind { Real, Imaginary, General };

    ModeMultiplier() = default;
    template <class Table>
    explicit ModeMultiplier(const Table& table) : general_(table.size()), part_(table.size()) {
        bool real = true, imaginary = true;
        for (std::size_t m = 0; m < table.size(); ++m) {
            general_[m] = table[m];
            real = real && table[m].imag() == 0.0;
            imaginary = imaginary && table[m].real() == 0.0;
        }
        kind_ = real ? Kind::Real : (imaginary ? Kind::Imaginary : Kind::General);
        for (std::size_t m = 0; m < table.size(); ++m)
            part_[m] = kind_ == Kind::Imaginary ? table[m].imag() : table[m].real();
    }

    Kind kind() const { return kind_; }
    // out[m] = table[m] * in[m]; out may be in.
    void apply(const std::complex<double>* in, std::complex<double>* out, std::size_t n) const {
        const double* p = part_.data();
        switch (kind_) {
            case Kind::Real:
                for (std::size_t m = 0; m < n; ++m) out[m] = mul(p[m], in[m]);
                break;
            case Kind::Imaginary:
                for (std::size_t m = 0; m < n; ++m)
                    out[m] = {-p[m] * in[m].imag(), p[m] * in[m].real()};
                break;
            case Kind::General:
                for (std::size_t m = 0; m < n; ++m) out[m] = mul(general_[m], in[m]);
                break;
        }
    }

private:
    Kind kind_ = Kind::Real;
    std::vector<std::complex<double>> general_;
    std::vector<double> part_;
};

}  // namespace driftlab::core::fields
