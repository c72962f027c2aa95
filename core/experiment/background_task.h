#pragma once
// Runs one job on its own std::thread and lets the GUI poll it without ever blocking:
// progress and the finished flag are atomics, the result is handed over once, and cancel()
// only raises a flag the job checks. The GUI keeps a cancelled task alive until it has
// finished instead of joining it, so a slow job can never freeze a frame.
#include "core/common/error.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace driftlab::core {

class TaskContext {
public:
    const std::atomic<bool>& cancelFlag() const { return cancel_; }
    bool cancelled() const { return cancel_.load(std::memory_order_relaxed); }
    void setProgress(double fraction) { progress_.store(fraction, std::memory_order_relaxed); }

private:
    template <class> friend class BackgroundTask;
    std::atomic<bool> cancel_{false};
    std::atomic<double> progress_{0.0};
};

template <class Result>
class BackgroundTask {
public:
    using Job = std::function<std::shared_ptr<const Result>(TaskContext&)>;

    explicit BackgroundTask(Job job) : started_(std::chrono::steady_clock::now()) {
        thread_ = std::thread([this, job = std::move(job)] {
            try {
                auto result = job(context_);
                std::lock_guard lock(mutex_);
                result_ = std::move(result);
            } catch (const std::exception& e) {
                std::lock_guard lock(mutex_);
                error_ = e.what();
            } catch (...) {
                std::lock_guard lock(mutex_);
                error_ = "unknown error in background task";
            }
            finished_.store(true, std::memory_order_release);
        });
    }
    ~BackgroundTask() {
        context_.cancel_.store(true);
        if (thread_.joinable()) thread_.join();
    }
    BackgroundTask(const BackgroundTask&) = delete;
    BackgroundTask& operator=(const BackgroundTask&) = delete;

    void cancel() { context_.cancel_.store(true); }
    bool cancelRequested() const { return context_.cancelled(); }
    bool finished() const { return finished_.load(std::memory_order_acquire); }
    double progress() const { return context_.progress_.load(std::memory_order_relaxed); }
    double elapsedSeconds() const {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    }
    // Valid once finished(): the result (null on error or cancel) and the error text.
    std::shared_ptr<const Result> result() const {
        std::lock_guard lock(mutex_);
        return result_;
    }
    std::string error() const {
        std::lock_guard lock(mutex_);
        return error_;
    }

private:
    TaskContext context_;
    std::atomic<bool> finished_{false};
    mutable std::mutex mutex_;
    std::shared_ptr<const Result> result_;
    std::string error_;
    std::chrono::steady_clock::time_point started_;
    std::thread thread_;
};

}  // namespace driftlab::core
