#pragma once
// What the gradient solvers (sde_backprop.h) solve: an SDE dY = f(t, Y; theta) dt +
// g(t, Y; theta) o dW over a batch (dim x paths, one column per path) with the vector-Jacobian
// products of f and g with respect to the state and the parameters. The solver side owns the
// interface and the schemes; a model (the neural SDE, core/models) implements it, so solvers
// know no model.
//
// The cost model is one virtual call per field evaluation of a whole block of paths (a GEMM
// per layer behind it), never per element. An evaluation keeps what its VJP needs in a
// workspace the system makes (one per thread, or one per step when a backprop tapes the
// forward pass), so the solvers never see a network's activations.
//
// Noise shapes: diagonal (g is dim x paths, dim Brownian motions, the term is g . dW) or
// general (g holds per path a dim x m matrix column-major, dim*m x paths; the term is G dW).
#include <Eigen/Core>

#include <memory>

namespace driftlab::core {

template <typename Scalar>
using SdeMatrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
template <typename Scalar>
using SdeMatrixCRef = Eigen::Ref<const SdeMatrix<Scalar>>;

// Per-thread evaluation state of a DifferentiableSde: what the last drift/diffusion call made
// with it keeps for the VJP. Systems derive their own.
class DifferentiableSdeWorkspace {
public:
    virtual ~DifferentiableSdeWorkspace() = default;
};

template <typename Scalar>
class DifferentiableSde {
public:
    using Index = Eigen::Index;
    using Matrix = SdeMatrix<Scalar>;
    using MatrixCRef = SdeMatrixCRef<Scalar>;
    using Workspace = DifferentiableSdeWorkspace;

    virtual ~DifferentiableSde() = default;

    virtual Index dimension() const = 0;
    virtual bool hasGeneralNoise() const = 0;
    // Independent Brownian motions: rows of each increment dW (dim for diagonal noise).
    virtual Index brownianDimension() const = 0;
    // Rows of g: dim, or dim * brownianDimension() for general noise.
    Index diffusionRows() const {
        return hasGeneralNoise() ? dimension() * brownianDimension() : dimension();
    }
    // Length of theta, the layout of the gradients the VJPs add into.
    virtual Index parameterCount() const = 0;

    virtual std::unique_ptr<Workspace> makeWorkspace() const = 0;
    // Lets slot borrow owner's scratch (packing buffers, backward temporaries): a tape of one
    // workspace per step then shares one warm scratch. Both were made by this system.
    virtual void shareScratch(Workspace& slot, Workspace& owner) const {
        (void)slot;
        (void)owner;
    }

    // f(t, y) and g(t, y) for a block of paths; the result lives in ws until its next call.
    virtual const Matrix& drift(Scalar t, const MatrixCRef& y, Workspace& ws) const = 0;
    virtual const Matrix& diffusion(Scalar t, const MatrixCRef& y, Workspace& ws) const = 0;

    // VJPs through the last drift/diffusion call made with ws: dL/dtheta is added into
    // gradient (parameterCount() entries), dL/dy into stateGrad when it is non-null.
    virtual void driftVjp(const MatrixCRef& cotangent, Workspace& ws, Scalar* gradient,
                          Matrix* stateGrad) const = 0;
    virtual void diffusionVjp(const MatrixCRef& cotangent, Workspace& ws, Scalar* gradient,
                              Matrix* stateGrad) const = 0;
};

}  // namespace driftlab::core
