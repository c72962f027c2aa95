#pragma once
// The headless runs' one-line text progress bar:
//   "[#####.....]  52%  12.3 M path·steps/s  0.4 s  loss 0.0123"
// redrawn in place with '\r' on the progress stream. Every family's headless entry uses it,
// so a script reading the output sees one format.
#include <chrono>
#include <iosfwd>
#include <mutex>
#include <string>

namespace driftlab::core {

struct ProgressRate {
    double totalWork = 0.0;  // work units of the whole run (0: no rate is shown)
    std::string unit;        // after the number, e.g. "M path·steps/s", "it/s"
    double unitScale = 1.0;  // work units per displayed unit (1e6 for "M ...")
};

class ProgressBar {
public:
    // Disabled, every call does nothing (--headless without a bar, tests).
    ProgressBar(std::ostream& out, bool enabled, ProgressRate rate = {});

    // fraction in [0, 1]; detail follows the time (e.g. "loss 0.12"). Safe to call from
    // several threads (simulate() reports from its workers). Redrawn at most ten times a
    // second and only when the percentage grew, so a fast loop costs nothing.
    void update(double fraction, const std::string& detail = {});
    // Whether update(fraction) would redraw now: lets a caller skip building a costly detail.
    bool due(double fraction);
    // Draws 100 % (with detail, if given) and ends the line; the bar draws nothing after.
    void finish(const std::string& detail = {});
    // Ends a half-drawn line so an error message starts on its own line; nothing is drawn
    // after it either.
    void abandon();

private:
    using Clock = std::chrono::steady_clock;
    static int percentOf(double fraction);
    bool dueLocked(int percent, Clock::time_point now) const;
    void draw(int percent, Clock::time_point now, const std::string& detail);

    std::ostream& out_;
    bool enabled_;
    ProgressRate rate_;
    Clock::time_point start_;
    Clock::time_point lastDraw_{};
    int lastPercent_ = -1;
    std::size_t lastLength_ = 0;
    bool drawn_ = false;
    bool finished_ = false;
    std::mutex mutex_;
};

}  // namespace driftlab::core
