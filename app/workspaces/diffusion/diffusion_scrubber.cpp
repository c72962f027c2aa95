#include "app/workspaces/diffusion/diffusion_scrubber.h"

#include "core/diffusion/diffusion_analysis.h"
#include "widgets/views/point_cloud_view.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSlider>
#include <QTimer>

#include <tuple>
#include <vector>

namespace driftlab::app {

namespace {
constexpr int kFrameMs = 40;  // 41 frames: a 1.6 s sweep, slow enough to follow a point
}

QWidget* makeLayerToggles(widgets::PointCloudView* view) {
    using Layer = widgets::PointCloudView::Layer;
    auto* row = new QWidget;
    auto* layout = new QHBoxLayout(row);
    layout->setContentsMargins(6, 2, 6, 4);
    const std::vector<std::tuple<const char*, Layer, const char*>> layers = {
        {"Data", Layer::Data, "The training data, faint"},
        {"Samples", Layer::Samples, "The samples (or the scrubber's frame)"},
        {"Paths", Layer::Paths,
         "20 particles from the same noise: the stochastic dynamics (blue) and the "
         "deterministic one (green)"},
        {"Learned field", Layer::Arrows, "The learned score or velocity at the scrubber's time"},
        {"True score", Layer::TrueArrows,
         "The exact score of the noised data where it is known (Gaussian mixtures with a score "
         "model), drawn to the learned arrows' scale"}};
    for (const auto& [text, layer, tip] : layers) {
        auto* box = new QCheckBox(text);
        box->setChecked(true);
        box->setToolTip(tip);
        layout->addWidget(box);
        QObject::connect(box, &QCheckBox::toggled, view,
                         [view, layer = layer](bool on) { view->setLayerVisible(layer, on); });
    }
    layout->addStretch(1);
    return row;
}

DiffusionScrubber::DiffusionScrubber(widgets::PointCloudView* view, QWidget* parent)
    : QWidget(parent), view_(view) {
    auto* row = new QHBoxLayout(this);
    row->setContentsMargins(6, 0, 6, 0);
    mode_ = new QComboBox;
    mode_->addItem("Samples");
    mode_->addItem("Forward noising (data → noise)");
    mode_->addItem("Reverse generation (noise → data)");
    mode_->setToolTip(
        "What the cloud shows at the slider's time: the final samples, the data "
        "being noised, or fresh noise being denoised into samples");
    play_ = new QPushButton("▶ Play");
    play_->setToolTip(
        "Animate over diffusion time: forward noising runs t = 0 → 1, reverse "
        "generation t = 1 → 0");
    slider_ = new QSlider(Qt::Horizontal);
    slider_->setToolTip(
        "Diffusion time t (0: data, 1: noise); the arrows show the learned "
        "field at this time");
    label_ = new QLabel("t = —");
    label_->setMinimumWidth(64);
    row->addWidget(mode_);
    row->addWidget(play_);
    row->addWidget(slider_, 1);
    row->addWidget(label_);
    timer_ = new QTimer(this);
    timer_->setInterval(kFrameMs);
    connect(timer_, &QTimer::timeout, this, &DiffusionScrubber::advance);
    connect(play_, &QPushButton::clicked, this, [this] { isPlaying() ? stop() : play(); });
    connect(slider_, &QSlider::valueChanged, this, &DiffusionScrubber::showFrame);
    connect(mode_, &QComboBox::currentIndexChanged, this, &DiffusionScrubber::showFrame);
    clear();
}

DiffusionScrubber::~DiffusionScrubber() = default;

void DiffusionScrubber::setFrames(std::shared_ptr<const ScrubFrames> frames,
                                  const Eigen::Matrix2Xd& finalSamples) {
    const double t = time();
    frames_ = std::move(frames);
    finalSamples_ = finalSamples;
    const bool any = frames_ && !frames_->times.empty();
    setEnabled(any);
    {
        const QSignalBlocker block(slider_);
        slider_->setRange(0, any ? static_cast<int>(frames_->times.size()) - 1 : 0);
    }
    if (any) setTime(t);
    showFrame();
}

void DiffusionScrubber::clear() {
    stop();
    frames_.reset();
    finalSamples_.resize(2, 0);
    const QSignalBlocker block(slider_);
    slider_->setRange(0, 0);
    label_->setText("t = —");
    setEnabled(false);
}

DiffusionScrubber::Mode DiffusionScrubber::mode() const {
    return static_cast<Mode>(mode_->currentIndex());
}

void DiffusionScrubber::setMode(Mode mode) { mode_->setCurrentIndex(static_cast<int>(mode)); }

double DiffusionScrubber::time() const {
    if (!frames_ || frames_->times.empty()) return 0.1;
    return frames_->times[static_cast<std::size_t>(slider_->value())];
}

void DiffusionScrubber::setTime(double t) {
    if (frames_) slider_->setValue(frames_->frameAt(t));
}

bool DiffusionScrubber::isPlaying() const { return timer_->isActive(); }

void DiffusionScrubber::play() {
    if (!frames_) return;
    if (mode() == Mode::Samples) setMode(Mode::Reverse);
    // Start from the sweep's beginning unless the user parked the slider mid-way.
    const bool forward = mode() == Mode::Forward;
    if (forward && slider_->value() == slider_->maximum()) slider_->setValue(0);
    if (!forward && slider_->value() == 0) slider_->setValue(slider_->maximum());
    play_->setText("■ Stop");
    timer_->start();
}

void DiffusionScrubber::stop() {
    timer_->stop();
    play_->setText("▶ Play");
}

void DiffusionScrubber::advance() {
    const bool forward = mode() == Mode::Forward;
    const int next = slider_->value() + (forward ? 1 : -1);
    if (next < 0 || next > slider_->maximum()) {
        stop();
        return;
    }
    slider_->setValue(next);
}

void DiffusionScrubber::showFrame() {
    if (!frames_ || frames_->times.empty()) return;
    const auto k = static_cast<std::size_t>(slider_->value());
    const double t = frames_->times[k];
    label_->setText(QString("t = %1").arg(t, 0, 'f', 3));
    // The particle paths would bury the moving cloud: hidden while a noising mode plays,
    // restored as the user left them in the Samples mode.
    using Layer = widgets::PointCloudView::Layer;
    if (mode() != Mode::Samples && !pathsStashed_) {
        pathsWereVisible_ = view_->layerVisible(Layer::Paths);
        pathsStashed_ = true;
        view_->setLayerVisible(Layer::Paths, false);
    } else if (mode() == Mode::Samples && pathsStashed_) {
        pathsStashed_ = false;
        view_->setLayerVisible(Layer::Paths, pathsWereVisible_);
    }
    QString title;
    switch (mode()) {
        case Mode::Samples:
            view_->setSamples(finalSamples_);
            break;
        case Mode::Forward:
            view_->setSamples(frames_->forward[k]);
            title = QString("Forward noising: the data at t = %1").arg(t, 0, 'f', 2);
            break;
        case Mode::Reverse:
            view_->setSamples(frames_->reverse[k]);
            title = QString("Reverse generation (%1) from noise at t = 1 to data at t = 0: t = %2")
                        .arg(QString::fromStdString(frames_->generator))
                        .arg(t, 0, 'f', 2);
            break;
    }
    view_->setArrows(
        frames_->arrowPositions, frames_->learned[k],
        QString("%1 at t = %2").arg(QString::fromStdString(frames_->fieldName)).arg(t, 0, 'f', 2));
    if (!frames_->truth.empty()) {
        view_->setTrueArrows(frames_->arrowPositions, frames_->truth[k],
                             QString("true score of the noised mixture"));
    } else {
        view_->setTrueArrows(Eigen::Matrix2Xd(2, 0), Eigen::Matrix2Xd(2, 0), {});
    }
    Q_EMIT frameShown(title);
}

}  // namespace driftlab::app
