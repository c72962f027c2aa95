// The window and `driftlab --headless` train the same thing: every shipped time-series preset,
// shortened to a few iterations, is trained in the Time series workspace (the shell's Train)
// and by core::runTimeSeriesHeadless from the config the form holds, with the same seed; the
// test metrics (MSE and NLL, or accuracy for classification) and the last training loss
// agree to 1e-9 relative.
#include "../gui_test_support.h"
#include "app/main_window.h"
#include "app/workspaces/timeseries/timeseries_workspace.h"
#include "core/timeseries/timeseries_config.h"
#include "core/timeseries/timeseries_headless.h"
#include "core/timeseries/timeseries_training.h"
#include "widgets/panels/run_controls.h"
#include "widgets/panels/schema_form.h"
#include "widgets/vtk/surface_format.h"

#include <QAction>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <memory>
#include <sstream>

using driftlab::app::MainWindow;
using driftlab::app::TimeseriesWorkspace;

namespace {

// Enough for an update to matter (the metrics move with every iteration), few enough for all
// presets to train twice in well under half a minute.
constexpr long kIterations = 3;

double number(const nlohmann::json& value) {
    return value.is_number() ? value.get<double>() : std::numeric_limits<double>::quiet_NaN();
}

// NaN (null in metrics.json) only matches NaN.
bool agree(double a, double b) {
    if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
    return std::abs(a - b) <= 1e-9 * std::max({std::abs(a), std::abs(b), 1e-300});
}

QString pair(const char* what, double gui, double headless) {
    return QString("%1: window %2, headless %3")
        .arg(what)
        .arg(gui, 0, 'g', 17)
        .arg(headless, 0, 'g', 17);
}

}  // namespace

class TestTimeseriesParity : public QObject {
    Q_OBJECT
public:
    static void initMain() { driftlab::widgets::setDefaultSurfaceFormat(); }

private:
    // One window for every preset: a run replaces the last, as when a user trains in turn.
    std::unique_ptr<MainWindow> window_;
    TimeseriesWorkspace* workspace_ = nullptr;

private Q_SLOTS:
    void initTestCase() {
        window_ = std::make_unique<MainWindow>();
        workspace_ = driftlab::test::openWorkspace<TimeseriesWorkspace>(*window_, "timeseries");
        QVERIFY(workspace_);
    }
    void cleanupTestCase() { window_.reset(); }

    void everyPresetTrainsAlikeInTheWindowAndHeadless_data() {
        QTest::addColumn<QString>("preset");
        for (const auto& id : driftlab::core::timeSeriesPresetIds())
            QTest::newRow(id.c_str()) << QString::fromStdString(id);
        QVERIFY(driftlab::core::timeSeriesPresetIds().size() >= 6);
    }

    void everyPresetTrainsAlikeInTheWindowAndHeadless() {
        QFETCH(QString, preset);
        QElapsedTimer clock;
        clock.start();
        MainWindow& window = *window_;
        auto* workspace = workspace_;
        QString error;
        QVERIFY2(workspace->loadConfig(preset, &error), qPrintable(error));
        nlohmann::json values = workspace->settingsForm()->values();
        values["iterations"] = kIterations;
        workspace->settingsForm()->setValues(values);
        // Headless trains the config the form holds (its spin boxes round what they show).
        const auto config =
            driftlab::core::timeSeriesConfigFromJson(workspace->settingsForm()->values(), "form");
        QCOMPARE(config.training.iterations, kIterations);

        QSignalSpy finished(&window, &MainWindow::runFinished);
        window.runControls()->runAction()->trigger();
        QVERIFY(finished.wait(120000));
        QVERIFY2(finished.last().at(0).toBool(), qPrintable(finished.last().at(1).toString()));
        const auto snapshot = workspace->lastSnapshot();
        QVERIFY(snapshot);
        QCOMPARE(snapshot->iteration, kIterations);

        QTemporaryDir dir;
        const std::string configPath = dir.filePath("config.json").toStdString();
        std::ofstream(configPath) << driftlab::core::toJsonText(config);
        driftlab::core::HeadlessOptions options;
        options.outDir = dir.filePath("out").toStdString();
        options.progressBar = false;
        std::ostringstream progress, err;
        QCOMPARE(driftlab::core::runTimeSeriesHeadless(configPath, options, progress, err), 0);
        nlohmann::json metrics;
        std::ifstream(options.outDir + "/metrics.json") >> metrics;
        QCOMPARE(metrics["iterations"].get<long>(), kIterations);

        const auto& m = snapshot->metrics;
        const double mse = number(metrics["test"]["mse"]), nll = number(metrics["test"]["nll"]),
                     accuracy = number(metrics["test"]["accuracy"]),
                     trainLoss = number(metrics["train_loss"]);
        std::printf("  %s: test MSE %.12g, NLL %.12g, accuracy %.4g, train loss %.12g (%lld ms)\n",
                    qPrintable(preset), m.testMse, m.testNll, m.testAccuracy, m.trainLoss,
                    (long long)clock.elapsed());
        QVERIFY2(agree(m.testMse, mse), qPrintable(pair("test MSE", m.testMse, mse)));
        QVERIFY2(agree(m.testNll, nll), qPrintable(pair("test NLL", m.testNll, nll)));
        QVERIFY2(agree(m.testAccuracy, accuracy),
                 qPrintable(pair("test accuracy", m.testAccuracy, accuracy)));
        QVERIFY2(agree(m.trainLoss, trainLoss),
                 qPrintable(pair("train loss", m.trainLoss, trainLoss)));
        // Something was measured: regression presets score cells, classification series.
        QVERIFY(std::isfinite(mse) || std::isfinite(accuracy));
        if (config.task.task != driftlab::core::TimeSeriesTask::Classification)
            QVERIFY(std::isfinite(nll));
    }
};

QTEST_MAIN(TestTimeseriesParity)
#include "test_timeseries_parity.moc"
