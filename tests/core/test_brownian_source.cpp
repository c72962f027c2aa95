// One Brownian motion per seed, whichever solver reads it: a fixed-step simulate(), an
// adaptive SRA1 solve and the gradient solvers all query the same BrownianTree, and on
// dX = dW (whose solution is the Brownian path itself) they must land on the same values at
// the grid times. The reversible Heun adjoint reading a tree must re-query each step's
// increment on the way back rather than keep the forward pass's noise.
#include <QtTest>

#include <cmath>
#include <memory>
#include <vector>

#include "core/common/error.h"
#include "core/models/neural_sde.h"
#include "core/solvers/brownian_tree.h"
#include "core/solvers/differentiable_sde.h"
#include "core/solvers/sde_adaptive.h"
#include "core/solvers/sde_backprop.h"
#include "core/solvers/sde_steppers.h"
#include "core/solvers/simulation.h"

using namespace driftlab::core;

namespace {

constexpr int kDim = 2;
constexpr int kPaths = 3;
constexpr int kSteps = 64;
constexpr std::uint64_t kSeed = 20260512;

// dX = dW (additive noise, g = I): simulate() and the adaptive solver run it.
class PureNoiseWorker final : public SdeWorker {
public:
    void drift(double, const Eigen::Ref<const Eigen::MatrixXd>&,
               Eigen::Ref<Eigen::MatrixXd> out) override {
        out.setZero();
    }
    void diffusion(double, const Eigen::Ref<const Eigen::MatrixXd>&,
                   Eigen::Ref<Eigen::MatrixXd> out) override {
        out.setOnes();
    }
};
class PureNoise final : public SdeSystem {
public:
    int dimension() const override { return kDim; }
    NoiseType noiseType() const override { return NoiseType::Additive; }
    bool isDeterministic() const override { return false; }
    std::unique_ptr<SdeWorker> makeWorker() const override {
        return std::make_unique<PureNoiseWorker>();
    }
};

// The same equation as a DifferentiableSde, for the gradient solvers.
class PureNoiseSde final : public DifferentiableSde<double> {
public:
    struct Ws final : DifferentiableSdeWorkspace {
        Matrix f, g;
    };
    Index dimension() const override { return kDim; }
    bool hasGeneralNoise() const override { return false; }
    Index brownianDimension() const override { return kDim; }
    Index parameterCount() const override { return 0; }
    std::unique_ptr<Workspace> makeWorkspace() const override { return std::make_unique<Ws>(); }
    const Matrix& drift(double, const MatrixCRef& y, Workspace& ws) const override {
        auto& w = static_cast<Ws&>(ws);
        w.f.setZero(y.rows(), y.cols());
        return w.f;
    }
    const Matrix& diffusion(double, const MatrixCRef& y, Workspace& ws) const override {
        auto& w = static_cast<Ws&>(ws);
        w.g.setOnes(y.rows(), y.cols());
        return w.g;
    }
    void driftVjp(const MatrixCRef&, Workspace&, double*, Matrix*) const override {}
    void diffusionVjp(const MatrixCRef&, Workspace&, double*, Matrix*) const override {}
};

// Counts the queries a solver makes, per step of the grid.
class CountingSource final : public BrownianSource {
public:
    explicit CountingSource(const BrownianSource& inner) : inner_(inner) {}
    int dimension() const override { return inner_.dimension(); }
    Eigen::Index paths() const override { return inner_.paths(); }
    double t0() const override { return inner_.t0(); }
    double t1() const override { return inner_.t1(); }
    void increments(double s, double t, Eigen::Index first,
                    Eigen::Ref<Eigen::MatrixXd> dW) const override {
        ++queries;
        inner_.increments(s, t, first, dW);
    }
    void incrementsWithArea(double s, double t, Eigen::Index first, Eigen::Ref<Eigen::MatrixXd> dW,
                            Eigen::Ref<Eigen::MatrixXd> H) const override {
        ++queries;
        inner_.incrementsWithArea(s, t, first, dW, H);
    }
    mutable long queries = 0;

private:
    const BrownianSource& inner_;
};

double gridTime(int k) { return static_cast<double>(k) / kSteps; }

SimulationSettings gridSettings(const std::string& solver) {
    SimulationSettings s;
    s.paths = kPaths;
    s.steps = kSteps;
    s.t0 = 0.0;
    s.t1 = 1.0;
    s.savedTimes = kSteps + 1;
    s.seed = kSeed;
    s.solver = solver;
    s.threads = 1;
    return s;
}

}  // namespace

class TestBrownianSource : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void treePathsAreTheirOwnTrees() {
        const BrownianTree tree(0.0, 1.0, kDim, kPaths, kSeed);
        Eigen::MatrixXd dW(kDim, kPaths);
        tree.increments(0.25, 0.75, 0, dW);
        for (int p = 0; p < kPaths; ++p) QCOMPARE(dW.col(p), tree.path(p).increment(0.25, 0.75));
        // Distinct paths, not one path repeated.
        QVERIFY((dW.col(0) - dW.col(1)).norm() > 1e-6);
        QVERIFY_THROWS_EXCEPTION(driftlab::SolverError, tree.increments(0.0, 0.5, 2, dW));
    }

    void fixedAdaptiveAndGradientSolvesSeeOneBrownianMotion() {
        const BrownianTree tree(0.0, 1.0, kDim, kPaths, kSeed);
        const PureNoise system;
        // Fixed steps, with and without the Lévy area the SRA-type schemes ask for.
        const SimulationResult em =
            simulate(system, {0.0, 0.0}, gridSettings("euler_maruyama"), tree);
        const SimulationResult sra = simulate(system, {0.0, 0.0}, gridSettings("sra1"), tree);
        QCOMPARE(static_cast<int>(em.times.size()), kSteps + 1);

        // Gradient solve: y at every step of the same grid.
        PureNoiseSde sde;
        SdeGradOptions options;
        options.dt = 1.0 / kSteps;
        const auto grad =
            sdeSolvePaths(sde, Eigen::MatrixXd::Zero(kDim, kPaths), tree, kSteps, options);
        QCOMPARE(static_cast<int>(grad.size()), kSteps + 1);

        double worstFixed = 0.0, worstArea = 0.0, worstGrad = 0.0, worstAdaptive = 0.0;
        for (int p = 0; p < kPaths; ++p) {
            // Adaptive: its own steps (rejected ones retried on the same path), landing on
            // the grid times.
            AdaptiveSdeOptions adaptive;
            adaptive.rtol = adaptive.atol = 1e-3;
            // Steps shorter than the grid's and not dividing it: several per grid interval.
            adaptive.dt0 = 0.3 / kSteps;
            adaptive.dtmax = 0.37 / kSteps;
            for (int k = 0; k <= kSteps; ++k) adaptive.saveAt.push_back(gridTime(k));
            const auto solution =
                integrateSdeAdaptive(system, *makeSdeStepper("sra1"), Eigen::VectorXd::Zero(kDim),
                                     0.0, 1.0, tree.path(p), adaptive);
            QVERIFY2(solution.ok(), solution.message.c_str());
            QCOMPARE(static_cast<int>(solution.t.size()), kSteps + 1);
            QVERIFY(solution.stats.accepted >= 3 * kSteps);

            const BrownianPath path = tree.path(p);
            for (int k = 0; k <= kSteps; ++k) {
                const Eigen::VectorXd w = path.value(gridTime(k));
                for (int c = 0; c < kDim; ++c) {
                    worstFixed = std::max(worstFixed, std::abs(em.states[c](p, k) - w(c)));
                    worstArea = std::max(worstArea, std::abs(sra.states[c](p, k) - w(c)));
                    worstGrad = std::max(worstGrad, std::abs(grad[k](c, p) - w(c)));
                    worstAdaptive = std::max(worstAdaptive, std::abs(solution.y[k](c) - w(c)));
                }
            }
        }
        // Sums of increments against the path's values: round-off only.
        QVERIFY2(worstFixed < 1e-12, qPrintable(QString::number(worstFixed)));
        QVERIFY2(worstArea < 1e-12, qPrintable(QString::number(worstArea)));
        QVERIFY2(worstGrad < 1e-12, qPrintable(QString::number(worstGrad)));
        QVERIFY2(worstAdaptive < 1e-12, qPrintable(QString::number(worstAdaptive)));
    }

    void simulationRefusesASourceThatDoesNotFit() {
        const BrownianTree tooFew(0.0, 1.0, kDim, kPaths - 1, kSeed);
        const BrownianTree tooShort(0.0, 0.5, kDim, kPaths, kSeed);
        const PureNoise system;
        QVERIFY_THROWS_EXCEPTION(
            driftlab::ConfigError,
            simulate(system, {0.0, 0.0}, gridSettings("euler_maruyama"), tooFew));
        QVERIFY_THROWS_EXCEPTION(
            driftlab::ConfigError,
            simulate(system, {0.0, 0.0}, gridSettings("euler_maruyama"), tooShort));
    }

    void adjointOnATreeRequeriesInsteadOfStoring() {
        using models::NeuralSde;
        const NeuralSde<double> model(models::makeNeuralSdeConfig(kDim, {8}, {8}, 0.5, 7));
        const long steps = 40;
        const BrownianTree tree(0.0, 1.0, kDim, 4, kSeed);
        Eigen::MatrixXd y0(kDim, 4);
        y0 << 0.1, -0.2, 0.3, 0.0, 0.5, 0.4, -0.1, 0.2;
        SdeGradOptions options;
        options.dt = 1.0 / steps;
        options.threads = 1;
        const auto loss = [](std::size_t, const Eigen::Ref<const Eigen::MatrixXd>& y,
                             Eigen::MatrixXd& g) {
            g = y;
            return 0.5 * y.squaredNorm();
        };

        // The increments the tree gives, materialised as the matrix API takes them.
        std::vector<Eigen::MatrixXd> dW(steps, Eigen::MatrixXd(kDim, 4));
        for (long n = 0; n < steps; ++n)
            tree.increments(n * options.dt, (n + 1) * options.dt, 0, dW[std::size_t(n)]);
        const auto stored = reversibleHeunAdjoint(model, y0, dW, loss, options);

        const CountingSource counted(tree);
        const auto streamed = reversibleHeunAdjoint(model, y0, counted, steps, loss, options);
        // One block (one thread): each step's increment is asked for once on the way forward
        // and once more on the way back, so nothing of the forward pass's noise was kept.
        QCOMPARE(counted.queries, 2 * steps);
        QCOMPARE(streamed.loss, stored.loss);
        QCOMPARE((streamed.dTheta - stored.dTheta).cwiseAbs().maxCoeff(), 0.0);
        QCOMPARE((streamed.dY0 - stored.dY0).cwiseAbs().maxCoeff(), 0.0);
        QVERIFY(stored.dTheta.norm() > 1e-6);

        // Backprop with stored states reads the same increments (forward, and once per step
        // of the backward pass) and gives the same gradient as its matrix form.
        options.scheme = SdeGradScheme::StochasticHeun;
        const auto heunStored = sdeBackprop(model, y0, dW, loss, options);
        const CountingSource heunCounted(tree);
        const auto heunStreamed = sdeBackprop(model, y0, heunCounted, steps, loss, options);
        QCOMPARE(heunCounted.queries, 2 * steps);
        QCOMPARE((heunStreamed.dTheta - heunStored.dTheta).cwiseAbs().maxCoeff(), 0.0);

        // A source with fewer paths than the batch is refused with the shapes.
        const BrownianTree narrow(0.0, 1.0, kDim, 2, kSeed);
        QVERIFY_THROWS_EXCEPTION(driftlab::Error,
                                 reversibleHeunAdjoint(model, y0, narrow, steps, loss, options));
    }
};

QTEST_GUILESS_MAIN(TestBrownianSource)
#include "test_brownian_source.moc"
