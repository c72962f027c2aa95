#pragma once
// Fully connected layer with a fused activation: a = act(W x + b) over a whole batch.
// A Dense owns no numbers. Its weights and bias are Eigen::Map views at a fixed offset into
// the model's one contiguous parameter vector (W column-major, outputs x inputs, then b), and
// its gradient lands at the same offset of the equally laid out gradient vector, so
// optimizers, checkpoints and loss-landscape code see one flat vector.
#include <cstdint>

#include "core/nn/gemm.h"
#include "core/nn/types.h"

namespace driftlab::core {
class RandomStream;
}

namespace driftlab::core::nn {

template <typename Scalar>
class Dense {
public:
    Dense(Index inputs, Index outputs, Activation activation, Index offset);

    Index inputs() const { return inputs_; }
    Index outputs() const { return outputs_; }
    Activation activation() const { return activation_; }
    Index offset() const { return offset_; }
    Index parameterCount() const { return outputs_ * inputs_ + outputs_; }

    // base is the start of the model's parameter (or gradient) vector, not of this layer.
    Eigen::Map<Matrix<Scalar>> weights(Scalar* base) const {
        return {base + offset_, outputs_, inputs_};
    }
    Eigen::Map<const Matrix<Scalar>> weights(const Scalar* base) const {
        return {base + offset_, outputs_, inputs_};
    }
    Eigen::Map<Vector<Scalar>> bias(Scalar* base) const {
        return {base + offset_ + outputs_ * inputs_, outputs_};
    }
    Eigen::Map<const Vector<Scalar>> bias(const Scalar* base) const {
        return {base + offset_ + outputs_ * inputs_, outputs_};
    }

    // Xavier-uniform or He-normal weights, zero bias.
    void initialize(Scalar* params, RandomStream& random, Init init) const;

    // z = W x + b and a = act(z), kept for backward; z is left empty for the activations
    // whose derivative comes from a alone (needsPreactivation). a (and z) are resized only
    // when the batch size changes and gemm keeps its packing buffers, so steady-state calls
    // do not allocate.
    void forward(const Scalar* params, const MatrixCRef<Scalar>& x, Matrix<Scalar>& z,
                 Matrix<Scalar>& a, GemmBuffers<Scalar>& gemm) const;

    // g holds dL/da on entry and dL/dz on return. If gradient is non-null, dL/dW and dL/db are
    // added into it (accumulation lets callers sum over time steps or batch blocks). If
    // inputGrad is non-null it is overwritten with dL/dx = W^T dL/dz.
    void backward(const Scalar* params, const MatrixCRef<Scalar>& x, const Matrix<Scalar>& z,
                  const Matrix<Scalar>& a, Matrix<Scalar>& g, Scalar* gradient,
                  Matrix<Scalar>* inputGrad, GemmBuffers<Scalar>& gemm) const;

private:
    Index inputs_;
    Index outputs_;
    Activation activation_;
    Index offset_;
};

extern template class Dense<double>;
extern template class Dense<float>;

}  // namespace driftlab::core::nn
