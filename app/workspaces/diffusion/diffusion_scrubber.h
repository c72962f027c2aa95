#pragma once
// The Diffusion workspace's time scrubber: a slider over diffusion time with a play button
// that animates the sample cloud forward (data -> noise) or in reverse (noise -> data), the
// learned score or velocity arrows (and, for Gaussian-mixture data, the true score) following
// the slider. Every frame was computed on a worker (ScrubFrames); moving the slider only
// swaps what the view shows.
#include <Eigen/Core>

#include <QWidget>

#include <memory>

class QComboBox;
class QLabel;
class QPushButton;
class QSlider;
class QTimer;

namespace driftlab::widgets {
class PointCloudView;
}

namespace driftlab::core {
struct ScrubFrames;
}

namespace driftlab::app {

using core::ScrubFrames;

// Check boxes that show or hide the view's layers (data, samples, paths, arrows, truth).
QWidget* makeLayerToggles(widgets::PointCloudView* view);

class DiffusionScrubber : public QWidget {
    Q_OBJECT

public:
    enum class Mode { Samples, Forward, Reverse };

    explicit DiffusionScrubber(widgets::PointCloudView* view, QWidget* parent = nullptr);
    ~DiffusionScrubber() override;

    // finalSamples (user coordinates) is what the Samples mode shows.
    void setFrames(std::shared_ptr<const ScrubFrames> frames, const Eigen::Matrix2Xd& finalSamples);
    void clear();
    bool hasFrames() const { return frames_ != nullptr; }

    Mode mode() const;
    void setMode(Mode mode);
    double time() const;  // diffusion time of the shown frame
    void setTime(double t);
    QSlider* slider() const { return slider_; }
    QPushButton* playButton() const { return play_; }
    bool isPlaying() const;

public Q_SLOTS:
    void play();
    void stop();

Q_SIGNALS:
    // The view changed; the owner may retitle it.
    void frameShown(const QString& title);

private:
    void showFrame();
    void advance();

    widgets::PointCloudView* view_;
    std::shared_ptr<const ScrubFrames> frames_;
    Eigen::Matrix2Xd finalSamples_{2, 0};
    QComboBox* mode_ = nullptr;
    QPushButton* play_ = nullptr;
    QSlider* slider_ = nullptr;
    QLabel* label_ = nullptr;
    QTimer* timer_ = nullptr;
    bool pathsStashed_ = false;
    bool pathsWereVisible_ = true;
};

}  // namespace driftlab::app
