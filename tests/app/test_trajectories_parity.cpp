// GUI = headless for the Trajectories workspace: every shipped preset, run in the window
// (through the editors and form, as a user runs it) and headless (core::runHeadless on the
// preset's config), gives the same final-state statistics to the last bit. The two paths
// share one engine; a drift between them (a form that rounds a value, a default filled in
// differently) fails here.
#include "app/main_window.h"
#include "app/workspaces/trajectories/trajectories_workspace.h"
#include "core/trajectories/trajectory_config.h"
#include "core/trajectories/trajectory_headless.h"
#include "core/trajectories/trajectory_view_data.h"
#include "widgets/vtk/surface_format.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <sstream>

using driftlab::app::MainWindow;
using driftlab::app::TrajectoriesWorkspace;

namespace {

// The same statistic summary.json's "final.mean" holds: the mean of the finite paths.
double finalMean(const driftlab::core::SimulationResult& result, int component) {
    const auto column = result.states[component].col(result.times.size() - 1);
    double sum = 0.0;
    long count = 0;
    for (Eigen::Index p = 0; p < column.size(); ++p) {
        if (!std::isfinite(column(p))) continue;
        sum += column(p);
        ++count;
    }
    return count > 0 ? sum / count : std::nan("");
}

}  // namespace

class TestTrajectoriesParity : public QObject {
    Q_OBJECT
public:
    static void initMain() { driftlab::widgets::setDefaultSurfaceFormat(); }

private Q_SLOTS:
    void presetsGiveTheSameNumbersInTheWindowAndHeadless_data() {
        QTest::addColumn<QString>("preset");
        for (const auto& id : driftlab::core::presetIds())
            QTest::newRow(id.c_str()) << QString::fromStdString(id);
    }

    void presetsGiveTheSameNumbersInTheWindowAndHeadless() {
        QFETCH(QString, preset);
        MainWindow window;
        window.show();
        auto* workspace = qobject_cast<TrajectoriesWorkspace*>(window.currentWorkspace());
        QVERIFY(workspace);
        QString error;
        QVERIFY2(workspace->loadConfig(preset, &error), qPrintable(error));
        QSignalSpy finished(&window, &MainWindow::runFinished);
        workspace->run();
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() >= 1, 120000);
        QVERIFY2(finished.last().at(0).toBool(), qPrintable(finished.last().at(1).toString()));
        const auto data = workspace->currentData();
        QVERIFY(data);
        const auto& gui = *data->snapshot->result;

        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const auto* config = driftlab::core::findPreset(preset.toStdString());
        QVERIFY(config);
        driftlab::core::HeadlessOptions options;
        options.outDir = dir.path().toStdString();
        options.progressBar = false;
        std::ostringstream progress, err;
        QCOMPARE(driftlab::core::runHeadless(*config, options, progress, err), 0);
        std::ifstream in(dir.filePath("summary.json").toStdString());
        const auto summary = nlohmann::json::parse(in);

        QCOMPARE(summary.at("seed").get<long>(), long(data->snapshot->config.simulation.seed));
        QCOMPARE(summary.at("steps_per_path").get<long>(), long(gui.stats.steps));
        const auto& means = summary.at("final").at("mean");
        QCOMPARE(int(means.size()), gui.dimension);
        for (int c = 0; c < gui.dimension; ++c) {
            const double expected = finalMean(gui, c);
            if (means[c].is_null()) {
                QVERIFY(std::isnan(expected));
                continue;
            }
            // Bit for bit: the same config, seed and engine path.
            const double headless = means[c].get<double>();
            QVERIFY2(headless == expected,
                     qPrintable(QString("component %1: headless %2, window %3")
                                    .arg(c)
                                    .arg(headless, 0, 'g', 17)
                                    .arg(expected, 0, 'g', 17)));
        }
    }
};

QTEST_MAIN(TestTrajectoriesParity)
#include "test_trajectories_parity.moc"
