// The general-noise preset in the window: the solver menu greys out the methods that cannot
// take a non-commuting noise matrix, with the reason, and the preset simulates to finite,
// spread-out quantiles in both components.
#include "app/main_window.h"
#include "app/workspaces/trajectories/trajectories_workspace.h"
#include "core/stats/path_statistics.h"
#include "core/trajectories/trajectory_view_data.h"
#include "widgets/panels/equation_editor.h"
#include "widgets/panels/noise_matrix_grid.h"
#include "widgets/panels/schema_form.h"
#include "widgets/vtk/surface_format.h"

#include <QComboBox>
#include <QLineEdit>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QtTest>

#include <cmath>

using driftlab::app::MainWindow;
using driftlab::app::TrajectoriesWorkspace;

class TestGeneralNoisePreset : public QObject {
    Q_OBJECT
public:
    static void initMain() { driftlab::widgets::setDefaultSurfaceFormat(); }

private Q_SLOTS:
    void solverMenuGreysOutNonCommutingMethods() {
        MainWindow window;
        auto* workspace = qobject_cast<TrajectoriesWorkspace*>(window.currentWorkspace());
        QVERIFY(workspace);
        QString error;
        QVERIFY2(workspace->loadConfig("noisy_rotation", &error), qPrintable(error));
        auto* combo = qobject_cast<QComboBox*>(workspace->settingsForm()->editorFor("solver"));
        QVERIFY(combo);
        auto* model = qobject_cast<QStandardItemModel*>(combo->model());
        auto itemFor = [&](const char* id) { return model->item(combo->findData(id)); };
        for (const char* id : {"sra1", "sriw1", "milstein"}) {
            QVERIFY2(!itemFor(id)->isEnabled(), id);
            QVERIFY2(itemFor(id)->toolTip().startsWith("Not available"), id);
        }
        QVERIFY(itemFor("milstein")->toolTip().contains("commute"));
        QVERIFY(itemFor("sra1")->toolTip().contains("general"));
        QVERIFY(itemFor("sriw1")->toolTip().contains("general"));
        for (const char* id : {"euler_maruyama", "stochastic_heun", "euler_heun"})
            QVERIFY2(itemFor(id)->isEnabled(), id);

        // Make the matrix state-free in the editor: the columns commute and Milstein returns.
        auto* grid = window.findChild<driftlab::widgets::NoiseMatrixGrid*>();
        QVERIFY(grid);
        for (int i = 0; i < 2; ++i)
            for (int j = 0; j < 3; ++j) grid->cell(i, j)->setText(j == i ? "0.5" : "0");
        QVERIFY(itemFor("milstein")->isEnabled());
        QVERIFY(!itemFor("sriw1")->isEnabled());
    }

    void presetSimulatesToFiniteQuantiles() {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        auto* workspace = qobject_cast<TrajectoriesWorkspace*>(window.currentWorkspace());
        QVERIFY(workspace);
        QString error;
        QVERIFY2(workspace->loadConfig("noisy_rotation", &error), qPrintable(error));
        QCOMPARE(workspace->loadedConfig().equation.noiseMatrix.size(), std::size_t(2));
        QSignalSpy finished(&window, &MainWindow::runFinished);
        workspace->run();
        QVERIFY(finished.wait(30000));
        QCOMPARE(finished.first().at(0).toBool(), true);
        const auto data = workspace->currentData();
        QVERIFY(data && data->snapshot && data->snapshot->result);
        const auto& result = *data->snapshot->result;
        QCOMPARE(result.dimension, 2);
        QCOMPARE(result.stats.nonFinitePaths, 0);
        const driftlab::core::QuantileBands bands = driftlab::core::computeQuantileBands(result);
        using Row = driftlab::core::QuantileBands::Row;
        for (int c = 0; c < 2; ++c) {
            const Eigen::MatrixXd& q = bands.perComponent[c];
            QVERIFY(q.allFinite());
            const Eigen::Index last = q.cols() - 1;
            // Three motions reach both components: a real spread at the end, none at the start.
            QVERIFY2(q(Row::Q95, last) - q(Row::Q05, last) > 0.1, qPrintable(QString::number(c)));
            QCOMPARE(q(Row::Q95, 0) - q(Row::Q05, 0), 0.0);
        }
    }
};

QTEST_MAIN(TestGeneralNoisePreset)
#include "test_general_noise_preset.moc"
