#include "widgets/vtk/color_maps.h"

#include <vtkColorTransferFunction.h>
#include <vtkLookupTable.h>

#include <algorithm>

namespace driftlab::widgets {
namespace {

struct Stop {
    double t, r, g, b;
};

// Samples of matplotlib's maps (van der Walt & Smith); linear interpolation between them
// stays within a few 1/255 of the originals.
const std::vector<Stop>& stops(ColorMap map) {
    static const std::vector<Stop> viridis = {
        {0.0, 0.267004, 0.004874, 0.329415},   {0.125, 0.282327, 0.140926, 0.457517},
        {0.25, 0.253935, 0.265254, 0.529983},  {0.375, 0.206756, 0.371758, 0.553117},
        {0.5, 0.163625, 0.471133, 0.558148},   {0.625, 0.127568, 0.566949, 0.550556},
        {0.75, 0.134692, 0.658636, 0.517649},  {0.8125, 0.196571, 0.711827, 0.479221},
        {0.875, 0.266941, 0.748751, 0.440573}, {0.9, 0.565, 0.843, 0.262} /* approx */,
        {0.95, 0.741388, 0.873449, 0.149561},  {1.0, 0.993248, 0.906157, 0.143936}};
    static const std::vector<Stop> magma = {
        {0.0, 0.001462, 0.000466, 0.013866},    {0.125, 0.078815, 0.054184, 0.211667},
        {0.25, 0.232077, 0.059889, 0.437695},   {0.375, 0.390384, 0.100379, 0.501864},
        {0.5, 0.550287, 0.161158, 0.505719},    {0.625, 0.716387, 0.214982, 0.475290},
        {0.75, 0.868793, 0.287728, 0.409303},   {0.875, 0.967671, 0.439703, 0.359810},
        {0.9375, 0.994738, 0.624350, 0.427397}, {1.0, 0.987053, 0.991438, 0.749504}};
    static const std::vector<Stop> inferno = {
        {0.0, 0.001462, 0.000466, 0.013866},    {0.125, 0.087411, 0.044556, 0.224813},
        {0.25, 0.258234, 0.038571, 0.406485},   {0.375, 0.416331, 0.090203, 0.432943},
        {0.5, 0.578304, 0.148039, 0.404411},    {0.625, 0.735683, 0.215906, 0.330245},
        {0.75, 0.865006, 0.316822, 0.226055},   {0.875, 0.954506, 0.468744, 0.099874},
        {0.9375, 0.978422, 0.632800, 0.044000}, {1.0, 0.988362, 0.998364, 0.644924}};
    switch (map) {
        case ColorMap::Magma:
            return magma;
        case ColorMap::Inferno:
            return inferno;
        default:
            return viridis;
    }
}

}  // namespace

QString colorMapName(ColorMap map) {
    switch (map) {
        case ColorMap::Viridis:
            return QStringLiteral("viridis");
        case ColorMap::Magma:
            return QStringLiteral("magma");
        case ColorMap::Inferno:
            return QStringLiteral("inferno");
        case ColorMap::CoolWarm:
            return QStringLiteral("coolwarm");
    }
    return {};
}

QStringList colorMapNames() {
    return {colorMapName(ColorMap::Viridis), colorMapName(ColorMap::Magma),
            colorMapName(ColorMap::Inferno), colorMapName(ColorMap::CoolWarm)};
}

std::optional<ColorMap> colorMapFromName(const QString& name) {
    for (ColorMap map : {ColorMap::Viridis, ColorMap::Magma, ColorMap::Inferno, ColorMap::CoolWarm})
        if (name.compare(colorMapName(map), Qt::CaseInsensitive) == 0) return map;
    return std::nullopt;
}

vtkSmartPointer<vtkColorTransferFunction> makeColorTransferFunction(ColorMap map, double lo,
                                                                    double hi) {
    auto ctf = vtkSmartPointer<vtkColorTransferFunction>::New();
    if (hi <= lo) hi = lo + 1.0;
    if (map == ColorMap::CoolWarm) {
        // Moreland's diverging map is defined by its end points in VTK's diverging space.
        ctf->SetColorSpaceToDiverging();
        ctf->AddRGBPoint(lo, 0.230, 0.299, 0.754);
        ctf->AddRGBPoint(hi, 0.706, 0.016, 0.150);
    } else {
        ctf->SetColorSpaceToRGB();
        for (const Stop& s : stops(map)) ctf->AddRGBPoint(lo + s.t * (hi - lo), s.r, s.g, s.b);
    }
    ctf->ClampingOn();
    ctf->Build();
    return ctf;
}

std::array<double, 3> sampleColorMap(ColorMap map, double t) {
    auto ctf = makeColorTransferFunction(map, 0.0, 1.0);
    std::array<double, 3> rgb{};
    ctf->GetColor(std::clamp(t, 0.0, 1.0), rgb.data());
    return rgb;
}

vtkSmartPointer<vtkLookupTable> makeLookupTable(ColorMap map, double lo, double hi, int colors,
                                                double from, double to) {
    colors = std::max(colors, 2);
    auto ctf = makeColorTransferFunction(map, 0.0, 1.0);
    auto lut = vtkSmartPointer<vtkLookupTable>::New();
    lut->SetNumberOfTableValues(colors);
    lut->SetTableRange(lo, hi > lo ? hi : lo + 1.0);
    for (int i = 0; i < colors; ++i) {
        const double t = from + (to - from) * i / (colors - 1.0);
        double rgb[3];
        ctf->GetColor(t, rgb);
        lut->SetTableValue(i, rgb[0], rgb[1], rgb[2], 1.0);
    }
    lut->SetNanColor(0.6, 0.6, 0.6, 1.0);
    // No Build(): it would overwrite the table with VTK's default HSV ramp whenever the
    // range changes later. Filled tables stay as they are; Build() then only adds the
    // special (NaN, above/below range) colours.
    return lut;
}

}  // namespace driftlab::widgets
