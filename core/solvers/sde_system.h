#pragma once
// The contract between an SDE (typed, neural, ...) and the steppers. A system hands out one
// worker per thread so that workers may keep scratch state (muparser variables, layer
// activations) without locks; batches are dim x n matrices, one column per path.
#include <Eigen/Core>
#include <memory>
#include <string>

namespace driftlab::core {

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
};

class SdeSystem {
public:
    virtual ~SdeSystem() = default;
    virtual int dimension() const = 0;
    virtual NoiseType noiseType() const = 0;
    // True when g == 0 everywhere: the system is an ODE and no noise needs drawing.
    virtual bool isDeterministic() const = 0;
    virtual std::unique_ptr<SdeWorker> makeWorker() const = 0;
};

}  // namespace driftlab::core
