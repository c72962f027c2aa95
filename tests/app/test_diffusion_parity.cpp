// One config and seed give the same numbers in the window and on the command line: every
// shipped diffusion preset (cut to seconds, the same cut for both sides) is trained and
// sampled in the Diffusion workspace and by core::runDiffusionHeadless, and the SW2 and MMD^2
// of the samples against the held-out data agree to 1e-9 relative: the two share the data
// (a fresh held-out draw for generated data), the training loop, the sampler and the metrics.
#include "../gui_test_support.h"
#include "app/main_window.h"
#include "app/workspaces/diffusion/diffusion_workspace.h"
#include "core/diffusion/diffusion_headless.h"
#include "core/diffusion/diffusion_sampling.h"
#include "widgets/vtk/surface_format.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

using driftlab::app::DiffusionWorkspace;
using driftlab::app::MainWindow;
using nlohmann::json;

namespace {

// The preset with fewer iterations and samples; data set, model, process and sampler stay.
json shrunk(const std::string& id) {
    const driftlab::core::DiffusionPlan plan = driftlab::core::diffusionPreset(id);
    json values = plan.values;
    values["iterations"] = 120;
    values["samples"] = 300;
    return {{"experiment", "diffusion"},
            {"name", plan.name},
            {"diffusion", values},
            {"headless",
             {{"metric_points", 1500},
              {"mmd_points", 300},
              {"directions", 300},
              {"likelihood_points", 0},
              {"shootout", false}}}};
}

bool relativelyEqual(double a, double b) {
    return std::abs(a - b) <= 1e-9 * std::max({std::abs(a), std::abs(b), 1e-300});
}

}  // namespace

class TestDiffusionParity : public QObject {
    Q_OBJECT
public:
    static void initMain() { driftlab::widgets::setDefaultSurfaceFormat(); }

private Q_SLOTS:
    void windowAndHeadlessAgree_data() {
        QTest::addColumn<QString>("preset");
        for (const auto& id : driftlab::core::diffusionPresetIds())
            QTest::newRow(id.c_str()) << QString::fromStdString(id);
    }

    void windowAndHeadlessAgree() {
        QFETCH(QString, preset);
        QTemporaryDir dir;
        const std::string config = dir.filePath("config.json").toStdString();
        std::ofstream(config) << shrunk(preset.toStdString()).dump(2);

        driftlab::core::HeadlessOptions options;
        options.outDir = dir.filePath("out").toStdString();
        options.progressBar = false;
        std::ostringstream progress, err;
        QCOMPARE(driftlab::core::runDiffusionHeadless(config, options, progress, err), 0);
        std::ifstream metricsFile(options.outDir + "/metrics.json");
        const json metrics = json::parse(metricsFile);

        MainWindow window;
        auto* workspace = driftlab::test::openWorkspace<DiffusionWorkspace>(window, "diffusion");
        QVERIFY(workspace);
        QString error;
        QVERIFY2(workspace->loadConfig(QString::fromStdString(config), &error), qPrintable(error));
        workspace->run();
        // Train, then the automatic Sample; the scrubber's frames that follow are not needed.
        QTRY_VERIFY_WITH_TIMEOUT(workspace->lastSample() != nullptr, 60000);
        workspace->cancel();
        const auto sample = workspace->lastSample();
        const auto session = workspace->session();
        QVERIFY(session);
        QCOMPARE(session->iterations, metrics["training"]["iterations"].get<long>());
        QCOMPARE(session->heldOut().cols(), metrics["held_out_points"].get<long>());
        QCOMPARE(sample->sampler, metrics["sampler"].get<std::string>());
        QCOMPARE(sample->nfe, metrics["nfe"].get<long>());
        const double sw2 = metrics["sw2"].get<double>(), mmd2 = metrics["mmd2"].get<double>();
        std::printf("  %-34s SW2 window %.12g headless %.12g; MMD2 window %.6e headless %.6e\n",
                    qPrintable(preset), sample->sw2, sw2, sample->mmd2, mmd2);
        QVERIFY2(relativelyEqual(sample->sw2, sw2),
                 qPrintable(QString("%1 vs %2").arg(sample->sw2, 0, 'g', 17).arg(sw2, 0, 'g', 17)));
        QVERIFY2(
            relativelyEqual(sample->mmd2, mmd2),
            qPrintable(QString("%1 vs %2").arg(sample->mmd2, 0, 'g', 17).arg(mmd2, 0, 'g', 17)));
        QTRY_VERIFY_WITH_TIMEOUT(!workspace->isRunning(), 2000);
    }
};

QTEST_MAIN(TestDiffusionParity)
#include "test_diffusion_parity.moc"
