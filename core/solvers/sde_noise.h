#pragma once
// The stochastic term g(t, y) dW of a step for diagonal and general (matrix) noise alike,
// so each stepper writes its scheme once. G holds what the worker returned: diagonals
// (dim x n) or column-major dim x m matrices (dim*m x n), one column per path.
#include "core/solvers/sde_system.h"

#include <Eigen/Core>

namespace driftlab::core {

// G = g(t, y) for every path of y (resized to the worker's noise shape).
void evaluateDiffusion(SdeWorker& worker, double t, const Eigen::Ref<const Eigen::MatrixXd>& y,
                       Eigen::MatrixXd& G);

// out(:, j) = g_j dW(:, j): elementwise when G holds diagonals (G, dW and out all have dim
// rows), a dim x m matrix-vector product otherwise.
void applyDiffusion(const Eigen::MatrixXd& G, const Eigen::Ref<const Eigen::MatrixXd>& dW,
                    Eigen::Ref<Eigen::MatrixXd> out);

// out += g_j dW(:, j), as applyDiffusion but accumulating.
void addDiffusion(const Eigen::MatrixXd& G, const Eigen::Ref<const Eigen::MatrixXd>& dW,
                  Eigen::Ref<Eigen::MatrixXd> out, double scale = 1.0);

}  // namespace driftlab::core
