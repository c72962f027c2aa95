#include "core/timeseries/baselines.h"

#include <cmath>
#include <limits>

#include "core/common/error.h"

namespace driftlab::core::timeseries {

Eigen::MatrixXd baselinePredict(BaselineKind kind, const Series& s, const Mask& context) {
    const Eigen::Index n = s.length();
    Eigen::MatrixXd out =
        Eigen::MatrixXd::Constant(s.channels(), n, std::numeric_limits<double>::quiet_NaN());
    for (Eigen::Index c = 0; c < s.channels(); ++c) {
        std::vector<Eigen::Index> known;
        for (Eigen::Index j = 0; j < n; ++j)
            if (context(c, j)) known.push_back(j);
        if (known.empty()) continue;
        std::size_t next = 0;  // first known index > j (or at j)
        for (Eigen::Index j = 0; j < n; ++j) {
            while (next < known.size() && known[next] < j) ++next;
            if (next < known.size() && known[next] == j) {
                out(c, j) = s.values(c, j);
                continue;
            }
            if (next == 0) {
                out(c, j) = s.values(c, known.front());
            } else if (next == known.size() || kind == BaselineKind::Persistence) {
                out(c, j) = s.values(c, known[next - 1]);
            } else {
                const Eigen::Index a = known[next - 1], b = known[next];
                const double ta = s.times[std::size_t(a)], tb = s.times[std::size_t(b)];
                const double w = (s.times[std::size_t(j)] - ta) / (tb - ta);
                out(c, j) = (1.0 - w) * s.values(c, a) + w * s.values(c, b);
            }
        }
    }
    return out;
}

BaselineScore baselineMse(BaselineKind kind, const TimeSeriesDataset& data,
                          const std::vector<SeriesTask>& tasks,
                          const std::vector<std::size_t>& seriesIndices) {
    if (tasks.size() != data.size()) throw ConfigError("baseline: one task per series is needed");
    BaselineScore score;
    double sum = 0.0;
    for (std::size_t i : seriesIndices) {
        const Series& s = data[i];
        const Eigen::MatrixXd pred = baselinePredict(kind, s, tasks[i].context);
        for (Eigen::Index j = 0; j < s.length(); ++j)
            for (Eigen::Index c = 0; c < s.channels(); ++c)
                if (tasks[i].target(c, j) && std::isfinite(pred(c, j))) {
                    const double e = pred(c, j) - s.values(c, j);
                    sum += e * e;
                    ++score.cells;
                }
    }
    score.mse = score.cells > 0 ? sum / double(score.cells) : 0.0;
    return score;
}

}  // namespace driftlab::core::timeseries
