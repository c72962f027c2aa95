#pragma once
// Named perceptual colour maps for scalar colouring (time along a path, densities, fields).
#include <QString>
#include <QStringList>

#include <vtkSmartPointer.h>
#include <array>
#include <optional>

class vtkColorTransferFunction;
class vtkLookupTable;

namespace driftlab::widgets {

enum class ColorMap {
    Viridis,   // sequential, the default
    Magma,     // sequential, black -> pale yellow
    Inferno,   // sequential, black -> yellow through red
    CoolWarm,  // diverging blue-white-red (Moreland), for signed quantities
};

QString colorMapName(ColorMap map);  // "viridis", "magma", "inferno", "coolwarm"
QStringList colorMapNames();
std::optional<ColorMap> colorMapFromName(const QString& name);  // case-insensitive

// RGB in [0,1] at position t in [0,1] (clamped).
std::array<double, 3> sampleColorMap(ColorMap map, double t);

// A transfer function spanning [lo, hi].
vtkSmartPointer<vtkColorTransferFunction> makeColorTransferFunction(ColorMap map, double lo,
                                                                    double hi);

// A lookup table spanning [lo, hi] with `colors` entries taken from the part [from, to] of
// the map; e.g. to = 0.85 drops viridis' last yellows, which vanish on a white background.
vtkSmartPointer<vtkLookupTable> makeLookupTable(ColorMap map, double lo, double hi,
                                                int colors = 256, double from = 0.0,
                                                double to = 1.0);

}  // namespace driftlab::widgets
