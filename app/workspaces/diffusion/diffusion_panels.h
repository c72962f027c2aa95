#pragma once
// Panels of the Diffusion workspace that are more than a form: the model-family box (score
// SDE or stochastic interpolant, gamma, the interpolant SDE's epsilon), the density tab (the
// model's likelihood heat map next to the data histogram) and the shoot-out tab (table,
// quality-vs-NFE charts, CSV export). They only display what workers computed.
#include "core/diffusion/diffusion_shootout.h"

#include <QGroupBox>
#include <QWidget>

#include <vector>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSlider;
class QTableWidget;
class QSplitter;

namespace driftlab::widgets {
class HeatMapView;
class LossChartView;
class QualityNfeChartView;
class SchemaForm;
}  // namespace driftlab::widgets

namespace driftlab::core {
struct DensityMaps;
}

namespace driftlab::app {

using core::DensityMaps;
using core::ShootoutRow;

// The settings form's menus show the methods' usual names ("DPM-Solver++(2M)"), not their
// config ids.
void showMethodNames(widgets::SchemaForm* form);

// The model family's keys of the settings (model, interpolant, gamma, epsilon) as one box:
// once bound, the form's own rows for them are hidden and the box reads and writes them in
// the form, so the config is the only state and a loaded preset sets the box.
class DiffusionModelBox : public QGroupBox {
    Q_OBJECT

public:
    explicit DiffusionModelBox(QWidget* parent = nullptr);
    void bind(widgets::SchemaForm* form);
    double epsilon() const;
    QComboBox* familyMenu() const { return family_; }
    QDoubleSpinBox* gammaBox() const { return gamma_; }
    QSlider* epsilonSlider() const { return epsilon_; }

Q_SIGNALS:
    void epsilonChanged(double epsilon);

private:
    void readForm();
    void writeForm();
    void updateEnabled();

    widgets::SchemaForm* form_ = nullptr;
    bool syncing_ = false;  // the box and the form updating each other must not loop
    QComboBox* family_ = nullptr;
    QDoubleSpinBox* gamma_ = nullptr;
    QSlider* epsilon_ = nullptr;
    QLabel* epsilonLabel_ = nullptr;
};

// The training curve and the loss per time bucket side by side.
class DiffusionLossPanel : public QWidget {
    Q_OBJECT

public:
    explicit DiffusionLossPanel(QWidget* parent = nullptr);
    // Clears both charts; an interpolant's time axis runs from noise (0) to data (1).
    void clear(const QString& title, bool interpolant);
    // buckets may be empty (then that chart keeps what it shows).
    void setLosses(const std::vector<double>& iterations, const std::vector<double>& losses,
                   const std::vector<double>& buckets);
    widgets::LossChartView* lossChart() const { return loss_; }

private:
    widgets::LossChartView* loss_ = nullptr;
    widgets::LossChartView* buckets_ = nullptr;
};

class DiffusionDensityPanel : public QWidget {
    Q_OBJECT

public:
    explicit DiffusionDensityPanel(QWidget* parent = nullptr);
    void setMaps(const DensityMaps& maps);
    void clear(const QString& message);
    void setBusy(bool busy);
    widgets::HeatMapView* modelView() const { return model_; }
    widgets::HeatMapView* dataView() const { return data_; }
    QPushButton* computeButton() const { return compute_; }

private:
    QLabel* summary_ = nullptr;
    QPushButton* compute_ = nullptr;
    widgets::HeatMapView* model_ = nullptr;
    widgets::HeatMapView* data_ = nullptr;
};

class DiffusionShootoutPanel : public QWidget {
    Q_OBJECT

public:
    explicit DiffusionShootoutPanel(QWidget* parent = nullptr);
    // The budgets typed by the user; empty with *error set when they do not parse.
    std::vector<int> budgets(QString* error) const;
    void setBudgets(const std::vector<int>& budgets);
    void setRows(const std::vector<ShootoutRow>& rows, const QString& summary);
    const std::vector<ShootoutRow>& rows() const { return rows_; }
    void setSampleSummary(const QString& text);
    // Writes the rows as CSV through a temporary file renamed into place.
    bool exportCsv(const QString& path, QString* error) const;

    QTableWidget* table() const { return table_; }
    widgets::QualityNfeChartView* sw2Chart() const { return sw2Chart_; }
    widgets::QualityNfeChartView* mmdChart() const { return mmdChart_; }

public Q_SLOTS:
    void chooseExportFile();

Q_SIGNALS:
    void errorOccurred(const QString& message);
    void exported(const QString& path);

private:
    std::vector<ShootoutRow> rows_;
    QLabel* sampleSummary_ = nullptr;
    QLineEdit* budgets_ = nullptr;
    QPushButton* export_ = nullptr;
    QTableWidget* table_ = nullptr;
    widgets::QualityNfeChartView* sw2Chart_ = nullptr;
    widgets::QualityNfeChartView* mmdChart_ = nullptr;
};

}  // namespace driftlab::app
