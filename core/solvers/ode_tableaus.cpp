#include "core/solvers/ode_tableaus.h"

#include "core/common/error.h"

#include <initializer_list>

namespace driftlab::core {
namespace {

// Rows of the strictly lower triangle, row i holding a(i, 0..i-1).
Eigen::MatrixXd lowerTriangle(int stages,
                              std::initializer_list<std::initializer_list<double>> rows) {
    Eigen::MatrixXd a = Eigen::MatrixXd::Zero(stages, stages);
    int i = 1;
    for (const auto& row : rows) {
        int j = 0;
        for (double value : row) a(i, j++) = value;
        ++i;
    }
    return a;
}

Eigen::VectorXd vec(std::initializer_list<double> values) {
    Eigen::VectorXd v(static_cast<Eigen::Index>(values.size()));
    Eigen::Index i = 0;
    for (double value : values) v(i++) = value;
    return v;
}

}  // namespace

ButcherTableau eulerTableau() {
    ButcherTableau t;
    t.id = "euler";
    t.name = "Euler";
    t.stages = 1;
    t.order = 1;
    t.a = Eigen::MatrixXd::Zero(1, 1);
    t.b = vec({1.0});
    t.c = vec({0.0});
    return t;
}

ButcherTableau midpointTableau() {
    ButcherTableau t;
    t.id = "midpoint";
    t.name = "Explicit midpoint";
    t.stages = 2;
    t.order = 2;
    t.a = lowerTriangle(2, {{0.5}});
    t.b = vec({0.0, 1.0});
    t.c = vec({0.0, 0.5});
    return t;
}

ButcherTableau heunTableau() {
    ButcherTableau t;
    t.id = "heun";
    t.name = "Heun";
    t.stages = 2;
    t.order = 2;
    t.a = lowerTriangle(2, {{1.0}});
    t.b = vec({0.5, 0.5});
    t.c = vec({0.0, 1.0});
    return t;
}

ButcherTableau rk4Tableau() {
    ButcherTableau t;
    t.id = "rk4";
    t.name = "Classical Runge–Kutta 4";
    t.stages = 4;
    t.order = 4;
    t.a = lowerTriangle(4, {{0.5}, {0.0, 0.5}, {0.0, 0.0, 1.0}});
    t.b = vec({1.0 / 6.0, 1.0 / 3.0, 1.0 / 3.0, 1.0 / 6.0});
    t.c = vec({0.0, 0.5, 0.5, 1.0});
    return t;
}

// Bogacki & Shampine, Appl. Math. Lett. 2 (1989): third order, second-order embedded
// estimate, FSAL (MATLAB's ode23).
ButcherTableau bogackiShampine3Tableau() {
    ButcherTableau t;
    t.id = "bs3";
    t.name = "Bogacki–Shampine 3(2)";
    t.stages = 4;
    t.order = 3;
    t.embeddedOrder = 2;
    t.fsal = true;
    t.a = lowerTriangle(4, {{1.0 / 2.0}, {0.0, 3.0 / 4.0}, {2.0 / 9.0, 1.0 / 3.0, 4.0 / 9.0}});
    t.b = vec({2.0 / 9.0, 1.0 / 3.0, 4.0 / 9.0, 0.0});
    t.c = vec({0.0, 1.0 / 2.0, 3.0 / 4.0, 1.0});
    const Eigen::VectorXd bHat = vec({7.0 / 24.0, 1.0 / 4.0, 1.0 / 3.0, 1.0 / 8.0});
    t.bError = t.b - bHat;
    t.dense = DenseOutputKind::Hermite;
    t.stabilityBoundary = 2.5;  // real-axis bound of the order-3 stability polynomial: 2.51
    return t;
}

// Dormand & Prince, J. Comput. Appl. Math. 6 (1980), as in Hairer's DOPRI5.
ButcherTableau dormandPrince5Tableau() {
    ButcherTableau t;
    t.id = "dp5";
    t.name = "Dormand–Prince 5(4)";
    t.stages = 7;
    t.order = 5;
    t.embeddedOrder = 4;
    t.fsal = true;
    t.a = lowerTriangle(
        7, {{1.0 / 5.0},
            {3.0 / 40.0, 9.0 / 40.0},
            {44.0 / 45.0, -56.0 / 15.0, 32.0 / 9.0},
            {19372.0 / 6561.0, -25360.0 / 2187.0, 64448.0 / 6561.0, -212.0 / 729.0},
            {9017.0 / 3168.0, -355.0 / 33.0, 46732.0 / 5247.0, 49.0 / 176.0, -5103.0 / 18656.0},
            {35.0 / 384.0, 0.0, 500.0 / 1113.0, 125.0 / 192.0, -2187.0 / 6784.0, 11.0 / 84.0}});
    t.b =
        vec({35.0 / 384.0, 0.0, 500.0 / 1113.0, 125.0 / 192.0, -2187.0 / 6784.0, 11.0 / 84.0, 0.0});
    t.c = vec({0.0, 1.0 / 5.0, 3.0 / 10.0, 4.0 / 5.0, 8.0 / 9.0, 1.0, 1.0});
    // b - b_hat written out as in DOPRI5 (e1..e7) so no digits are lost to cancellation.
    t.bError = vec({71.0 / 57600.0, 0.0, -71.0 / 16695.0, 71.0 / 1920.0, -17253.0 / 339200.0,
                    22.0 / 525.0, -1.0 / 40.0});
    t.dense = DenseOutputKind::DormandPrince;
    t.stabilityBoundary = 3.25;  // Hairer–Wanner's threshold for DOPRI5 (true bound 3.3066)
    return t;
}

// Tsitouras, Comput. Math. Appl. 62 (2011) 770–775: "Runge–Kutta pairs of order 5(4)
// satisfying only the first column simplifying assumption". Coefficients to the digits the
// paper's companion tables give (more than double precision holds).
ButcherTableau tsitouras5Tableau() {
    ButcherTableau t;
    t.id = "tsit5";
    t.name = "Tsitouras 5(4)";
    t.stages = 7;
    t.order = 5;
    t.embeddedOrder = 4;
    t.fsal = true;
    const double b1 = 0.09646076681806522951816731316512876333711995238157997181903319145764851;
    const double b2 = 0.01;
    const double b3 = 0.4798896504144995747752495322905965199130404621990332488332634944254542;
    const double b4 = 1.379008574103741893192274821856872770756462643091360525934940067397245;
    const double b5 = -3.290069515436080679901047585711363850115683290894936158531296799594813;
    const double b6 = 2.324710524099773982415355918398765796109060233222962411944060046314465;
    t.a = lowerTriangle(
        7, {{0.161},
            {-0.008480655492356988544426874250230774675121177393430391537369234245294192976164141,
             0.3354806554923569885444268742502307746751211773934303915373692342452941929761641},
            {2.897153057105493432130432594192938764924887287701866490314866693455023795137503,
             -6.359448489975074843148159912383825625952700647415626703305928850207288721235210,
             4.362295432869581411017727318190886861027813359713760212991062156752264926097707},
            {5.325864828439256604428877920840511317836476253097040101202360397727981648835607,
             -11.74888356406282787774717033978577296188744178259862899288666928009020615663593,
             7.495539342889836208304604784564358155658679161518186721010132816213648793440552,
             -0.09249506636175524925650207933207191611349983406029535244034750452930469056411389},
            {5.861455442946420028659251486982647890394337666164814434818157239052507339770711,
             -12.92096931784710929170611868178335939541780751955743459166312250439928519268343,
             8.159367898576158643180400794539253485181918321135053305748355423955009222648673,
             -0.07158497328140099722453054252582973869127213147363544882721139659546372402303777,
             -0.02826905039406838290900305721271224146717633626879770007617876201276764571291579},
            {b1, b2, b3, b4, b5, b6}});
    t.b = vec({b1, b2, b3, b4, b5, b6, 0.0});
    t.c = vec({0.0, 0.161, 0.327, 0.9,
               0.9800255409045096857298102862870245954942137979563024768854764293221195950761, 1.0,
               1.0});
    // b - b_hat from the long-digit b_hat: one rounding, no loss beyond double precision.
    t.bError = vec({b1 - 0.09468075576583945807478876255758922856117527357724631226139574065785592,
                    b2 - 0.009183565540343253096776363936645313759813746240984095238905939532922955,
                    b3 - 0.4877705284247615707855642599631228241516691959761363774365216240304071,
                    b4 - 1.234297566930478985655109673884237654035539930748192848315425833500484,
                    b5 + 2.707712349983525454881109975059321670689605166938197378763992255714444,
                    b6 - 1.866628418170587035753719399566211498666255505244122593996591602841258,
                    -1.0 / 66.0});
    t.dense = DenseOutputKind::Tsitouras;
    t.stabilityBoundary = 3.5;  // real-axis bound of Tsit5's stability region: 3.5068
    return t;
}

void denseWeights(const ButcherTableau& tableau, double theta, Eigen::VectorXd& w) {
    const int s = tableau.stages;
    w.resize(s);
    const double th = theta;
    const double th1 = 1.0 - theta;
    switch (tableau.dense) {
        case DenseOutputKind::None:
            throw SolverError(tableau.name + " has no dense output");
        case DenseOutputKind::Hermite: {
            // Cubic Hermite through (y0, f0) and (y1, f1), with y1 - y0 = h b.k and f1 the FSAL
            // stage k_s.
            w = th * tableau.b + th * (th - 1.0) * (1.0 - 2.0 * th) * tableau.b;
            w(0) += th * (th - 1.0) * (th - 1.0);
            w(s - 1) += th * (th - 1.0) * th;
            return;
        }
        case DenseOutputKind::DormandPrince: {
            // Hairer's CONTD5: y0 + th*(dy + th1*(bspl + th*((dy - h f1 - bspl) + th1*r5)))
            // with dy = h b.k, bspl = h k1 - dy, r5 = h d.k; expanded into stage weights.
            static const double d[7] = {
                -12715105075.0 / 11282082432.0,  0.0,
                87487479700.0 / 32700410799.0,   -10690763975.0 / 1880347072.0,
                701980252875.0 / 199316789632.0, -1453857185.0 / 822651844.0,
                69997945.0 / 29380423.0};
            const double c2 = th * th1;       // multiplies bspl
            const double c3 = th * th * th1;  // multiplies (dy - h f1 - bspl)
            const double c4 = c3 * th1;       // multiplies r5
            for (int i = 0; i < s; ++i) {
                const double bi = tableau.b(i);
                w(i) = th * bi - c2 * bi + c3 * (2.0 * bi) + c4 * d[i];
            }
            w(0) += c2 - c3;
            w(s - 1) -= c3;
            return;
        }
        case DenseOutputKind::Tsitouras: {
            // Tsitouras' interpolant in factored form (roots of each weight polynomial).
            const double t2 = th * th;
            w(0) = -1.0530884977290216 * th * (th - 1.3299890189751412) *
                   (t2 - 1.4364028541716351 * th + 0.7139816917074209);
            w(1) = 0.1017 * t2 * (t2 - 2.1966568338249754 * th + 1.2949852507374631);
            w(2) =
                2.490627285651252793 * t2 * (t2 - 2.38535645472061657 * th + 1.57803468208092486);
            w(3) = -16.54810288924490272 * (th - 1.21712927295533244) * (th - 0.61620406037800089) *
                   t2;
            w(4) = 47.37952196281928122 * (th - 1.203071208372362603) *
                   (th - 0.658047292653547382) * t2;
            w(5) = -34.87065786149660974 * (th - 1.2) * (th - 0.666666666666666667) * t2;
            w(6) = 2.5 * (th - 1.0) * (th - 0.6) * t2;
            return;
        }
    }
}

}  // namespace driftlab::core
