// The window in-process: it opens on the default experiment, runs it off the GUI thread,
// answers cancel at once, re-runs live when a parameter moves, and keeps the old picture
// when the user's input is bad.
#include "app/main_window.h"
#include "app/workspaces/trajectories/trajectories_workspace.h"
#include "core/trajectories/trajectory_view_data.h"
#include "widgets/panels/parameter_sliders.h"
#include "widgets/panels/schema_form.h"
#include "widgets/views/solver_diagnostics_view.h"
#include "widgets/vtk/surface_format.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QProgressBar>
#include <QSignalSpy>
#include <QSlider>
#include <QStandardItemModel>
#include <QtTest>

#include <nlohmann/json.hpp>

using driftlab::app::MainWindow;
using driftlab::app::TrajectoriesWorkspace;

class TestMainWindow : public QObject {
    Q_OBJECT
public:
    static void initMain() { driftlab::widgets::setDefaultSurfaceFormat(); }

private:
    static TrajectoriesWorkspace* trajectories(MainWindow& window) {
        return qobject_cast<TrajectoriesWorkspace*>(window.currentWorkspace());
    }

private Q_SLOTS:
    void opensOnDefaultPresetAndRuns() {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        auto* workspace = trajectories(window);
        QVERIFY(workspace);
        QCOMPARE(workspace->loadedConfig().simulation.paths, 1000);
        QVERIFY(QString::fromStdString(workspace->loadedConfig().equation.name)
                    .contains("Ornstein", Qt::CaseInsensitive));
        QSignalSpy finished(&window, &MainWindow::runFinished);
        workspace->run();
        QVERIFY(finished.wait(30000));
        QCOMPARE(finished.first().at(0).toBool(), true);
        const auto data = workspace->currentData();
        QVERIFY(data);
        QCOMPARE(data->snapshot->result->paths, 1000);
        QCOMPARE(window.progressBar()->value(), window.progressBar()->maximum());
        QVERIFY(window.statusRateText().contains("path·steps/s"));
    }

    void cancelAnswersWithinAFrame() {
        MainWindow window;
        window.show();
        auto* workspace = trajectories(window);
        QString error;
        QVERIFY(workspace->loadConfig("lorenz", &error));
        // Make the run long enough that it is surely still going when cancelled.
        workspace->run();
        QVERIFY(workspace->isRunning());
        QSignalSpy finished(&window, &MainWindow::runFinished);
        QElapsedTimer clock;
        clock.start();
        workspace->cancel();
        QVERIFY(clock.elapsed() < 50);  // cancel never joins the worker
        QVERIFY(!workspace->isRunning());
        QCOMPARE(finished.count(), 1);
        QCOMPARE(finished.first().at(0).toBool(), false);
        // The event loop stays alive while the cancelled worker winds down.
        QTest::qWait(200);
    }

    void parameterDragReRunsLive() {
        MainWindow window;
        window.show();
        auto* workspace = trajectories(window);
        QSignalSpy finished(&window, &MainWindow::runFinished);
        workspace->run();
        QVERIFY(finished.wait(30000));
        const auto before = workspace->currentData();
        const double meanBefore =
            before->snapshot->bands.perComponent[0](0, before->snapshot->result->times.size() - 1);
        // Drag mu far from where it was: the long-run mean must follow.
        Q_EMIT workspace->parameterSliders()->parameterChanged("mu", 3.0);
        QVERIFY(finished.wait(30000));
        const auto after = workspace->currentData();
        QVERIFY(after != before);
        const double meanAfter =
            after->snapshot->bands.perComponent[0](0, after->snapshot->result->times.size() - 1);
        QVERIFY2(std::abs(meanAfter - 3.0) < 0.3,
                 qPrintable(QString("mean %1 -> %2").arg(meanBefore).arg(meanAfter)));
    }

    void hurstSliderReRunsLive() {
        MainWindow window;
        window.show();
        auto* workspace = trajectories(window);
        auto* slider = window.findChild<QSlider*>("hurstSlider");
        auto* spin = qobject_cast<QDoubleSpinBox*>(workspace->settingsForm()->editorFor("hurst"));
        QVERIFY(slider && spin);
        QCOMPARE(slider->value(), 50);
        QSignalSpy finished(&window, &MainWindow::runFinished);
        workspace->run();
        QVERIFY(finished.wait(30000));
        const auto before = workspace->currentData();
        // Dragging H to 0.3 sets the form's value and re-runs with rough noise.
        slider->setValue(30);
        QCOMPARE(spin->value(), 0.3);
        QCOMPARE(workspace->settingsForm()->values().at("hurst").get<double>(), 0.3);
        QVERIFY(finished.wait(30000));
        QVERIFY(workspace->currentData() != before);
        // And the spin box (or a loaded config) moves the slider.
        spin->setValue(0.75);
        QCOMPARE(slider->value(), 75);
    }

    void solverMenuGreysOutWhatCannotRun() {
        MainWindow window;
        auto* workspace = trajectories(window);
        auto* combo = qobject_cast<QComboBox*>(workspace->settingsForm()->editorFor("solver"));
        QVERIFY(combo);
        auto* model = qobject_cast<QStandardItemModel*>(combo->model());
        auto itemFor = [&](const char* id) { return model->item(combo->findData(id)); };
        // OU has additive noise: SRA1 fits, the ODE methods do not.
        QVERIFY(itemFor("sra1")->isEnabled());
        QVERIFY(!itemFor("dp5")->isEnabled());
        QVERIFY(itemFor("dp5")->toolTip().contains("noise"));
        // GBM's noise is multiplicative: SRA1 is greyed out with its reason.
        QString error;
        QVERIFY(workspace->loadConfig("gbm", &error));
        QVERIFY(!itemFor("sra1")->isEnabled());
        QVERIFY(itemFor("sra1")->toolTip().contains("diagonal"));
        // The stiff ODE preset enables the ODE methods.
        QVERIFY(workspace->loadConfig("stiff_van_der_pol", &error));
        QVERIFY(itemFor("dp5")->isEnabled());
        QVERIFY(itemFor("rosenbrock23")->isEnabled());
    }

    void diagnosticsShowTheSolversSteps() {
        MainWindow window;
        window.show();
        auto* workspace = trajectories(window);
        QString error;
        QVERIFY(workspace->loadConfig("stiff_van_der_pol", &error));
        QVERIFY(workspace->showPanel("Solver diagnostics"));
        QSignalSpy finished(&window, &MainWindow::runFinished);
        workspace->run();
        QVERIFY(finished.wait(30000));
        QVERIFY2(finished.first().at(0).toBool(), qPrintable(finished.first().at(1).toString()));
        const auto& stats = workspace->currentData()->diagnostics.stats;
        QVERIFY(stats.methodSwitches >= 1);
        QCOMPARE(workspace->diagnosticsView()->acceptedPointCount(), int(stats.accepted));
        QCOMPARE(workspace->diagnosticsView()->rejectedPointCount(), int(stats.rejected));
        QVERIFY(workspace->diagnosticsView()->summaryText().contains("NFE"));
        QVERIFY(!workspace->showPanel("no such panel"));
    }

    void badConfigKeepsWhatWasLoaded() {
        MainWindow window;
        auto* workspace = trajectories(window);
        const auto before = workspace->loadedConfig().equation.name;
        QString error;
        QVERIFY(!workspace->loadConfig("/nonexistent/config.json", &error));
        QVERIFY(error.contains("neither a file nor a preset"));
        QCOMPARE(workspace->loadedConfig().equation.name, before);
    }
};

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
