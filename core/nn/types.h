#pragma once
// Shared vocabulary of the network code. Everything is templated on the scalar so the same
// code runs in float64 (gradient checks, adjoints) and float32 (throughput); both are
// instantiated explicitly in the .cpp files, which keeps these headers light.
#include <Eigen/Core>

namespace driftlab::core::nn {

using Index = Eigen::Index;

// Column-major, one column per sample: a layer is then a single GEMM over the batch.
template <typename Scalar>
using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
template <typename Scalar>
using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
template <typename Scalar>
using RowVector = Eigen::Matrix<Scalar, 1, Eigen::Dynamic>;

template <typename Scalar>
using MatrixCRef = Eigen::Ref<const Matrix<Scalar>>;
template <typename Scalar>
using VectorCRef = Eigen::Ref<const Vector<Scalar>>;
template <typename Scalar>
using VectorRef = Eigen::Ref<Vector<Scalar>>;

enum class Activation { Identity, Tanh, Relu, Silu, Softplus, Sigmoid, Sine };

// Weight initialisation. Auto picks Xavier for saturating/periodic activations and He for
// the rectifier family, which is what keeps activations at unit scale through depth.
enum class Init { Auto, Xavier, He };

}  // namespace driftlab::core::nn
