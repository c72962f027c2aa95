#include "core/solvers/sde_system.h"

namespace driftlab::core {

std::string toString(NoiseType type)
{
    switch (type) {
    case NoiseType::Diagonal: return "diagonal";
    case NoiseType::Scalar: return "scalar";
    case NoiseType::Additive: return "additive";
    case NoiseType::General: return "general";
    }
    return "unknown";
}

std::string toString(Calculus calculus)
{
    return calculus == Calculus::Ito ? "Ito" : "Stratonovich";
}

}  // namespace driftlab::core
