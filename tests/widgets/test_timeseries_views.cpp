// The Time series workspace's own views under Xvfb, fed known inputs: the heat map paints
// each cell in its value's colour at the cell's place, the vector field draws arrows along
// the field, the series fan chart shows its band, mean, observed, held-out and missing points.
#include "widgets/views/axis_heat_map_view.h"
#include "widgets/views/series_fan_view.h"
#include "widgets/views/vector_field_view.h"
#include "widgets/vtk/surface_format.h"
#include "widgets/vtk/theme.h"

#include <QImage>
#include <QTest>

#include <cmath>
#include <limits>
#include <set>

using namespace driftlab;
using widgets::theme::Rgb;

namespace {

constexpr double kPi = 3.14159265358979323846;

bool near(QRgb p, const Rgb& c, int tolerance) {
    return std::abs(qRed(p) - int(std::lround(c[0] * 255))) <= tolerance &&
           std::abs(qGreen(p) - int(std::lround(c[1] * 255))) <= tolerance &&
           std::abs(qBlue(p) - int(std::lround(c[2] * 255))) <= tolerance;
}

struct ColourStats {
    int count = 0;
    double meanX = 0, meanY = 0;
    std::set<int> rows, columns;
};

ColourStats find(const QImage& image, const Rgb& colour, int tolerance) {
    ColourStats s;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x)
            if (near(image.pixel(x, y), colour, tolerance)) {
                ++s.count;
                s.meanX += x;
                s.meanY += y;
                s.rows.insert(y);
                s.columns.insert(x);
            }
    if (s.count > 0) s.meanX /= s.count, s.meanY /= s.count;
    return s;
}

bool show(QWidget& w, QSize size = {640, 420}) {
    w.resize(size);
    w.show();
    return QTest::qWaitForWindowExposed(&w);
}

}  // namespace

class TestTimeseriesViews : public QObject {
    Q_OBJECT

public:
    static void initMain() { widgets::setDefaultSurfaceFormat(); }

private Q_SLOTS:
    void heatMapPaintsEachCellInItsColour();
    void heatMapShowsMissingCellsGrey();
    void vectorFieldDrawsArrowsAlongTheField();
    void seriesFanDrawsBandMeanAndAllPointKinds();
    void seriesFanClearsWithoutData();
};

void TestTimeseriesViews::heatMapPaintsEachCellInItsColour() {
    widgets::AxisHeatMapView view;
    view.setAxisTitles("time", "iteration");
    view.setColorBarTitle("log10 error");
    // 2 rows x 3 columns: values 0..5, row 0 at the bottom.
    Eigen::MatrixXd values(2, 3);
    values << 0, 1, 2, 3, 4, 5;
    view.setGrid(0.0, 3.0, 0.0, 2.0, values, "known cells");
    QVERIFY(show(view));
    QCOMPARE(view.rowCount(), 2);
    QCOMPARE(view.columnCount(), 3);
    QCOMPARE(view.valueRange().first, 0.0);
    QCOMPARE(view.valueRange().second, 5.0);
    const QImage img = view.grabFramebuffer();
    img.save("/tmp/ts_views_heatmap.png");
    ColourStats cells[6];
    for (int v = 0; v < 6; ++v) {
        cells[v] = find(img, view.colorOf(v), 3);
        // The colour bar shows every colour too, but only in a thin strip.
        QVERIFY2(
            cells[v].count > 3000,
            qPrintable(QString("value %1: %2 pixels of its colour").arg(v).arg(cells[v].count)));
    }
    // Columns left to right, rows bottom to top (image y grows downwards).
    QVERIFY(cells[0].meanX < cells[1].meanX && cells[1].meanX < cells[2].meanX);
    QVERIFY(cells[3].meanX < cells[4].meanX && cells[4].meanX < cells[5].meanX);
    QVERIFY(cells[0].meanY > cells[3].meanY + 40);
    QVERIFY(cells[2].meanY > cells[5].meanY + 40);
}

void TestTimeseriesViews::heatMapShowsMissingCellsGrey() {
    widgets::AxisHeatMapView view;
    Eigen::MatrixXd values(2, 2);
    values << 1, std::numeric_limits<double>::quiet_NaN(), 2, 3;
    view.setGrid(0.0, 1.0, 0.0, 1.0, values, "one cell without data");
    QVERIFY(show(view));
    const QImage img = view.grabFramebuffer();
    const ColourStats grey = find(img, widgets::AxisHeatMapView::kNoDataColor, 3);
    QVERIFY2(grey.count > 5000, qPrintable(QString::number(grey.count)));
    // The empty cell is the bottom-right one.
    const ColourStats low = find(img, view.colorOf(1.0), 3);
    QVERIFY(grey.meanX > low.meanX + 40);
    QVERIFY(std::abs(grey.meanY - low.meanY) < 20);
    view.clear("cleared");
    QCOMPARE(view.rowCount(), 0);
}

void TestTimeseriesViews::vectorFieldDrawsArrowsAlongTheField() {
    widgets::VectorFieldView view;
    view.setAxisTitles("z1", "z2");
    const int grid = 9;
    Eigen::Matrix2Xd positions(2, grid * grid);
    for (int i = 0; i < grid; ++i)
        for (int j = 0; j < grid; ++j)
            positions.col(i * grid + j) << -2.0 + 0.5 * j, -2.0 + 0.5 * i;
    QVERIFY(show(view));

    // A field pointing right everywhere: its arrows are horizontal strokes, so they fill
    // many pixel columns but few pixel rows; pointing up, the other way round.
    Eigen::Matrix2Xd right(2, grid * grid), up(2, grid * grid);
    right.row(0).setOnes();
    right.row(1).setZero();
    up.row(0).setZero();
    up.row(1).setOnes();
    view.setField(positions, right, {}, "pointing right");
    QCOMPARE(view.arrowCount(), grid * grid);
    QCOMPARE(view.arrowScale(), 0.9 * 0.5);  // the longest arrow spans 90 % of a cell
    const ColourStats horizontal =
        find(view.grabFramebuffer(), widgets::VectorFieldView::kArrowColor, 40);
    view.setField(positions, up, {}, "pointing up");
    const ColourStats vertical =
        find(view.grabFramebuffer(), widgets::VectorFieldView::kArrowColor, 40);
    std::printf("  right: %d px in %zu rows x %zu columns; up: %d px in %zu rows x %zu columns\n",
                horizontal.count, horizontal.rows.size(), horizontal.columns.size(), vertical.count,
                vertical.rows.size(), vertical.columns.size());
    QVERIFY(horizontal.count > 500 && vertical.count > 500);
    QVERIFY(horizontal.columns.size() > 2 * horizontal.rows.size());
    QVERIFY(vertical.rows.size() > 2 * vertical.columns.size());

    // A rotation with sample paths (circles) on top: both show.
    Eigen::Matrix2Xd rotation(2, grid * grid);
    for (int k = 0; k < grid * grid; ++k) rotation.col(k) << -positions(1, k), positions(0, k);
    std::vector<Eigen::Matrix2Xd> circles;
    for (double r : {0.8, 1.6}) {
        Eigen::Matrix2Xd circle(2, 100);
        for (int k = 0; k < 100; ++k)
            circle.col(k) << r * std::cos(2 * kPi * k / 99.0), r * std::sin(2 * kPi * k / 99.0);
        circles.push_back(circle);
    }
    // A non-finite arrow is skipped, not drawn to infinity.
    rotation(0, 0) = std::numeric_limits<double>::quiet_NaN();
    view.setField(positions, rotation, circles, "rotation");
    QCOMPARE(view.arrowCount(), grid * grid - 1);
    QCOMPARE(view.pathCount(), 2);
    const QImage img = view.grabFramebuffer();
    img.save("/tmp/ts_views_field.png");
    QVERIFY(find(img, widgets::VectorFieldView::kArrowColor, 40).count > 500);
    QVERIFY(find(img, widgets::VectorFieldView::kPathColor, 50).count > 300);
}

void TestTimeseriesViews::seriesFanDrawsBandMeanAndAllPointKinds() {
    auto data = std::make_shared<widgets::SeriesFanData>();
    const int n = 120;
    for (int k = 0; k < n; ++k) {
        const double t = 10.0 * k / (n - 1);
        data->gridTimes.push_back(t);
        data->mean.push_back(std::sin(t));
        data->lower.push_back(std::sin(t) - 0.6);
        data->upper.push_back(std::sin(t) + 0.6);
    }
    for (int i = 0; i < 8; ++i) {
        std::vector<double> path;
        for (int k = 0; k < n; ++k) path.push_back(std::sin(data->gridTimes[k]) + 0.1 * (i - 4));
        data->paths.push_back(path);
    }
    for (int k = 0; k < 20; ++k) {
        const double t = 0.5 * k;
        auto& times =
            t < 7 ? (k % 4 == 3 ? data->missingTimes : data->contextTimes) : data->targetTimes;
        auto& values =
            t < 7 ? (k % 4 == 3 ? data->missingValues : data->contextValues) : data->targetValues;
        times.push_back(t);
        values.push_back(std::sin(t) + (k % 4 == 3 ? 0.0 : 0.9));  // observed dots above the band
    }
    data->markHoldOut = true;
    data->holdOutStart = 7.0;
    data->title = std::string(
        "channel x, series 3");  // move-assign: GCC 12 -Wrestrict false positive otherwise
    data->valueLabel = std::string("x");

    widgets::SeriesFanView view;
    view.setData(data);
    QVERIFY(show(view));
    QCOMPARE(view.drawnPathCount(), 8);
    QCOMPARE(view.contextPointCount(), 11);
    QCOMPARE(view.missingPointCount(), 3);
    QCOMPARE(view.targetPointCount(), 6);
    const QImage img = view.grabFramebuffer();
    img.save("/tmp/ts_views_fan.png");
    using widgets::SeriesFanView;
    const int band = find(img, widgets::theme::kBandOuter, 6).count;
    const int mean = find(img, widgets::theme::kMean, 30).count;
    const ColourStats context = find(img, SeriesFanView::kContextColor, 20);
    const ColourStats target = find(img, SeriesFanView::kTargetColor, 20);
    const int missing = find(img, SeriesFanView::kMissingColor, 20).count;
    std::printf("  band %d, mean %d, observed %d, held out %d, missing %d pixels\n", band, mean,
                context.count, target.count, missing);
    QVERIFY(band > 3000);
    QVERIFY(mean > 200);
    QVERIFY(context.count > 150);  // 11 dots (and the axis text, which is the same colour)
    QVERIFY(target.count > 100);
    QVERIFY(missing > 30);
    QVERIFY(target.meanX > img.width() / 2);  // the held-out end is on the right
}

void TestTimeseriesViews::seriesFanClearsWithoutData() {
    widgets::SeriesFanView view;
    view.setData(nullptr, "Train a model");
    QVERIFY(show(view));
    QCOMPARE(view.drawnPathCount(), 0);
    QCOMPARE(view.contextPointCount(), 0);
    const QImage img = view.grabFramebuffer();
    QCOMPARE(find(img, widgets::theme::kBandOuter, 4).count, 0);
    // Mismatched path lengths are dropped, not read out of bounds.
    auto bad = std::make_shared<widgets::SeriesFanData>();
    bad->gridTimes = {0, 1, 2};
    bad->mean = bad->lower = bad->upper = {0, 0, 0};
    bad->paths = {{1, 2}};
    view.setData(bad);
    QCOMPARE(view.drawnPathCount(), 0);
    view.grabFramebuffer();
}

QTEST_MAIN(TestTimeseriesViews)
#include "test_timeseries_views.moc"
