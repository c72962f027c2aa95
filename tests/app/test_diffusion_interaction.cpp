// The Diffusion workspace's interactive parts in the real window: the brush adds points
// where the user clicks (inside the brush radius), drags paint, erase removes and clear
// empties; too few points are refused at Train with a message; drawing goes on while a
// model trains on the points copied at Train; a bad CSV is refused with its line and the
// drawn points kept; pause stops the iteration counter and step advances it by exactly one;
// an interpolant model trains and the epsilon slider re-samples with its SDE; the density
// tab shows the exact likelihood next to the data histogram, for a score model and for an
// interpolant; loading an interpolant preset sets the model box, which writes the config keys.
#include "../gui_test_support.h"
#include "app/main_window.h"
#include "app/workspaces/diffusion/diffusion_draw_tool.h"
#include "app/workspaces/diffusion/diffusion_panels.h"
#include "app/workspaces/diffusion/diffusion_workspace.h"
#include "core/diffusion/diffusion_analysis.h"
#include "widgets/panels/run_controls.h"

#include <QAction>
#include <QPushButton>
#include "widgets/panels/schema_form.h"
#include "widgets/views/heat_map_view.h"
#include "widgets/views/point_cloud_view.h"
#include "widgets/vtk/surface_format.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QFile>
#include <QMouseEvent>
#include <QSignalSpy>
#include <QSlider>
#include <QTemporaryDir>
#include <QToolButton>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>

using driftlab::app::DiffusionDrawTool;
using driftlab::app::DiffusionWorkspace;
using driftlab::app::MainWindow;
using driftlab::widgets::PointCloudView;

namespace {

nlohmann::json smallExperiment(DiffusionWorkspace* workspace, long iterations) {
    nlohmann::json values = workspace->settingsForm()->values();
    values["dataset"] = "two_moons";
    values["dataset_size"] = 2000;
    values["iterations"] = iterations;
    values["width"] = 64;
    values["depth"] = 2;
    values["batch"] = 256;
    values["learning_rate"] = 3e-3;
    values["sampler"] = "dpm_solver_2";
    values["nfe"] = 20;
    values["samples"] = 1000;
    values["seed"] = 5;
    return values;
}

QToolButton* toolButton(DiffusionDrawTool* tool, const QString& text) {
    for (auto* button : tool->findChildren<QToolButton*>())
        if (button->text() == text) return button;
    return nullptr;
}

void sendMouse(QWidget* target, QEvent::Type type, const QPointF& at, Qt::MouseButtons buttons) {
    QMouseEvent event(type, at, target->mapToGlobal(at), Qt::LeftButton, buttons, Qt::NoModifier);
    QApplication::sendEvent(target, &event);
}

}  // namespace

class TestDiffusionInteraction : public QObject {
    Q_OBJECT
public:
    static void initMain() { driftlab::widgets::setDefaultSurfaceFormat(); }

private:
    static DiffusionWorkspace* open(MainWindow& window) {
        return driftlab::test::openWorkspace<DiffusionWorkspace>(window, "diffusion");
    }

private Q_SLOTS:
    void drawingAddsPointsWhereClickedErasesAndClears() {
        MainWindow window;
        auto* workspace = open(window);
        QVERIFY(workspace);
        auto* tool = workspace->drawTool();
        auto* cloud = workspace->pointCloud();
        tool->setBrushRadius(0.25);
        tool->setPointsPerDab(15);
        toolButton(tool, "Draw")->click();
        QVERIFY(tool->usesOwnPoints());
        QCOMPARE(cloud->tool(), PointCloudView::Tool::Draw);

        const Eigen::Vector2d target(1.0, -0.5);
        const QPoint at = cloud->dataToWidget(target).toPoint();
        const double pixel = (cloud->widgetToData({1, 0}) - cloud->widgetToData({0, 0})).norm();
        QTest::mouseClick(cloud, Qt::LeftButton, {}, at);
        QCOMPARE(tool->points().cols(), 15);
        QCOMPARE(cloud->dataCount(), 15);
        for (Eigen::Index i = 0; i < 15; ++i)
            QVERIFY((tool->points().col(i) - target).norm() <= 0.25 + pixel);
        // Not all at the centre: the dab spreads over the disc.
        const Eigen::Vector2d mean = tool->points().rowwise().mean();
        const double spread = (tool->points().colwise() - mean).colwise().norm().mean();
        QVERIFY(spread > 0.05 && spread < 0.25);

        // A drag paints a dab every half radius: from (-1, 1) to (0, 1) is 8 dabs after the press.
        const QPointF from = cloud->dataToWidget({-1.0, 1.0}), to = cloud->dataToWidget({0.0, 1.0});
        sendMouse(cloud, QEvent::MouseButtonPress, from, Qt::LeftButton);
        for (int k = 1; k <= 40; ++k)
            sendMouse(cloud, QEvent::MouseMove, from + (to - from) * (k / 40.0), Qt::LeftButton);
        sendMouse(cloud, QEvent::MouseButtonRelease, to, Qt::NoButton);
        const Eigen::Index afterDrag = tool->points().cols();
        std::printf("  drag of 1.0 data units with radius 0.25: %lld points\n",
                    (long long)(afterDrag - 15));
        QVERIFY(afterDrag - 15 >= 15 * 8 && afterDrag - 15 <= 15 * 9);
        for (Eigen::Index i = 15; i < afterDrag; ++i) {
            const Eigen::Vector2d p = tool->points().col(i);
            QVERIFY(p.x() > -1.25 - pixel && p.x() < 0.25 + pixel &&
                    std::abs(p.y() - 1.0) <= 0.25 + pixel);
        }

        // Erase at the first dab removes exactly its points; the stroke stays.
        toolButton(tool, "Erase")->click();
        QTest::mouseClick(cloud, Qt::LeftButton, {}, at);
        QCOMPARE(tool->points().cols(), afterDrag - 15);
        QCOMPARE(cloud->dataCount(), int(afterDrag - 15));
        tool->clear();
        QCOMPARE(tool->points().cols(), 0);
        QCOMPARE(cloud->dataCount(), 0);
    }

    void drawnDataTrainsWhileDrawingGoesOn() {
        MainWindow window;
        auto* workspace = open(window);
        QVERIFY(workspace);
        workspace->settingsForm()->setValues(smallExperiment(workspace, 2000));
        auto* tool = workspace->drawTool();
        QSignalSpy finished(&window, &MainWindow::runFinished);

        tool->setPoints(Eigen::Matrix2Xd(2, 0));
        workspace->run();
        QCOMPARE(finished.count(), 1);
        QVERIFY(!finished.last().at(0).toBool());
        QVERIFY2(finished.last().at(1).toString().contains("no data"),
                 qPrintable(finished.last().at(1).toString()));
        Eigen::Matrix2Xd one(2, 1);
        one << 0.5, 0.5;
        tool->setPoints(one);
        workspace->run();
        QCOMPARE(finished.count(), 2);
        QVERIFY2(finished.last().at(1).toString().contains("1 point;"),
                 qPrintable(finished.last().at(1).toString()));
        QVERIFY(!workspace->isRunning());

        // Two blobs, then Train; more dabs while it trains change the next run only.
        tool->clear();
        tool->setBrushRadius(0.3);
        tool->setPointsPerDab(100);
        toolButton(tool, "Draw")->click();
        auto* cloud = workspace->pointCloud();
        QTest::mouseClick(cloud, Qt::LeftButton, {}, cloud->dataToWidget({-1.0, 0.0}).toPoint());
        QTest::mouseClick(cloud, Qt::LeftButton, {}, cloud->dataToWidget({1.0, 0.5}).toPoint());
        QCOMPARE(tool->points().cols(), 200);
        workspace->run();
        QVERIFY(workspace->isRunning());
        QElapsedTimer clock;
        clock.start();
        QTest::mouseClick(cloud, Qt::LeftButton, {}, cloud->dataToWidget({0.0, -1.0}).toPoint());
        QVERIFY(clock.elapsed() < 250);   // the dab did not wait for training...
        QVERIFY(workspace->isRunning());  // ...which is still going
        QCOMPARE(tool->points().cols(), 300);
        QVERIFY(finished.wait(30000));
        QVERIFY2(finished.last().at(0).toBool(), qPrintable(finished.last().at(1).toString()));
        const auto session = workspace->session();
        QVERIFY(session->customData());
        // The user's points: a fifth held out (the headless rule for a data_file too).
        QCOMPARE(session->train().cols() + session->heldOut().cols(), Eigen::Index(200));
        QCOMPARE(session->heldOut().cols(), Eigen::Index(40));
        // Samples come back in the user's frame, near the two blobs: each sample's nearest
        // blob centre is within 0.8.
        const Eigen::Matrix2Xd samples = session->toUser(workspace->lastSample()->samples);
        int near = 0;
        for (Eigen::Index i = 0; i < samples.cols(); ++i) {
            const double d = std::min((samples.col(i) - Eigen::Vector2d(-1.0, 0.0)).norm(),
                                      (samples.col(i) - Eigen::Vector2d(1.0, 0.5)).norm());
            near += d < 0.8;
        }
        std::printf("  samples within 0.8 of a drawn blob: %d of %lld\n", near,
                    (long long)samples.cols());
        QVERIFY(near > 0.8 * samples.cols());
    }

    void badCsvIsRefusedWithItsLineAndKeepsThePoints() {
        MainWindow window;
        auto* workspace = open(window);
        QVERIFY(workspace);
        auto* tool = workspace->drawTool();
        Eigen::Matrix2Xd drawn(2, 3);
        drawn << 0, 1, 2, 0, 1, 0;
        tool->setPoints(drawn);
        QTemporaryDir dir;
        const auto write = [&](const QString& name, const QByteArray& text) {
            QFile file(dir.filePath(name));
            file.open(QIODevice::WriteOnly);
            file.write(text);
            return dir.filePath(name);
        };
        QString error;
        QVERIFY(!tool->loadCsv(write("bad.csv", "x,y\n1,2\n3,abc\n4,5\n"), &error));
        QVERIFY2(error.contains("line 3"), qPrintable(error));
        QCOMPARE(tool->points().cols(), 3);
        QVERIFY(!tool->loadCsv(write("inf.csv", "1,2\n3,inf\n"), &error));
        QVERIFY2(error.contains("line 2"), qPrintable(error));
        QVERIFY(!tool->loadCsv(write("empty.csv", "x,y\n"), &error));
        QVERIFY2(error.contains("no points"), qPrintable(error));
        QVERIFY(!tool->loadCsv(dir.filePath("missing.csv"), &error));
        QCOMPARE(tool->points().cols(), 3);
        QVERIFY(tool->points().isApprox(drawn));
        QVERIFY2(tool->loadCsv(write("good.csv", "x,y\n1,2\n3,4\n\n5,6.5\n"), &error),
                 qPrintable(error));
        QCOMPARE(tool->points().cols(), 3);
        QCOMPARE(tool->points()(1, 2), 6.5);
        QVERIFY(tool->usesOwnPoints());
    }

    void pauseStopsTheCounterAndStepAdvancesOne() {
        MainWindow window;
        auto* workspace = open(window);
        QVERIFY(workspace);
        workspace->settingsForm()->setValues(smallExperiment(workspace, 1000000));
        auto* controls = window.runControls();
        QVERIFY(controls->pauseButton()->isVisible());  // the shell shows Pause and Step here
        QCOMPARE(controls->runButton()->text(), QString("Train"));
        workspace->run();
        QTRY_VERIFY_WITH_TIMEOUT(workspace->trainingIteration() > 0, 10000);
        QVERIFY(controls->pauseAction()->isEnabled());
        controls->pauseAction()->trigger();
        // The worker stops after the current iteration and publishes where it stopped, with
        // a copy of the weights of exactly that iteration.
        QTRY_VERIFY_WITH_TIMEOUT(workspace->isTrainingPaused(), 2000);
        const long held = workspace->trainingIteration();
        QVERIFY(workspace->session());
        QCOMPARE(workspace->session()->iterations, held);
        QCOMPARE(controls->pauseAction()->text(), QString("Resume"));
        QVERIFY(controls->stepAction()->isEnabled());
        controls->stepAction()->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(
            workspace->isTrainingPaused() && workspace->trainingIteration() != held, 2000);
        QCOMPARE(workspace->trainingIteration(), held + 1);
        QCOMPARE(workspace->session()->iterations, held + 1);
        workspace->stepOnce();
        QTRY_VERIFY_WITH_TIMEOUT(
            workspace->isTrainingPaused() && workspace->trainingIteration() == held + 2, 2000);
        workspace->stepOnce();
        QTRY_VERIFY_WITH_TIMEOUT(
            workspace->isTrainingPaused() && workspace->trainingIteration() == held + 3, 2000);
        std::printf("  paused at %ld, three steps later %ld\n", held,
                    workspace->trainingIteration());

        // Sampling while paused draws from the paused weights; the trainer is kept, and
        // Resume carries on from the same iteration.
        QSignalSpy finished(&window, &MainWindow::runFinished);
        workspace->sample();
        QVERIFY(workspace->isRunning());
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 1, 30000);
        QVERIFY2(finished.last().at(0).toBool(), qPrintable(finished.last().at(1).toString()));
        QVERIFY(workspace->lastSample());
        QCOMPARE(workspace->session()->iterations, held + 3);
        workspace->resume();
        QTRY_VERIFY_WITH_TIMEOUT(workspace->trainingIteration() > held + 60, 5000);
        QVERIFY(!workspace->isTrainingPaused());
        QElapsedTimer clock;
        clock.start();
        workspace->cancel();
        QVERIFY(clock.elapsed() < 50);
        QTRY_VERIFY_WITH_TIMEOUT(!workspace->isRunning(), 1000);
    }

    void interpolantTrainsAndEpsilonResamples() {
        MainWindow window;
        auto* workspace = open(window);
        QVERIFY(workspace);
        workspace->settingsForm()->setValues(smallExperiment(workspace, 1000));
        workspace->modelBox()->familyMenu()->setCurrentIndex(1);  // linear interpolant
        QSignalSpy finished(&window, &MainWindow::runFinished);
        workspace->run();
        QVERIFY(finished.wait(30000));
        QVERIFY2(finished.last().at(0).toBool(), qPrintable(finished.last().at(1).toString()));
        const auto session = workspace->session();
        QVERIFY(session->isInterpolant());
        QCOMPARE(session->iterations, 1000L);
        auto sample = workspace->lastSample();
        QCOMPARE(sample->sampler, std::string("interpolant_ode"));
        std::printf("  interpolant ODE (20 NFE) SW2 %.3f\n", sample->sw2);
        QVERIFY2(sample->sw2 < 0.3, qPrintable(QString::number(sample->sw2)));
        QVERIFY(sample->pathsRecorded);

        workspace->modelBox()->epsilonSlider()->setValue(10);  // epsilon 0.5
        QVERIFY(finished.wait(30000));
        QVERIFY2(finished.last().at(0).toBool(), qPrintable(finished.last().at(1).toString()));
        sample = workspace->lastSample();
        QCOMPARE(sample->sampler, std::string("interpolant_sde"));
        std::printf("  interpolant SDE (eps 0.5, 20 NFE) SW2 %.3f\n", sample->sw2);
        QVERIFY2(sample->sw2 < 0.35, qPrintable(QString::number(sample->sw2)));
        QCOMPARE(sample->nfe, 20L);
    }

    // The model family lives in the config: a preset sets the box, the box writes the keys,
    // and the form shows no second control for them.
    void interpolantPresetSetsTheModelBox() {
        MainWindow window;
        auto* workspace = open(window);
        QVERIFY(workspace);
        auto* box = workspace->modelBox();
        auto* form = workspace->settingsForm();
        QString error;
        QVERIFY2(workspace->loadConfig("eight_gaussians_interpolant_trig", &error),
                 qPrintable(error));
        QCOMPARE(box->familyMenu()->currentIndex(), 2);
        QCOMPARE(box->gammaBox()->value(), 0.5);
        QCOMPARE(box->epsilon(), 0.5);
        for (const std::string& key : driftlab::core::diffusionModelKeys())
            QVERIFY2(form->editorFor(key)->isHidden(), key.c_str());
        QVERIFY(!form->editorFor("sampler")->isHidden());

        box->familyMenu()->setCurrentIndex(0);  // score SDE: the interpolant keys go to defaults
        QCOMPARE(form->values()["model"].get<std::string>(), std::string("score_sde"));
        QCOMPARE(form->values()["gamma"].get<double>(), 0.0);
        QVERIFY(driftlab::core::diffusionConfigFromJson(form->values(), "form").family ==
                driftlab::core::DiffusionModelFamily::ScoreSde);
        box->familyMenu()->setCurrentIndex(1);  // back: the box kept gamma and epsilon
        QCOMPARE(form->values()["model"].get<std::string>(), std::string("interpolant"));
        QCOMPARE(form->values()["interpolant"].get<std::string>(), std::string("linear"));
        QCOMPARE(form->values()["gamma"].get<double>(), 0.5);
        box->gammaBox()->setValue(0.3);
        QCOMPARE(form->values()["gamma"].get<double>(), 0.3);

        QVERIFY2(workspace->loadConfig("two_moons_interpolant_linear", &error), qPrintable(error));
        QCOMPARE(box->familyMenu()->currentIndex(), 1);
        QCOMPARE(box->epsilon(), 0.0);
        QVERIFY2(workspace->loadConfig("two_moons_vp_dpm2", &error), qPrintable(error));
        QCOMPARE(box->familyMenu()->currentIndex(), 0);
    }

    void densityShowsLikelihoodNextToHistogram_data() {
        QTest::addColumn<QString>("model");
        QTest::newRow("score SDE") << "score_sde";
        QTest::newRow("linear interpolant") << "interpolant";
    }
    void densityShowsLikelihoodNextToHistogram() {
        QFETCH(QString, model);
        MainWindow window;
        auto* workspace = open(window);
        QVERIFY(workspace);
        nlohmann::json values = smallExperiment(workspace, 1000);
        values["model"] = model.toStdString();
        workspace->settingsForm()->setValues(values);
        workspace->showPanel("Density");  // Train then computes the density too
        QSignalSpy finished(&window, &MainWindow::runFinished);
        workspace->run();
        QVERIFY(finished.wait(60000));
        QVERIFY2(finished.last().at(0).toBool(), qPrintable(finished.last().at(1).toString()));
        QVERIFY2(finished.last().at(1).toString().contains("bits/dim"),
                 qPrintable(finished.last().at(1).toString()));
        auto* panel = workspace->densityPanel();
        QCOMPARE(panel->modelView()->cellCount(), 48 * 48);
        QCOMPARE(panel->dataView()->cellCount(), 48 * 48);
        // The same computation directly: the model puts more mass where the data is.
        const auto maps = driftlab::core::computeDensityMaps(*workspace->session(), 16);
        QVERIFY(maps->message.empty());
        double dataCells = 0, emptyCells = 0;
        int nData = 0, nEmpty = 0;
        for (Eigen::Index k = 0; k < maps->dataDensity.size(); ++k) {
            if (maps->dataDensity(k) > 0.05) {
                dataCells += maps->modelLogDensity(k);
                ++nData;
            } else if (maps->dataDensity(k) == 0) {
                emptyCells += maps->modelLogDensity(k);
                ++nEmpty;
            }
        }
        std::printf(
            "  %s: mean model log p: %.2f on data cells, %.2f on empty ones; held-out "
            "%.3f bits/dim\n",
            qPrintable(model), dataCells / nData, emptyCells / nEmpty, maps->heldOutBitsPerDim);
        QVERIFY(nData > 0 && nEmpty > 0);
        QVERIFY(dataCells / nData > emptyCells / nEmpty + 2.0);
        // Two moons standardised: a good model is well below the 2.05 bits/dim of N(0, I).
        QVERIFY(std::isfinite(maps->heldOutBitsPerDim) && maps->heldOutBitsPerDim < 1.9);
        QTest::qWait(100);
        const QImage image = panel->modelView()->grabFramebuffer();
        int coloured = 0;
        for (int y = 0; y < image.height(); ++y)
            for (int x = 0; x < image.width(); ++x)
                coloured += image.pixel(x, y) != qRgb(255, 255, 255);
        QVERIFY2(coloured > image.width() * image.height() / 5,
                 qPrintable(QString::number(coloured)));
    }
};

QTEST_MAIN(TestDiffusionInteraction)
#include "test_diffusion_interaction.moc"
