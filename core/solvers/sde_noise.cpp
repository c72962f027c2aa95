#include "core/solvers/sde_noise.h"

namespace driftlab::core {

void evaluateDiffusion(SdeWorker& worker, double t, const Eigen::Ref<const Eigen::MatrixXd>& y,
                       Eigen::MatrixXd& G) {
    const int m = worker.matrixNoiseColumns();
    if (m == 0) {
        G.resize(y.rows(), y.cols());
        worker.diffusion(t, y, G);
    } else {
        G.resize(y.rows() * m, y.cols());
        worker.diffusionMatrix(t, y, G);
    }
}

void addDiffusion(const Eigen::MatrixXd& G, const Eigen::Ref<const Eigen::MatrixXd>& dW,
                  Eigen::Ref<Eigen::MatrixXd> out, double scale) {
    const Eigen::Index dim = out.rows();
    if (G.rows() == dim && dW.rows() == dim) {
        out.array() += scale * G.array() * dW.array();
        return;
    }
    const Eigen::Index m = dW.rows();
    for (Eigen::Index j = 0; j < out.cols(); ++j)
        out.col(j).noalias() +=
            scale * Eigen::Map<const Eigen::MatrixXd>(G.col(j).data(), dim, m) * dW.col(j);
}

void applyDiffusion(const Eigen::MatrixXd& G, const Eigen::Ref<const Eigen::MatrixXd>& dW,
                    Eigen::Ref<Eigen::MatrixXd> out) {
    out.setZero();
    addDiffusion(G, dW, out);
}

}  // namespace driftlab::core
