// The Diffusion workspace's headless runner: every shipped preset (shrunk to seconds) writes
// its five files with numbers that mean something, and each kind of bad input (schedules,
// NFE budgets, empty / one-point / non-numeric user data, unknown keys) ends with exit code 1
// and one line naming the problem, keeping what was already written.
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "core/common/error.h"
#include "core/diffusion/diffusion_headless.h"
#include "core/diffusion/metrics.h"

using namespace driftlab::core;
using nlohmann::json;

namespace {

std::string readFile(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

long lineCount(const std::string& text) {
    return static_cast<long>(std::count(text.begin(), text.end(), '\n'));
}

// A preset cut down to a test's budget: same data set, process, prediction and sampler.
json shrunk(const std::string& id) {
    const DiffusionPlan plan = diffusionPreset(id);
    json values = plan.values;
    values["dataset_size"] = 600;
    values["iterations"] = 200;
    values["learning_rate"] = 3e-3;  // the reference rate needs its 5,000 iterations
    values["ema_decay"] = 0.99;
    values["width"] = 32;
    values["depth"] = 2;
    values["embedding_dim"] = 8;
    values["batch"] = 128;
    values["samples"] = 400;
    values["nfe"] = std::min(values["nfe"].get<int>(), 40);
    return {{"experiment", "diffusion"},
            {"name", plan.name},
            {"diffusion", values},
            {"headless",
             {{"budgets", {5, 20}},
              {"metric_points", 400},
              {"mmd_points", 200},
              {"directions", 200},
              {"likelihood_points", 50},
              {"adaptive_tolerances", {1e-2}}}}};
}

struct Run {
    int code = 0;
    std::string out, err;
};

Run runJson(const json& document, const std::string& dir, const std::string& baseDir = {}) {
    Run r;
    std::ostringstream out, err;
    HeadlessOptions options;
    options.outDir = dir;
    try {
        r.code = runDiffusionHeadless(diffusionPlanFromJson(document, "test.json", baseDir),
                                      options, out, err);
    } catch (const driftlab::Error& e) {
        r.code = 1;
        err << "driftlab: error: " << e.what() << '\n';
    }
    r.out = out.str();
    r.err = err.str();
    return r;
}

json tiny() {
    return {{"dataset", "two_moons"}, {"dataset_size", 400},
            {"iterations", 20},       {"width", 16},
            {"samples", 100},         {"nfe", 10}};
}

json tinyWith(const json& changes) {
    json document = tiny();
    document.update(changes);
    return document;
}

}  // namespace

class TestDiffusionHeadless : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void presetsAreListedAndValid() {
        const auto ids = diffusionPresetIds();
        QVERIFY(ids.size() >= 7);
        for (const char* id : {"two_moons_vp_dpm2", "eight_gaussians_vp_dpm2"})
            QVERIFY(std::find(ids.begin(), ids.end(), id) != ids.end());
        // The reference preset is the setting.
        const DiffusionPlan ref = diffusionPreset("two_moons_vp_dpm2");
        QCOMPARE(ref.config.net.hiddenWidths, (std::vector<diffusion::Index>{128, 128, 128}));
        QCOMPARE(ref.config.net.embeddingDim, diffusion::Index{32});
        QCOMPARE(ref.config.iterations, 5000L);
        QCOMPARE(ref.config.training.batchSize, diffusion::Index{512});
        QCOMPARE(ref.config.data.size, diffusion::Index{10000});
        QCOMPARE(ref.config.process.betaMax - ref.config.process.betaMin, 19.9);
        QCOMPARE(ref.shootoutOptions.budgets, (std::vector<int>{5, 10, 20, 50, 100, 1000}));
        QVERIFY_THROWS_EXCEPTION(driftlab::ConfigError, diffusionPreset("no_such_preset"));
    }

    // Each preset, shrunk: exit 0, the five files, one sample row per sample, a shoot-out row
    // per sampler and budget, finite metrics, and samples near the data.
    void everyPresetRunsHeadless() {
        std::string tooFar;
        for (const std::string& id : diffusionPresetIds()) {
            QTemporaryDir dir;
            const std::string out = dir.path().toStdString();
            const json document = shrunk(id);
            const Run r = runJson(document, out);
            QVERIFY2(r.code == 0, (id + ": " + r.err).c_str());
            for (const char* file :
                 {"config.json", "loss.csv", "samples.csv", "metrics.json", "shootout.csv"})
                QVERIFY2(QFile::exists(QString::fromStdString(out + "/" + file)),
                         (id + " " + file).c_str());
            QCOMPARE(lineCount(readFile(out + "/samples.csv")), 401L);  // header + 400
            // Score models: 8 fixed-budget samplers x 2 budgets + one adaptive tolerance;
            // interpolants: the ODE x 2 budgets, and the SDE x 2 when epsilon > 0; a header.
            const DiffusionConfig& shrunkConfig = diffusionPlanFromJson(document, id).config;
            const long shootoutRows = shrunkConfig.family == DiffusionModelFamily::ScoreSde ? 17
                                      : shrunkConfig.epsilon > 0.0                          ? 4
                                                                                            : 2;
            QCOMPARE(lineCount(readFile(out + "/shootout.csv")), 1 + shootoutRows);
            QCOMPARE(lineCount(readFile(out + "/loss.csv")), 1L + 200 / 50);
            const json m = json::parse(readFile(out + "/metrics.json"));
            QCOMPARE(m["nfe"].get<long>() > 0, true);
            const double sw2 = m["sw2"].get<double>();
            QVERIFY(std::isfinite(m["mmd2"].get<double>()));
            QVERIFY(std::isfinite(m["likelihood"]["bits_per_dim"].get<double>()));
            QCOMPARE(m["training"]["iterations"].get<long>(), 200L);
            std::printf("  %-32s %-24s SW2 %.3f (floor %.3f)\n", id.c_str(),
                        m["sampler"].get<std::string>().c_str(), sw2,
                        m["floor"]["sw2"].get<double>());
            // 200 iterations of a small net: a loose bound, but a sampler or a coordinate
            // mapping gone wrong lands far above it (standardised data spans about +-2). VE
            // starts from N(0, 10^2 I) and learns slowest: there the samples must have come a
            // long way from that prior (measured 1.1 vs about 7).
            const DiffusionPlan plan = diffusionPlanFromJson(document, id);
            double bound = 1.0;
            if (plan.config.process.kind == diffusion::ProcessKind::VE) {
                const diffusion::Points raw = diffusion::makeToyDataset(plan.config.data);
                const diffusion::Points data = diffusion::Standardizer::fit(raw).apply(raw);
                const diffusion::DiffusionProcess process(plan.config.process);
                bound =
                    0.25 * diffusion::slicedWasserstein2(process.samplePrior(400, 1), data, 200, 0);
            }
            if (!(sw2 < bound))
                tooFar +=
                    " " + id + " (" + std::to_string(sw2) + " >= " + std::to_string(bound) + ")";
            const json config = json::parse(readFile(out + "/config.json"));
            QCOMPARE(config["diffusion"]["iterations"].get<long>(), 200L);
            // config.json reads back to the same plan.
            QCOMPARE(diffusionPlanFromJson(config, "config.json").values, plan.values);
        }
        QVERIFY2(tooFar.empty(), ("SW2 above its bound:" + tooFar).c_str());
    }

    // The model family is part of the config: the interpolant presets read back with their
    // kind, gamma and epsilon, and a config without the keys is the score model it always was.
    void interpolantKeysAreFirstClass() {
        const DiffusionPlan linear = diffusionPreset("two_moons_interpolant_linear");
        QVERIFY(linear.config.family == DiffusionModelFamily::Interpolant);
        QVERIFY(linear.config.interpolant.kind == diffusion::InterpolantKind::Linear);
        QCOMPARE(linear.config.interpolant.gammaScale, 0.0);
        QCOMPARE(linear.config.epsilon, 0.0);
        const DiffusionPlan trig = diffusionPreset("eight_gaussians_interpolant_trig");
        QVERIFY(trig.config.interpolant.kind == diffusion::InterpolantKind::Trigonometric);
        QVERIFY(trig.config.interpolant.gammaScale > 0.0);
        QVERIFY(trig.config.epsilon > 0.0);
        const DiffusionConfig old = diffusionConfigFromJson(tiny(), "old.json");
        QVERIFY(old.family == DiffusionModelFamily::ScoreSde);
        QCOMPARE(diffusionSchema().validate(tiny(), "old.json")["model"].get<std::string>(),
                 std::string("score_sde"));
    }

    // The trigonometric preset with gamma > 0 and epsilon > 0, shrunk: samples by the SDE,
    // held-out bits/dim under the interpolant ODE in metrics.json (finite, below the 2.05 of
    // a standard Gaussian on standardised data), and a shoot-out of ODE and SDE rows whose NFE
    // is what each budget buys.
    void interpolantPresetRunsHeadless() {
        QTemporaryDir dir;
        const std::string out = dir.path().toStdString();
        json document = shrunk("eight_gaussians_interpolant_trig");
        document["diffusion"]["iterations"] = 400;
        document["headless"]["budgets"] = {4, 20};
        const Run r = runJson(document, out);
        QVERIFY2(r.code == 0, r.err.c_str());
        const json m = json::parse(readFile(out + "/metrics.json"));
        QCOMPARE(m["model"].get<std::string>(), std::string("interpolant"));
        QCOMPARE(m["sampler"].get<std::string>(), std::string("interpolant_sde"));
        QCOMPARE(m["nfe"].get<long>(), 40L);
        const double bits = m["likelihood"]["bits_per_dim"].get<double>();
        std::printf("  trigonometric interpolant: SW2 %.3f (floor %.3f), bits/dim %.3f\n",
                    m["sw2"].get<double>(), m["floor"]["sw2"].get<double>(), bits);
        QVERIFY(m["likelihood"]["ok"].get<bool>());
        QVERIFY(std::isfinite(bits) && bits < 2.0);
        QVERIFY(m["sw2"].get<double>() < 0.5);
        const std::string csv = readFile(out + "/shootout.csv");
        for (const char* row : {"interpolant_ode,4,0,4,", "interpolant_ode,20,0,20,",
                                "interpolant_sde,4,0,4,", "interpolant_sde,20,0,20,"})
            QVERIFY2(csv.find(row) != std::string::npos,
                     (std::string(row) + " missing in\n" + csv).c_str());
        QVERIFY(csv.find("dpm_solver") == std::string::npos);
    }

    void badSettingsEndWithOneLine() {
        struct Case {
            json document;
            const char* expected;
        };
        json schedule = tiny();
        schedule["beta_min"] = 5.0;
        schedule["beta_max"] = 5.0;
        json sigma = tiny();
        sigma["process"] = "ve";
        sigma["sigma_min"] = 0.0;
        json nfeZero = tiny();
        nfeZero["nfe"] = 0;
        json nfeHuge = tiny();
        nfeHuge["nfe"] = 1e9;
        const std::vector<Case> cases = {
            {schedule, "beta_max (5.0) must be greater than beta_min"},
            {sigma, "sigma_min must be positive"},
            {nfeZero, "nfe"},
            {nfeHuge, "nfe"},
            {{{"diffusion", tiny()}, {"headless", {{"budgets", {0}}}}},
             "NFE 0 is outside [1, 1000000]"},
            {{{"diffusion", tiny()}, {"headless", {{"budgets", {1e9}}}}},
             "is outside [1, 1000000]"},
            {{{"diffusion", tiny()}, {"headless", {{"budgets", json::array()}}}},
             "non-empty array"},
            {{{"diffusion", tiny()}, {"headless", {{"budget", {5}}}}},
             "unknown key \"budget\" in headless"},
            {{{"diffusion", tiny()}, {"experiment", "trajectories"}}, "not \"diffusion\""},
            {{{"diffusion", tiny()}, {"sampler", "ddim"}}, "unknown key \"sampler\""},
            {tinyWith({{"gamma", 0.5}}), "gamma = 0.5 only applies to model = \"interpolant\""},
            {tinyWith({{"epsilon", 1.0}}), "epsilon = 1.0 only applies"},
            {tinyWith({{"model", "interpolant"}, {"epsilon", -1.0}}), "epsilon"},
            {tinyWith({{"model", "interpolant"}, {"interpolant", "cubic"}}), "interpolant"},
            {tinyWith({{"model", "flow"}}), "model"},
            {tinyWith({{"model", "interpolant"}, {"nfe", 1}}), "interpolant ODE"},
        };
        for (const Case& c : cases) {
            QTemporaryDir dir;
            const Run r = runJson(c.document, dir.path().toStdString());
            QCOMPARE(r.code, 1);
            QVERIFY2(r.err.find(c.expected) != std::string::npos,
                     (c.document.dump() + " -> " + r.err).c_str());
            QCOMPARE(lineCount(r.err), 1L);
        }
        std::ostringstream out, err;
        QCOMPARE(runDiffusionHeadless("no_such_preset", {}, out, err), 1);
        QVERIFY2(err.str().find("two_moons_vp_dpm2") != std::string::npos, err.str().c_str());
    }

    // User points from a CSV: refused with the line and reason, or for being too few.
    void userDataIsCheckedBeforeTraining() {
        QTemporaryDir dir;
        const std::string base = dir.path().toStdString();
        auto write = [&](const std::string& name, const std::string& text) {
            std::ofstream(base + "/" + name) << text;
        };
        write("bad.csv", "x,y\n0,1\n2,abc\n");
        write("inf.csv", "0,1\n2,inf\n");
        write("one.csv", "x,y\n0.5,0.5\n");
        write("empty.csv", "x,y\n");
        std::string good = "x,y\n";
        for (int i = 0; i < 60; ++i)
            good +=
                std::to_string(std::cos(0.1 * i)) + "," + std::to_string(std::sin(0.1 * i)) + "\n";
        write("good.csv", good);
        struct Case {
            const char* file;
            const char* expected;
        };
        for (const Case& c : {Case{"bad.csv", "bad.csv, line 3: y value 'abc' is not a number"},
                              Case{"inf.csv", "line 2: y value 'inf' is not finite"},
                              Case{"one.csv", "1 point; at least 10 are needed"},
                              Case{"empty.csv", "no points"}, Case{"missing.csv", "cannot open"}}) {
            const std::string out = base + "/out_" + c.file;
            const Run r =
                runJson({{"diffusion", tiny()}, {"headless", {{"data_file", c.file}}}}, out, base);
            QCOMPARE(r.code, 1);
            QVERIFY2(r.err.find(c.expected) != std::string::npos, r.err.c_str());
            QVERIFY(QFile::exists(QString::fromStdString(out + "/config.json")));
            QVERIFY(!QFile::exists(QString::fromStdString(out + "/samples.csv")));
        }
        const Run ok = runJson({{"diffusion", tiny()},
                                {"headless",
                                 {{"data_file", "good.csv"},
                                  {"budgets", {5}},
                                  {"shootout", false},
                                  {"likelihood_points", 0}}}},
                               base + "/out_good", base);
        QVERIFY2(ok.code == 0, ok.err.c_str());
        const json m = json::parse(readFile(base + "/out_good/metrics.json"));
        QCOMPARE(m["held_out_points"].get<long>(), 12L);  // a fifth of 60
        QVERIFY(!QFile::exists(QString::fromStdString(base + "/out_good/shootout.csv")));
    }

    // A diverging run stops with the iteration and what went non-finite, and the weights are
    // those of the last finite iteration. Points at 1e30 are finite in double and float, but
    // their squares overflow float32. (The headless runner standardises data first, so it
    // cannot be driven there this way; it writes loss.csv before reporting any error.)
    void divergenceKeepsHistoryAndWeights() {
        diffusion::DiffusionProcess process{diffusion::ProcessConfig{}};
        diffusion::ScoreNetConfig net;
        net.hiddenWidths = {16};
        net.embeddingDim = 8;
        diffusion::TrainingConfig training;
        training.batchSize = 32;
        diffusion::DiffusionModel model(process, diffusion::Prediction::Noise, net, training);
        const diffusion::GaussianMixture2D data = diffusion::GaussianMixture2D::eightGaussians();
        model.setData(data.sample(200, 1));
        model.train(30);
        const diffusion::Points probe = data.sample(20, 2);
        diffusion::Points before, after;
        model.score(probe, 0.3, before);
        model.setData(diffusion::Points::Constant(2, 50, 1e30));
        try {
            model.train(10);
            QFAIL("expected a divergence");
        } catch (const driftlab::Error& e) {
            const QString message = e.what();
            QVERIFY2(message.contains("diverged at iteration 31") && message.contains("loss is"),
                     e.what());
        }
        QCOMPARE(model.iterations(), 30L);
        model.score(probe, 0.3, after);
        QCOMPARE((after - before).cwiseAbs().maxCoeff(), 0.0);
    }
};

QTEST_GUILESS_MAIN(TestDiffusionHeadless)
#include "test_diffusion_headless.moc"
