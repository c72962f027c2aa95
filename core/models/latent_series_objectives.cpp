// The latent models' objectives per series, the batch loss, the forecast and the diagnostic
// adaptive solve of the learned drift (see latent_series_model.h).
#include <algorithm>
#include <cmath>
#include <exception>

#include "core/common/error.h"
#include "core/models/latent_series_rollout.h"
#include "core/models/series_interpolation.h"

namespace driftlab::core::models {

using timeseries::Mask;
using timeseries::Series;

struct LatentSeriesModel::ItemTotals {
    double loss = 0.0;          // weighted, what the gradient is of
    double squaredError = 0.0;  // of the mean prediction, summed over target cells
    double nll = 0.0;           // summed over target cells (nll: Gaussian; elbo: reconstruction)
    double kl = 0.0;            // KL integral of the series
    double crossEntropy = 0.0;
    long cells = 0;
    bool correct = false;
    long nfe = 0;
};

namespace {

Eigen::VectorXd softmax(const Eigen::VectorXd& logits) {
    const Eigen::ArrayXd e = (logits.array() - logits.maxCoeff()).exp();
    return e / e.sum();
}

}  // namespace

LatentSeriesModel::ItemTotals LatentSeriesModel::runItem(const SeriesItem& item, int paths,
                                                         std::uint64_t noiseSeed,
                                                         std::uint64_t stream, double cellWeight,
                                                         double seriesWeight,
                                                         double* gradient) const {
    const Offsets o = offsets();
    const Series& s = *item.series;
    const nn::Index c = config_.channels, P = paths;
    Rollout r;
    r.series = &s;
    r.context = item.context;
    r.paths = paths;
    r.noiseSeed = noiseSeed;
    r.stream = stream;
    r.landings = relativeTimes(s);
    r.withKl = hasPrior();
    r.klWeight = cellWeight;
    const bool adjoint = config_.gradient == GradientMethod::Adjoint;
    r.keepPath = !(adjoint && gradient);
    simulate(r);

    ItemTotals totals;
    std::vector<Eigen::MatrixXd> observationGrad(std::size_t(r.steps() + 1));
    nn::MlpWorkspace<double> readWs, headWs;
    if (config_.classes > 0) {
        if (s.label < 0 || s.label >= config_.classes)
            throw ConfigError("time-series classification: a series has label " +
                              std::to_string(s.label) + ", the model has classes 0.." +
                              std::to_string(config_.classes - 1));
        const Eigen::MatrixXd& zEnd = r.Z.back();
        const Eigen::VectorXd zMean = zEnd.rowwise().mean();
        const Eigen::VectorXd p = softmax(head_.forward(zMean, headWs));
        totals.crossEntropy = -std::log(std::max(p(s.label), 1e-300));
        totals.loss = seriesWeight * totals.crossEntropy;
        Eigen::Index best = 0;
        p.maxCoeff(&best);
        totals.correct = best == s.label;
        if (gradient) {
            Eigen::VectorXd dLogits = seriesWeight * p;
            dLogits(s.label) -= seriesWeight;
            const Eigen::VectorXd dMean = head_.backward(dLogits, headWs, gradient + o.head, true);
            observationGrad.back() = (dMean / double(P)).replicate(1, P);
        }
    } else {
        const bool nll = config_.objective == SeriesObjective::GaussianNll;
        const bool elbo = config_.objective == SeriesObjective::Elbo;
        const Eigen::VectorXd noiseVar = (2.0 * observationLogSigma_.array()).exp();
        constexpr double log2pi = 1.8378770664093453;  // log(2 pi)
        for (nn::Index j = 0; j < s.length(); ++j) {
            if (!item.target->col(j).any()) continue;
            const long k = r.stepAt[std::size_t(j)];
            const Eigen::MatrixXd Y = readout(r.Z[std::size_t(k)], readWs);  // c x P
            const Eigen::VectorXd m = Y.rowwise().mean();
            Eigen::MatrixXd dY = Eigen::MatrixXd::Zero(c, P);
            for (nn::Index ch = 0; ch < c; ++ch) {
                if (!(*item.target)(ch, j)) continue;
                const double y = s.values(ch, j), e = m(ch) - y;
                ++totals.cells;
                totals.squaredError += e * e;
                if (elbo) {
                    const Eigen::ArrayXd r2 = (Y.row(ch).array() - y).square().transpose();
                    const double v = noiseVar(ch);
                    const double cellNll = 0.5 * (log2pi + std::log(v) + r2.mean() / v);
                    totals.nll += cellNll;
                    totals.loss += cellWeight * cellNll;
                    if (gradient) {
                        dY.row(ch) =
                            (cellWeight / (double(P) * v)) * (Y.row(ch).array() - y).matrix();
                        gradient[o.noise + ch] += cellWeight * (1.0 - r2.mean() / v);
                    }
                } else if (nll) {
                    const bool learned = hasObservationNoise();
                    const Eigen::ArrayXd dev = (Y.row(ch).array() - m(ch)).transpose();
                    const double v = learned ? noiseVar(ch) : dev.square().mean() + kVarianceFloor;
                    const double cellNll = 0.5 * (log2pi + std::log(v) + e * e / v);
                    totals.nll += cellNll;
                    totals.loss += cellWeight * cellNll;
                    if (gradient) {
                        const double dm = cellWeight * e / v;
                        const double dv = cellWeight * 0.5 * (1.0 / v - e * e / (v * v));
                        dY.row(ch).setConstant(dm / double(P));
                        if (learned)
                            gradient[o.noise + ch] += dv * 2.0 * v;
                        else  // d var / d Y_p = 2 (Y_p - m) / P (the mean's own term sums to 0)
                            dY.row(ch) += (dv * 2.0 / double(P)) * dev.matrix().transpose();
                    }
                } else {
                    totals.loss += cellWeight * e * e;
                    if (gradient) dY.row(ch).setConstant(2.0 * cellWeight * e / double(P));
                }
            }
            if (gradient) observationGrad[std::size_t(k)] = readoutBackward(dY, readWs, gradient);
        }
        totals.kl = r.kl;
        totals.loss += cellWeight * r.kl;
    }
    if (gradient && reversibleHeun())
        reversibleHeunAdjoint(r, observationGrad, gradient);
    else if (gradient && adjoint)
        adjointBackward(r, observationGrad, gradient);
    else if (gradient)
        backpropagate(r, observationGrad, gradient);
    totals.nfe = r.nfe;
    return totals;
}

SeriesLossResult LatentSeriesModel::loss(const std::vector<SeriesItem>& batch, int paths,
                                         std::uint64_t noiseSeed, Eigen::VectorXd* gradient) const {
    if (paths < 1) throw ConfigError("time-series model: need at least one sample path");
    if (batch.empty()) throw ConfigError("time-series model: empty batch");
    long cells = 0;
    for (const auto& item : batch) {
        if (!item.series || !item.context || !item.target)
            throw ConfigError("time-series model: batch item without series or masks");
        const Series& s = *item.series;
        if (s.channels() != config_.channels)
            throw ConfigError("time-series model: series has " + std::to_string(s.channels()) +
                              " channels, the model " + std::to_string(config_.channels));
        if (item.context->rows() != s.channels() || item.context->cols() != s.length() ||
            item.target->rows() != s.channels() || item.target->cols() != s.length())
            throw ConfigError(
                "time-series model: context or target mask does not match its series");
        cells += static_cast<long>(item.target->count());
    }
    const double cellWeight = cells > 0 ? 1.0 / double(cells) : 0.0;
    const double seriesWeight = 1.0 / double(batch.size());
    const auto count = static_cast<long>(batch.size());
    std::vector<ItemTotals> totals(batch.size());
    // Per-item gradients summed in order afterwards: the result does not depend on threads.
    Eigen::MatrixXd grads;
    if (gradient) grads = Eigen::MatrixXd::Zero(parameterCount(), count);
    std::exception_ptr failure;  // the first one, rethrown as it was (ConfigError stays one)
#pragma omp parallel for schedule(dynamic)
    for (long b = 0; b < count; ++b) {
        try {
            totals[std::size_t(b)] =
                runItem(batch[std::size_t(b)], paths, noiseSeed, std::uint64_t(b), cellWeight,
                        seriesWeight, gradient ? grads.col(b).data() : nullptr);
        } catch (...) {
#pragma omp critical
            if (!failure) failure = std::current_exception();
        }
    }
    if (failure) std::rethrow_exception(failure);
    if (gradient) *gradient = grads.rowwise().sum();

    SeriesLossResult result;
    ItemTotals sum;
    int correct = 0;
    for (const auto& t : totals) {
        sum.loss += t.loss;
        sum.squaredError += t.squaredError;
        sum.nll += t.nll;
        sum.kl += t.kl;
        sum.crossEntropy += t.crossEntropy;
        correct += t.correct ? 1 : 0;
        result.nfe += t.nfe;
    }
    result.loss = sum.loss;
    if (config_.classes > 0) {
        result.terms = {{"cross_entropy", sum.crossEntropy * seriesWeight},
                        {"accuracy", double(correct) * seriesWeight}};
    } else {
        result.terms = {{"mse", sum.squaredError * cellWeight}};
        if (config_.objective == SeriesObjective::GaussianNll)
            result.terms.push_back({"nll", sum.nll * cellWeight});
        if (config_.objective == SeriesObjective::Elbo) {
            result.terms.push_back({"nll", sum.nll * cellWeight});
            result.terms.push_back({"kl", sum.kl * cellWeight});
        }
    }
    if (gradient) {
        long diagnosticNfe = 0;
        result.steps = diagnosticSolve(batch.front(), &diagnosticNfe);
        result.diagnosticNfe = diagnosticNfe;
    }
    return result;
}

std::vector<OdeStepRecord> LatentSeriesModel::diagnosticSolve(const SeriesItem& item,
                                                              long* nfe) const {
    const Series& s = *item.series;
    const double t0 = s.times.front(), t1 = s.times.back() - t0;
    nn::MlpWorkspace<double> ws;
    const Eigen::VectorXd z0 = encode(s, *item.context, ws);
    if (!(t1 > 0.0)) return {};
    std::vector<timeseries::ChannelInterpolant> control;
    if (config_.controlPath != ControlPath::None)
        control = timeseries::contextInterpolants(config_.controlPath == ControlPath::Linear
                                                      ? timeseries::InterpolationKind::Linear
                                                      : timeseries::InterpolationKind::NaturalCubic,
                                                  s, *item.context);
    const nn::Index d = config_.latentDim;
    FunctionOdeSystem system(int(d), [&](double t, const Eigen::VectorXd& z, Eigen::VectorXd& dz) {
        Eigen::VectorXd input(drift_.inputDim());
        input.head(d) = z;
        for (std::size_t ch = 0; ch < control.size(); ++ch)
            input(d + nn::Index(ch)) = control[ch].value(t0 + t);
        const Eigen::MatrixXd& f =
            config_.driftSeesTime ? drift_.forward(input, t, ws) : drift_.forward(input, ws);
        dz = config_.kind == SeriesModelKind::Geometric ? Eigen::VectorXd(z.cwiseProduct(f.col(0)))
                                                        : Eigen::VectorXd(f.col(0));
    });
    OdeOptions options;
    options.method = OdeMethod::DormandPrince5;
    options.rtol = config_.rtol;
    options.atol = config_.atol;
    options.maxSteps = 20000;
    options.saveAt = {t1};
    const OdeSolution solution = integrate(system, z0, 0.0, t1, options);
    if (nfe) *nfe = solution.stats.nfe;
    return solution.stats.steps;
}

SeriesForecast LatentSeriesModel::forecast(const Series& series, const Mask& context, int paths,
                                           std::uint64_t noiseSeed, int gridPoints) const {
    if (paths < 1) throw ConfigError("time-series forecast: need at least one sample path");
    if (gridPoints < 2) throw ConfigError("time-series forecast: need at least two grid points");
    if (series.channels() != config_.channels)
        throw ConfigError("time-series forecast: series has " + std::to_string(series.channels()) +
                          " channels, the model " + std::to_string(config_.channels));
    if (context.rows() != series.channels() || context.cols() != series.length())
        throw ConfigError("time-series forecast: context mask does not match the series");
    const double t0 = series.times.front(), span = series.times.back() - t0;
    const nn::Index c = config_.channels, d = config_.latentDim, P = paths, G = gridPoints,
                    n = series.length();

    // Land on every observation time and every grid time; merge times closer than round-off.
    std::vector<double> grid(static_cast<std::size_t>(G)), observations = relativeTimes(series),
                                                           merged;
    for (nn::Index i = 0; i < G; ++i) grid[std::size_t(i)] = span * double(i) / double(G - 1);
    std::merge(grid.begin(), grid.end(), observations.begin(), observations.end(),
               std::back_inserter(merged));
    const double eps = 1e-12 * std::max(1.0, span);
    merged.erase(
        std::unique(merged.begin(), merged.end(), [&](double a, double b) { return b - a <= eps; }),
        merged.end());
    auto landingOf = [&](double t) {
        return static_cast<std::size_t>(std::lower_bound(merged.begin(), merged.end(), t - eps) -
                                        merged.begin());
    };

    Rollout r;
    r.series = &series;
    r.context = &context;
    r.paths = paths;
    r.noiseSeed = noiseSeed;
    r.landings = merged;
    r.keepPath = false;  // only the landings are read
    simulate(r);

    SeriesForecast out;
    out.times.resize(std::size_t(G));
    out.paths.assign(std::size_t(P), Eigen::MatrixXd(c, G));
    out.latentPaths.assign(std::size_t(P), Eigen::MatrixXd(d, G));
    out.mean.resize(c, G);
    out.lower.resize(c, G);
    out.upper.resize(c, G);
    nn::MlpWorkspace<double> readWs;
    std::vector<double> sorted(static_cast<std::size_t>(P));
    auto quantile = [&](double q) {  // linear between order statistics
        const double at = q * double(P - 1);
        const auto lo = static_cast<std::size_t>(at);
        const std::size_t hi = std::min(lo + 1, std::size_t(P - 1));
        return sorted[lo] + (at - double(lo)) * (sorted[hi] - sorted[lo]);
    };
    for (nn::Index i = 0; i < G; ++i) {
        out.times[std::size_t(i)] = t0 + grid[std::size_t(i)];
        const Eigen::MatrixXd& z = r.Z[std::size_t(r.stepAt[landingOf(grid[std::size_t(i)])])];
        const Eigen::MatrixXd Y = readout(z, readWs);
        for (nn::Index p = 0; p < P; ++p) {
            out.paths[std::size_t(p)].col(i) = Y.col(p);
            out.latentPaths[std::size_t(p)].col(i) = z.col(p);
        }
        out.mean.col(i) = Y.rowwise().mean();
        for (nn::Index ch = 0; ch < c; ++ch) {
            for (nn::Index p = 0; p < P; ++p) sorted[std::size_t(p)] = Y(ch, p);
            std::sort(sorted.begin(), sorted.end());
            out.lower(ch, i) = quantile(0.05);
            out.upper(ch, i) = quantile(0.95);
        }
    }
    out.meanAtObservations.resize(c, n);
    out.stdAtObservations.resize(c, n);
    const Eigen::ArrayXd noiseVar = hasObservationNoise()
                                        ? Eigen::ArrayXd((2.0 * observationLogSigma_.array()).exp())
                                        : Eigen::ArrayXd::Zero(c);
    for (nn::Index j = 0; j < n; ++j) {
        const Eigen::MatrixXd Y =
            readout(r.Z[std::size_t(r.stepAt[landingOf(observations[std::size_t(j)])])], readWs);
        const Eigen::VectorXd m = Y.rowwise().mean();
        out.meanAtObservations.col(j) = m;
        const Eigen::ArrayXd var = (Y.colwise() - m).array().square().rowwise().mean();
        out.stdAtObservations.col(j) = (var + noiseVar).sqrt().matrix();
    }
    if (config_.classes > 0) {
        nn::MlpWorkspace<double> headWs;
        out.classProbabilities = softmax(head_.forward(r.Z.back().rowwise().mean(), headWs));
    }
    return out;
}

}  // namespace driftlab::core::models
