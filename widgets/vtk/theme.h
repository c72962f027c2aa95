#pragma once
// One light theme for every view, so a band, a path or a mean line means the same colour
// everywhere; tests look for these exact colours in the pixels.
#include <array>

namespace driftlab::widgets::theme {

using Rgb = std::array<double, 3>;  // components in [0,1]

inline constexpr Rgb kBackground{1.0, 1.0, 1.0};
inline constexpr Rgb kText{0.13, 0.13, 0.15};
inline constexpr Rgb kGrid{0.88, 0.88, 0.90};

inline constexpr Rgb kPath{0.16, 0.35, 0.62};       // drawn paths (with kPathOpacity)
inline constexpr double kPathOpacity = 0.15;        // low, so the bands show through 200 paths
inline constexpr Rgb kBandOuter{0.74, 0.84, 0.95};  // 5-95 % band, drawn opaque
inline constexpr Rgb kBandInner{0.50, 0.68, 0.88};  // 25-75 % band, drawn opaque
inline constexpr Rgb kMean{0.85, 0.33, 0.10};       // mean line
inline constexpr Rgb kMedian{0.20, 0.20, 0.25};     // median line
inline constexpr Rgb kCursor{0.80, 0.10, 0.45};     // time cursor

inline constexpr Rgb kHistogramBar{0.45, 0.62, 0.83};
inline constexpr Rgb kAnalytic{0.85, 0.33, 0.10};  // closed-form density over the bars

inline constexpr Rgb kStartPoint{0.85, 0.20, 0.15};

// Solver diagnostics: accepted steps, rejected attempts, explicit vs stiff-solver steps.
inline constexpr Rgb kAccepted{0.16, 0.35, 0.62};
inline constexpr Rgb kRejected{0.86, 0.08, 0.12};
inline constexpr Rgb kNonStiff{0.10, 0.55, 0.45};
inline constexpr Rgb kStiff{0.50, 0.20, 0.68};
inline constexpr Rgb kTolerance{0.35, 0.35, 0.40};

// Point sizes at 96 dpi logical pixels; VTK scales text by the window's DPI.
inline constexpr int kTitleFontSize = 15;
inline constexpr int kAxisTitleFontSize = 13;
inline constexpr int kLabelFontSize = 11;

}  // namespace driftlab::widgets::theme
