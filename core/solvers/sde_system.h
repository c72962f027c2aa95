#pragma once
// The contract between an SDE (typed, neural, ...) and the steppers. A system hands out one
// worker per thread so that workers may keep scratch state (muparser variables, layer
// activations) without locks; batches are dim x n matrices, one column per path.
#include <Eigen/Core>
#include <memory>
#include <string>

namespace driftlab::core {

// Diagonal: g is a dim-vector, dW has dim independent components (g_i may read any x_k,
// but only "g_i depends on x_i alone" makes it commutative, which Milstein-type schemes
// assume). Additive: diagonal g that does not depend on the state. General: g is a
// dim x m matrix driven by m independent Brownian motions. Scalar is declared for
// completeness; no system reports it (a dim x 1 general system is its equivalent).
enum class NoiseType { Diagonal, Scalar, Additive, General };
enum class Calculus { Ito, Stratonovich };

std::string toString(NoiseType type);
std::string toString(Calculus calculus);

class SdeWorker {
public:
    virtual ~SdeWorker() = default;
    // out(:, j) = f(t, y(:, j)); out has the shape of y.
    virtual void drift(double t, const Eigen::Ref<const Eigen::MatrixXd>& y,
                       Eigen::Ref<Eigen::MatrixXd> out) = 0;
    // Diagonal noise: out(:, j) holds the diagonal of g(t, y(:, j)).
    virtual void diffusion(double t, const Eigen::Ref<const Eigen::MatrixXd>& y,
                           Eigen::Ref<Eigen::MatrixXd> out) = 0;

    // 0 for diagonal noise (diffusion() above); m > 0 for general noise, where g is
    // dim x m and comes from diffusionMatrix(). Steppers branch on this once per step.
    virtual int matrixNoiseColumns() const { return 0; }
    // General noise: out(:, j) holds g(t, y(:, j)), dim x m stored column-major, so out has
    // dim * m rows. Only called when matrixNoiseColumns() > 0.
    virtual void diffusionMatrix(double t, const Eigen::Ref<const Eigen::MatrixXd>& y,
                                 Eigen::Ref<Eigen::MatrixXd> out);
};

class SdeSystem {
public:
    virtual ~SdeSystem() = default;
    virtual int dimension() const = 0;
    virtual NoiseType noiseType() const = 0;
    // True when g == 0 everywhere: the system is an ODE and no noise needs drawing.
    virtual bool isDeterministic() const = 0;
    virtual std::unique_ptr<SdeWorker> makeWorker() const = 0;

    // How many independent Brownian motions drive the system: dimension() unless the noise
    // is general (m columns of g).
    virtual int brownianDimension() const { return dimension(); }
    // True when the columns of g commute, (g_j . grad) g_k = (g_k . grad) g_j for all j, k
    // (e.g. g = diag-in-a-fixed-basis, or g independent of the state). The iterated Itô
    // integrals then reduce to products of increments, which is what lets Milstein reach
    // strong order 1 without Lévy areas. Diagonal noise commutes when each g_i reads only
    // x_i. The default declares diagonal noise commuting and general noise not; systems that
    // know what their expressions read (CompiledEquation) decide from that, because a
    // numerical check at a few points cannot prove commutativity.
    virtual bool hasCommutativeNoise() const { return noiseType() != NoiseType::General; }
};

}  // namespace driftlab::core
