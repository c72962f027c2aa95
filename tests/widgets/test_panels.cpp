// The left-panel editors: schema forms, the equation editor, parameter sliders and run
// controls. Runs under xvfb; plain widgets only.
#include "core/equations/compiled_equation.h"
#include "core/experiment/schema.h"
#include "core/trajectories/trajectory_config.h"
#include "widgets/panels/equation_editor.h"
#include "widgets/panels/parameter_sliders.h"
#include "widgets/panels/parameter_table.h"
#include "widgets/panels/run_controls.h"
#include "widgets/panels/schema_form.h"

#include <nlohmann/json.hpp>

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QTableWidget>
#include <QTest>
#include <QVBoxLayout>

using namespace driftlab;
using driftlab::widgets::EquationEditor;
using driftlab::widgets::ParameterSliders;
using driftlab::widgets::ParameterTable;
using driftlab::widgets::RunControls;
using driftlab::widgets::SchemaForm;

namespace {

const char* const kPathsHelp = "How many independent sample paths are simulated.";

core::Schema testSchema() {
    std::vector<core::SchemaField> fields(6);
    fields[0] = {"paths", "Paths",   core::FieldType::Integer, 1000, "", 1, 100000, {},
                 "paths", kPathsHelp};
    fields[1] = {"t1", "End time", core::FieldType::Real,       5.0, "", 0.001, 1000,
                 {},   "s",        "When the simulation stops."};
    fields[2] = {
        "seed", "Random seed",           core::FieldType::Integer, 1, "", 0, 9007199254740991.0, {},
        "",     "Same seed, same paths."};
    fields[3] = {"antithetic", "Antithetic", core::FieldType::Boolean, 0, "", 0, 0, {},
                 "",           "Pair paths."};
    fields[4] = {"solver",
                 "Solver",
                 core::FieldType::Choice,
                 0,
                 "euler_maruyama",
                 0,
                 0,
                 {"euler_maruyama", "stochastic_heun"},
                 "",
                 "How each step is taken."};
    fields[5] = {"label", "Label", core::FieldType::Text, 0, "run", 0, 0,
                 {},      "",      "A name for the run."};
    return core::Schema("test", fields);
}

core::EquationSpec ouSpec() {
    core::EquationSpec spec;
    spec.name = "Ornstein-Uhlenbeck";
    spec.description =
        "Mean reversion: x is pulled towards mu at rate theta while noise of size sigma "
        "shakes it. The spread settles at sigma^2 / (2 theta).";
    spec.variables = {"x"};
    spec.drift = {"-theta*(x - mu)"};
    spec.diffusion = {"sigma"};
    spec.parameters = {{"theta", 1.5, 0.0, 5.0, "Rate of mean reversion"},
                       {"mu", 0.25, -2.0, 2.0, "Long-run mean"},
                       {"sigma", 0.123456789, 0.0, 2.0, "Noise amplitude"}};
    spec.initial = {1.234567};
    spec.analytic = core::AnalyticKind::OrnsteinUhlenbeck;
    return spec;
}

// QCOMPARE cannot print nlohmann::json; show both sides on failure instead.
#define COMPARE_JSON(actual, expected)                                                    \
    do {                                                                                  \
        const nlohmann::json a_ = (actual), e_ = (expected);                              \
        QVERIFY2(a_ == e_,                                                                \
                 qPrintable(QString::fromStdString(a_.dump() + "\n   != " + e_.dump()))); \
    } while (false)

void retype(QLineEdit* edit, const QString& text) {
    edit->setFocus();
    edit->selectAll();
    QTest::keyClick(edit, Qt::Key_Backspace);
    QTest::keyClicks(edit, text);
}

}  // namespace

class TestPanels : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void schemaFormRoundTrip();
    void schemaFormEnforcesRanges();
    void schemaFormTooltipsAndSignals();
    void equationEditorRoundTrip();
    void equationEditorFlagsBadExpression();
    void equationEditorDimension();
    void equationEditorAnalytic();
    void equationEditorParameterTable();
    void parameterSliders();
    void runControlsShortcuts();
    void screenshot();
};

void TestPanels::schemaFormRoundTrip() {
    SchemaForm form(testSchema());
    COMPARE_JSON(form.values(), form.schema().defaults());

    const nlohmann::json values = {{"paths", 5000},
                                   {"t1", 2.5},
                                   {"seed", 9007199254740000LL},
                                   {"antithetic", true},
                                   {"solver", "stochastic_heun"},
                                   {"label", "hello"}};
    form.setValues(values);
    COMPARE_JSON(form.values(), values);
    QVERIFY(qobject_cast<QSpinBox*>(form.editorFor("paths")));
    QVERIFY(qobject_cast<QDoubleSpinBox*>(form.editorFor("t1")));
    QVERIFY(qobject_cast<QCheckBox*>(form.editorFor("antithetic")));
    QVERIFY(qobject_cast<QComboBox*>(form.editorFor("solver")));
    QVERIFY(form.editorFor("nope") == nullptr);

    // Missing keys fall back to the defaults.
    form.setValues(nlohmann::json{{"paths", 7}});
    const nlohmann::json expected = [&] {
        nlohmann::json d = form.schema().defaults();
        d["paths"] = 7;
        return d;
    }();
    COMPARE_JSON(form.values(), expected);
}

void TestPanels::schemaFormEnforcesRanges() {
    SchemaForm form(testSchema());
    form.setValues(nlohmann::json{{"paths", 10000000}, {"t1", -3.0}, {"seed", -5}});
    const nlohmann::json v = form.values();
    QCOMPARE(v["paths"].get<int>(), 100000);
    QCOMPARE(v["t1"].get<double>(), 0.001);
    QCOMPARE(v["seed"].get<long long>(), 0LL);

    auto* paths = qobject_cast<QSpinBox*>(form.editorFor("paths"));
    QCOMPARE(paths->minimum(), 1);
    QCOMPARE(paths->maximum(), 100000);
    QVERIFY(paths->suffix().contains("paths"));
    QVERIFY(qobject_cast<QDoubleSpinBox*>(form.editorFor("t1"))->suffix().contains("s"));

    // The seed does not fit an int: it must neither overflow nor accept letters.
    auto* seed = qobject_cast<QLineEdit*>(form.editorFor("seed"));
    QVERIFY(seed);
    QTest::keyClicks(seed, "abc");
    QVERIFY(seed->text().toStdString().find('a') == std::string::npos);
    seed->setText("99999999999999999999");  // above the schema maximum
    QCOMPARE(form.values()["seed"].get<double>(), 9007199254740991.0);
}

void TestPanels::schemaFormTooltipsAndSignals() {
    SchemaForm form(testSchema());
    QVERIFY(form.editorFor("paths")->toolTip().contains(kPathsHelp));
    QVERIFY(form.editorFor("paths")->toolTip().contains("100000"));
    QVERIFY(form.editorFor("t1")->toolTip().contains("When the simulation stops."));

    QSignalSpy spy(&form, &SchemaForm::valuesChanged);
    form.setValues(nlohmann::json{{"paths", 10}, {"t1", 1.0}, {"label", "x"}});
    QCOMPARE(spy.count(), 1);
    qobject_cast<QSpinBox*>(form.editorFor("paths"))->setValue(11);
    QCOMPARE(spy.count(), 2);

    // The real simulation schema builds, and its defaults pass its own validation.
    SchemaForm simulation(core::simulationSchema());
    COMPARE_JSON(simulation.values(),
                 core::simulationSchema().validate(simulation.values(), "form"));
}

void TestPanels::equationEditorRoundTrip() {
    EquationEditor editor;
    const core::EquationSpec in = ouSpec();
    editor.setSpec(in);
    QVERIFY(editor.isValid());
    const core::EquationSpec out = editor.spec();
    QCOMPARE(out.name, in.name);
    QCOMPARE(out.description, in.description);
    QCOMPARE(out.variables, in.variables);
    QCOMPARE(out.drift, in.drift);
    QCOMPARE(out.diffusion, in.diffusion);
    QCOMPARE(out.initial, in.initial);
    QCOMPARE(int(out.analytic), int(in.analytic));
    QCOMPARE(out.parameters.size(), in.parameters.size());
    for (std::size_t i = 0; i < in.parameters.size(); ++i) {
        QCOMPARE(out.parameters[i].name, in.parameters[i].name);
        QCOMPARE(out.parameters[i].value, in.parameters[i].value);
        QCOMPARE(out.parameters[i].min, in.parameters[i].min);
        QCOMPARE(out.parameters[i].max, in.parameters[i].max);
        QCOMPARE(out.parameters[i].help, in.parameters[i].help);
    }
    // The teaching text is on screen.
    bool shown = false;
    for (QLabel* label : editor.findChildren<QLabel*>())
        shown = shown || label->text().contains("Mean reversion");
    QVERIFY(shown);
}

void TestPanels::equationEditorFlagsBadExpression() {
    EquationEditor editor;
    editor.setSpec(ouSpec());
    editor.show();
    QSignalSpy validity(&editor, &EquationEditor::validityChanged);
    QSignalSpy edited(&editor, &EquationEditor::specEdited);

    QLineEdit* drift = editor.driftEdit(0);
    retype(drift, "theta**x");
    QVERIFY(!editor.isValid());
    const core::ExpressionCheck expected =
        core::checkExpression("theta**x", {"x"}, ouSpec().parameters);
    QVERIFY(!expected.ok);
    QVERIFY(expected.position >= 0);
    QVERIFY2(editor.validationMessage().contains(QString::number(expected.position)),
             qPrintable(editor.validationMessage()));
    QVERIFY(editor.validationMessage().contains("Drift of x"));
    QVERIFY(validity.count() >= 1);
    QCOMPARE(validity.last().at(0).toBool(), false);
    QVERIFY(drift->property("invalid").toBool());
    QVERIFY(drift->styleSheet().contains("border"));
    QVERIFY(!editor.saveAsPresetButton()->isEnabled());
    // The message and the caret marker are visible to the user.
    bool caretShown = false;
    for (QLabel* label : editor.findChildren<QLabel*>())
        caretShown = caretShown || (label->isVisible() && label->text().startsWith("theta**x\n") &&
                                    label->text().contains('^'));
    QVERIFY(caretShown);

    const int editsBefore = int(edited.count());
    retype(drift, "-theta*x");
    QVERIFY(editor.isValid());
    QVERIFY(editor.validationMessage().isEmpty());
    QCOMPARE(validity.last().at(0).toBool(), true);
    QVERIFY(edited.count() > editsBefore);
    QVERIFY(!drift->property("invalid").toBool());
    QCOMPARE(editor.spec().drift[0], std::string("-theta*x"));

    // An unknown name in the diffusion is caught too, and fixed by adding the parameter.
    retype(editor.diffusionEdit(0), "kappa*x");
    QVERIFY(!editor.isValid());
    QVERIFY(editor.validationMessage().contains("Diffusion of x"));
    QTableWidget* table = editor.parameterTable()->table();
    QTest::mouseClick(editor.parameterTable()->addButton(), Qt::LeftButton);
    QCOMPARE(table->rowCount(), 4);
    table->item(3, ParameterTable::NameColumn)->setText("kappa");
    QVERIFY2(editor.isValid(), qPrintable(editor.validationMessage()));
}

void TestPanels::equationEditorDimension() {
    EquationEditor editor;
    editor.setSpec(ouSpec());
    QSignalSpy edited(&editor, &EquationEditor::specEdited);
    editor.dimensionBox()->setValue(3);
    const core::EquationSpec spec = editor.spec();
    QCOMPARE(spec.variables, (std::vector<std::string>{"x", "y", "z"}));
    QCOMPARE(spec.drift.size(), std::size_t(3));
    QCOMPARE(spec.diffusion.size(), std::size_t(3));
    QCOMPARE(spec.initial.size(), std::size_t(3));
    QCOMPARE(spec.drift[0], std::string("-theta*(x - mu)"));
    QVERIFY(editor.driftEdit(2) && !editor.driftEdit(3));
    QCOMPARE(editor.findChildren<QGroupBox*>().size(), 3);
    QVERIFY(editor.isValid());
    QCOMPARE(edited.count(), 1);

    // Past three components the names become x1..xn and the expressions follow.
    editor.dimensionBox()->setValue(4);
    QCOMPARE(editor.spec().variables, (std::vector<std::string>{"x1", "x2", "x3", "x4"}));
    QCOMPARE(editor.spec().drift[0], std::string("-theta*(x1 - mu)"));
    QCOMPARE(editor.findChildren<QGroupBox*>().size(), 4);
    editor.dimensionBox()->setValue(1);
    QCOMPARE(editor.spec().variables, (std::vector<std::string>{"x"}));
    QCOMPARE(editor.spec().drift[0], std::string("-theta*(x - mu)"));
    QCOMPARE(editor.findChildren<QGroupBox*>().size(), 1);
}

void TestPanels::equationEditorAnalytic() {
    EquationEditor editor;
    editor.setSpec(ouSpec());
    QCOMPARE(editor.spec().analytic, core::AnalyticKind::OrnsteinUhlenbeck);
    QLineEdit* drift = editor.driftEdit(0);
    drift->setFocus();
    drift->end(false);
    QTest::keyClicks(drift, " + 1");
    QVERIFY(editor.isValid());
    QCOMPARE(editor.spec().analytic, core::AnalyticKind::None);
    retype(drift, "-theta*(x - mu)");
    QCOMPARE(editor.spec().analytic, core::AnalyticKind::OrnsteinUhlenbeck);
    // A new parameter value keeps the closed form; only the equation's shape matters.
    editor.setParameterValue("theta", 2.0);
    QCOMPARE(editor.spec().parameters[0].value, 2.0);
    QCOMPARE(editor.spec().analytic, core::AnalyticKind::OrnsteinUhlenbeck);
}

void TestPanels::equationEditorParameterTable() {
    EquationEditor editor;
    editor.setSpec(ouSpec());
    QTableWidget* table = editor.parameterTable()->table();
    QCOMPARE(table->rowCount(), 3);

    // A value outside [min, max] is pulled in, with a note.
    table->item(0, ParameterTable::ValueColumn)->setText("9");
    QCOMPARE(editor.spec().parameters[0].value, 5.0);
    QVERIFY(editor.isValid());
    QVERIFY(editor.parameterTable()->notice().contains("5"));

    // min > max is refused with a message, until fixed.
    QSignalSpy validity(&editor, &EquationEditor::validityChanged);
    table->item(1, ParameterTable::MinColumn)->setText("3");
    QVERIFY(!editor.isValid());
    QVERIFY(editor.validationMessage().contains("min"));
    QCOMPARE(validity.last().at(0).toBool(), false);
    table->item(1, ParameterTable::MaxColumn)->setText("4");
    QVERIFY(editor.isValid());
    QCOMPARE(editor.spec().parameters[1].value, 3.0);

    // Renaming a parameter invalidates the expressions that use it.
    table->item(2, ParameterTable::NameColumn)->setText("s");
    QVERIFY(!editor.isValid());
    QVERIFY(editor.validationMessage().contains("Diffusion of x"));
    table->item(2, ParameterTable::NameColumn)->setText("sigma");
    QVERIFY(editor.isValid());

    table->item(2, ParameterTable::ValueColumn)->setText("abc");
    QVERIFY(!editor.isValid());
    QVERIFY(editor.validationMessage().contains("not a number"));
    table->item(2, ParameterTable::ValueColumn)->setText("0.5");
    QVERIFY(editor.isValid());

    // Removing the last row takes sigma away, which the diffusion needs.
    QTest::mouseClick(editor.parameterTable()->removeButton(), Qt::LeftButton);
    QCOMPARE(editor.spec().parameters.size(), std::size_t(2));
    QVERIFY(!editor.isValid());

    QSignalSpy save(&editor, &EquationEditor::saveAsPresetRequested);
    editor.setSpec(ouSpec());
    QTest::mouseClick(editor.saveAsPresetButton(), Qt::LeftButton);
    QCOMPARE(save.count(), 1);
}

void TestPanels::parameterSliders() {
    ParameterSliders sliders;
    sliders.setParameters(ouSpec().parameters);
    QSignalSpy spy(&sliders, &ParameterSliders::parameterChanged);
    QSlider* theta = sliders.sliderFor("theta");
    QVERIFY(theta);
    QCOMPARE(theta->minimum(), 0);
    QCOMPARE(theta->maximum(), 1000);
    QCOMPARE(theta->value(), 300);  // 1.5 in [0, 5]
    QVERIFY(theta->toolTip().contains("Rate of mean reversion"));

    theta->setValue(250);
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.last().at(0).toString(), QString("theta"));
    QCOMPARE(spy.last().at(1).toDouble(), 1.25);
    QCOMPARE(sliders.spinBoxFor("theta")->value(), 1.25);

    // Dragging: every tracked move reports a value.
    sliders.show();
    QVERIFY(QTest::qWaitForWindowExposed(&sliders));
    QSlider* mu = sliders.sliderFor("mu");
    theta->setSliderDown(true);
    theta->setSliderPosition(600);
    QCOMPARE(spy.last().at(1).toDouble(), 3.0);

    // Rebuilding with the same names keeps the widgets and the dragged position.
    std::vector<core::Parameter> again = ouSpec().parameters;
    again[1].value = 1.0;
    sliders.setParameters(again);
    QCOMPARE(sliders.sliderFor("theta"), theta);
    QCOMPARE(sliders.sliderFor("mu"), mu);
    QCOMPARE(theta->value(), 600);
    QCOMPARE(mu->value(), 750);  // 1.0 in [-2, 2]
    theta->setSliderDown(false);

    sliders.spinBoxFor("mu")->setValue(-1.0);
    QCOMPARE(mu->value(), 250);
    QCOMPARE(spy.last().at(0).toString(), QString("mu"));
    QCOMPARE(spy.last().at(1).toDouble(), -1.0);

    sliders.setParameters({{"k", 1.0, 0.0, 2.0, ""}});
    QVERIFY(!sliders.sliderFor("theta"));
    QVERIFY(sliders.sliderFor("k"));
}

void TestPanels::runControlsShortcuts() {
    QWidget window;
    auto* layout = new QVBoxLayout(&window);
    auto* controls = new RunControls(&window);
    auto* edit = new QLineEdit(&window);  // focus elsewhere in the window
    layout->addWidget(controls);
    layout->addWidget(edit);
    window.show();
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    edit->setFocus();

    QSignalSpy run(controls, &RunControls::runRequested);
    QSignalSpy cancel(controls, &RunControls::cancelRequested);
    QSignalSpy reset(controls, &RunControls::resetRequested);
    QVERIFY(controls->runButton()->toolTip().contains("Ctrl+R"));
    QVERIFY(controls->runButton()->toolTip().contains("F5"));
    QVERIFY(controls->cancelButton()->toolTip().contains("Esc"));
    QVERIFY(controls->resetButton()->toolTip().contains("Ctrl+Shift+R"));

    QTest::keyClick(edit, Qt::Key_R, Qt::ControlModifier);
    QCOMPARE(run.count(), 1);
    QTest::keyClick(edit, Qt::Key_F5);
    QCOMPARE(run.count(), 2);
    QTest::keyClick(edit, Qt::Key_Escape);
    QCOMPARE(cancel.count(), 0);  // nothing is running

    controls->setRunning(true);
    QVERIFY(!controls->runButton()->isEnabled());
    QVERIFY(controls->cancelButton()->isEnabled());
    QTest::keyClick(edit, Qt::Key_R, Qt::ControlModifier);
    QCOMPARE(run.count(), 2);
    QTest::keyClick(edit, Qt::Key_Escape);
    QCOMPARE(cancel.count(), 1);

    controls->setRunning(false);
    QTest::keyClick(edit, Qt::Key_R, Qt::ControlModifier | Qt::ShiftModifier);
    QCOMPARE(reset.count(), 1);
    QCOMPARE(run.count(), 2);
    QTest::mouseClick(controls->runButton(), Qt::LeftButton);
    QCOMPARE(run.count(), 3);
}

// Renders the panels at the side panel's width for a person to look at; set
// DRIFTLAB_PANELS_SCREENSHOT=/path/prefix to write prefix-valid.png and prefix-invalid.png.
void TestPanels::screenshot() {
    const QString prefix = qEnvironmentVariable("DRIFTLAB_PANELS_SCREENSHOT");
    if (prefix.isEmpty()) QSKIP("set DRIFTLAB_PANELS_SCREENSHOT to render the panels");
    // As in the main window: a 380 px side panel that scrolls vertically.
    QScrollArea area;
    area.setWidgetResizable(true);
    area.setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    area.setFixedSize(380, 1500);
    auto* content = new QWidget;
    auto* layout = new QVBoxLayout(content);
    QWidget& panel = *content;
    auto* editor = new EquationEditor(&panel);
    core::EquationSpec spec = ouSpec();
    if (const core::TrajectoryConfig* preset = core::findPreset("ou")) spec = preset->equation;
    spec.variables = {"x", "y"};
    spec.drift = {"-theta*(x - mu) + 0.5*sin(2*_pi*t)*exp(-y^2/(2*sigma^2))", "x - y"};
    spec.diffusion = {"sigma", "sigma*sqrt(abs(y))"};
    spec.initial = {1.0, -0.5};
    editor->setSpec(spec);
    auto* sliders = new ParameterSliders(&panel);
    sliders->setParameters(spec.parameters);
    auto* form = new SchemaForm(core::simulationSchema(), &panel);
    auto* controls = new RunControls(&panel);
    layout->addWidget(controls);
    layout->addWidget(editor);
    layout->addWidget(sliders);
    layout->addWidget(form);
    layout->addStretch(1);
    area.setWidget(content);
    area.show();
    QVERIFY(QTest::qWaitForWindowExposed(&area));
    QVERIFY(area.grab().save(prefix + "-valid.png"));
    retype(editor->driftEdit(1), "theta**x + y");
    QTest::qWait(50);
    QVERIFY(area.grab().save(prefix + "-invalid.png"));
}

QTEST_MAIN(TestPanels)
#include "test_panels.moc"
