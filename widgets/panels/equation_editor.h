#pragma once
// Edits a typed SDE dx = f(t, x) dt + g(t, x) dW component by component (diagonal noise) or
// with a dim x m noise matrix (general noise), with the equation's parameters, validating every
// expression as it is typed so the user sees where it breaks before anything runs.
#include "core/equations/equation_spec.h"

#include <QWidget>

#include <vector>

class QDoubleSpinBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QVBoxLayout;

namespace driftlab::widgets {

class NoiseMatrixGrid;
class ParameterTable;

class EquationEditor : public QWidget {
    Q_OBJECT
public:
    explicit EquationEditor(QWidget* parent = nullptr);
    ~EquationEditor() override;

    // Shows spec as given; emits validityChanged() if validity flips, never specEdited().
    void setSpec(const core::EquationSpec& spec);
    // The edited spec. analytic is kept only while drift, diffusion, variables and
    // parameter names are what setSpec() gave: an edited equation has no closed form.
    core::EquationSpec spec() const;
    bool isValid() const { return valid_; }
    // The problems, one a line, expressions first ("Drift of x: unexpected token \"*\" at
    // position 6"), then the parameter table's; empty when valid.
    QString validationMessage() const { return message_; }
    // Follows a parameter slider without signalling back (the caller already knows).
    void setParameterValue(const QString& name, double value);

    // Parts, for tests and for the window's focus chain.
    QSpinBox* dimensionBox() const { return dimension_; }
    QLineEdit* driftEdit(int component) const;
    QLineEdit* diffusionEdit(int component) const;
    QDoubleSpinBox* initialBox(int component) const;
    NoiseMatrixGrid* noiseGrid() const { return noise_; }
    bool hasGeneralNoise() const { return general_; }
    ParameterTable* parameterTable() const { return parameters_; }
    QPushButton* saveAsPresetButton() const { return saveButton_; }

Q_SIGNALS:
    // The user changed something and the result is valid.
    void specEdited();
    void validityChanged(bool valid);
    void saveAsPresetRequested();

private:
    struct Row {
        QGroupBox* box;
        QLabel* initialLabel;
        QLineEdit* drift;
        QLineEdit* diffusion;
        QDoubleSpinBox* initial;
    };
    void addRow();
    void syncRowsToSpec();
    void onDimensionChanged(int dimension);
    void onExpressionEdited(int component, bool drift, const QString& text);
    void onNoiseModeChanged(bool general);
    void onNoiseColumnsChanged(int columns);
    void onNoiseCellEdited(int row, int column, const QString& text);
    std::vector<std::vector<std::string>> noiseMatrix() const;  // the first columns_ of each row
    void onParametersEdited();
    void userEdited();
    void validate();

    core::EquationSpec spec_;      // what the widgets show, exact values
    core::EquationSpec original_;  // what setSpec() gave, to decide whether analytic holds
    std::vector<Row> rows_;
    // General noise lives here, not in spec_, so that switching modes or shrinking m keeps
    // what was typed: dimension rows x kMaxBrownianMotions columns, the first columns_ used.
    std::vector<std::vector<std::string>> noiseCells_;
    std::vector<std::vector<std::string>> originalNoise_;  // setSpec()'s matrix, for analytic
    bool general_ = false;
    int columns_ = 1;
    NoiseMatrixGrid* noise_ = nullptr;
    QLabel* description_ = nullptr;
    QSpinBox* dimension_ = nullptr;
    QVBoxLayout* rowsLayout_ = nullptr;
    QLabel* problem_ = nullptr;  // the message, wrapped
    QLabel* caret_ = nullptr;    // the expression with a ^ under the bad token, monospace
    QLabel* notice_ = nullptr;   // automatic corrections (clamped values)
    ParameterTable* parameters_ = nullptr;
    QPushButton* saveButton_ = nullptr;
    QString message_;
    bool valid_ = true;
    bool updating_ = false;
};

}  // namespace driftlab::widgets
