#pragma once
// Neural score and velocity models of the diffusion workspace: an MLP over [x; sinusoidal
// embedding of t] trained by
//  - denoising score matching (DiffusionModel): t ~ U(tEpsilon, 1), x_t = alpha x0 + sigma z;
//    noise prediction minimises |eps(x_t, t) - z|^2, score prediction |sigma s(x_t, t) + z|^2,
//    i.e. the DSM loss with the standard weighting lambda(t) = sigma_t^2;
//  - stochastic-interpolant regression (InterpolantModel): outputs [b; eta] with targets
//    b* = alpha' x0 + beta' x1 + gamma' z and eta* = (alpha x0 + gamma z) / noiseStd, so the
//    velocity and the score (-eta / noiseStd) come from one evaluation.
// Training (Adam, EMA of the weights) runs in float32 or float64, the batch split over the
// OpenMP threads with one workspace each. A model is meant to be driven by one thread at a
// time (e.g. a worker): train() and the evaluations must not run concurrently.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/diffusion/fields.h"
#include "core/nn/types.h"

namespace driftlab::core {
class RandomStream;
}

namespace driftlab::core::diffusion {

enum class Prediction { Noise, Score };

struct ScoreNetConfig {
    std::vector<Index> hiddenWidths{128, 128, 128};
    nn::Activation activation = nn::Activation::Silu;
    Index embeddingDim = 32;
    // The embedding sees timeScale * t: its frequencies run from 1 down to 1e-4, so with t in
    // [0, 1] unscaled most of them would be constant.
    double timeScale = 1000.0;
    bool float32 = true;
    std::uint64_t seed = 0;  // initial weights
};

struct TrainingConfig {
    Index batchSize = 512;
    double learningRate = 1e-3;
    double emaDecay = 0.999;    // warmed up as min(decay, (1 + k) / (10 + k))
    double tEpsilon = 1e-3;     // smallest training time (and 1 - largest, interpolants)
    double gradientClip = 0.0;  // max gradient norm; 0 is off
    int timeBuckets = 10;       // per-time-bucket losses in the progress reports
    long reportEvery = 100;     // iterations between callbacks
    std::uint64_t seed = 0;     // batches (iteration k draws from stream k)
};

struct TrainProgress {
    long iteration = 0;              // total iterations done by the model
    double loss = 0.0;               // mean over the iterations since the last report
    std::vector<double> bucketLoss;  // the same per time bucket (NaN where none fell)
    double seconds = 0.0;            // since this train() call started
};
using TrainCallback = std::function<void(const TrainProgress&)>;

struct TrainResult {
    long iterations = 0;  // done in this call
    bool cancelled = false;
    double lastLoss = 0.0;
    double seconds = 0.0;
};

class NetworkCore;  // the network, optimizer and workspaces (score_model.cpp)

class NeuralModel {
public:
    virtual ~NeuralModel();
    NeuralModel(const NeuralModel&) = delete;
    NeuralModel& operator=(const NeuralModel&) = delete;

    // Training points (2 x n); ConfigError when empty or not finite.
    void setData(const Points& train);
    const Points& data() const { return data_; }

    // Runs `iterations` steps, reporting every reportEvery iterations and at the end, and
    // stopping early (cancelled = true) once *cancel is set; call again to resume (optimizer
    // state, EMA and batch stream carry on). A non-finite loss throws driftlab::Error naming
    // the iteration, before the bad update touches the parameters.
    // reportAtEnd = false leaves a partial report window open for the next call, so training
    // one iteration per call reports exactly as one long call does (what a steppable run
    // needs); the window is flushed at the next multiple of reportEvery or by a call with
    // reportAtEnd.
    TrainResult train(long iterations, const TrainCallback& callback = {},
                      const std::atomic<bool>* cancel = nullptr, bool reportAtEnd = true);
    double trainStep();  // one iteration; returns its loss
    long iterations() const;
    double learningRate() const;
    void setLearningRate(double rate);

    // The loss of the EMA weights over `batches` fresh batches (seeded): the figure tests
    // and the training view compare.
    double evaluateLoss(int batches, std::uint64_t seed) const;

    Index parameterCount() const;
    // The EMA weights (what evaluations use) as one vector, e.g. to publish an immutable copy
    // of a model in training; setEmaParameters loads such a copy into a model of the same
    // architecture (ConfigError on a size mismatch). float32 weights survive the round trip.
    Eigen::VectorXd emaParameters() const;
    void setEmaParameters(const Eigen::VectorXd& parameters);
    // Parameter file (EMA weights) with the architecture in its header; see nn/serialization.
    void save(const std::string& path) const;
    void load(const std::string& path);

    // Floating-point operations of one training step, 6 * multiply-adds * batch (forward,
    // plus the weight-gradient and input-gradient products of backward): what the benchmark
    // divides by time to compare with the machine's GEMM throughput.
    double flopsPerTrainingStep() const;

protected:
    struct Batch {
        Points x;
        Eigen::VectorXd t;       // in [0, 1]
        Eigen::VectorXd weight;  // c in |c out - target|^2
        Eigen::MatrixXd target;  // outputDim x batch
    };
    NeuralModel(Index outputDim, const ScoreNetConfig& net, const TrainingConfig& training);
    virtual void makeBatch(RandomStream& random, Batch& batch) const = 0;
    // EMA-weight outputs (outputDim x n) at one time t.
    void evaluate(const Points& x, double t, Eigen::MatrixXd& out) const;
    // The same, and the trace of d out[0:2] / dx per point (two input VJPs).
    void evaluateWithTrace(const Points& x, double t, Eigen::MatrixXd& out,
                           Eigen::VectorXd& trace) const;

    ScoreNetConfig net_;
    TrainingConfig training_;
    Points data_;
    std::unique_ptr<NetworkCore> core_;

private:
    // The report window, kept between train() calls (see reportAtEnd).
    std::vector<double> bucketSum_;
    std::vector<long> bucketCount_;
    double windowSum_ = 0.0;
    long windowCount_ = 0;
};

class DiffusionModel final : public NeuralModel, public ScoreField {
public:
    DiffusionModel(const DiffusionProcess& process, Prediction prediction,
                   const ScoreNetConfig& net = {}, const TrainingConfig& training = {});
    const DiffusionProcess& process() const { return process_; }
    Prediction prediction() const { return prediction_; }

    void score(const Points& x, double t, Points& out) const override;
    void scoreWithDivergence(const Points& x, double t, Points& out,
                             Eigen::VectorXd& divergence) const override;

protected:
    void makeBatch(RandomStream& random, Batch& batch) const override;

private:
    DiffusionProcess process_;
    Prediction prediction_;
};

class InterpolantModel final : public NeuralModel, public VelocityField {
public:
    InterpolantModel(const StochasticInterpolant& interpolant, const ScoreNetConfig& net = {},
                     const TrainingConfig& training = {});
    const StochasticInterpolant& interpolant() const override { return interpolant_; }
    void velocityAndScore(const Points& x, double t, Points& velocity,
                          Points* score) const override;
    void velocityWithDivergence(const Points& x, double t, Points& velocity,
                                Eigen::VectorXd& divergence) const override;

protected:
    void makeBatch(RandomStream& random, Batch& batch) const override;

private:
    StochasticInterpolant interpolant_;
};

}  // namespace driftlab::core::diffusion
