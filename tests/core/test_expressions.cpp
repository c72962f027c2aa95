// Typed equations: name rules, expression errors with positions, what each expression reads
// (constant / time-only / state), noise classification and worker evaluation.
#include "core/common/error.h"
#include "core/equations/compiled_equation.h"

#include <QtTest>

#include <cmath>
#include <numbers>

using namespace driftlab::core;

namespace {

Parameter param(const char* name, double value) {
    Parameter p;
    p.name = name;
    p.value = value;
    return p;
}

EquationSpec oneD(const std::string& drift, const std::string& diffusion) {
    EquationSpec spec;
    spec.name = "test";
    spec.variables = {"x"};
    spec.drift = {drift};
    spec.diffusion = {diffusion};
    spec.parameters = {param("theta", 2.0), param("mu", 0.5), param("sigma", 0.3)};
    spec.initial = {1.0};
    return spec;
}

// Evaluates drift and diffusion of a compiled equation on a batch.
Eigen::MatrixXd evalDrift(const CompiledEquation& eq, double t, const Eigen::MatrixXd& y) {
    auto worker = eq.makeWorker();
    Eigen::MatrixXd out(y.rows(), y.cols());
    worker->drift(t, y, out);
    return out;
}

Eigen::MatrixXd evalDiffusion(const CompiledEquation& eq, double t, const Eigen::MatrixXd& y) {
    auto worker = eq.makeWorker();
    Eigen::MatrixXd out(y.rows(), y.cols());
    worker->diffusion(t, y, out);
    return out;
}

template <typename E>
QString thrownMessage(const std::function<void()>& f) {
    try {
        f();
    } catch (const E& e) {
        return QString::fromStdString(e.what());
    }
    return QStringLiteral("<nothing thrown>");
}

}  // namespace

class TestExpressions : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void defaultNames();
    void checkReportsPositions_data();
    void checkReportsPositions();
    void compileErrorNamesComponent();
    void specValidation();
    void evaluation();
    void timeAndConstants();
    void noiseClassification();
    void workersAreIndependent();
};

void TestExpressions::defaultNames() {
    QCOMPARE(defaultVariableNames(1), std::vector<std::string>({"x"}));
    QCOMPARE(defaultVariableNames(2), std::vector<std::string>({"x", "y"}));
    QCOMPARE(defaultVariableNames(3), std::vector<std::string>({"x", "y", "z"}));
    QCOMPARE(defaultVariableNames(5), std::vector<std::string>({"x1", "x2", "x3", "x4", "x5"}));
    QVERIFY(defaultVariableNames(0).empty());
}

void TestExpressions::checkReportsPositions_data() {
    QTest::addColumn<QString>("expression");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<int>("position");
    QTest::addColumn<QString>("fragment");
    QTest::newRow("valid") << "theta*(mu-x)" << true << -1 << "";
    QTest::newRow("builtins") << "sin(pi*t)*exp(-x)+e" << true << -1 << "";
    QTest::newRow("double star") << "theta**x" << false << 6 << "unexpected token \"*\"";
    QTest::newRow("unknown name") << "x*kappa" << false << 2 << "unknown name \"kappa\"";
    QTest::newRow("unknown at start") << "foo+x" << false << 0 << "\"foo\"";
    QTest::newRow("dangling operator") << "x+" << false << 2 << "end of expression";
    QTest::newRow("stray parenthesis") << "x)" << false << 1 << "\")\"";
    QTest::newRow("missing parenthesis") << "sin(x" << false << 5 << "parenthesis";
    QTest::newRow("two values") << "x 2" << false << 2 << "\"2\"";
    QTest::newRow("empty") << "" << false << 0 << "empty";
    QTest::newRow("blank") << "   " << false << 0 << "empty";
    QTest::newRow("list") << "x, 2" << false << -1 << "one value";
}

void TestExpressions::checkReportsPositions() {
    QFETCH(QString, expression);
    QFETCH(bool, ok);
    QFETCH(int, position);
    QFETCH(QString, fragment);
    const ExpressionCheck check =
        checkExpression(expression.toStdString(), {"x"}, {param("theta", 2.0), param("mu", 1.0)});
    QCOMPARE(check.ok, ok);
    QCOMPARE(check.position, position);
    QVERIFY2(QString::fromStdString(check.message).contains(fragment), check.message.c_str());
}

void TestExpressions::compileErrorNamesComponent() {
    EquationSpec spec = oneD("theta*(mu-x)", "sigma");
    spec.variables = {"x", "y"};
    spec.drift = {"y", "theta**x"};
    spec.diffusion = {"sigma", "sigma"};
    spec.initial = {0.0, 0.0};
    try {
        CompiledEquation eq(spec);
        QFAIL("bad drift accepted");
    } catch (const driftlab::ExpressionError& e) {
        QCOMPARE(
            QString::fromStdString(e.what()),
            QStringLiteral("drift of y: unexpected token \"*\" at position 6 in \"theta**x\""));
        QCOMPARE(e.position(), 6);
        QCOMPARE(e.expression(), std::string("theta**x"));
    }
    spec.drift = {"y", "x"};
    spec.diffusion = {"sigma", "sigma*q"};
    try {
        CompiledEquation eq(spec);
        QFAIL("unknown variable accepted");
    } catch (const driftlab::ExpressionError& e) {
        const QString message = QString::fromStdString(e.what());
        QVERIFY2(message.startsWith("diffusion of y: unknown name \"q\" at position 6"), e.what());
        QCOMPARE(e.position(), 6);
    }
}

void TestExpressions::specValidation() {
    const auto configError = [](EquationSpec spec) {
        return thrownMessage<driftlab::ConfigError>([&] { CompiledEquation eq(spec); });
    };
    EquationSpec spec = oneD("x", "1");
    spec.variables = {};
    QVERIFY(configError(spec).contains("dimension must be 1..8"));
    spec = oneD("x", "1");
    spec.variables = defaultVariableNames(9);
    spec.drift.assign(9, "0");
    spec.diffusion.assign(9, "0");
    spec.initial.assign(9, 0.0);
    QVERIFY(configError(spec).contains("got 9"));
    spec = oneD("x", "1");
    spec.diffusion = {"1", "1"};
    QVERIFY(configError(spec).contains("diffusion has 2 entries"));
    spec = oneD("x", "1");
    spec.initial = {};
    QVERIFY(configError(spec).contains("initial has 0 entries"));
    spec = oneD("x", "1");
    spec.parameters.push_back(param("x", 1.0));
    QVERIFY(configError(spec).contains("\"x\" is used twice"));
    spec = oneD("x", "1");
    spec.parameters.push_back(param("2a", 1.0));
    QVERIFY(configError(spec).contains("\"2a\" is not a valid identifier"));
    spec = oneD("x", "1");
    spec.variables = {"t"};
    QVERIFY(configError(spec).contains("reserved"));
    spec = oneD("x", "1");
    spec.initial = {std::nan("")};
    QVERIFY(configError(spec).contains("initial value of x"));
}

void TestExpressions::evaluation() {
    EquationSpec spec;
    spec.variables = {"x", "y", "z"};
    spec.drift = {"s*(y-x)", "x*(r-z)-y", "x*y-b*z"};
    spec.diffusion = {"eps*x", "eps", "0"};
    spec.parameters = {param("s", 10.0), param("r", 28.0), param("b", 8.0 / 3.0),
                       param("eps", 0.5)};
    spec.initial = {1, 1, 1};
    const CompiledEquation eq(spec);
    Eigen::MatrixXd y(3, 4);
    y << 1, 2, -3, 0.5, 4, 5, 6, -1, 7, 8, 9, 2;
    const Eigen::MatrixXd f = evalDrift(eq, 0.0, y);
    const Eigen::MatrixXd g = evalDiffusion(eq, 0.0, y);
    for (int j = 0; j < 4; ++j) {
        const double x = y(0, j), yy = y(1, j), z = y(2, j);
        QCOMPARE(f(0, j), 10.0 * (yy - x));
        QCOMPARE(f(1, j), x * (28.0 - z) - yy);
        QCOMPARE(f(2, j), x * yy - 8.0 / 3.0 * z);
        QCOMPARE(g(0, j), 0.5 * x);
        QCOMPARE(g(1, j), 0.5);
        QCOMPARE(g(2, j), 0.0);
    }
}

void TestExpressions::timeAndConstants() {
    // Time-only and constant expressions are hoisted out of the per-path loop; their values
    // must still follow t.
    EquationSpec spec = oneD("sin(t) + x", "sigma*(1+t)");
    spec.parameters.push_back(param("amp", 3.0));
    spec.drift = {"amp*cos(pi*t) + e*x"};
    const CompiledEquation eq(spec);
    auto worker = eq.makeWorker();
    Eigen::MatrixXd y(1, 3), out(1, 3);
    y << -1, 0, 2;
    for (double t : {0.0, 0.25, 1.5}) {
        worker->drift(t, y, out);
        for (int j = 0; j < 3; ++j)
            QCOMPARE(out(0, j), 3.0 * std::cos(std::numbers::pi * t) + std::numbers::e * y(0, j));
        worker->diffusion(t, y, out);
        for (int j = 0; j < 3; ++j) QCOMPARE(out(0, j), 0.3 * (1 + t));
    }
    // A user parameter named e wins over Euler's number.
    EquationSpec shadow = oneD("e*x", "0");
    shadow.parameters = {param("e", 0.25)};
    const CompiledEquation eqShadow(shadow);
    Eigen::MatrixXd one = Eigen::MatrixXd::Constant(1, 1, 2.0);
    QCOMPARE(evalDrift(eqShadow, 0.0, one)(0, 0), 0.5);
}

void TestExpressions::noiseClassification() {
    QVERIFY(CompiledEquation(oneD("x", "sigma")).noiseType() == NoiseType::Additive);
    QVERIFY(CompiledEquation(oneD("x", "sigma*t")).noiseType() == NoiseType::Additive);
    QVERIFY(CompiledEquation(oneD("x", "sigma*x")).noiseType() == NoiseType::Diagonal);
    QVERIFY(!CompiledEquation(oneD("x", "sigma")).isDeterministic());
    QVERIFY(CompiledEquation(oneD("x", "0")).isDeterministic());
    QVERIFY(CompiledEquation(oneD("x", " 0 ")).isDeterministic());
    QVERIFY(!CompiledEquation(oneD("x", "0*t + 1e-9")).isDeterministic());
    QCOMPARE(toString(NoiseType::Additive), std::string("additive"));
    QCOMPARE(toString(Calculus::Stratonovich), std::string("Stratonovich"));
    QCOMPARE(CompiledEquation(oneD("x", "0")).dimension(), 1);
}

void TestExpressions::workersAreIndependent() {
    // Each worker owns its parsers and variable storage: interleaved use gives each its own
    // answers, and concurrent use from threads gives the serial results.
    const CompiledEquation eq(oneD("theta*(mu-x)", "sigma*x"));
    const int n = 5000;
    Eigen::MatrixXd y = Eigen::MatrixXd::Random(1, n);
    const Eigen::MatrixXd expected = evalDrift(eq, 0.0, y);
    for (int j = 0; j < n; ++j) QCOMPARE(expected(0, j), 2.0 * (0.5 - y(0, j)));
    std::vector<Eigen::MatrixXd> outs(4, Eigen::MatrixXd(1, n));
    std::vector<std::unique_ptr<SdeWorker>> workers;
    for (int i = 0; i < 4; ++i) workers.push_back(eq.makeWorker());
#pragma omp parallel for num_threads(4)
    for (int i = 0; i < 4; ++i)
        for (int rep = 0; rep < 20; ++rep) workers[i]->drift(0.0, y, outs[i]);
    for (int i = 0; i < 4; ++i) QVERIFY(outs[i] == expected);
}

QTEST_GUILESS_MAIN(TestExpressions)
#include "test_expressions.moc"
