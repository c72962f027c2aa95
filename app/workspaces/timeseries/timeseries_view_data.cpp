#include "app/workspaces/timeseries/timeseries_view_data.h"

#include "widgets/views/loss_chart_view.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace driftlab::app {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kSmoothing = 0.9;  // iterations are noisy: a long average shows the trend

QString number(double v, int digits = 4) {
    return std::isfinite(v) ? QString::number(v, 'g', digits) : QStringLiteral("—");
}

// Linear interpolation of y(x) at t (x increasing); NaN outside.
double interpolate(const std::vector<double>& x, const Eigen::RowVectorXd& y, double t) {
    if (x.empty() || t < x.front() || t > x.back()) return kNaN;
    const auto it = std::lower_bound(x.begin(), x.end(), t);
    const std::size_t k = static_cast<std::size_t>(it - x.begin());
    if (k == 0 || x[k] == t) return y(Eigen::Index(k));
    const double w = (t - x[k - 1]) / (x[k] - x[k - 1]);
    return (1 - w) * y(Eigen::Index(k - 1)) + w * y(Eigen::Index(k));
}

// Losses fall over decades: average their logarithms, or a single early spike dominates the
// average for many iterations.
std::vector<double> smoothForDisplay(const std::vector<double>& values) {
    const bool positive = std::all_of(values.begin(), values.end(),
                                      [](double v) { return !std::isfinite(v) || v > 0; });
    if (!positive) return widgets::smoothExponential(values, kSmoothing);
    std::vector<double> logs(values.size());
    std::transform(values.begin(), values.end(), logs.begin(),
                   [](double v) { return std::log(v); });
    auto smoothed = widgets::smoothExponential(logs, kSmoothing);
    for (double& v : smoothed) v = std::exp(v);
    return smoothed;
}

}  // namespace

const std::vector<std::pair<std::string, std::vector<std::pair<QString, QString>>>>& menuNames() {
    static const std::vector<std::pair<std::string, std::vector<std::pair<QString, QString>>>>
        names = {
            {"dataset",
             {{"ou", "Ornstein–Uhlenbeck"},
              {"double_well", "Double-well Langevin"},
              {"lotka_volterra", "Stochastic Lotka–Volterra"},
              {"van_der_pol", "Noisy Van der Pol"},
              {"spirals", "Noisy spirals"},
              {"sunspots", "Sunspots, yearly (real)"},
              {"co2", "Mauna Loa CO₂, weekly (real)"},
              {"csv", "CSV file"}}},
            {"model",
             {{"ode", "Neural ODE"},
              {"sde", "Neural SDE"},
              {"lsde", "Langevin SDE (LSDE)"},
              {"lnsde", "Linear-noise SDE (LNSDE)"},
              {"gsde", "Geometric SDE (GSDE)"}}},
            {"objective",
             {{"mse", "MSE of the mean"}, {"nll", "Gaussian NLL"}, {"elbo", "ELBO (latent SDE)"}}},
            {"control_path",
             {{"none", "None"},
              {"linear", "Linear interpolation"},
              {"cubic", "Natural cubic spline"}}},
        };
    return names;
}

QString displayedSeriesLabel(const core::DisplayedSeries& displayed) {
    return QString("%1 series %2").arg(QString::fromStdString(displayed.part)).arg(displayed.index);
}

std::shared_ptr<const widgets::SeriesFanData> makeSeriesFanData(
    const core::TimeSeriesSnapshot& snapshot, int index, int channel, int maxPaths) {
    if (index < 0 || index >= int(snapshot.displayed.size())) return nullptr;
    const core::DisplayedSeries& d = snapshot.displayed[std::size_t(index)];
    const auto& s = d.series;
    const auto& f = d.forecast;
    if (channel < 0 || channel >= s.channels()) return nullptr;
    auto out = std::make_shared<widgets::SeriesFanData>();
    const auto n = Eigen::Index(f.times.size());
    const bool haveFan = n > 0 && f.mean.rows() > channel && f.mean.cols() == n &&
                         f.lower.cols() == n && f.upper.cols() == n;
    if (haveFan) {
        out->gridTimes = f.times;
        for (Eigen::Index k = 0; k < n; ++k) {
            out->mean.push_back(f.mean(channel, k));
            out->lower.push_back(f.lower(channel, k));
            out->upper.push_back(f.upper(channel, k));
        }
        for (const auto& path : f.paths) {
            if (int(out->paths.size()) >= maxPaths) break;
            if (path.rows() <= channel || path.cols() != n) continue;
            auto& drawn = out->paths.emplace_back(std::size_t(n));
            for (Eigen::Index k = 0; k < n; ++k) drawn[std::size_t(k)] = path(channel, k);
        }
    }
    const bool haveMeanAtObservations =
        f.meanAtObservations.rows() > channel && f.meanAtObservations.cols() == s.length();
    double firstTarget = std::numeric_limits<double>::infinity();
    for (Eigen::Index k = 0; k < s.length(); ++k) {
        const double t = s.times[std::size_t(k)];
        switch (d.role(channel, k)) {
            case core::CellRole::Context:
            case core::CellRole::Unused:
                out->contextTimes.push_back(t);
                out->contextValues.push_back(s.values(channel, k));
                break;
            case core::CellRole::Target:
                out->targetTimes.push_back(t);
                out->targetValues.push_back(s.values(channel, k));
                firstTarget = std::min(firstTarget, t);
                break;
            case core::CellRole::Missing: {
                // Drawn where the model puts the unseen value.
                const double y = haveMeanAtObservations ? f.meanAtObservations(channel, k)
                                 : haveFan ? interpolate(f.times, f.mean.row(channel), t)
                                           : kNaN;
                if (std::isfinite(y)) {
                    out->missingTimes.push_back(t);
                    out->missingValues.push_back(y);
                }
                break;
            }
        }
    }
    out->markHoldOut = snapshot.config.task.task == core::TimeSeriesTask::Forecasting &&
                       std::isfinite(firstTarget);
    out->holdOutStart = out->markHoldOut ? firstTarget : kNaN;
    out->valueLabel = QString("channel %1").arg(channel + 1).toStdString();
    QString title = QString("%1, channel %2 (model at iteration %3)")
                        .arg(displayedSeriesLabel(d))
                        .arg(channel + 1)
                        .arg(snapshot.displayedAt);
    if (f.classProbabilities.size() > 0) {
        // A classifier's loss never scores the readout, so its paths need not follow the data.
        QStringList p;
        for (double v : f.classProbabilities) p << QString::number(v, 'f', 2);
        title = QString("%1: label %2, predicted class probabilities (%3); paths unfitted")
                    .arg(displayedSeriesLabel(d))
                    .arg(s.label)
                    .arg(p.join(", "));
    }
    out->title = title.toStdString();
    return out;
}

PhasePortraitData makePhasePortrait(const core::TimeSeriesSnapshot& snapshot, int maxPaths) {
    PhasePortraitData out;
    const auto& drift = snapshot.drift;
    // A non-latent model's state is the observations: its portrait needs 2 channels.
    const bool latent = snapshot.config.model.latent;
    if (!drift.available) {
        out.title = latent
                        ? QString("The phase portrait needs a 2-D latent space (latent dim is %1)")
                              .arg(snapshot.config.model.latentDim)
                        : QString("The phase portrait of a non-latent model needs 2 channels");
        return out;
    }
    out.available = true;
    out.positions = drift.positions;
    out.vectors = drift.vectors;
    // The same number of paths from each displayed series, so none dominates.
    const int series = std::max<int>(1, int(snapshot.displayed.size()));
    const int perSeries = std::max(1, maxPaths / series);
    for (const auto& d : snapshot.displayed) {
        int taken = 0;
        for (const auto& latent : d.forecast.latentPaths) {
            if (taken++ >= perSeries) break;
            if (latent.rows() >= 2) out.paths.push_back(latent.topRows(2));
        }
    }
    out.title = QString(latent ? "Learned latent drift at t = %1, iteration %2"
                               : "Learned drift of the observations at t = %1, iteration %2")
                    .arg(drift.time, 0, 'g', 3)
                    .arg(snapshot.displayedAt);
    return out;
}

ErrorHeatMapData makeErrorHeatMap(const core::TimeSeriesSnapshot& snapshot) {
    ErrorHeatMapData out;
    const auto& h = snapshot.heatmap;
    if (h.iterations.empty() || h.values.rows() != Eigen::Index(h.iterations.size())) return out;
    out.t0 = h.t0;
    out.t1 = h.t1;
    // Kept rows lie on multiples of the stride: each row covers one stride of iterations.
    out.iteration0 = double(h.iterations.front()) - 0.5 * h.stride;
    out.iteration1 = double(h.iterations.back()) + 0.5 * h.stride;
    out.log10Error = h.values.unaryExpr(
        [](double e) { return std::isfinite(e) ? std::log10(std::max(e, 1e-16)) : kNaN; });
    return out;
}

std::vector<widgets::ChartLine> makeLossLines(const core::TimeSeriesSnapshot& snapshot) {
    std::vector<widgets::ChartLine> lines;
    const auto& history = snapshot.history;
    std::vector<double> iterations, losses;
    for (const auto& r : history) {
        iterations.push_back(double(r.iteration));
        losses.push_back(r.loss);
    }
    lines.push_back(
        {"objective per iteration", iterations, losses, widgets::theme::kPath, 0.35, 1.2f});
    lines.push_back({"objective (smoothed)", iterations, smoothForDisplay(losses),
                     widgets::theme::kMean, 1.0, 2.4f});
    std::vector<double> vx, vy;
    for (const auto& v : snapshot.validation) {
        vx.push_back(double(v.iteration));
        vy.push_back(v.loss);
    }
    lines.push_back({"validation objective", vx, vy, {0.10, 0.60, 0.35}, 1.0, 2.4f});
    // A single term is the objective itself; several are drawn each on its own.
    if (snapshot.termNames.size() > 1) {
        static const widgets::theme::Rgb palette[] = {
            {0.50, 0.20, 0.68}, {0.80, 0.10, 0.45}, {0.55, 0.45, 0.10}, {0.20, 0.55, 0.75}};
        for (std::size_t j = 0; j < snapshot.termNames.size(); ++j) {
            std::vector<double> term;
            for (const auto& r : history) term.push_back(j < r.terms.size() ? r.terms[j] : kNaN);
            lines.push_back({QString::fromStdString(snapshot.termNames[j]) + " (smoothed)",
                             iterations, smoothForDisplay(term), palette[j % std::size(palette)],
                             1.0, 1.6f, true});
        }
    }
    return lines;
}

NfeCurve nfeCurve(const core::TimeSeriesSnapshot& snapshot, const QString& label) {
    NfeCurve curve;
    curve.label = label;
    for (const auto& r : snapshot.history) {
        curve.iterations.push_back(double(r.iteration));
        curve.nfe.push_back(double(r.nfe));
    }
    return curve;
}

std::vector<widgets::ChartLine> makeNfeLines(const NfeCurve& current, const NfeCurve* previous) {
    std::vector<widgets::ChartLine> lines;
    lines.push_back(
        {"per iteration", current.iterations, current.nfe, widgets::theme::kPath, 0.35, 1.2f});
    lines.push_back({"this run (smoothed): " + current.label, current.iterations,
                     widgets::smoothExponential(current.nfe, kSmoothing), widgets::theme::kMean,
                     1.0, 2.4f});
    if (previous && !previous->iterations.empty())
        lines.push_back({"previous run (smoothed): " + previous->label, previous->iterations,
                         widgets::smoothExponential(previous->nfe, kSmoothing),
                         widgets::theme::kMedian, 0.8, 2.0f, true});
    return lines;
}

QString solverSettingsLabel(const core::TimeSeriesConfig& config) {
    const auto& m = config.model;
    QString label = QString::fromStdString(core::models::seriesModelName(m.kind));
    if (!m.adaptive) return label + QString(", fixed dt %1").arg(m.dt);
    label += QString(", Dopri5 rtol %1").arg(m.rtol);
    if (m.errorRegularization > 0 || m.stiffnessRegularization > 0) {
        label += QString(", ERNODE λ %1").arg(m.errorRegularization);
        if (m.stiffnessRegularization > 0)
            label += QString(" / stiffness %1").arg(m.stiffnessRegularization);
        if (m.localRegularizationPoints > 0)
            label += QString(" (local, %1 points)").arg(m.localRegularizationPoints);
    } else {
        label += ", unregularised";
    }
    return label;
}

core::OdeStats lastSolveStats(const core::TimeSeriesSnapshot& snapshot) {
    core::OdeStats stats;
    stats.steps = snapshot.lastSteps;
    for (const auto& step : stats.steps) {
        if (step.accepted)
            ++stats.accepted;
        else
            ++stats.rejected;
    }
    // The representative solve records no NFE of its own; the iteration's count covers the
    // whole batch, forward and backward, and the view's label says so.
    stats.nfe = snapshot.history.empty() ? 0 : snapshot.history.back().nfe;
    return stats;
}

std::vector<std::pair<QString, QString>> makeMetricRows(const core::TimeSeriesSnapshot& snapshot) {
    const auto& m = snapshot.metrics;
    const bool classification = snapshot.config.task.task == core::TimeSeriesTask::Classification;
    std::vector<std::pair<QString, QString>> rows;
    rows.emplace_back("iteration",
                      QString("%1 of %2").arg(snapshot.iteration).arg(snapshot.totalIterations));
    rows.emplace_back("training objective (last iteration)", number(m.trainLoss));
    if (!snapshot.validation.empty())
        rows.emplace_back(QString("validation objective (iteration %1)")
                              .arg(snapshot.validation.back().iteration),
                          number(snapshot.validation.back().loss));
    const QString at =
        m.evaluatedAt > 0 ? QString(" (iteration %1)").arg(m.evaluatedAt) : QString();
    if (classification) {
        rows.emplace_back("test accuracy" + at,
                          m.evaluatedAt > 0 ? number(m.testAccuracy, 3) : "—");
    } else {
        rows.emplace_back("test MSE" + at, m.evaluatedAt > 0 ? number(m.testMse) : "—");
        rows.emplace_back("test Gaussian NLL" + at, m.evaluatedAt > 0 ? number(m.testNll) : "—");
        rows.emplace_back("baseline: persistence MSE (same cells)",
                          m.evaluatedAt > 0 ? number(m.persistenceMse) : "—");
        rows.emplace_back("baseline: linear interpolation MSE",
                          m.evaluatedAt > 0 ? number(m.linearMse) : "—");
    }
    rows.emplace_back("NFE total (batch, forward + backward)", QString::number(m.totalNfe));
    rows.emplace_back("NFE per iteration (mean)", number(m.meanNfePerIteration));
    rows.emplace_back("iterations per second (training only)", number(m.iterationsPerSecond, 3));
    rows.emplace_back("training wall time (s)", number(m.wallSeconds, 3));
    const long left = snapshot.totalIterations - snapshot.iteration;
    rows.emplace_back("ETA (s)", m.iterationsPerSecond > 0 && left >= 0
                                     ? number(double(left) / m.iterationsPerSecond, 3)
                                     : QStringLiteral("—"));
    rows.emplace_back("learning rate", number(snapshot.learningRate, 3));
    return rows;
}

QString trainingSummary(const core::TimeSeriesSnapshot& snapshot) {
    const auto& m = snapshot.metrics;
    const QString score = snapshot.config.task.task == core::TimeSeriesTask::Classification
                              ? QString("test accuracy %1").arg(m.testAccuracy, 0, 'g', 3)
                              : QString("test MSE %1 (persistence %2, linear %3)")
                                    .arg(m.testMse, 0, 'g', 3)
                                    .arg(m.persistenceMse, 0, 'g', 3)
                                    .arg(m.linearMse, 0, 'g', 3);
    return QString("Trained %1 iterations in %2 s (%3 it/s): %4")
        .arg(snapshot.iteration)
        .arg(m.wallSeconds, 0, 'f', 1)
        .arg(m.iterationsPerSecond, 0, 'f', 1)
        .arg(score);
}

}  // namespace driftlab::app
