#pragma once
// Optimizers, gradient clipping and parameter averaging, all acting on a model's single flat
// parameter vector (whatever network it belongs to). Conventions follow PyTorch, so results
// and hyperparameters carry over.
#include <cstdint>

#include "core/nn/types.h"

namespace driftlab::core::nn {

template <typename Scalar>
class Optimizer {
public:
    explicit Optimizer(double learningRate) : learningRate_(learningRate) {}
    virtual ~Optimizer() = default;

    // One update of parameters from gradient at the current learning rate. The first call
    // fixes the size; state buffers are allocated then and reused.
    virtual void step(VectorRef<Scalar> parameters, const VectorCRef<Scalar>& gradient) = 0;
    // Forgets momentum/moment estimates and the step count.
    virtual void reset() { steps_ = 0; }

    // Schedules set this before each step.
    void setLearningRate(double rate) { learningRate_ = rate; }
    double learningRate() const { return learningRate_; }
    std::int64_t stepCount() const { return steps_; }

protected:
    void checkSizes(Index parameters, Index gradient, Index state) const;

    double learningRate_;
    std::int64_t steps_ = 0;
};

struct SgdOptions {
    double learningRate = 1e-2;
    double momentum = 0.0;
    bool nesterov = false;     // needs momentum > 0
    double weightDecay = 0.0;  // L2: added to the gradient
};

// v <- momentum v + g;  p <- p - lr (nesterov ? g + momentum v : v)   (g includes L2 decay)
template <typename Scalar>
class Sgd : public Optimizer<Scalar> {
public:
    explicit Sgd(const SgdOptions& options);
    void step(VectorRef<Scalar> parameters, const VectorCRef<Scalar>& gradient) override;
    void reset() override;

private:
    SgdOptions options_;
    Vector<Scalar> velocity_;
};

struct AdamOptions {
    double learningRate = 1e-3;
    double beta1 = 0.9;
    double beta2 = 0.999;
    double epsilon = 1e-8;
    double weightDecay = 0.0;
    // false: Adam with L2 (decay added to the gradient, then rescaled by the moments);
    // true: AdamW (p <- p (1 - lr wd) before the Adam update, Loshchilov & Hutter).
    bool decoupledWeightDecay = false;
};

// m <- b1 m + (1-b1) g;  v <- b2 v + (1-b2) g^2;
// p <- p - lr (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps)
template <typename Scalar>
class Adam : public Optimizer<Scalar> {
public:
    explicit Adam(const AdamOptions& options);
    void step(VectorRef<Scalar> parameters, const VectorCRef<Scalar>& gradient) override;
    void reset() override;
    const AdamOptions& options() const { return options_; }

private:
    AdamOptions options_;
    Vector<Scalar> m_, v_;
};

// Adam with decoupled weight decay (PyTorch's default decay of 0.01).
template <typename Scalar>
class AdamW : public Adam<Scalar> {
public:
    explicit AdamW(AdamOptions options = withDecay());

private:
    static AdamOptions withDecay() {
        AdamOptions options;
        options.weightDecay = 0.01;
        return options;
    }
};

// Scales gradient in place so its Euclidean norm is at most maxNorm; returns the norm it had
// (callers log it; a non-finite return means the step should be skipped).
template <typename Scalar>
Scalar clipGradientNorm(VectorRef<Scalar> gradient, Scalar maxNorm);

// Exponential moving average of the parameters, the weights usually sampled from in
// diffusion models: avg <- decay avg + (1 - decay) p. The first update copies p.
template <typename Scalar>
class ParameterEma {
public:
    explicit ParameterEma(double decay);
    void update(const VectorCRef<Scalar>& parameters);
    const Vector<Scalar>& average() const { return average_; }
    double decay() const { return decay_; }
    std::int64_t updates() const { return updates_; }

private:
    double decay_;
    Vector<Scalar> average_;
    std::int64_t updates_ = 0;
};

extern template class Optimizer<double>;
extern template class Optimizer<float>;
extern template class Sgd<double>;
extern template class Sgd<float>;
extern template class Adam<double>;
extern template class Adam<float>;
extern template class AdamW<double>;
extern template class AdamW<float>;
extern template class ParameterEma<double>;
extern template class ParameterEma<float>;

}  // namespace driftlab::core::nn
