// The Time series workspace in the real window, on small configs: it trains as a core::Run
// on its RunDriver while the GUI polls, its views render non-empty pictures, the shell's run
// controls say Train and drive it (Pause stops the iteration count, Step advances it by
// exactly one, also as the first command of a run, Resume and Train carry on, Cancel keeps
// the picture), Reset clears, a refused CSV leaves the previous data source in place, and a
// diverging run shows its message and resumes with a lower learning rate.
#include "../gui_test_support.h"
#include "app/main_window.h"
#include "app/run_driver.h"
#include "app/workspaces/timeseries/timeseries_workspace.h"
#include "core/timeseries/timeseries_training.h"
#include "widgets/panels/run_controls.h"
#include "widgets/panels/schema_form.h"
#include "widgets/views/axis_heat_map_view.h"
#include "widgets/views/line_chart_view.h"
#include "widgets/views/series_fan_view.h"
#include "widgets/views/solver_diagnostics_view.h"
#include "widgets/views/vector_field_view.h"
#include "widgets/vtk/surface_format.h"
#include "widgets/vtk/theme.h"

#include <QAction>
#include <QComboBox>
#include <QElapsedTimer>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>

using driftlab::app::MainWindow;
using driftlab::app::TimeseriesWorkspace;
using driftlab::core::RunState;
namespace theme = driftlab::widgets::theme;

namespace {

// Pixels that are not the white background.
int countDrawn(const QImage& image) {
    int count = 0;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x)
            if ((image.pixel(x, y) & 0xffffff) != 0xffffff) ++count;
    return count;
}

// Two channels (so some cells are missing while their time stays), a 2-D latent space (so
// the phase portrait has a field), small enough to train in a few seconds.
nlohmann::json tinyExperiment(TimeseriesWorkspace* workspace, long iterations) {
    nlohmann::json values = workspace->settingsForm()->values();
    values["dataset"] = "lotka_volterra";
    values["series_count"] = 24;
    values["observations"] = 20;
    values["missing_rate"] = 0.3;
    values["task"] = "forecasting";
    values["model"] = "lsde";
    values["latent_dim"] = 2;
    values["iterations"] = iterations;
    values["batch"] = 6;
    values["paths"] = 4;
    values["validate_every"] = 10;
    values["display_series"] = 2;
    values["forecast_paths"] = 8;
    return values;
}

// The tab's first picture may come a frame after it is fronted: callers wait for what they
// check with QTRY_*_WITH_TIMEOUT (kWaitMs), then grab once more to look closer.
QImage grabTab(QTabWidget* tabs, QWidget* page, driftlab::widgets::VtkView* view) {
    tabs->setCurrentWidget(page);
    return view->grabFramebuffer();
}

// Waits return as soon as their condition holds; the limit is for a loaded 2-core machine.
constexpr int kWaitMs = 60000;

long shownIteration(const TimeseriesWorkspace* workspace) {
    const auto snapshot = workspace->lastSnapshot();
    return snapshot ? snapshot->iteration : -1;
}

// The views show the run's latest snapshot (the driver hands it over at its next poll).
bool showsLatest(const TimeseriesWorkspace* workspace) {
    const auto latest = workspace->runDriver()->latest();
    return latest && workspace->lastSnapshot() == latest;
}

// A settled run publishes nothing more: its version stays put for a while.
bool runHolds(const TimeseriesWorkspace* workspace) {
    const auto* run = workspace->runDriver()->run();
    const long seen = run->version();
    return run->waitForChange(seen, std::chrono::milliseconds(300)) == seen;
}

}  // namespace

class TestTimeseriesWorkspace : public QObject {
    Q_OBJECT
public:
    static void initMain() { driftlab::widgets::setDefaultSurfaceFormat(); }

private:
    static TimeseriesWorkspace* open(MainWindow& window) {
        return driftlab::test::openWorkspace<TimeseriesWorkspace>(window, "timeseries");
    }

private Q_SLOTS:
    void trainsAndRendersEveryView() {
        MainWindow window;
        auto* workspace = open(window);
        QVERIFY(workspace);
        workspace->settingsForm()->setValues(tinyExperiment(workspace, 40));
        QSignalSpy finished(&window, &MainWindow::runFinished);
        workspace->run();
        QVERIFY(workspace->isRunning());
        QVERIFY(finished.wait(120000));
        QVERIFY2(finished.last().at(0).toBool(), qPrintable(finished.last().at(1).toString()));
        std::printf("  %s\n", qPrintable(finished.last().at(1).toString()));
        const auto snapshot = workspace->lastSnapshot();
        QVERIFY(snapshot);
        QCOMPARE(snapshot->iteration, 40L);
        QVERIFY(snapshot->finished);
        QCOMPARE(long(snapshot->history.size()), 40L);
        QVERIFY(!workspace->isRunning());

        // Series tab: the fan chart over the observations, with missing cells marked.
        auto* fan = workspace->seriesView();
        QVERIFY(workspace->seriesSelector()->count() >= 2);
        QCOMPARE(workspace->channelSelector()->count(), 2);
        QVERIFY(fan->drawnPathCount() > 0);
        QVERIFY(fan->contextPointCount() > 0);
        QVERIFY(fan->targetPointCount() > 0);
        auto* central = workspace->centralTabs();
        QTRY_VERIFY2_WITH_TIMEOUT(
            driftlab::test::countNear(grabTab(central, central->widget(0), fan), theme::kBandOuter,
                                      6) > 1000,
            "no 5-95 % band", kWaitMs);
        const QImage series = grabTab(central, central->widget(0), fan);
        series.save("/tmp/ts_workspace_series.png");
        QVERIFY2(driftlab::test::countNear(series, driftlab::widgets::SeriesFanView::kTargetColor,
                                           20) > 30,
                 "no held-out points");
        int missing = 0;  // some displayed series, in some channel, has a dropped cell
        for (int s = 0; s < workspace->seriesSelector()->count(); ++s)
            for (int c = 0; c < 2; ++c) {
                workspace->seriesSelector()->setCurrentIndex(s);
                workspace->channelSelector()->setCurrentIndex(c);
                missing += fan->missingPointCount();
            }
        QVERIFY2(missing > 0, "no missing cell marked in any displayed series");

        // Phase portrait: a 2-D latent space has arrows and paths.
        auto* portrait = workspace->phasePortrait();
        QVERIFY(portrait->arrowCount() > 50);
        QVERIFY(portrait->pathCount() > 0);
        QTRY_VERIFY2_WITH_TIMEOUT(
            driftlab::test::countNear(grabTab(central, portrait, portrait),
                                      driftlab::widgets::VectorFieldView::kArrowColor, 40) > 200,
            "no arrows drawn", kWaitMs);

        // Bottom tabs.
        auto* bottom = workspace->bottomTabs();
        QVERIFY(workspace->lossChart()->lineCount() >= 3);  // per iteration, smoothed, validation
        QTRY_VERIFY_WITH_TIMEOUT(
            countDrawn(grabTab(bottom, workspace->lossChart(), workspace->lossChart())) > 2000,
            kWaitMs);
        QVERIFY(workspace->nfeChart()->lineCount() >= 2);
        QTRY_VERIFY_WITH_TIMEOUT(
            countDrawn(grabTab(bottom, workspace->nfeChart(), workspace->nfeChart())) > 2000,
            kWaitMs);
        QVERIFY(workspace->diagnostics()->acceptedPointCount() > 0);
        auto* heat = workspace->heatMap();
        QCOMPARE(heat->rowCount(), 40);
        // Some cell shows the colour of its value (the largest, yellow end of the map).
        QTRY_VERIFY_WITH_TIMEOUT(
            driftlab::test::countNear(grabTab(bottom, heat, heat),
                                      heat->colorOf(heat->valueRange().second), 6) > 10,
            kWaitMs);
        grabTab(bottom, heat, heat).save("/tmp/ts_workspace_heat.png");
        QVERIFY(workspace->metricsTable()->rowCount() >= 8);
        QVERIFY(workspace->showPanel("Solver diagnostics"));
        QVERIFY(workspace->showPanel("Phase portrait"));
        QVERIFY(!workspace->showPanel("No such panel"));
        QVERIFY(workspace->showPanel("Phase portrait, Error heat map"));
        QCOMPARE(central->currentWidget(), static_cast<QWidget*>(portrait));
        QCOMPARE(bottom->currentWidget(), static_cast<QWidget*>(heat));

        // Loss fell: the last iterations against the first ones.
        double first = 0, last = 0;
        for (int i = 0; i < 5; ++i) {
            first += snapshot->history[std::size_t(i)].loss / 5;
            last += snapshot->history[snapshot->history.size() - 1 - std::size_t(i)].loss / 5;
        }
        std::printf("  loss: first five %.4g, last five %.4g\n", first, last);
        QVERIFY(last < first);

        // A second run with other settings starts afresh and keeps the first run's NFE curve
        // beside its own (e.g. unregularised against regularised).
        nlohmann::json values = tinyExperiment(workspace, 5);
        values["paths"] = 2;
        workspace->settingsForm()->setValues(values);
        workspace->run();
        QVERIFY(finished.wait(120000));
        QVERIFY2(finished.last().at(0).toBool(), qPrintable(finished.last().at(1).toString()));
        QCOMPARE(workspace->lastSnapshot()->iteration, 5L);
        QCOMPARE(workspace->nfeChart()->lineCount(), 3);
    }

    void pauseStepResumeAndReset() {
        MainWindow window;
        auto* workspace = open(window);
        QVERIFY(workspace);
        workspace->settingsForm()->setValues(tinyExperiment(workspace, 5000));
        auto* controls = window.runControls();
        workspace->run();
        QTRY_VERIFY_WITH_TIMEOUT(shownIteration(workspace) >= 3, 60000);
        QVERIFY(controls->pauseAction()->isEnabled());
        QVERIFY(!controls->stepAction()->isEnabled());
        window.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        QTest::keyClick(&window, Qt::Key_F6);  // Pause's shortcut
        // The worker finishes the iteration it is in, then stops.
        QTRY_COMPARE_WITH_TIMEOUT(workspace->runState(), RunState::Paused, 10000);
        QTRY_VERIFY(!workspace->isRunning());
        // The snapshot published at the pause arrives with the next poll.
        QTRY_VERIFY_WITH_TIMEOUT(showsLatest(workspace), 5000);
        const long paused = shownIteration(workspace);
        QVERIFY(runHolds(workspace));
        QCOMPARE(shownIteration(workspace), paused);
        QCOMPARE(controls->pauseAction()->text(), QString("Resume"));
        QVERIFY(controls->stepAction()->isEnabled());

        QTest::keyClick(&window, Qt::Key_F7);  // Step's shortcut
        QTRY_VERIFY_WITH_TIMEOUT(shownIteration(workspace) > paused &&
                                     workspace->runState() == RunState::Paused &&
                                     showsLatest(workspace),
                                 30000);
        QCOMPARE(shownIteration(workspace), paused + 1);
        QVERIFY(runHolds(workspace));
        QCOMPARE(shownIteration(workspace), paused + 1);
        QCOMPARE(workspace->runState(), RunState::Paused);

        workspace->run();  // resumes the same run
        QTRY_VERIFY_WITH_TIMEOUT(shownIteration(workspace) > paused + 3, 60000);
        QCOMPARE(long(workspace->lastSnapshot()->history.size()), shownIteration(workspace));

        // Reset while training: the worker is wound down off the GUI thread.
        QElapsedTimer clock;
        clock.start();
        workspace->reset();
        std::printf("  reset while training returned in %lld ms\n", (long long)clock.elapsed());
        QVERIFY(clock.elapsed() < 200);
        QVERIFY(!workspace->hasRun());
        QVERIFY(!workspace->isRunning());
        QVERIFY(!workspace->lastSnapshot());
        QCOMPARE(workspace->lossChart()->lineCount(), 0);
        QCOMPARE(workspace->seriesView()->drawnPathCount(), 0);
        QCOMPARE(workspace->heatMap()->rowCount(), 0);
        QCOMPARE(workspace->metricsTable()->rowCount(), 0);
    }

    void shellControlsSayTrainAndStepStartsARun() {
        MainWindow window;
        auto* workspace = open(window);
        QVERIFY(workspace);
        auto* controls = window.runControls();
        QCOMPARE(controls->runButton()->text(), QString("Train"));
        QVERIFY(controls->runAction()->toolTip().contains("learning rate"));
        QVERIFY(controls->pauseButton()->isVisibleTo(&window));
        QVERIFY(controls->stepButton()->isVisibleTo(&window));
        QVERIFY(controls->stepAction()->isEnabled());
        QVERIFY(!workspace->hasRun());
        workspace->settingsForm()->setValues(tinyExperiment(workspace, 5000));

        // Step with no run yet builds one (paused) and runs exactly one iteration.
        controls->stepAction()->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(workspace->runState() == RunState::Paused &&
                                     shownIteration(workspace) == 1 && showsLatest(workspace),
                                 60000);
        QVERIFY(workspace->hasRun());
        QCOMPARE(long(workspace->lastSnapshot()->history.size()), 1L);

        // Resume (the Pause button while paused) carries on; Pause holds it again.
        QCOMPARE(controls->pauseAction()->text(), QString("Resume"));
        controls->pauseAction()->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(shownIteration(workspace) >= 4, 60000);
        QTRY_VERIFY_WITH_TIMEOUT(controls->pauseAction()->isEnabled() &&
                                     controls->pauseAction()->text() == QString("Pause"),
                                 5000);
        controls->pauseAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(workspace->runState(), RunState::Paused, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(showsLatest(workspace), 5000);
        const long paused = shownIteration(workspace);

        // A new learning rate in the form reaches the paused run (no fresh model) on Train.
        nlohmann::json values = workspace->settingsForm()->values();
        values["learning_rate"] = 0.004;
        workspace->settingsForm()->setValues(values);
        controls->runAction()->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(shownIteration(workspace) > paused + 1, 60000);
        QCOMPARE(workspace->lastSnapshot()->learningRate, 0.004);
        QCOMPARE(long(workspace->lastSnapshot()->history.size()), shownIteration(workspace));

        // Cancel stops it; the views keep the model, the message says where it stopped.
        QSignalSpy finished(&window, &MainWindow::runFinished);
        QVERIFY(controls->cancelAction()->isEnabled());
        controls->cancelAction()->trigger();
        // Cancel answers at once (the run is retired), so the signal may already be in.
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() >= 1, 30000);
        QVERIFY(!finished.last().at(0).toBool());
        QVERIFY2(finished.last().at(1).toString().contains("cancelled at iteration"),
                 qPrintable(finished.last().at(1).toString()));
        QCOMPARE(workspace->runState(), RunState::Cancelled);
        QVERIFY(!workspace->hasRun());
        QVERIFY(workspace->lastSnapshot());
        QVERIFY(workspace->lossChart()->lineCount() > 0);
        QVERIFY(controls->runAction()->isEnabled());
    }

    void refusedCsvKeepsThePreviousData() {
        MainWindow window;
        auto* workspace = open(window);
        QVERIFY(workspace);
        QTemporaryDir dir;
        const QString good = dir.filePath("good.csv"), bad = dir.filePath("bad.csv");
        {
            std::ofstream out(good.toStdString());
            out << "time,a,b\n";
            for (int k = 0; k < 200; ++k)
                out << 0.1 * k << "," << std::sin(0.1 * k) << ","
                    << (k % 7 == 3 ? "" : std::to_string(std::cos(0.1 * k))) << "\n";
            std::ofstream badOut(bad.toStdString());
            badOut << "time,a\n0,1\n1,2\n2,oops\n3,4\n";
        }
        QString error;
        QVERIFY2(workspace->loadCsv(good, &error), qPrintable(error));
        QCOMPARE(workspace->settingsForm()->values()["dataset"].get<std::string>(),
                 std::string("csv"));
        QCOMPARE(workspace->settingsForm()->values()["csv_path"].get<std::string>(),
                 good.toStdString());
        QVERIFY(!workspace->loadCsv(bad, &error));
        std::printf("  refused: %s\n", qPrintable(error));
        QVERIFY2(error.contains("line 4"), qPrintable(error));
        QVERIFY(workspace->errorLabel()->isVisible());
        QVERIFY(workspace->errorLabel()->text().contains("previous data is kept"));
        QCOMPARE(workspace->settingsForm()->values()["csv_path"].get<std::string>(),
                 good.toStdString());
    }

    void divergenceShowsMessageAndResumesWithLowerRate() {
        MainWindow window;
        auto* workspace = open(window);
        QVERIFY(workspace);
        nlohmann::json values = tinyExperiment(workspace, 60);
        values["model"] = "gsde";
        values["learning_rate"] = 10.0;
        values["gradient_clip"] = 0.0;
        workspace->settingsForm()->setValues(values);
        QSignalSpy finished(&window, &MainWindow::runFinished);
        workspace->run();
        QVERIFY(finished.wait(120000));
        // The seed is fixed, so this run always diverges (its loss overflows within a few
        // iterations).
        QVERIFY2(!finished.last().at(0).toBool(),
                 "the fixed seed did not diverge at learning rate 10");
        const QString message = finished.last().at(1).toString();
        std::printf("  %s\n", qPrintable(message));
        QVERIFY(message.contains("iteration"));
        QCOMPARE(workspace->runState(), RunState::Diverged);
        QVERIFY(workspace->errorLabel()->isVisible());
        QVERIFY(workspace->errorLabel()->text().contains("Lower the learning rate"));
        const long stoppedAt = shownIteration(workspace);

        values["learning_rate"] = 1e-3;
        workspace->settingsForm()->setValues(values);
        workspace->run();
        QVERIFY(finished.wait(120000));
        QVERIFY2(finished.last().at(0).toBool(), qPrintable(finished.last().at(1).toString()));
        QCOMPARE(shownIteration(workspace), 60L);
        QVERIFY(stoppedAt < 60);
        QCOMPARE(workspace->lastSnapshot()->learningRate, 1e-3);
    }
};

QTEST_MAIN(TestTimeseriesWorkspace)
#include "test_timeseries_workspace.moc"
