#include "core/models/adaptive_series_ode.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <map>
#include <numbers>

#include "core/common/error.h"
#include "core/common/random.h"
#include "core/models/adaptive_series_ode_parts.h"
#include "core/models/ernode_tape.h"
#include "core/models/series_networks.h"
#include "core/nn/mlp.h"
#include "core/solvers/ode_backprop.h"

namespace driftlab::core::models {

using timeseries::Mask;
using timeseries::Series;

using namespace adaptive_parts;

namespace {

constexpr double kQuantile95 = 1.6448536269514722;  // standard normal 95 % quantile
constexpr long kMaxStepsPerSegment = 20000;

OdeOptions solveOptions(const SeriesModelConfig& c) {
    OdeOptions o;
    o.method = OdeMethod::DormandPrince5;
    o.rtol = c.rtol;
    o.atol = c.atol;
    o.maxSteps = kMaxStepsPerSegment;
    return o;
}

// Accepted steps of a chain of solves, and how many of them lie before each observation.
struct StepGrid {
    std::vector<std::pair<double, double>> steps;
    std::vector<std::size_t> stepsBefore;
};

// What one series contributes to the batch.
struct SeriesOutcome {
    double data = 0.0;  // weighted objective share (mse, nll or cross entropy)
    double mse = 0.0, nll = 0.0, crossEntropy = 0.0;
    double errorReg = 0.0, stiffnessReg = 0.0;  // unweighted R_E, R_S of this series
    long nfe = 0;
    bool correct = false;
};

class AdaptiveSeriesOde final : public SeriesModel {
public:
    explicit AdaptiveSeriesOde(const SeriesModelConfig& config)
        : config_(checked(config)),
          encoder_(seriesEncoderConfig(config_, config_.seed * 5 + 1)),
          drift_(seriesDriftConfig(config_, config_.controlPath != ControlPath::None,
                                   config_.seed * 5 + 2)),
          readout_(linearLayerConfig(config_.latentDim, config_.channels, config_.seed * 5 + 3)),
          head_(linearLayerConfig(config_.latentDim, std::max(config_.classes, 1),
                                  config_.seed * 5 + 4)),
          logSigma_(Eigen::VectorXd::Zero(
              config_.objective == SeriesObjective::GaussianNll ? config_.channels : 0)) {}

    const SeriesModelConfig& config() const override { return config_; }

    nn::Index parameterCount() const override {
        nn::Index count = logSigma_.size();
        for (const auto* net : nets()) count += net->parameterCount();
        return count;
    }

    Eigen::VectorXd parameters() const override {
        Eigen::VectorXd theta(parameterCount());
        nn::Index at = 0;
        for (const auto* net : nets()) {
            theta.segment(at, net->parameterCount()) = net->parameters();
            at += net->parameterCount();
        }
        theta.tail(logSigma_.size()) = logSigma_;
        return theta;
    }

    void setParameters(const Eigen::VectorXd& theta) override {
        if (theta.size() != parameterCount())
            throw ConfigError("adaptive neural ODE: parameter vector has " +
                              std::to_string(theta.size()) + " entries, the model " +
                              std::to_string(parameterCount()));
        nn::Index at = 0;
        for (auto* net : nets()) {
            net->parameters() = theta.segment(at, net->parameterCount());
            at += net->parameterCount();
        }
        logSigma_ = theta.tail(logSigma_.size());
    }

    SeriesLossResult loss(const std::vector<SeriesItem>& batch, int paths, std::uint64_t noiseSeed,
                          Eigen::VectorXd* gradient) const override;

    SeriesForecast forecast(const Series& series, const Mask& context, int paths,
                            std::uint64_t noiseSeed, int gridPoints) const override;

    Eigen::MatrixXd latentDrift(double t, const Eigen::MatrixXd& z) const override {
        if (z.rows() != config_.latentDim)
            throw ConfigError("adaptive neural ODE: latent points need " +
                              std::to_string(config_.latentDim) + " rows");
        nn::MlpWorkspace<double> ws;
        Eigen::MatrixXd input = Eigen::MatrixXd::Zero(drift_.inputDim(), z.cols());
        input.topRows(config_.latentDim) = z;  // control input held at zero
        return config_.driftSeesTime ? drift_.forward(input, t, ws) : drift_.forward(input, ws);
    }

    std::unique_ptr<SeriesModel> clone() const override {
        return std::make_unique<AdaptiveSeriesOde>(*this);
    }

    // Gradient-check hook: see freezeStepGrids in the header.
    void freezeStepGrids(const std::vector<SeriesItem>& batch) {
        std::map<std::pair<const Series*, nn::Index>, StepGrid> grids;
        frozenGrids_.clear();  // solve afresh
        for (const auto& item : batch) {
            StepGrid grid;
            runSeries(item, 0, 0, 0.0, 0.0, nullptr, nullptr, &grid);
            grids[{item.series, lastLossIndex(item)}] = std::move(grid);
        }
        frozenGrids_ = std::move(grids);
    }
    void unfreezeStepGrids() { frozenGrids_.clear(); }

private:
    // The parameter vector's networks in order; a non-latent model has no encoder or readout.
    std::vector<const nn::Mlp<double>*> nets() const {
        std::vector<const nn::Mlp<double>*> list{&drift_};
        if (config_.latent) list = {&encoder_, &drift_, &readout_};
        if (config_.classes > 0) list.push_back(&head_);
        return list;
    }
    std::vector<nn::Mlp<double>*> nets() {
        std::vector<nn::Mlp<double>*> list{&drift_};
        if (config_.latent) list = {&encoder_, &drift_, &readout_};
        if (config_.classes > 0) list.push_back(&head_);
        return list;
    }
    nn::Index encoderParameters() const { return config_.latent ? encoder_.parameterCount() : 0; }
    nn::Index readoutParameters() const { return config_.latent ? readout_.parameterCount() : 0; }
    Eigen::VectorXd initialState(const Series& s, const Mask& context,
                                 nn::MlpWorkspace<double>& ws) const {
        if (!config_.latent) return seriesInitialObservation(s, context);
        return encoder_.forward(seriesEncoderFeatures(config_, s, context), ws);
    }
    Eigen::MatrixXd readout(const Eigen::MatrixXd& z, nn::MlpWorkspace<double>& ws) const {
        return config_.latent ? readout_.forward(z, ws) : z;
    }

    SeriesOutcome runSeries(const SeriesItem& item, std::uint64_t noiseSeed, std::uint64_t stream,
                            double cellWeight, double seriesWeight, double* gradient,
                            std::vector<OdeStepRecord>* records, StepGrid* capture = nullptr) const;
    StepGrid solveGaps(const LatentDrift& system, const std::vector<double>& tau,
                       std::vector<Eigen::VectorXd>& zAt, double t0,
                       std::vector<OdeStepRecord>* records) const;

    // The last observation the loss reads: the series' end for classification, else its
    // last target time (nothing after it needs solving).
    nn::Index lastLossIndex(const SeriesItem& item) const {
        nn::Index last = item.series->length() - 1;
        if (config_.classes == 0)
            while (last > 0 && !item.target->col(last).any()) --last;
        return last;
    }

    SeriesModelConfig config_;
    nn::Mlp<double> encoder_, drift_, readout_, head_;
    Eigen::VectorXd logSigma_;  // per-channel observation log-sigma (Gaussian NLL only)
    // Keyed by series and last loss index; only set between freeze and unfreeze.
    std::map<std::pair<const Series*, nn::Index>, StepGrid> frozenGrids_;
};

// Per-step weights of the local regulariser: how many of `points` uniform draws on the
// solve's window fall into each accepted step.
std::vector<double> localWeights(const std::vector<std::pair<double, double>>& grid, int points,
                                 std::uint64_t noiseSeed, std::uint64_t stream) {
    std::vector<double> weights(grid.size(), 0.0);
    if (grid.empty()) return weights;
    const double start = grid.front().first;
    const double end = grid.back().first + grid.back().second;
    RandomStream rng(noiseSeed ^ 0x5a17c0de5a17c0deull, stream);
    for (int p = 0; p < points; ++p) {
        const double t = start + rng.uniform() * (end - start);
        const auto it = std::upper_bound(grid.begin(), grid.end(), t,
                                         [](double v, const auto& step) { return v < step.first; });
        weights[std::size_t(std::max<std::ptrdiff_t>(0, (it - grid.begin()) - 1))] += 1.0;
    }
    return weights;
}

StepGrid AdaptiveSeriesOde::solveGaps(const LatentDrift& system, const std::vector<double>& tau,
                                      std::vector<Eigen::VectorXd>& zAt, double t0,
                                      std::vector<OdeStepRecord>* records) const {
    StepGrid out;
    out.stepsBefore.assign(tau.size(), 0);
    OdeOptions options = solveOptions(config_);
    double carriedStep = 0.0;
    for (std::size_t j = 1; j < tau.size(); ++j) {
        const double a = tau[j - 1], b = tau[j];
        options.dt0 = carriedStep;
        options.saveAt = {b};
        const OdeSolution sol = integrate(system, zAt[j - 1], a, b, options);
        if (!sol.ok())
            throw SolverError("adaptive neural ODE: the solve between t=" + std::to_string(a + t0) +
                              " and t=" + std::to_string(b + t0) + " failed: " + sol.message);
        const auto accepted = acceptedSteps(sol);
        out.steps.insert(out.steps.end(), accepted.begin(), accepted.end());
        out.stepsBefore[j] = out.steps.size();
        if (accepted.size() >= 2)  // the last step was clipped to land on b
            carriedStep = std::abs(accepted[accepted.size() - 2].second);
        else if (!accepted.empty())
            carriedStep = std::max(carriedStep, std::abs(accepted.back().second));
        zAt[j] = sol.y.back();
        if (records)
            for (OdeStepRecord r : sol.stats.steps) {
                r.t += t0;
                r.step = long(records->size()) + 1;
                records->push_back(r);
            }
    }
    return out;
}

SeriesOutcome AdaptiveSeriesOde::runSeries(const SeriesItem& item, std::uint64_t noiseSeed,
                                           std::uint64_t stream, double cellWeight,
                                           double seriesWeight, double* gradient,
                                           std::vector<OdeStepRecord>* records,
                                           StepGrid* capture) const {
    const Series& s = *item.series;
    const Mask& target = *item.target;
    const nn::Index d = config_.latentDim, c = config_.channels;
    const bool classify = config_.classes > 0;
    const bool regularize =
        config_.errorRegularization > 0.0 || config_.stiffnessRegularization > 0.0;
    const bool adjoint = config_.gradient == GradientMethod::Adjoint;
    SeriesOutcome out;

    const nn::Index last = lastLossIndex(item);
    const double t0 = s.times.front();
    std::vector<double> tau(std::size_t(last + 1));
    for (nn::Index j = 0; j <= last; ++j) tau[std::size_t(j)] = s.times[std::size_t(j)] - t0;

    nn::MlpWorkspace<double> encWs, readWs;
    const Eigen::VectorXd z0 = initialState(s, *item.context, encWs);
    const auto control = controlPath(config_.controlPath, s, *item.context);
    LatentDrift system(drift_, d, config_.driftSeesTime,
                       config_.controlPath == ControlPath::None ? nullptr : &control, t0);

    // Forward: one adaptive solve per gap between observations, so every observation time
    // is a step boundary; each solve starts with the step size the previous one settled on.
    // A frozen grid (gradient checks) replaces the solves by a replay of the stored steps.
    std::vector<Eigen::VectorXd> zAt(std::size_t(last + 1));
    zAt[0] = z0;
    const auto frozen = frozenGrids_.find({&s, last});
    const bool useFrozen = frozen != frozenGrids_.end();
    StepGrid solved;
    if (!useFrozen) solved = solveGaps(system, tau, zAt, t0, records);
    const StepGrid& stepGrid = useFrozen ? frozen->second : solved;
    if (capture) *capture = solved;
    const auto& grid = stepGrid.steps;
    const auto& stepsBefore = stepGrid.stepsBefore;

    // Replay the accepted steps when the regularisers or the discrete gradient need stages.
    const bool tape = regularize || (gradient && !adjoint) || useFrozen;
    RkTape rk(explicitTableau(OdeMethod::DormandPrince5));
    if (tape) {
        const auto weights =
            config_.localRegularizationPoints > 0
                ? localWeights(grid, config_.localRegularizationPoints, noiseSeed, stream)
                : std::vector<double>{};
        const auto states = rk.replay(system, z0, grid, weights);
        for (nn::Index j = 1; j <= last; ++j)
            if (stepsBefore[std::size_t(j)] > 0)
                zAt[std::size_t(j)] = states[stepsBefore[std::size_t(j)] - 1];
        out.errorReg = rk.regularizers().error;
        out.stiffnessReg = rk.regularizers().stiffness;
    }

    Eigen::MatrixXd Z(d, last + 1);
    for (nn::Index j = 0; j <= last; ++j) Z.col(j) = zAt[std::size_t(j)];
    Eigen::MatrixXd zBar = Eigen::MatrixXd::Zero(d, last + 1);
    Eigen::VectorXd logSigmaBar = Eigen::VectorXd::Zero(logSigma_.size());
    nn::Index offset = 0;
    const nn::Index offDrift = offset += encoderParameters();
    const nn::Index offReadout = offset += drift_.parameterCount();
    const nn::Index offHead = offset += readoutParameters();
    const nn::Index offSigma = parameterCount() - logSigma_.size();

    if (classify) {
        nn::MlpWorkspace<double> headWs;
        const Eigen::VectorXd logits = head_.forward(Z.col(last), headWs);
        const double top = logits.maxCoeff();
        Eigen::VectorXd p = (logits.array() - top).exp();
        p /= p.sum();
        if (s.label < 0 || s.label >= config_.classes)
            throw ConfigError("adaptive neural ODE: series label " + std::to_string(s.label) +
                              " is outside 0.." + std::to_string(config_.classes - 1));
        out.crossEntropy = -std::log(std::max(p(s.label), 1e-300));
        out.data = seriesWeight * out.crossEntropy;
        Eigen::Index best = 0;
        p.maxCoeff(&best);
        out.correct = best == s.label;
        if (gradient) {
            Eigen::VectorXd g = p;
            g(s.label) -= 1.0;
            zBar.col(last) = head_.backward(seriesWeight * g, headWs, gradient + offHead, true);
        }
    } else {
        const Eigen::MatrixXd yhat = readout(Z, readWs);
        Eigen::MatrixXd yBar = Eigen::MatrixXd::Zero(c, last + 1);
        const bool nll = config_.objective == SeriesObjective::GaussianNll;
        for (nn::Index j = 0; j <= last; ++j)
            for (nn::Index i = 0; i < c; ++i) {
                if (!target(i, j)) continue;
                const double e = yhat(i, j) - s.values(i, j);
                out.mse += cellWeight * e * e;
                if (nll) {
                    const double ls = logSigma_(i), precision = std::exp(-2.0 * ls);
                    out.nll += cellWeight * (0.5 * e * e * precision + ls +
                                             0.5 * std::log(2.0 * std::numbers::pi));
                    yBar(i, j) = cellWeight * e * precision;
                    logSigmaBar(i) += cellWeight * (1.0 - e * e * precision);
                } else {
                    yBar(i, j) = 2.0 * cellWeight * e;
                }
            }
        out.data = nll ? out.nll : out.mse;
        if (gradient)
            zBar = config_.latent ? readout_.backward(yBar, readWs, gradient + offReadout, true)
                                  : yBar;
    }

    if (gradient) {
        Eigen::VectorXd driftBar = Eigen::VectorXd::Zero(drift_.parameterCount());
        Eigen::VectorXd ybar = zBar.col(last);
        if (adjoint) {
            OdeOptions forward = solveOptions(config_), backward = forward;
            for (nn::Index j = last; j >= 1; --j) {
                const Eigen::VectorXd a = ybar;
                const OdeTerminalLoss linear = [&a](const Eigen::VectorXd& y, Eigen::VectorXd& g) {
                    g = a;
                    return a.dot(y);
                };
                const OdeGradResult r =
                    odeAdjoint(system, zAt[std::size_t(j - 1)], tau[std::size_t(j - 1)],
                               tau[std::size_t(j)], linear, forward, backward);
                driftBar += r.dTheta;
                ybar = r.dY0 + zBar.col(j - 1);
            }
        } else {
            const double errorWeight = seriesWeight * config_.errorRegularization;
            const double stiffnessWeight = seriesWeight * config_.stiffnessRegularization;
            nn::Index j = last;
            for (std::size_t n = grid.size(); n-- > 0;) {
                rk.backStep(system, n, ybar, errorWeight, stiffnessWeight, driftBar);
                while (j > 0 && stepsBefore[std::size_t(j - 1)] == n) ybar += zBar.col(--j);
            }
        }
        Eigen::Map<Eigen::VectorXd>(gradient + offDrift, drift_.parameterCount()) += driftBar;
        if (config_.latent) encoder_.backward(ybar, encWs, gradient, false);
        if (logSigma_.size() > 0)
            Eigen::Map<Eigen::VectorXd>(gradient + offSigma, logSigma_.size()) += logSigmaBar;
    }
    out.nfe = system.evaluations();
    return out;
}

SeriesLossResult AdaptiveSeriesOde::loss(const std::vector<SeriesItem>& batch, int paths,
                                         std::uint64_t noiseSeed, Eigen::VectorXd* gradient) const {
    if (paths < 1) throw ConfigError("adaptive neural ODE: need at least one path");
    if (batch.empty()) throw ConfigError("adaptive neural ODE: empty batch");
    double cells = 0.0;
    for (const auto& item : batch) {
        if (!item.series || !item.context || !item.target)
            throw ConfigError("adaptive neural ODE: batch item without series or masks");
        const Series& s = *item.series;
        if (s.channels() != config_.channels)
            throw ConfigError("adaptive neural ODE: series has " + std::to_string(s.channels()) +
                              " channels, the model " + std::to_string(config_.channels));
        if (s.length() < 1 || item.context->rows() != s.channels() ||
            item.context->cols() != s.length() || item.target->rows() != s.channels() ||
            item.target->cols() != s.length())
            throw ConfigError("adaptive neural ODE: empty series or masks of the wrong shape");
        cells += double(item.target->count());
    }
    const double cellWeight = cells > 0 ? 1.0 / cells : 0.0;
    const double seriesWeight = 1.0 / double(batch.size());
    const auto count = static_cast<long>(batch.size());
    std::vector<SeriesOutcome> outcomes(batch.size());
    std::vector<OdeStepRecord> records;
    // Per-series gradients summed in order afterwards: the result does not depend on threads.
    Eigen::MatrixXd grads;
    if (gradient) grads = Eigen::MatrixXd::Zero(parameterCount(), count);
    std::exception_ptr failure;  // rethrown as it was (ConfigError stays ConfigError)
#pragma omp parallel for schedule(dynamic)
    for (long b = 0; b < count; ++b) {
        try {
            outcomes[std::size_t(b)] = runSeries(
                batch[std::size_t(b)], noiseSeed, std::uint64_t(b), cellWeight, seriesWeight,
                gradient ? grads.col(b).data() : nullptr, b == 0 ? &records : nullptr);
        } catch (...) {
#pragma omp critical
            failure = std::current_exception();
        }
    }
    if (failure) std::rethrow_exception(failure);

    SeriesLossResult result;
    double data = 0.0, mse = 0.0, nll = 0.0, ce = 0.0, errorReg = 0.0, stiffnessReg = 0.0;
    double correct = 0.0;
    for (const auto& o : outcomes) {
        data += o.data;
        mse += o.mse;
        nll += o.nll;
        ce += o.crossEntropy;
        errorReg += seriesWeight * o.errorReg;
        stiffnessReg += seriesWeight * o.stiffnessReg;
        correct += o.correct ? 1.0 : 0.0;
        result.nfe += o.nfe;
    }
    result.loss = data + config_.errorRegularization * errorReg +
                  config_.stiffnessRegularization * stiffnessReg;
    if (config_.classes > 0) {
        result.terms.emplace_back("cross_entropy", ce * seriesWeight);
        result.terms.emplace_back("accuracy", correct * seriesWeight);
    } else {
        result.terms.emplace_back("mse", mse);
        if (config_.objective == SeriesObjective::GaussianNll)
            result.terms.emplace_back("nll", nll);
    }
    if (config_.errorRegularization > 0.0) result.terms.emplace_back("error_reg", errorReg);
    if (config_.stiffnessRegularization > 0.0)
        result.terms.emplace_back("stiffness_reg", stiffnessReg);
    result.steps = std::move(records);
    if (gradient) *gradient = grads.rowwise().sum();
    return result;
}

SeriesForecast AdaptiveSeriesOde::forecast(const Series& series, const Mask& context, int paths,
                                           std::uint64_t /*noiseSeed: the model is deterministic*/,
                                           int gridPoints) const {
    if (paths < 1) throw ConfigError("adaptive neural ODE: need at least one path");
    if (gridPoints < 2 || gridPoints > 100000)
        throw ConfigError("adaptive neural ODE: forecast grid points must be in [2, 100000]");
    if (series.channels() != config_.channels || series.length() < 1 ||
        context.rows() != series.channels() || context.cols() != series.length())
        throw ConfigError("adaptive neural ODE: series or context mask does not fit the model");
    const double t0 = series.times.front(), span = series.times.back() - t0;
    SeriesForecast f;
    std::vector<double> gridTau, saveAt;
    for (int i = 0; i < gridPoints; ++i) {
        gridTau.push_back(span * double(i) / double(gridPoints - 1));
        f.times.push_back(t0 + gridTau.back());
    }
    saveAt = gridTau;
    for (double t : series.times) saveAt.push_back(t - t0);
    std::sort(saveAt.begin(), saveAt.end());
    saveAt.erase(std::unique(saveAt.begin(), saveAt.end()), saveAt.end());

    nn::MlpWorkspace<double> ws;
    const Eigen::VectorXd z0 = initialState(series, context, ws);
    const auto control = controlPath(config_.controlPath, series, context);
    LatentDrift system(drift_, config_.latentDim, config_.driftSeesTime,
                       config_.controlPath == ControlPath::None ? nullptr : &control, t0);
    std::vector<Eigen::VectorXd> states{z0};
    if (span > 0.0) {
        OdeOptions options = solveOptions(config_);
        options.saveAt = saveAt;
        options.recordSteps = false;
        options.maxSteps = kMaxStepsPerSegment * std::max<long>(1, series.length());
        const OdeSolution sol = integrate(system, z0, 0.0, span, options);
        if (!sol.ok())
            throw SolverError("adaptive neural ODE: forecast solve failed: " + sol.message);
        states = sol.y;
    }
    auto stateAt = [&](double tau) {  // tau is computed exactly as its saveAt entry was
        const auto it = std::lower_bound(saveAt.begin(), saveAt.end(), tau);
        return states[std::min<std::size_t>(std::size_t(it - saveAt.begin()), states.size() - 1)];
    };
    Eigen::MatrixXd latentGrid(config_.latentDim, gridPoints),
        latentObs(config_.latentDim, series.length());
    for (int i = 0; i < gridPoints; ++i) latentGrid.col(i) = stateAt(gridTau[std::size_t(i)]);
    for (nn::Index j = 0; j < series.length(); ++j)
        latentObs.col(j) = stateAt(series.times[std::size_t(j)] - t0);

    f.mean = readout(latentGrid, ws);
    f.meanAtObservations = readout(latentObs, ws);
    const Eigen::VectorXd sigma = logSigma_.size() > 0 ? Eigen::VectorXd(logSigma_.array().exp())
                                                       : Eigen::VectorXd::Zero(config_.channels);
    f.lower = f.mean.colwise() - kQuantile95 * sigma;
    f.upper = f.mean.colwise() + kQuantile95 * sigma;
    f.stdAtObservations = sigma.replicate(1, series.length());
    f.paths = {f.mean};
    f.latentPaths = {latentGrid};
    if (config_.classes > 0) {
        const Eigen::VectorXd logits = head_.forward(latentObs.col(series.length() - 1), ws);
        Eigen::VectorXd p = (logits.array() - logits.maxCoeff()).exp();
        f.classProbabilities = p / p.sum();
    }
    return f;
}

}  // namespace

std::unique_ptr<SeriesModel> makeAdaptiveSeriesOde(const SeriesModelConfig& config) {
    return std::make_unique<AdaptiveSeriesOde>(config);
}

namespace {
AdaptiveSeriesOde& adaptive(SeriesModel& model) {
    auto* ode = dynamic_cast<AdaptiveSeriesOde*>(&model);
    if (!ode) throw ConfigError("step grids can only be frozen on the adaptive neural ODE");
    return *ode;
}
}  // namespace

void freezeStepGrids(SeriesModel& model, const std::vector<SeriesItem>& batch) {
    adaptive(model).freezeStepGrids(batch);
}

void unfreezeStepGrids(SeriesModel& model) { adaptive(model).unfreezeStepGrids(); }

}  // namespace driftlab::core::models
