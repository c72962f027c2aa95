#include "core/models/ernode_tape.h"

#include <cmath>

#include "core/common/error.h"

namespace driftlab::core::models {

namespace {

bool hasStiffnessEstimate(const ButcherTableau& tab) {
    return tab.fsal && tab.stabilityBoundary > 0.0 && tab.stages >= 3;
}

}  // namespace

void RkTape::stageInput(const TapedStep& s, int i, Eigen::VectorXd& out) const {
    out = s.y;
    for (int j = 0; j < i; ++j)
        if (tableau_.a(i, j) != 0.0) out.noalias() += (s.h * tableau_.a(i, j)) * s.k[j];
}

std::vector<Eigen::VectorXd> RkTape::replay(const OdeSystem& system, const Eigen::VectorXd& y0,
                                            const std::vector<std::pair<double, double>>& steps,
                                            const std::vector<double>& weights) {
    if (!weights.empty() && weights.size() != steps.size())
        throw Error("RK tape: one regularisation weight per step is needed");
    const int stages = tableau_.stages;
    const bool stiffness = hasStiffnessEstimate(tableau_);
    regularizers_ = {};
    steps_.resize(steps.size());
    std::vector<Eigen::VectorXd> states(steps.size());
    Eigen::VectorXd y = y0, previousStage;
    for (std::size_t n = 0; n < steps.size(); ++n) {
        TapedStep& s = steps_[n];
        s.t = steps[n].first;
        s.h = steps[n].second;
        s.weight = weights.empty() ? 1.0 : weights[n];
        s.y = y;
        s.k.resize(std::size_t(stages));
        for (int i = 0; i < stages; ++i) {
            if (i == 0 && n > 0 && tableau_.fsal) {
                // The previous step's last stage was evaluated at (t, y) already.
                s.k[0] = steps_[n - 1].k[std::size_t(stages - 1)];
                continue;
            }
            stageInput(s, i, work_);
            if (i == stages - 2) previousStage = work_;
            s.k[std::size_t(i)].resize(y.size());
            system.rhs(s.t + tableau_.c(i) * s.h, work_, s.k[std::size_t(i)]);
        }
        if (tableau_.fsal) {
            stageInput(s, stages - 1, y);  // the last stage input is y_{n+1} itself
        } else {
            for (int j = 0; j < stages; ++j)
                if (tableau_.b(j) != 0.0)
                    y.noalias() += (s.h * tableau_.b(j)) * s.k[std::size_t(j)];
        }
        if (tableau_.hasErrorEstimate()) {
            work_.setZero(y.size());
            for (int j = 0; j < stages; ++j)
                if (tableau_.bError(j) != 0.0)
                    work_.noalias() += (s.h * tableau_.bError(j)) * s.k[std::size_t(j)];
            regularizers_.error += s.weight * work_.norm() * std::abs(s.h);
        }
        if (stiffness) {
            const double num = (s.k[std::size_t(stages - 1)] - s.k[std::size_t(stages - 2)]).norm();
            const double den = (y - previousStage).norm();
            if (den > 0.0) regularizers_.stiffness += s.weight * std::abs(s.h) * num / den;
        }
        states[n] = y;
    }
    return states;
}

void RkTape::backStep(const DifferentiableOdeSystem& system, std::size_t n, Eigen::VectorXd& ybar,
                      double errorWeight, double stiffnessWeight, Eigen::VectorXd& dTheta) {
    const TapedStep& s = steps_.at(n);
    const int stages = tableau_.stages;
    const Eigen::Index d = s.y.size();
    kbar_.resize(std::size_t(stages));
    gbar_.resize(std::size_t(stages));
    std::vector<bool> hasStageInputGrad(std::size_t(stages), false);
    for (int j = 0; j < stages; ++j) kbar_[std::size_t(j)] = (s.h * tableau_.b(j)) * ybar;

    const double errorScale = errorWeight * s.weight;
    if (errorScale != 0.0 && tableau_.hasErrorEstimate()) {
        work_.setZero(d);
        for (int j = 0; j < stages; ++j)
            if (tableau_.bError(j) != 0.0)
                work_.noalias() += (s.h * tableau_.bError(j)) * s.k[std::size_t(j)];
        const double norm = work_.norm();
        // d||e||/de = e / ||e||; at e = 0 the norm has no gradient and 0 is a subgradient.
        if (norm > 0.0) {
            const double scale = errorScale * std::abs(s.h) / norm;
            for (int j = 0; j < stages; ++j)
                if (tableau_.bError(j) != 0.0)
                    kbar_[std::size_t(j)].noalias() += (scale * s.h * tableau_.bError(j)) * work_;
        }
    }

    const double stiffnessScale = stiffnessWeight * s.weight;
    if (stiffnessScale != 0.0 && hasStiffnessEstimate(tableau_)) {
        // S = |h| ||u|| / ||v||, u = k_s - k_{s-1}, v = g_s - g_{s-1} (stage inputs).
        const auto last = std::size_t(stages - 1), before = std::size_t(stages - 2);
        stageInput(s, stages - 1, work_);
        stageInput(s, stages - 2, scratch_);
        const Eigen::VectorXd v = work_ - scratch_;
        const Eigen::VectorXd u = s.k[last] - s.k[before];
        const double nu = u.norm(), nv = v.norm();
        if (nv > 0.0) {
            const double c = stiffnessScale * std::abs(s.h);
            if (nu > 0.0) {
                kbar_[last].noalias() += (c / (nu * nv)) * u;
                kbar_[before].noalias() -= (c / (nu * nv)) * u;
            }
            gbar_[last] = (-c * nu / (nv * nv * nv)) * v;
            gbar_[before] = -gbar_[last];
            hasStageInputGrad[last] = hasStageInputGrad[before] = true;
        }
    }

    for (int i = stages - 1; i >= 0; --i) {
        const auto si = std::size_t(i);
        const bool stageUsed = !kbar_[si].isZero(0.0);
        if (!stageUsed && !hasStageInputGrad[si]) continue;
        if (hasStageInputGrad[si])
            stageBar_ = gbar_[si];
        else
            stageBar_.setZero(d);
        if (stageUsed) {
            stageInput(s, i, work_);
            system.vjp(s.t + tableau_.c(i) * s.h, work_, kbar_[si], stageBar_, dTheta);
        }
        ybar += stageBar_;
        for (int j = 0; j < i; ++j)
            if (tableau_.a(i, j) != 0.0)
                kbar_[std::size_t(j)].noalias() += (s.h * tableau_.a(i, j)) * stageBar_;
    }
}

}  // namespace driftlab::core::models
