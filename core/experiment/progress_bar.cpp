#include "core/experiment/progress_bar.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ostream>
#include <utility>

namespace driftlab::core {

ProgressBar::ProgressBar(std::ostream& out, bool enabled, ProgressRate rate)
    : out_(out), enabled_(enabled), rate_(std::move(rate)), start_(Clock::now()) {}

int ProgressBar::percentOf(double fraction) {
    return static_cast<int>(std::floor(std::clamp(fraction, 0.0, 1.0) * 100));
}

bool ProgressBar::dueLocked(int percent, Clock::time_point now) const {
    if (finished_) return false;
    return !drawn_ || (percent > lastPercent_ && now - lastDraw_ >= std::chrono::milliseconds(100));
}

bool ProgressBar::due(double fraction) {
    if (!enabled_) return false;
    std::lock_guard<std::mutex> lock(mutex_);
    return dueLocked(percentOf(fraction), Clock::now());
}

void ProgressBar::update(double fraction, const std::string& detail) {
    if (!enabled_) return;
    std::lock_guard<std::mutex> lock(mutex_);
    const auto now = Clock::now();
    const int percent = percentOf(fraction);
    if (dueLocked(percent, now)) draw(percent, now, detail);
}

void ProgressBar::finish(const std::string& detail) {
    if (!enabled_) return;
    std::lock_guard<std::mutex> lock(mutex_);
    if (finished_) return;
    if (!drawn_ || lastPercent_ < 100 || !detail.empty()) draw(100, Clock::now(), detail);
    out_ << '\n' << std::flush;
    drawn_ = false;
    finished_ = true;
}

void ProgressBar::abandon() {
    if (!enabled_) return;
    std::lock_guard<std::mutex> lock(mutex_);
    if (drawn_) out_ << '\n' << std::flush;
    drawn_ = false;
    finished_ = true;
}

void ProgressBar::draw(int percent, Clock::time_point now, const std::string& detail) {
    constexpr int kWidth = 10;
    const int filled = percent * kWidth / 100;
    const double seconds = std::chrono::duration<double>(now - start_).count();
    // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) on "literal" + string.
    std::string line = "[";
    line.append(filled, '#');
    line.append(kWidth - filled, '.');
    line += "] ";
    char buffer[96];
    std::snprintf(buffer, sizeof buffer, "%3d%%", percent);
    line += buffer;
    if (rate_.totalWork > 0.0) {
        const double rate = seconds > 0.0 ? rate_.totalWork * percent / 100.0 / seconds : 0.0;
        std::snprintf(buffer, sizeof buffer, "  %.1f %s", rate / rate_.unitScale,
                      rate_.unit.c_str());
        line += buffer;
    }
    std::snprintf(buffer, sizeof buffer, "  %.1f s", seconds);
    line += buffer;
    if (!detail.empty()) {
        line += "  ";
        line += detail;
    }
    // A shorter line than the last would leave the old one's tail on screen.
    const std::size_t length = line.size();
    if (length < lastLength_) line.append(lastLength_ - length, ' ');
    out_ << '\r' << line << std::flush;
    drawn_ = true;
    lastPercent_ = percent;
    lastLength_ = length;
    lastDraw_ = now;
}

}  // namespace driftlab::core
