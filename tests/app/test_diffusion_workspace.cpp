// The Diffusion workspace in the real window: it trains a small model off the GUI thread,
// the loss falls, sampling reaches data-like samples (SW2 to held-out data under a bound
// the untrained model misses), the samples are on screen, the scrubber's frames noise and
// generate, the learned score follows the true mixture score, the shoot-out fills its table
// and exports it, cancel answers at once and a bad schedule is refused with a message.
// Drawing, CSV import, pause/step, interpolant models and the density tab are covered in
// test_diffusion_interaction.cpp.
#include "../gui_test_support.h"
#include "app/main_window.h"
#include "app/workspaces/diffusion/diffusion_panels.h"
#include "app/workspaces/diffusion/diffusion_scrubber.h"
#include "app/workspaces/diffusion/diffusion_workspace.h"
#include "core/diffusion/diffusion_analysis.h"
#include "core/diffusion/metrics.h"
#include "widgets/panels/run_controls.h"
#include "widgets/panels/schema_form.h"
#include "widgets/views/loss_chart_view.h"
#include "widgets/views/point_cloud_view.h"
#include "widgets/views/quality_nfe_chart_view.h"
#include "widgets/vtk/surface_format.h"

#include <QAction>
#include <QElapsedTimer>
#include <QFile>
#include <QSignalSpy>
#include <QSlider>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>

using driftlab::app::DiffusionWorkspace;
using driftlab::app::MainWindow;
using driftlab::widgets::PointCloudView;

namespace {

// Pixels within a few levels of rgb: the samples are drawn flat and opaque, so their pixels
// are exactly the theme colour.
int countColour(const QImage& image, const driftlab::widgets::theme::Rgb& rgb) {
    return driftlab::test::countNear(image, rgb, 4);
}

nlohmann::json tinyExperiment(DiffusionWorkspace* workspace) {
    nlohmann::json values = workspace->settingsForm()->values();
    values["dataset"] = "eight_gaussians";
    values["dataset_size"] = 2000;
    values["iterations"] = 1000;
    values["width"] = 64;
    values["depth"] = 2;
    values["batch"] = 256;
    values["learning_rate"] = 3e-3;
    values["sampler"] = "dpm_solver_2";
    values["nfe"] = 20;
    values["samples"] = 1000;
    values["seed"] = 3;
    return values;
}

}  // namespace

class TestDiffusionWorkspace : public QObject {
    Q_OBJECT
public:
    static void initMain() { driftlab::widgets::setDefaultSurfaceFormat(); }

private:
    static DiffusionWorkspace* open(MainWindow& window) {
        return driftlab::test::openWorkspace<DiffusionWorkspace>(window, "diffusion");
    }

private Q_SLOTS:
    void trainsSamplesAndShowsTheSamples() {
        MainWindow window;
        auto* workspace = open(window);
        QVERIFY(workspace);
        // A config file, as the command line takes it: its headless section sets the held-out
        // draw the metrics use (2,000 fresh points, so the shoot-out's rows stay quick).
        QTemporaryDir configDir;
        const QString configPath = configDir.filePath("tiny.json");
        {
            QFile file(configPath);
            QVERIFY(file.open(QIODevice::WriteOnly));
            const nlohmann::json config = {{"experiment", "diffusion"},
                                           {"diffusion", tinyExperiment(workspace)},
                                           {"headless", {{"metric_points", 2000}}}};
            file.write(QByteArray::fromStdString(config.dump()));
        }
        QString loadError;
        QVERIFY2(workspace->loadConfig(configPath, &loadError), qPrintable(loadError));

        QSignalSpy finished(&window, &MainWindow::runFinished);
        QElapsedTimer clock;
        clock.start();
        workspace->run();
        QVERIFY(workspace->isRunning());
        QVERIFY(finished.wait(30000));
        QVERIFY2(finished.last().at(0).toBool(), qPrintable(finished.last().at(1).toString()));
        const double trainSeconds = clock.elapsed() / 1e3;

        const auto session = workspace->session();
        QVERIFY(session);
        QCOMPARE(session->iterations, 1000L);
        QCOMPARE(session->losses.size(), std::size_t{20});        // a report every 50 iterations
        QCOMPARE(session->heldOut().cols(), Eigen::Index(2000));  // the fresh draw
        std::printf("  1000 iterations + sampling: %.2f s; loss %.3f -> %.3f\n", trainSeconds,
                    session->losses.front(), session->losses.back());
        // An untrained noise predictor scores about 2 (the variance of the 2-D noise).
        QVERIFY(session->losses.back() < 0.8 * session->losses.front());
        QVERIFY(session->losses.back() < 1.0);
        QCOMPARE(workspace->lossChart()->pointCount(), 20);

        // Sample again explicitly, as the button does.
        const int before = finished.count();
        workspace->sample();
        QVERIFY(workspace->isRunning());
        QVERIFY(finished.wait(30000));
        QCOMPARE(finished.count(), before + 1);
        QVERIFY2(finished.last().at(0).toBool(), qPrintable(finished.last().at(1).toString()));
        const auto sample = workspace->lastSample();
        QVERIFY(sample);
        QCOMPARE(sample->samples.cols(), 1000);
        QVERIFY(sample->nfe >= 19 && sample->nfe <= 20);
        // The prior itself, pushed through no model, is the level the bound must beat.
        const double priorSw2 = driftlab::core::diffusion::slicedWasserstein2(
            driftlab::core::diffusion::DiffusionProcess(session->config.process)
                .samplePrior(1000, 5),
            session->heldOut(), 1000, 1);
        std::printf("  DPM-Solver-2 (20 NFE) SW2 %.3f, MMD2 %.4f; prior noise SW2 %.3f\n",
                    sample->sw2, sample->mmd2, priorSw2);
        QVERIFY2(sample->sw2 < 0.25, qPrintable(QString::number(sample->sw2)));
        QVERIFY(priorSw2 > 0.25);
        QVERIFY(sample->pathsRecorded);
        QCOMPARE(int(sample->sdePaths.size()), 20);
        QCOMPARE(int(sample->odePaths.size()), 20);

        auto* cloud = workspace->pointCloud();
        QCOMPARE(cloud->sampleCount(), 1000);
        QCOMPARE(cloud->pathCount(), 40);  // 20 SDE + 20 ODE
        QVERIFY(cloud->arrowCount() > 0);
        QTest::qWait(100);
        const QImage image = cloud->grabFramebuffer();
        const int samplePixels = countColour(image, PointCloudView::kSampleColor);
        std::printf("  sample-coloured pixels: %d of %lld\n", samplePixels,
                    (long long)image.width() * image.height());
        QVERIFY2(samplePixels > 200, qPrintable(QString::number(samplePixels)));

        // The scrubber: forward noising starts at the data and ends near N(0, I) (in the
        // standardised frame); reverse generation ends data-like.
        auto* scrubber = workspace->scrubber();
        QVERIFY(scrubber->hasFrames());
        const auto frames = driftlab::core::computeScrubFrames(*session, 11, 500, 9);
        const auto& standardizer = session->data->standardizer;
        QCOMPARE(int(frames->times.size()), 11);
        const Eigen::Matrix2Xd first = standardizer.apply(frames->forward.front());
        QVERIFY((first - session->train().leftCols(500)).cwiseAbs().maxCoeff() < 1e-9);
        const Eigen::Matrix2Xd last = standardizer.apply(frames->forward.back());
        const Eigen::Vector2d spread =
            ((last.colwise() - last.rowwise().mean()).rowwise().squaredNorm() / 500.0).cwiseSqrt();
        std::printf("  forward noising at t = 1: per-axis std %.3f %.3f\n", spread.x(), spread.y());
        QVERIFY(std::abs(spread.x() - 1.0) < 0.12 && std::abs(spread.y() - 1.0) < 0.12);
        const double generatedSw2 = driftlab::core::diffusion::slicedWasserstein2(
            standardizer.apply(frames->reverse.front()), session->heldOut(), 1000, 1);
        const double noiseSw2 = driftlab::core::diffusion::slicedWasserstein2(
            standardizer.apply(frames->reverse.back()), session->heldOut(), 1000, 1);
        std::printf("  reverse generation: SW2 %.3f at t = 1, %.3f at t = 0\n", noiseSw2,
                    generatedSw2);
        QVERIFY(generatedSw2 < 0.25 && noiseSw2 > 0.25);

        // Eight Gaussians is a mixture: the true score is known, and the learned one points
        // the same way (mean cosine over the grid; unrelated fields give about 0) both near
        // the data, where the field has eight sinks (1000 iterations leave the grid's corners,
        // far from any data, rough: 0.80 measured), and at mid time, where it is almost linear.
        QCOMPARE(int(frames->truth.size()), 11);
        for (const double t : {0.1, 0.5}) {
            const int k = frames->frameAt(t);
            double cosine = 0.0;
            for (Eigen::Index i = 0; i < frames->arrowPositions.cols(); ++i)
                cosine += frames->learned[k].col(i).normalized().dot(
                    frames->truth[k].col(i).normalized());
            cosine /= double(frames->arrowPositions.cols());
            std::printf("  learned vs true score at t = %.1f: mean cosine %.3f\n", t, cosine);
            QVERIFY2(cosine > (t < 0.3 ? 0.7 : 0.95), qPrintable(QString::number(cosine)));
        }

        // The slider moves the arrows and, in a noising mode, the cloud, without computing.
        scrubber->setMode(driftlab::app::DiffusionScrubber::Mode::Forward);
        scrubber->setTime(1.0);
        QCOMPARE(cloud->sampleCount(), 1000);  // the frames use up to 1000 training points
        QCOMPARE(cloud->arrowCount(), 21 * 21);
        QCOMPARE(cloud->trueArrowCount(), 21 * 21);
        // Play in reverse runs from noise (t = 1) down to the data (t = 0) and stops there.
        scrubber->setMode(driftlab::app::DiffusionScrubber::Mode::Reverse);
        QSignalSpy frameSpy(scrubber, &driftlab::app::DiffusionScrubber::frameShown);
        scrubber->play();
        QVERIFY(scrubber->isPlaying());
        QTRY_VERIFY_WITH_TIMEOUT(!scrubber->isPlaying(), 10000);
        QCOMPARE(scrubber->slider()->value(), 0);
        QCOMPARE(scrubber->time(), 0.0);
        QVERIFY(frameSpy.count() >= 40);  // every frame of the 41 was shown on the way
        scrubber->setMode(driftlab::app::DiffusionScrubber::Mode::Samples);
        QCOMPARE(cloud->sampleCount(), 1000);

        // The shoot-out fills one row per sampler and budget, plus adaptive Dopri5.
        workspace->shootoutPanel()->setBudgets({5, 10, 20, 50});
        workspace->shootout();
        QVERIFY(finished.wait(60000));
        QVERIFY2(finished.last().at(0).toBool(), qPrintable(finished.last().at(1).toString()));
        QTableWidget* table = workspace->metricsTable();
        QVERIFY(table->rowCount() >= 30);
        for (int row = 0; row < table->rowCount(); ++row) {
            std::printf(
                "  %-24s budget %-8s NFE %-4s SW2 %-8s MMD2 %-8s %s ms\n",
                qPrintable(table->item(row, 0)->text()), qPrintable(table->item(row, 1)->text()),
                qPrintable(table->item(row, 2)->text()), qPrintable(table->item(row, 3)->text()),
                qPrintable(table->item(row, 4)->text()), qPrintable(table->item(row, 5)->text()));
            QVERIFY(table->item(row, 2)->text().toInt() > 0);
            bool ok = false;
            table->item(row, 3)->text().toDouble(&ok);
            QVERIFY2(ok,
                     qPrintable(table->item(row, 0)->text() + ": " + table->item(row, 3)->text()));
        }
        QCOMPARE(workspace->shootoutPanel()->sw2Chart()->seriesCount(), 9);  // 8 + Dopri5

        // Export: a header and one line per row, the numbers as in the table.
        QTemporaryDir dir;
        const QString path = dir.filePath("shootout.csv");
        QString error;
        QVERIFY2(workspace->shootoutPanel()->exportCsv(path, &error), qPrintable(error));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(file.readAll()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), table->rowCount() + 1);
        // The headless run's format (core::shootoutCsv): both write the same file.
        QCOMPARE(lines[0], QString("sampler,budget,tolerance,nfe,sw2,mmd2,seconds,ok"));
        const QStringList cells = lines[1].split(',');
        QCOMPARE(cells[0], table->item(0, 0)->text());
        QCOMPARE(cells[3], table->item(0, 2)->text());
        QVERIFY(std::abs(cells[4].toDouble() - table->item(0, 3)->text().toDouble()) < 1e-3);
        QCOMPARE(cells[7], QString("1"));
        QVERIFY(!workspace->shootoutPanel()->exportCsv(dir.filePath("no/such/dir/x.csv"), &error));
        QVERIFY(error.contains("cannot write"));
    }

    void cancelAnswersWithinAFrame() {
        MainWindow window;
        auto* workspace = open(window);
        QVERIFY(workspace);
        nlohmann::json values = tinyExperiment(workspace);
        values["iterations"] = 1000000;
        workspace->settingsForm()->setValues(values);
        QSignalSpy finished(&window, &MainWindow::runFinished);
        // Through the shell's controls, as a user would: Train, then Esc.
        auto* controls = window.runControls();
        QVERIFY(controls->runAction()->isEnabled());
        controls->runAction()->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(workspace->trainingIteration() > 0, 10000);
        QVERIFY(workspace->isRunning());
        QVERIFY(controls->cancelAction()->isEnabled());
        QElapsedTimer clock;
        clock.start();
        controls->cancelAction()->trigger();
        QVERIFY(clock.elapsed() < 50);  // the click returns at once...
        // ...and the worker stops after the current iteration.
        QTRY_VERIFY_WITH_TIMEOUT(!workspace->isRunning(), 1000);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 1000);
        QCOMPARE(finished.first().at(0).toBool(), false);
        QVERIFY(!workspace->session());  // no model was finished, none is kept
    }

    void badScheduleIsRefusedWithAMessage() {
        MainWindow window;
        auto* workspace = open(window);
        QVERIFY(workspace);
        nlohmann::json values = tinyExperiment(workspace);
        values["beta_min"] = 5.0;
        values["beta_max"] = 2.0;
        workspace->settingsForm()->setValues(values);
        QSignalSpy finished(&window, &MainWindow::runFinished);
        workspace->run();
        QCOMPARE(finished.count(), 1);
        QCOMPARE(finished.first().at(0).toBool(), false);
        QVERIFY2(finished.first().at(1).toString().contains("beta_max"),
                 qPrintable(finished.first().at(1).toString()));
        QVERIFY(!workspace->isRunning());
        QString error;
        QVERIFY(!workspace->loadConfig("no_such_dataset", &error));
        QVERIFY(error.contains("two_moons"));
        QVERIFY(workspace->loadConfig("two_moons", &error));
        // A shipped preset brings its settings and its shoot-out budgets.
        QVERIFY2(workspace->loadConfig("gaussian_mixture_vp_ddim", &error), qPrintable(error));
        QCOMPARE(workspace->settingsForm()->values()["sampler"].get<std::string>(),
                 std::string("ddim"));
        QCOMPARE(workspace->shootoutPanel()->budgets(&error), std::vector<int>({5, 10, 50}));
    }
};

QTEST_MAIN(TestDiffusionWorkspace)
#include "test_diffusion_workspace.moc"
