#pragma once
// The noise part of the equation editor: a choice between diagonal noise (one diffusion per
// component, edited in the component rows) and general noise, a dim x m matrix of
// expressions whose column j multiplies the Brownian motion dW_j. This widget only shows and
// reports; EquationEditor owns the expressions and validates them.
#include <QWidget>

#include <string>
#include <vector>

class QComboBox;
class QGridLayout;
class QLabel;
class QLineEdit;
class QScrollArea;
class QSpinBox;

namespace driftlab::widgets {

class NoiseMatrixGrid : public QWidget {
    Q_OBJECT
public:
    static constexpr int kMaxBrownianMotions = 8;

    explicit NoiseMatrixGrid(QWidget* parent = nullptr);
    ~NoiseMatrixGrid() override;

    // Shows the mode, m and the first m entries of each row of cells (one row per variable);
    // emits nothing. Texts are only rewritten where they differ, so typing is not disturbed.
    void setState(bool general, int columns, const std::vector<std::string>& variables,
                  const std::vector<std::vector<std::string>>& cells);

    QComboBox* modeBox() const { return mode_; }
    QSpinBox* columnsBox() const { return columns_; }
    QLineEdit* cell(int row, int column) const;  // null outside the shown grid

Q_SIGNALS:
    void modeChanged(bool general);
    void columnsChanged(int columns);
    void cellEdited(int row, int column, const QString& text);

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void rebuild(int rows, int columns);
    void fitGridHeight();

    QComboBox* mode_ = nullptr;
    QSpinBox* columns_ = nullptr;
    QLabel* columnsLabel_ = nullptr;
    QScrollArea* gridScroll_ = nullptr;  // 8 columns do not fit a side panel: scroll sideways
    QWidget* gridHost_ = nullptr;
    QGridLayout* grid_ = nullptr;
    std::vector<QLabel*> rowLabels_;
    std::vector<QLabel*> columnLabels_;
    std::vector<std::vector<QLineEdit*>> cells_;
    bool updating_ = false;
};

}  // namespace driftlab::widgets
