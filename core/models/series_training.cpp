#include "core/models/series_training.h"

#include <cmath>

#include "core/common/error.h"
#include "core/common/random.h"
#include "core/nn/optimizer.h"

namespace driftlab::core::models {

SeriesTrainReport trainSeriesModel(SeriesModel& model, const timeseries::TimeSeriesDataset& data,
                                   const std::vector<std::size_t>& indices,
                                   const SeriesTrainOptions& o,
                                   const std::vector<timeseries::SeriesTask>* tasks) {
    if (indices.empty()) throw ConfigError("time-series training: no training series");
    if (o.iterations < 0 || o.batchSize < 1 || o.paths < 1 || !(o.learningRate > 0.0))
        throw ConfigError(
            "time-series training: iterations >= 0, batch >= 1, paths >= 1, rate > 0");
    if (tasks && tasks->size() != data.size())
        throw ConfigError("time-series training: one task per series is needed");
    nn::AdamOptions adamOptions;
    adamOptions.learningRate = o.learningRate;
    nn::Adam<double> adam(adamOptions);
    SeriesTrainReport report;
    Eigen::VectorXd theta = model.parameters(), grad;
    std::vector<SeriesItem> batch;
    const auto size = std::min<std::size_t>(std::size_t(o.batchSize), indices.size());
    for (int it = 0; it < o.iterations; ++it) {
        RandomStream rng(o.seed, 0x7000000ull + std::uint64_t(it));
        batch.clear();
        for (std::size_t b = 0; b < size; ++b) {
            const std::size_t i =
                size == indices.size()
                    ? indices[b]
                    : indices[std::size_t(rng.uniform() * double(indices.size()))];
            if (tasks)
                batch.push_back({&data[i], &(*tasks)[i].context, &(*tasks)[i].target});
            else
                batch.push_back({&data[i], &data[i].observed, &data[i].observed});
        }
        std::string bad;
        try {
            const auto result =
                model.loss(batch, o.paths, o.seed * 1000003ull + std::uint64_t(it), &grad);
            report.nfe += result.nfe;
            if (!std::isfinite(result.loss))
                bad = "the loss is not finite";
            else if (!grad.allFinite())
                bad = "the gradient is not finite";
            else
                report.loss.push_back(result.loss);
        } catch (const SolverError& e) {
            bad = e.what();
        }
        if (!bad.empty()) {
            report.diverged = true;
            report.message = "time-series training diverged at iteration " +
                             std::to_string(it + 1) + ": " + bad +
                             "; the last finite parameters are kept";
            model.setParameters(theta);
            break;
        }
        nn::clipGradientNorm<double>(grad, o.gradientClip);
        adam.step(theta, grad);
        model.setParameters(theta);
    }
    return report;
}

SeriesLossResult evaluateSeriesModel(const SeriesModel& model,
                                     const timeseries::TimeSeriesDataset& data,
                                     const std::vector<timeseries::SeriesTask>& tasks,
                                     const std::vector<std::size_t>& indices, int paths,
                                     std::uint64_t noiseSeed) {
    std::vector<SeriesItem> batch;
    for (std::size_t i : indices) batch.push_back({&data[i], &tasks[i].context, &tasks[i].target});
    return model.loss(batch, paths, noiseSeed, nullptr);
}

double lossTerm(const SeriesLossResult& result, const std::string& name) {
    for (const auto& [key, value] : result.terms)
        if (key == name) return value;
    throw Error("the loss has no term '" + name + "'");
}

}  // namespace driftlab::core::models
