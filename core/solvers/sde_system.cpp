#include "core/solvers/sde_system.h"

#include "core/common/error.h"

namespace driftlab::core {

std::string toString(NoiseType type) {
    switch (type) {
        case NoiseType::Diagonal:
            return "diagonal";
        case NoiseType::Scalar:
            return "scalar";
        case NoiseType::Additive:
            return "additive";
        case NoiseType::General:
            return "general";
    }
    return "unknown";
}

std::string toString(Calculus calculus) {
    return calculus == Calculus::Ito ? "Ito" : "Stratonovich";
}

void SdeWorker::diffusionMatrix(double, const Eigen::Ref<const Eigen::MatrixXd>&,
                                Eigen::Ref<Eigen::MatrixXd>) {
    throw SolverError(
        "this system's diffusion is diagonal; it has no matrix form (a general-"
        "noise system must override SdeWorker::diffusionMatrix)");
}

}  // namespace driftlab::core
