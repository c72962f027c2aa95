#include "core/models/series_model.h"

#include "core/common/error.h"
#include "core/models/adaptive_series_ode.h"
#include "core/models/latent_series_model.h"

namespace driftlab::core::models {

namespace {

template <typename Enum, std::size_t N>
Enum fromName(const std::string& name, const Enum (&all)[N], std::string (*nameOf)(Enum),
              const char* what) {
    std::string known;
    for (Enum e : all) {
        if (nameOf(e) == name) return e;
        known += (known.empty() ? "" : ", ") + nameOf(e);
    }
    throw ConfigError("unknown " + std::string(what) + " '" + name + "' (" + known + ")");
}

constexpr SeriesModelKind kAllKinds[] = {SeriesModelKind::NeuralOde, SeriesModelKind::NeuralSde,
                                         SeriesModelKind::Langevin, SeriesModelKind::LinearNoise,
                                         SeriesModelKind::Geometric};
constexpr SeriesObjective kAllObjectives[] = {SeriesObjective::Mse, SeriesObjective::GaussianNll,
                                              SeriesObjective::Elbo};
constexpr ControlPath kAllPaths[] = {ControlPath::None, ControlPath::Linear,
                                     ControlPath::NaturalCubic};

}  // namespace

std::string seriesModelName(SeriesModelKind kind) {
    switch (kind) {
        case SeriesModelKind::NeuralOde:
            return "ode";
        case SeriesModelKind::NeuralSde:
            return "sde";
        case SeriesModelKind::Langevin:
            return "lsde";
        case SeriesModelKind::LinearNoise:
            return "lnsde";
        case SeriesModelKind::Geometric:
            return "gsde";
    }
    return "?";
}

SeriesModelKind seriesModelFromName(const std::string& name) {
    return fromName(name, kAllKinds, &seriesModelName, "time-series model");
}

std::string seriesObjectiveName(SeriesObjective objective) {
    switch (objective) {
        case SeriesObjective::Mse:
            return "mse";
        case SeriesObjective::GaussianNll:
            return "nll";
        case SeriesObjective::Elbo:
            return "elbo";
    }
    return "?";
}

SeriesObjective seriesObjectiveFromName(const std::string& name) {
    return fromName(name, kAllObjectives, &seriesObjectiveName, "objective");
}

std::string controlPathName(ControlPath path) {
    switch (path) {
        case ControlPath::None:
            return "none";
        case ControlPath::Linear:
            return "linear";
        case ControlPath::NaturalCubic:
            return "cubic";
    }
    return "?";
}

ControlPath controlPathFromName(const std::string& name) {
    return fromName(name, kAllPaths, &controlPathName, "control path");
}

std::unique_ptr<SeriesModel> makeSeriesModel(const SeriesModelConfig& config) {
    if (config.adaptive) {
        if (config.kind != SeriesModelKind::NeuralOde)
            throw ConfigError("time-series model: adaptive solving is for the ode kind only, not " +
                              seriesModelName(config.kind));
        return makeAdaptiveSeriesOde(config);
    }
    return std::make_unique<LatentSeriesModel>(config);
}

}  // namespace driftlab::core::models
