#pragma once
// Pixel counting and window opening shared by the GUI tests, so every test judges "drawn" the
// same way.
#include <QImage>
#include <QtTest/QtTest>

#include <cmath>
#include <cstdlib>

#include "app/main_window.h"
#include "widgets/vtk/theme.h"

namespace driftlab::test {

// Pixels within tolerance levels (per channel, 0..255) of rgb.
inline int countNear(const QImage& image, const widgets::theme::Rgb& rgb, int tolerance) {
    const int r = int(std::lround(rgb[0] * 255)), g = int(std::lround(rgb[1] * 255)),
              b = int(std::lround(rgb[2] * 255));
    int count = 0;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x) {
            const QRgb p = image.pixel(x, y);
            if (std::abs(qRed(p) - r) <= tolerance && std::abs(qGreen(p) - g) <= tolerance &&
                std::abs(qBlue(p) - b) <= tolerance)
                ++count;
        }
    return count;
}

// Shows the main window at a fixed size and switches to workspace id; nullptr if either fails.
template <class WorkspaceType>
WorkspaceType* openWorkspace(app::MainWindow& window, const char* id) {
    window.resize(1400, 900);
    window.show();
    if (!QTest::qWaitForWindowExposed(&window)) return nullptr;
    if (!window.selectWorkspace(id)) return nullptr;
    return qobject_cast<WorkspaceType*>(window.currentWorkspace());
}

}  // namespace driftlab::test
