#pragma once
// Brownian increments and space-time Lévy areas of a batch of paths on a fine grid,
// aggregated exactly to any coarser step: the shared paths that strong- and weak-order
// tests compare step sizes on.
#include "core/common/random.h"

#include <Eigen/Core>

#include <cmath>
#include <cstdint>
#include <vector>

namespace driftlab::test {

class FineBrownian {
public:
    // n paths (seed, firstPath + j), m Brownian motions, `fine` steps over [0, T].
    FineBrownian(std::uint64_t seed, int firstPath, int n, int m, int fine, double T)
        : m_(m), n_(n), fine_(fine), d_(T / fine), dW_(fine), H_(fine) {
        for (int i = 0; i < fine; ++i) {
            dW_[i].resize(m, n);
            H_[i].resize(m, n);
        }
        const double sqrtD = std::sqrt(d_), sqrtD12 = std::sqrt(d_ / 12.0);
        for (int j = 0; j < n; ++j) {
            core::RandomStream rng(seed, static_cast<std::uint64_t>(firstPath + j));
            for (int i = 0; i < fine; ++i)
                for (int c = 0; c < m; ++c) {
                    dW_[i](c, j) = sqrtD * rng.normal();
                    H_[i](c, j) = sqrtD12 * rng.normal();
                }
        }
    }

    int fineSteps() const { return fine_; }
    double fineDt() const { return d_; }

    // Increment and space-time area of coarse step k made of r fine steps:
    // I_(1,0) = sum_i [d (W_{i-1} - W_start) + d (dW_i / 2 + H_i)], H = I / (r d) - dW / 2.
    void coarse(int k, int r, Eigen::MatrixXd& dW, Eigen::MatrixXd& H) const {
        dW.setZero(m_, n_);
        Eigen::MatrixXd integral = Eigen::MatrixXd::Zero(m_, n_);
        for (int i = k * r; i < (k + 1) * r; ++i) {
            integral += d_ * (dW + 0.5 * dW_[i] + H_[i]);
            dW += dW_[i];
        }
        H = integral / (r * d_) - 0.5 * dW;
    }

    // W(T) - W(0), m x n.
    Eigen::MatrixXd total() const {
        Eigen::MatrixXd w = Eigen::MatrixXd::Zero(m_, n_);
        for (const auto& step : dW_) w += step;
        return w;
    }

private:
    int m_, n_, fine_;
    double d_;
    std::vector<Eigen::MatrixXd> dW_, H_;
};

}  // namespace driftlab::test
