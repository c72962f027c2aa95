#include "core/fields/field_stepper.h"

#include "core/fields/etdrk4.h"
#include "core/fields/imex_sbdf2.h"
#include "core/fields/spectral_rk4.h"

namespace driftlab::core::fields {

std::string fieldSchemeName(FieldScheme scheme) {
    switch (scheme) {
        case FieldScheme::Etdrk4:
            return "ETDRK4";
        case FieldScheme::ImexSbdf2:
            return "IMEX SBDF2";
        case FieldScheme::Rk4:
            return "RK4";
    }
    return "?";
}

std::unique_ptr<FieldStepper> makeFieldStepper(FieldScheme scheme,
                                               const FieldStepperOptions& options) {
    switch (scheme) {
        case FieldScheme::Etdrk4:
            return std::make_unique<Etdrk4Stepper>(options.contourPoints);
        case FieldScheme::ImexSbdf2:
            return std::make_unique<ImexSbdf2Stepper>();
        case FieldScheme::Rk4:
            return std::make_unique<SpectralRk4Stepper>();
    }
    return nullptr;
}

}  // namespace driftlab::core::fields
