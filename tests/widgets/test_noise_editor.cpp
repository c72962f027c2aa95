// General (matrix) noise in the equation editor: a loaded noise_matrix is shown and edited
// cell by cell, bad cells are marked where they break, switching modes keeps what was
// typed, and the spec survives the JSON a saved preset is made of.
#include "core/equations/compiled_equation.h"
#include "core/trajectories/trajectory_config.h"
#include "widgets/panels/equation_editor.h"
#include "widgets/panels/noise_matrix_grid.h"

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTest>

using namespace driftlab;
using driftlab::widgets::EquationEditor;
using driftlab::widgets::NoiseMatrixGrid;

namespace {

using Matrix = std::vector<std::vector<std::string>>;

core::EquationSpec generalSpec() {
    core::EquationSpec spec;
    spec.name = "Three motions";
    spec.variables = {"x", "y"};
    spec.drift = {"-a*x", "-a*y"};
    spec.diffusion = {"0", "0"};
    spec.noiseMatrix = {{"-s*y", "0.5", "0"}, {"s*x", "0", "0.25"}};
    spec.parameters = {{"a", 1.0, 0.0, 2.0, "damping"}, {"s", 0.5, 0.0, 2.0, "rotation noise"}};
    spec.initial = {1.0, 0.0};
    return spec;
}

void retype(QLineEdit* edit, const QString& text) {
    edit->setFocus();
    edit->selectAll();
    QTest::keyClick(edit, Qt::Key_Backspace);
    QTest::keyClicks(edit, text);
}

}  // namespace

class TestNoiseEditor : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void showsLoadedNoiseMatrix() {
        EquationEditor editor;
        editor.setSpec(generalSpec());
        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        QVERIFY(editor.hasGeneralNoise());
        NoiseMatrixGrid* grid = editor.noiseGrid();
        QCOMPARE(grid->modeBox()->currentIndex(), 1);
        QCOMPARE(grid->columnsBox()->value(), 3);
        QVERIFY(grid->columnsBox()->isVisible());
        QCOMPARE(grid->cell(0, 0)->text(), QString("-s*y"));
        QCOMPARE(grid->cell(1, 2)->text(), QString("0.25"));
        QVERIFY(grid->cell(0, 0)->isVisible());
        QVERIFY(grid->cell(0, 3) == nullptr);
        // The diagonal diffusion fields would be ignored by the engine: they must not show.
        QVERIFY(!editor.diffusionEdit(0)->isVisible());
        QVERIFY(editor.isValid());
        QCOMPARE(editor.spec().noiseMatrix, generalSpec().noiseMatrix);
    }

    void editingACellChangesTheSpec() {
        EquationEditor editor;
        editor.setSpec(generalSpec());
        editor.show();
        QSignalSpy edited(&editor, &EquationEditor::specEdited);
        retype(editor.noiseGrid()->cell(1, 1), "s*y^2");
        QVERIFY(edited.count() >= 1);
        QCOMPARE(editor.spec().noiseMatrix[1][1], std::string("s*y^2"));
        QCOMPARE(editor.spec().noiseMatrix[0][0], std::string("-s*y"));
        // The edited spec compiles into a 2 x 3 general-noise system.
        const core::CompiledEquation compiled(editor.spec());
        QCOMPARE(compiled.brownianDimension(), 3);
        QVERIFY(compiled.noiseType() == core::NoiseType::General);
    }

    void badCellIsMarkedWithItsPosition() {
        EquationEditor editor;
        editor.setSpec(generalSpec());
        editor.show();
        QSignalSpy validity(&editor, &EquationEditor::validityChanged);
        QLineEdit* cell = editor.noiseGrid()->cell(1, 2);
        retype(cell, "s**x");
        QVERIFY(!editor.isValid());
        QCOMPARE(validity.last().at(0).toBool(), false);
        const core::ExpressionCheck expected =
            core::checkExpression("s**x", {"x", "y"}, generalSpec().parameters);
        QVERIFY(!expected.ok && expected.position >= 0);
        const QString message = editor.validationMessage();
        QVERIFY2(message.contains("Noise of y for dW3 (row 2, column 3)"), qPrintable(message));
        QVERIFY2(message.contains(QString::number(expected.position)), qPrintable(message));
        QVERIFY(cell->property("invalid").toBool());
        QVERIFY(cell->property("marked").toBool());
        QVERIFY(cell->styleSheet().contains("border"));
        QVERIFY(!editor.noiseGrid()->cell(0, 0)->property("invalid").toBool());
        QVERIFY(!editor.saveAsPresetButton()->isEnabled());
        bool caretShown = false;
        for (QLabel* label : editor.findChildren<QLabel*>())
            caretShown = caretShown || (label->isVisible() && label->text().startsWith("s**x\n") &&
                                        label->text().contains('^'));
        QVERIFY(caretShown);
        // An unknown name is caught in a cell too; fixing it restores validity.
        retype(cell, "q*x");
        QVERIFY(editor.validationMessage().contains("row 2, column 3"));
        retype(cell, "0.3*x");
        QVERIFY2(editor.isValid(), qPrintable(editor.validationMessage()));
        QVERIFY(!cell->property("invalid").toBool());
    }

    void switchingModesKeepsWhatWasTyped() {
        EquationEditor editor;
        core::EquationSpec diagonal = generalSpec();
        diagonal.noiseMatrix.clear();
        diagonal.diffusion = {"s*x", "0.7"};
        editor.setSpec(diagonal);
        editor.show();
        QVERIFY(!editor.hasGeneralNoise());
        QVERIFY(editor.spec().noiseMatrix.empty());
        QVERIFY(editor.diffusionEdit(0)->isVisible());

        // The first switch starts from the diagonal already typed: the same equation.
        editor.noiseGrid()->modeBox()->setCurrentIndex(1);
        QVERIFY(editor.hasGeneralNoise());
        QCOMPARE(editor.spec().noiseMatrix, (Matrix{{"s*x", "0"}, {"0", "0.7"}}));
        QVERIFY(!editor.diffusionEdit(0)->isVisible());
        retype(editor.noiseGrid()->cell(0, 1), "0.2");

        // More motions, then fewer: the hidden third column keeps its entry.
        editor.noiseGrid()->columnsBox()->setValue(3);
        retype(editor.noiseGrid()->cell(1, 2), "y");
        QCOMPARE(editor.spec().noiseMatrix, (Matrix{{"s*x", "0.2", "0"}, {"0", "0.7", "y"}}));
        editor.noiseGrid()->columnsBox()->setValue(2);
        QCOMPARE(editor.spec().noiseMatrix, (Matrix{{"s*x", "0.2"}, {"0", "0.7"}}));
        editor.noiseGrid()->columnsBox()->setValue(3);
        QCOMPARE(editor.spec().noiseMatrix[1][2], std::string("y"));

        // Back to diagonal: the diffusion typed before is what the spec holds again.
        editor.noiseGrid()->modeBox()->setCurrentIndex(0);
        QVERIFY(editor.spec().noiseMatrix.empty());
        QCOMPARE(editor.spec().diffusion, (std::vector<std::string>{"s*x", "0.7"}));
        QVERIFY(editor.diffusionEdit(0)->isVisible());
        // And general again: the matrix is as it was left.
        editor.noiseGrid()->modeBox()->setCurrentIndex(1);
        QCOMPARE(editor.spec().noiseMatrix, (Matrix{{"s*x", "0.2", "0"}, {"0", "0.7", "y"}}));
    }

    void dimensionChangeRenamesAndGrowsTheMatrix() {
        EquationEditor editor;
        editor.setSpec(generalSpec());
        editor.dimensionBox()->setValue(3);
        const Matrix matrix = editor.spec().noiseMatrix;
        QCOMPARE(matrix.size(), std::size_t(3));
        QCOMPARE(matrix[2], (std::vector<std::string>{"0", "0", "0"}));
        QCOMPARE(matrix[0][0], std::string("-s*y"));
        editor.dimensionBox()->setValue(4);  // x, y, z -> x1..x4 inside the cells as well
        QCOMPARE(editor.spec().noiseMatrix[0][0], std::string("-s*x2"));
        QVERIFY2(editor.isValid(), qPrintable(editor.validationMessage()));
    }

    void roundTripsThroughPresetJson() {
        // Save-as-preset writes toJsonText(config) of the editor's spec; reading it back must
        // give the same matrix, and the editor must show it again.
        const core::TrajectoryConfig* found = core::findPreset("noisy_rotation");
        QVERIFY(found);
        const core::TrajectoryConfig preset = *found;
        QVERIFY(!preset.equation.noiseMatrix.empty());
        EquationEditor editor;
        editor.setSpec(preset.equation);
        retype(editor.noiseGrid()->cell(0, 1), "sh*y + 0.1");
        core::TrajectoryConfig edited = preset;
        edited.equation = editor.spec();
        const core::TrajectoryConfig reread =
            core::parseTrajectoryConfig(core::toJsonText(edited), "saved preset");
        QCOMPARE(reread.equation.noiseMatrix, edited.equation.noiseMatrix);
        QCOMPARE(reread.equation.noiseMatrix[0][1], std::string("sh*y + 0.1"));
        EquationEditor again;
        again.setSpec(reread.equation);
        QVERIFY(again.hasGeneralNoise());
        QCOMPARE(again.noiseGrid()->cell(0, 1)->text(), QString("sh*y + 0.1"));
        QCOMPARE(again.spec().noiseMatrix, edited.equation.noiseMatrix);
    }

    void screenshot() {
        const QString prefix = qEnvironmentVariable("DRIFTLAB_PANELS_SCREENSHOT");
        if (prefix.isEmpty()) QSKIP("set DRIFTLAB_PANELS_SCREENSHOT to render the editor");
        // As in the main window: a 380 px side panel that scrolls vertically.
        QScrollArea area;
        area.setWidgetResizable(true);
        area.setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
        area.setFixedSize(380, 1000);
        auto* editor = new EquationEditor;
        const core::TrajectoryConfig* preset = core::findPreset("noisy_rotation");
        QVERIFY(preset);
        editor->setSpec(preset->equation);
        area.setWidget(editor);
        area.show();
        QVERIFY(QTest::qWaitForWindowExposed(&area));
        QVERIFY(area.grab().save(prefix + "-noise-valid.png"));
        editor->noiseGrid()->columnsBox()->setValue(4);
        retype(editor->noiseGrid()->cell(1, 3), "sr**x");
        QTest::qWait(50);
        QVERIFY(area.grab().save(prefix + "-noise-invalid.png"));
        editor->noiseGrid()->columnsBox()->setValue(8);  // wider than the panel: scrolls sideways
        QTest::qWait(50);
        QVERIFY(area.grab().save(prefix + "-noise-wide.png"));
    }
};

QTEST_MAIN(TestNoiseEditor)
#include "test_noise_editor.moc"
