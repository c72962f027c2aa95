#include "widgets/panels/noise_matrix_grid.h"

#include <QComboBox>
#include <QFontDatabase>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QScrollArea>
#include <QScrollBar>
#include <QSpinBox>
#include <QVBoxLayout>

namespace driftlab::widgets {

NoiseMatrixGrid::NoiseMatrixGrid(QWidget* parent) : QWidget(parent) {
    mode_ = new QComboBox(this);
    mode_->addItem(tr("diagonal"));
    mode_->addItem(tr("general (matrix)"));
    mode_->setToolTip(
        tr("<p><b>Diagonal</b>: each component has its own Brownian motion and one "
           "diffusion g. <b>General</b>: m Brownian motions dW1 … dWm drive all "
           "components through a matrix, entry (x, j) multiplying dWj in dx. A "
           "column shared by several components makes their noise correlated; "
           "state-dependent columns that do not commute rule out Milstein.</p>"));
    auto* modeLabel = new QLabel(tr("&Noise"), this);
    modeLabel->setBuddy(mode_);
    modeLabel->setToolTip(mode_->toolTip());

    columns_ = new QSpinBox(this);
    columns_->setRange(1, kMaxBrownianMotions);
    columns_->setToolTip(
        tr("<p>m, the number of independent Brownian motions (columns of the noise "
           "matrix). Entries of hidden columns are kept while you change m.</p>"));
    columnsLabel_ = new QLabel(tr("Brownian motions &m"), this);
    columnsLabel_->setBuddy(columns_);
    columnsLabel_->setToolTip(columns_->toolTip());

    auto* controls = new QHBoxLayout;
    controls->addWidget(modeLabel);
    controls->addWidget(mode_);
    controls->addSpacing(8);
    controls->addWidget(columnsLabel_);
    controls->addWidget(columns_);
    controls->addStretch(1);

    gridScroll_ = new QScrollArea(this);
    gridScroll_->setFrameShape(QFrame::NoFrame);
    gridScroll_->setWidgetResizable(true);
    gridScroll_->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    gridScroll_->setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    gridHost_ = new QWidget;
    grid_ = new QGridLayout(gridHost_);
    grid_->setContentsMargins(0, 0, 0, 0);
    grid_->setHorizontalSpacing(4);
    grid_->setVerticalSpacing(4);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(controls);
    gridScroll_->setWidget(gridHost_);
    layout->addWidget(gridScroll_);

    connect(mode_, &QComboBox::currentIndexChanged, this, [this](int index) {
        if (!updating_) Q_EMIT modeChanged(index == 1);
    });
    connect(columns_, &QSpinBox::valueChanged, this, [this](int m) {
        if (!updating_) Q_EMIT columnsChanged(m);
    });
    setState(false, 1, {}, {});
}

NoiseMatrixGrid::~NoiseMatrixGrid() = default;

QLineEdit* NoiseMatrixGrid::cell(int row, int column) const {
    if (row < 0 || row >= int(cells_.size())) return nullptr;
    if (column < 0 || column >= int(cells_[row].size())) return nullptr;
    return cells_[row][column];
}

void NoiseMatrixGrid::rebuild(int rows, int columns) {
    // Rebuilt only when the shape changes, which the user does by hand: cheap enough, and a
    // grid with stale positions is worse than recreated fields.
    for (QLabel* label : rowLabels_) delete label;
    for (QLabel* label : columnLabels_) delete label;
    for (auto& row : cells_)
        for (QLineEdit* edit : row) delete edit;
    rowLabels_.clear();
    columnLabels_.clear();
    cells_.assign(rows, {});
    const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    for (int j = 0; j < columns; ++j) {
        auto* label = new QLabel(tr("dW%1").arg(j + 1), gridHost_);
        label->setAlignment(Qt::AlignCenter);
        grid_->addWidget(label, 0, j + 1);
        columnLabels_.push_back(label);
    }
    for (int i = 0; i < rows; ++i) {
        auto* label = new QLabel(gridHost_);
        grid_->addWidget(label, i + 1, 0);
        rowLabels_.push_back(label);
        for (int j = 0; j < columns; ++j) {
            auto* edit = new QLineEdit(gridHost_);
            edit->setFont(mono);
            // Narrow enough that 3-4 columns fit the side panel; long entries scroll.
            edit->setMinimumWidth(48);
            grid_->addWidget(edit, i + 1, j + 1);
            cells_[i].push_back(edit);
            connect(edit, &QLineEdit::textChanged, this, [this, i, j](const QString& text) {
                if (!updating_) Q_EMIT cellEdited(i, j, text);
            });
        }
    }
    for (int j = 0; j < kMaxBrownianMotions + 1; ++j)
        grid_->setColumnStretch(j, j == 0 || j > columns ? 0 : 1);
    fitGridHeight();
}

void NoiseMatrixGrid::fitGridHeight() {
    // The scroll area shows every row; it only grows by a scroll bar when the columns are
    // wider than the panel.
    const bool scrolls = gridHost_->minimumSizeHint().width() > gridScroll_->width();
    const int bar = scrolls ? gridScroll_->horizontalScrollBar()->sizeHint().height() : 0;
    gridScroll_->setFixedHeight(gridHost_->sizeHint().height() + bar);
}

void NoiseMatrixGrid::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    fitGridHeight();
}

void NoiseMatrixGrid::setState(bool general, int columns, const std::vector<std::string>& variables,
                               const std::vector<std::vector<std::string>>& cells) {
    updating_ = true;
    mode_->setCurrentIndex(general ? 1 : 0);
    columns_->setValue(columns);
    columns_->setVisible(general);
    columnsLabel_->setVisible(general);
    gridScroll_->setVisible(general);
    const int rows = general ? int(variables.size()) : 0;
    const int shown = general ? columns : 0;
    if (int(cells_.size()) != rows || (rows > 0 && int(cells_[0].size()) != shown))
        rebuild(rows, shown);
    for (int i = 0; i < rows; ++i) {
        const QString var = QString::fromStdString(variables[i]);
        rowLabels_[i]->setText(tr("d%1").arg(var));
        for (int j = 0; j < shown; ++j) {
            QLineEdit* edit = cells_[i][j];
            const QString text =
                j < int(cells[i].size()) ? QString::fromStdString(cells[i][j]) : QString("0");
            edit->setToolTip(tr("<p>Coefficient of dW%1 in d%2: how Brownian motion %1 drives %2. "
                                "Use t, the state variables and the parameters.</p>")
                                 .arg(j + 1)
                                 .arg(var));
            if (edit->text() == text) continue;
            edit->setText(text);
            edit->setCursorPosition(0);  // show a long expression from its start
        }
    }
    updating_ = false;
}

}  // namespace driftlab::widgets
