#include "core/diffusion/score_model.h"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "core/common/error.h"
#include "core/common/random.h"
#include "core/nn/mlp.h"
#include "core/nn/optimizer.h"
#include "core/nn/serialization.h"

namespace driftlab::core::diffusion {

using nn::Matrix;
using nn::RowVector;
using nn::Vector;

// What made a training step refuse its update.
enum class StepFailure { None, Loss, Gradient, Parameters };

// Precision-independent face of the network machinery, so the public header needs no
// templates and no nn/mlp.h.
class NetworkCore {
public:
    virtual ~NetworkCore() = default;
    // One Adam step on sum_i |w_i out_i - y_i|^2 / B; writes the per-sample losses. Returns
    // the mean loss; when it is not finite, nothing is updated.
    virtual double step(const Points& x, const Eigen::VectorXd& t, const Eigen::VectorXd& w,
                        const Eigen::MatrixXd& y, double learningRate, double clip, double emaDecay,
                        Eigen::VectorXd& perSample) = 0;
    virtual double loss(const Points& x, const Eigen::VectorXd& t, const Eigen::VectorXd& w,
                        const Eigen::MatrixXd& y) = 0;
    virtual void evaluate(const Points& x, double t, Eigen::MatrixXd& out,
                          Eigen::VectorXd* trace) = 0;
    virtual long steps() const = 0;
    virtual StepFailure lastFailure() const = 0;  // of the last step(); None when it updated
    virtual Index parameterCount() const = 0;
    virtual double multiplyAdds() const = 0;
    virtual void save(const std::string& path) const = 0;
    virtual void load(const std::string& path) = 0;
    virtual Eigen::VectorXd averageParameters() const = 0;
    virtual void setAverageParameters(const Eigen::VectorXd& parameters) = 0;
};

namespace {

template <typename Scalar>
class CoreT final : public NetworkCore {
public:
    CoreT(const nn::MlpConfig& config, double timeScale)
        : net_(config), ema_(config), adam_(nn::AdamOptions{}), timeScale_(timeScale) {
        average_ = net_.parameters();
        ema_.parameters() = average_;
        threads_ = std::max(1, omp_get_max_threads());
        for (const auto& layer : net_.layers())
            macs_ += static_cast<double>(layer.inputs()) * static_cast<double>(layer.outputs());
        ws_.resize(static_cast<std::size_t>(threads_));
        grads_.assign(static_cast<std::size_t>(threads_),
                      Vector<Scalar>::Zero(net_.parameterCount()));
    }

    double step(const Points& x, const Eigen::VectorXd& t, const Eigen::VectorXd& w,
                const Eigen::MatrixXd& y, double learningRate, double clip, double emaDecay,
                Eigen::VectorXd& perSample) override {
        const Index b = x.cols();
        load(x, t);
        perSample.resize(b);
        const int threads = threadsFor(b);
        const Index chunk = (b + threads - 1) / threads;
        const Scalar scale = Scalar(2) / static_cast<Scalar>(b);
#pragma omp parallel num_threads(threads)
        {
            const int k = omp_get_thread_num();
            Vector<Scalar>& g = grads_[static_cast<std::size_t>(k)];
            g.setZero();
            const Index c0 = std::min(b, k * chunk), c1 = std::min(b, c0 + chunk);
            if (c1 > c0) {
                auto& ws = ws_[static_cast<std::size_t>(k)];
                const Matrix<Scalar>& out =
                    net_.forward(x_.middleCols(c0, c1 - c0), t_.segment(c0, c1 - c0), ws);
                Matrix<Scalar> r(out.rows(), c1 - c0);
                for (Index j = 0; j < c1 - c0; ++j) {
                    const Scalar wj = static_cast<Scalar>(w(c0 + j));
                    r.col(j) = wj * out.col(j) - y.col(c0 + j).template cast<Scalar>();
                    perSample(c0 + j) = static_cast<double>(r.col(j).squaredNorm());
                    r.col(j) *= scale * wj;
                }
                net_.backward(r, ws, g.data(), false);
            }
        }
        const double mean = perSample.mean();
        failure_ = StepFailure::None;
        if (!std::isfinite(mean)) {
            failure_ = StepFailure::Loss;
            return mean;
        }
        Vector<Scalar>& total = grads_[0];
        for (int k = 1; k < threads; ++k) total += grads_[static_cast<std::size_t>(k)];
        if (!total.allFinite()) {
            failure_ = StepFailure::Gradient;
            return mean;
        }
        if (clip > 0.0) nn::clipGradientNorm<Scalar>(total, static_cast<Scalar>(clip));
        // Adam itself can overflow in float32 (huge rates); the copy lets the step be undone
        // so the weights stay those of the last finite iteration.
        previous_ = net_.parameters();
        adam_.setLearningRate(learningRate);
        adam_.step(net_.parameters(), total);
        if (!net_.parameters().allFinite()) {
            net_.parameters() = previous_;
            failure_ = StepFailure::Parameters;
            return mean;
        }
        const double d = std::min(emaDecay, (1.0 + steps_) / (10.0 + steps_));
        average_ =
            static_cast<Scalar>(d) * average_ + static_cast<Scalar>(1.0 - d) * net_.parameters();
        ++steps_;
        emaStale_ = true;
        return mean;
    }

    double loss(const Points& x, const Eigen::VectorXd& t, const Eigen::VectorXd& w,
                const Eigen::MatrixXd& y) override {
        syncEma();
        load(x, t);
        const Matrix<Scalar>& out = ema_.forward(x_, t_, ws_[0]);
        const Eigen::MatrixXd r =
            (out.template cast<double>().array().rowwise() * w.transpose().array()).matrix() - y;
        return r.colwise().squaredNorm().mean();
    }

    void evaluate(const Points& x, double t, Eigen::MatrixXd& out,
                  Eigen::VectorXd* trace) override {
        syncEma();
        const Index n = x.cols(), outDim = ema_.outputDim();
        out.resize(outDim, n);
        if (trace) trace->resize(n);
        x_ = x.cast<Scalar>();
        const Scalar ts = static_cast<Scalar>(timeScale_ * t);
        constexpr Index kChunk = 256;  // keeps the activations of one chunk in cache
        const Index chunks = (n + kChunk - 1) / kChunk;
#pragma omp parallel for num_threads(threadsFor(n)) schedule(static)
        for (Index c = 0; c < chunks; ++c) {
            auto& ws = ws_[static_cast<std::size_t>(omp_get_thread_num())];
            const Index c0 = c * kChunk, nc = std::min(kChunk, n - c0);
            const Matrix<Scalar>& y = ema_.forward(x_.middleCols(c0, nc), ts, ws);
            out.middleCols(c0, nc) = y.template cast<double>();
            if (trace) {
                // Row k of the input Jacobian is the VJP with e_k; the trace takes its k-th
                // entry. Backward keeps the forward's activations, so one forward serves both.
                Matrix<Scalar> e = Matrix<Scalar>::Zero(outDim, nc);
                double* tr = trace->data() + c0;
                for (int k = 0; k < 2; ++k) {
                    e.setZero();
                    e.row(k).setOnes();
                    const Matrix<Scalar>& gx = ema_.backward(e, ws, nullptr, true);
                    for (Index j = 0; j < nc; ++j)
                        tr[j] = (k == 0 ? 0.0 : tr[j]) + static_cast<double>(gx(k, j));
                }
            }
        }
    }

    long steps() const override { return steps_; }
    StepFailure lastFailure() const override { return failure_; }
    Index parameterCount() const override { return net_.parameterCount(); }
    double multiplyAdds() const override { return macs_; }
    void save(const std::string& path) const override {
        nn::saveParameters<Scalar>(path, net_.architecture(), average_);
    }
    void load(const std::string& path) override {
        average_ = nn::loadParameters<Scalar>(path, net_.architecture());
        net_.parameters() = average_;
        adam_.reset();
        emaStale_ = true;
    }
    Eigen::VectorXd averageParameters() const override { return average_.template cast<double>(); }
    void setAverageParameters(const Eigen::VectorXd& parameters) override {
        if (parameters.size() != average_.size())
            throw ConfigError("score network: " + std::to_string(parameters.size()) +
                              " parameters given for a network of " +
                              std::to_string(average_.size()));
        average_ = parameters.template cast<Scalar>();
        net_.parameters() = average_;
        emaStale_ = true;
    }

private:
    // A parallel region costs a fork and a barrier, and on a busy machine a thread that is
    // not scheduled stalls the rest (measured: a 64-wide net on 256 points ran 8x slower on
    // two threads than on one under load), so small passes stay on one thread.
    int threadsFor(Index columns) const {
        constexpr double kMinMacsPerThread = 4e6;
        const double work = macs_ * static_cast<double>(columns);
        return std::clamp(static_cast<int>(work / kMinMacsPerThread), 1, threads_);
    }
    void load(const Points& x, const Eigen::VectorXd& t) {
        x_ = x.cast<Scalar>();
        t_ = (timeScale_ * t.transpose()).template cast<Scalar>();
    }
    void syncEma() {
        if (!emaStale_) return;
        ema_.parameters() = average_;
        emaStale_ = false;
    }

    nn::Mlp<Scalar> net_, ema_;
    nn::Adam<Scalar> adam_;
    Vector<Scalar> average_;
    Vector<Scalar> previous_;  // the weights before the last update
    StepFailure failure_ = StepFailure::None;
    double timeScale_;
    int threads_ = 1;
    double macs_ = 0.0;
    long steps_ = 0;
    bool emaStale_ = false;
    std::vector<nn::MlpWorkspace<Scalar>> ws_;
    std::vector<Vector<Scalar>> grads_;
    Matrix<Scalar> x_;
    RowVector<Scalar> t_;
};

}  // namespace

NeuralModel::NeuralModel(Index outputDim, const ScoreNetConfig& net, const TrainingConfig& training)
    : net_(net), training_(training) {
    if (net.embeddingDim < 2 || net.embeddingDim % 2 != 0)
        throw ConfigError("score network: the time embedding dimension must be even and >= 2");
    if (net.hiddenWidths.empty())
        throw ConfigError("score network: needs at least one hidden layer");
    if (!(net.timeScale > 0.0)) throw ConfigError("score network: the time scale must be positive");
    if (training.batchSize < 1) throw ConfigError("training: the batch size must be at least 1");
    if (!(training.learningRate > 0.0) || !std::isfinite(training.learningRate))
        throw ConfigError("training: the learning rate must be positive");
    if (!(training.emaDecay >= 0.0 && training.emaDecay < 1.0))
        throw ConfigError("training: the EMA decay must lie in [0, 1)");
    if (!(training.tEpsilon > 0.0 && training.tEpsilon < 0.5))
        throw ConfigError("training: tEpsilon must lie in (0, 0.5)");
    if (training.timeBuckets < 1 || training.reportEvery < 1)
        throw ConfigError("training: time buckets and the report interval must be positive");
    nn::MlpConfig config;
    config.inputDim = 2;
    config.hiddenWidths = net.hiddenWidths;
    config.outputDim = outputDim;
    config.hiddenActivations = {net.activation};
    config.outputActivation = nn::Activation::Identity;
    config.timeEmbedding.kind = nn::TimeEmbeddingConfig::Kind::Sinusoidal;
    config.timeEmbedding.dim = net.embeddingDim;
    config.seed = net.seed;
    if (net.float32)
        core_ = std::make_unique<CoreT<float>>(config, net.timeScale);
    else
        core_ = std::make_unique<CoreT<double>>(config, net.timeScale);
}

NeuralModel::~NeuralModel() = default;

void NeuralModel::setData(const Points& train) {
    if (train.cols() < 1) throw ConfigError("training data: no points");
    if (!train.allFinite()) throw ConfigError("training data: not all points are finite");
    data_ = train;
}

long NeuralModel::iterations() const { return core_->steps(); }
double NeuralModel::learningRate() const { return training_.learningRate; }
void NeuralModel::setLearningRate(double rate) {
    if (!(rate > 0.0) || !std::isfinite(rate))
        throw ConfigError("the learning rate must be positive");
    training_.learningRate = rate;
}
Index NeuralModel::parameterCount() const { return core_->parameterCount(); }
double NeuralModel::flopsPerTrainingStep() const {
    return 6.0 * core_->multiplyAdds() * static_cast<double>(training_.batchSize);
}
void NeuralModel::save(const std::string& path) const { core_->save(path); }
Eigen::VectorXd NeuralModel::emaParameters() const { return core_->averageParameters(); }
void NeuralModel::setEmaParameters(const Eigen::VectorXd& parameters) {
    core_->setAverageParameters(parameters);
}
void NeuralModel::load(const std::string& path) { core_->load(path); }

double NeuralModel::trainStep() {
    TrainResult r = train(1);
    return r.lastLoss;
}

TrainResult NeuralModel::train(long iterations, const TrainCallback& callback,
                               const std::atomic<bool>* cancel, bool reportAtEnd) {
    if (data_.cols() < 1)
        throw ConfigError("training: no data (an empty data set cannot be learned)");
    if (iterations < 0) throw ConfigError("training: negative iteration count");
    const auto start = std::chrono::steady_clock::now();
    const int buckets = training_.timeBuckets;
    if (bucketSum_.size() != static_cast<std::size_t>(buckets)) {
        bucketSum_.assign(static_cast<std::size_t>(buckets), 0.0);
        bucketCount_.assign(static_cast<std::size_t>(buckets), 0);
    }
    Batch batch;
    Eigen::VectorXd perSample;
    TrainResult result;
    auto report = [&] {
        result.seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (!callback || windowCount_ == 0) return;
        TrainProgress p;
        p.iteration = core_->steps();
        p.loss = windowSum_ / static_cast<double>(windowCount_);
        p.seconds = result.seconds;
        for (int k = 0; k < buckets; ++k)
            p.bucketLoss.push_back(bucketCount_[k] > 0 ? bucketSum_[k] / bucketCount_[k]
                                                       : std::numeric_limits<double>::quiet_NaN());
        callback(p);
        windowSum_ = 0.0;
        windowCount_ = 0;
        std::fill(bucketSum_.begin(), bucketSum_.end(), 0.0);
        std::fill(bucketCount_.begin(), bucketCount_.end(), 0);
    };
    for (long i = 0; i < iterations; ++i) {
        if (cancel && cancel->load(std::memory_order_relaxed)) {
            result.cancelled = true;
            break;
        }
        RandomStream random(training_.seed, static_cast<std::uint64_t>(core_->steps()));
        makeBatch(random, batch);
        const double loss =
            core_->step(batch.x, batch.t, batch.weight, batch.target, training_.learningRate,
                        training_.gradientClip, training_.emaDecay, perSample);
        if (core_->lastFailure() != StepFailure::None) {
            const StepFailure failure = core_->lastFailure();
            const std::string what =
                failure == StepFailure::Loss ? "the loss is " + std::to_string(loss)
                : failure == StepFailure::Gradient
                    ? "the gradient is not finite (loss " + std::to_string(loss) + ")"
                    : "the Adam update made weights non-finite";
            throw Error("training diverged at iteration " + std::to_string(core_->steps() + 1) +
                        ": " + what +
                        "; the weights are kept from the iteration before. Lower "
                        "the learning rate or enable gradient clipping.");
        }
        result.lastLoss = loss;
        ++result.iterations;
        windowSum_ += loss;
        ++windowCount_;
        for (Index j = 0; j < perSample.size(); ++j) {
            const int k = std::min(buckets - 1, static_cast<int>(batch.t(j) * buckets));
            bucketSum_[k] += perSample(j);
            ++bucketCount_[k];
        }
        if (core_->steps() % training_.reportEvery == 0) report();
    }
    if (reportAtEnd) {
        report();
    } else {
        result.seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
    return result;
}

double NeuralModel::evaluateLoss(int batches, std::uint64_t seed) const {
    if (data_.cols() < 1) throw ConfigError("loss: no data");
    double sum = 0.0;
    Batch batch;
    for (int k = 0; k < batches; ++k) {
        RandomStream random(seed, 0x10000000ull + static_cast<std::uint64_t>(k));
        makeBatch(random, batch);
        sum += core_->loss(batch.x, batch.t, batch.weight, batch.target);
    }
    return sum / std::max(1, batches);
}

void NeuralModel::evaluate(const Points& x, double t, Eigen::MatrixXd& out) const {
    core_->evaluate(x, t, out, nullptr);
}

void NeuralModel::evaluateWithTrace(const Points& x, double t, Eigen::MatrixXd& out,
                                    Eigen::VectorXd& trace) const {
    core_->evaluate(x, t, out, &trace);
}

namespace {

void fillNormals(Eigen::Ref<Eigen::MatrixXd> m, RandomStream& random) {
    const ZigguratTables& zt = zigguratTables();
    for (Index i = 0; i < m.cols(); ++i)
        for (Index r = 0; r < m.rows(); ++r) m(r, i) = random.normal(zt);
}

}  // namespace

DiffusionModel::DiffusionModel(const DiffusionProcess& process, Prediction prediction,
                               const ScoreNetConfig& net, const TrainingConfig& training)
    : NeuralModel(2, net, training), process_(process), prediction_(prediction) {}

void DiffusionModel::makeBatch(RandomStream& random, Batch& b) const {
    const Index n = training_.batchSize, m = data_.cols();
    b.x.resize(2, n);
    b.t.resize(n);
    b.weight.resize(n);
    b.target.resize(2, n);
    fillNormals(b.target, random);
    const double eps = training_.tEpsilon;
    for (Index i = 0; i < n; ++i) {
        const Index j = static_cast<Index>(random.next() % static_cast<std::uint64_t>(m));
        const double t = eps + (1.0 - eps) * random.uniform();
        const double sigma = process_.marginalStd(t);
        b.t(i) = t;
        b.x.col(i) = process_.meanCoefficient(t) * data_.col(j) + sigma * b.target.col(i);
        if (prediction_ == Prediction::Noise) {
            b.weight(i) = 1.0;  // |eps_theta - z|^2
        } else {
            b.weight(i) = sigma;  // |sigma s_theta + z|^2 = sigma^2 |s_theta - (-z/sigma)|^2
            b.target.col(i) = -b.target.col(i);
        }
    }
}

void DiffusionModel::score(const Points& x, double t, Points& out) const {
    Eigen::MatrixXd y;
    evaluate(x, t, y);
    out = prediction_ == Prediction::Noise ? Points(y / -process_.marginalStd(t)) : Points(y);
}

void DiffusionModel::scoreWithDivergence(const Points& x, double t, Points& out,
                                         Eigen::VectorXd& divergence) const {
    Eigen::MatrixXd y;
    evaluateWithTrace(x, t, y, divergence);
    if (prediction_ == Prediction::Noise) {
        const double s = -1.0 / process_.marginalStd(t);
        out = y * s;
        divergence *= s;
    } else {
        out = y;
    }
}

InterpolantModel::InterpolantModel(const StochasticInterpolant& interpolant,
                                   const ScoreNetConfig& net, const TrainingConfig& training)
    : NeuralModel(4, net, training), interpolant_(interpolant) {}

void InterpolantModel::makeBatch(RandomStream& random, Batch& b) const {
    const Index n = training_.batchSize, m = data_.cols();
    b.x.resize(2, n);
    b.t.resize(n);
    b.weight.setOnes(n);
    b.target.resize(4, n);
    Eigen::MatrixXd noise(4, n);  // x0 (noise end) and z
    fillNormals(noise, random);
    const double eps = training_.tEpsilon;
    const auto& I = interpolant_;
    for (Index i = 0; i < n; ++i) {
        const Index j = static_cast<Index>(random.next() % static_cast<std::uint64_t>(m));
        // gamma' is infinite at both ends when a > 0, so t stays inside.
        const double t = eps + (1.0 - 2.0 * eps) * random.uniform();
        const Eigen::Vector2d x0 = noise.col(i).head<2>(), z = noise.col(i).tail<2>();
        const Eigen::Vector2d x1 = data_.col(j);
        b.t(i) = t;
        b.x.col(i) = I.alpha(t) * x0 + I.beta(t) * x1 + I.gamma(t) * z;
        b.target.col(i).head<2>() = I.alphaDot(t) * x0 + I.betaDot(t) * x1 + I.gammaDot(t) * z;
        b.target.col(i).tail<2>() = (I.alpha(t) * x0 + I.gamma(t) * z) / I.noiseStd(t);
    }
}

void InterpolantModel::velocityAndScore(const Points& x, double t, Points& velocity,
                                        Points* score) const {
    Eigen::MatrixXd y;
    evaluate(x, t, y);
    velocity = y.topRows(2);
    if (score) *score = y.bottomRows(2) / -std::max(interpolant_.noiseStd(t), 1e-8);
}

void InterpolantModel::velocityWithDivergence(const Points& x, double t, Points& velocity,
                                              Eigen::VectorXd& divergence) const {
    Eigen::MatrixXd y;
    evaluateWithTrace(x, t, y, divergence);  // the trace of the first two outputs: div b
    velocity = y.topRows(2);
}

}  // namespace driftlab::core::diffusion
