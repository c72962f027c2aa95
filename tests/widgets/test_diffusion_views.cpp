// The Diffusion workspace's views under Xvfb, fed synthetic data: the heat map and the
// quality-vs-NFE chart put their colours into real pixels, and the point cloud's brush turns
// a click into a dab at the clicked data coordinate (and does nothing in Pan mode).
#include "../gui_test_support.h"
#include "widgets/views/heat_map_view.h"
#include "widgets/views/point_cloud_view.h"
#include "widgets/views/quality_nfe_chart_view.h"
#include "widgets/vtk/surface_format.h"
#include "widgets/vtk/theme.h"

#include <QImage>
#include <QSignalSpy>
#include <QTest>

#include <cmath>

using namespace driftlab;
using widgets::theme::Rgb;

namespace {

bool exposed(QWidget& w) {
    w.resize(640, 420);
    w.show();
    return QTest::qWaitForWindowExposed(&w);
}

int countNear(const QImage& image, const Rgb& rgb, int tolerance = 6) {
    return driftlab::test::countNear(image, rgb, tolerance);
}

int countNotBackground(const QImage& image) {
    return image.width() * image.height() - countNear(image, widgets::theme::kBackground, 2);
}

}  // namespace

class TestDiffusionViews : public QObject {
    Q_OBJECT
public:
    static void initMain() { widgets::setDefaultSurfaceFormat(); }

private Q_SLOTS:
    void heatMapFillsItsCells() {
        widgets::HeatMapView view;
        QVERIFY(exposed(view));
        const QImage empty = view.grabFramebuffer();
        const int before = countNotBackground(empty);
        constexpr int grid = 32;
        Eigen::VectorXd values(grid * grid);
        for (int i = 0; i < grid; ++i)
            for (int j = 0; j < grid; ++j) {
                const double x = -2 + 4.0 * (j + 0.5) / grid, y = -2 + 4.0 * (i + 0.5) / grid;
                values(i * grid + j) = -0.5 * (x * x + y * y);
            }
        view.setGrid(values, grid, -2, 2, -2, 2, -4.0, 0.0, "Gaussian bump", "log p");
        QCOMPARE(view.cellCount(), grid * grid);
        // The grid is fitted into the view: it must cover a good part of it.
        QTRY_VERIFY_WITH_TIMEOUT(countNotBackground(view.grabFramebuffer()) >
                                     before + empty.width() * empty.height() / 5,
                                 60000);
        const QImage image = view.grabFramebuffer();
        const int after = countNotBackground(image);
        std::printf("  heat map: %d coloured pixels of %d (empty view: %d)\n", after,
                    image.width() * image.height(), before);
        // The grid is fitted into the view: it must cover a good part of it.
        QVERIFY2(after > before + image.width() * image.height() / 5,
                 qPrintable(QString::number(after)));
        // The peak (viridis' yellow end) is in the picture's middle region, the low corners dark.
        const QPoint centre(int(image.width() * 0.44), image.height() / 2);
        const QRgb peak = image.pixel(centre);
        QVERIFY2(
            qRed(peak) > 150 && qGreen(peak) > 150 && qBlue(peak) < 140,
            qPrintable(QString("%1 %2 %3").arg(qRed(peak)).arg(qGreen(peak)).arg(qBlue(peak))));
        view.clear("nothing");
        QCOMPARE(view.cellCount(), 0);
    }

    void qualityChartDrawsOneLinePerSampler() {
        widgets::QualityNfeChartView view;
        QVERIFY(exposed(view));
        std::vector<widgets::QualitySeries> series(2);
        series[0].name = "ddim";
        series[0].nfe = {5, 10, 20, 50, 1000};
        series[0].value = {0.4, 0.2, 0.1, 0.05, 0.04};
        series[1].name = "broken";
        series[1].nfe = {5, 10};
        series[1].value = {NAN, NAN};  // nothing drawable: not counted
        view.setSeries(series, "SW2 vs NFE", "SW2");
        QCOMPARE(view.seriesCount(), 1);
        const Rgb firstColour{0.12, 0.47, 0.71};  // of the palette
        QTRY_VERIFY_WITH_TIMEOUT(countNear(view.grabFramebuffer(), firstColour, 12) > 150, 60000);
        const QImage image = view.grabFramebuffer();
        const int line = countNear(image, firstColour, 12);
        std::printf("  quality chart: %d line pixels\n", line);
        QVERIFY2(line > 150, qPrintable(QString::number(line)));
        view.clear("none");
        QCOMPARE(view.seriesCount(), 0);
    }

    void brushClickLandsAtTheDataCoordinate() {
        widgets::PointCloudView view;
        QVERIFY(exposed(view));
        Eigen::Matrix2Xd data(2, 4);
        data << -2, 2, 2, -2, -1, -1, 1, 1;
        view.setData(data);
        QSignalSpy dabs(&view, &widgets::PointCloudView::brushApplied);
        const Eigen::Vector2d target(0.75, -0.4);
        const QPointF at = view.dataToWidget(target);
        QVERIFY((view.widgetToData(at) - target).norm() < 1e-9);

        QTest::mouseClick(&view, Qt::LeftButton, {}, at.toPoint());
        QCOMPARE(dabs.count(), 0);  // Pan mode: the click pans, nothing is painted

        view.setTool(widgets::PointCloudView::Tool::Draw);
        view.setBrushRadius(0.3);
        QTest::mouseClick(&view, Qt::LeftButton, {}, at.toPoint());
        QCOMPARE(dabs.count(), 1);
        const Eigen::Vector2d centre(dabs[0][0].toDouble(), dabs[0][1].toDouble());
        // Rounding the position to a whole pixel moves it by at most half a pixel per axis.
        const double pixel = (view.widgetToData({1, 0}) - view.widgetToData({0, 0})).norm();
        QVERIFY2((centre - target).norm() <= pixel,
                 qPrintable(QString::number((centre - target).norm())));
        QCOMPARE(dabs[0][2].toBool(), false);  // not erase

        view.setTool(widgets::PointCloudView::Tool::Erase);
        QTest::mouseClick(&view, Qt::LeftButton, {}, at.toPoint());
        QCOMPARE(dabs.count(), 2);
        QCOMPARE(dabs[1][2].toBool(), true);
    }
};

QTEST_MAIN(TestDiffusionViews)
#include "test_diffusion_views.moc"
