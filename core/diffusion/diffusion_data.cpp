#include "core/diffusion/diffusion_data.h"

#include "core/common/error.h"

namespace driftlab::core {

namespace cd = diffusion;

DiffusionData prepareDiffusionData(const DiffusionConfig& config, cd::Index metricPoints,
                                   const cd::Points* customPoints, const std::string& customName) {
    DiffusionData d;
    if (customPoints) {
        const cd::Index n = customPoints->cols();
        if (customName.empty()) {
            if (n == 0)
                throw ConfigError(
                    "no data: draw points in the data view or load a CSV, or "
                    "switch the data source back to the generated set");
            if (n < kMinimumUserPoints)
                throw ConfigError("the drawn data set has " + std::to_string(n) + " point" +
                                  (n == 1 ? "" : "s") + "; draw at least " +
                                  std::to_string(kMinimumUserPoints) +
                                  " (a fifth is held out for the metrics)");
        } else if (n < kMinimumUserPoints) {
            throw ConfigError(customName + ": " + std::to_string(n) + " point" +
                              (n == 1 ? "" : "s") + "; at least " +
                              std::to_string(kMinimumUserPoints) +
                              " are needed (a fifth is held out for the metrics)");
        }
        d.customData = true;
        d.standardizer = cd::Standardizer::fit(*customPoints);
        const cd::DataSplit split =
            cd::splitTrainHeldOut(d.standardizer.apply(*customPoints), 0.2, config.data.seed + 7);
        d.train = split.train;
        d.heldOut = split.heldOut;
        return d;
    }
    if (metricPoints < 1) throw ConfigError("metric_points must be positive");
    const cd::Points raw = cd::makeToyDataset(config.data);
    d.standardizer = cd::Standardizer::fit(raw);
    d.train = d.standardizer.apply(raw);
    cd::ToyDatasetOptions other = config.data;
    other.size = metricPoints;
    other.seed = config.data.seed + 1000003;  // fresh points of the same law
    d.heldOut = d.standardizer.apply(cd::makeToyDataset(other));
    other.seed = config.data.seed + 2000003;
    d.fresh = d.standardizer.apply(cd::makeToyDataset(other));
    if (config.data.kind == cd::ToyDataset::GaussianMixture) d.mixture = config.data.mixture;
    if (config.data.kind == cd::ToyDataset::EightGaussians)
        d.mixture = cd::GaussianMixture2D::eightGaussians(2.0, config.data.noise);
    return d;
}

}  // namespace driftlab::core
