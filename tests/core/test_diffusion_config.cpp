// The diffusion schema's defaults make a runnable experiment, and every bad value or bad
// combination is refused with a message that names the key.
#include "core/common/error.h"
#include "core/diffusion/diffusion_config.h"
#include "core/diffusion/diffusion_headless.h"

#include <QtTest>

#include <nlohmann/json.hpp>

using namespace driftlab::core;
using nlohmann::json;

namespace {

// The ConfigError message for object, or "" when it is accepted.
QString refusal(const json& object) {
    try {
        diffusionConfigFromJson(object, "test");
        return {};
    } catch (const driftlab::ConfigError& e) {
        return QString::fromUtf8(e.what());
    }
}

}  // namespace

class TestDiffusionConfig : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void defaultsAreValid() {
        const DiffusionConfig c = diffusionConfigFromJson(json::object(), "test");
        QCOMPARE(c.data.kind, diffusion::ToyDataset::EightGaussians);
        QCOMPARE(c.process.kind, diffusion::ProcessKind::VP);
        QCOMPARE(c.process.betaMin, 0.1);
        QCOMPARE(c.process.betaMax, 20.0);
        QCOMPARE(c.sampler, diffusion::SamplerKind::DpmSolver2);
        QCOMPARE(c.nfe, 20);
        // The default network is the reference one (128 x 3): smaller ones learn the eight
        // Gaussians as a ring (headless, 2,000 held-out points: SW2 0.156 with 64 x 2 for
        // 1,500 iterations, 0.090 with this network for 3,000).
        QCOMPARE(c.net.hiddenWidths,
                 (std::vector<driftlab::core::diffusion::Index>{128, 128, 128}));
        QVERIFY(c.iterations > 0 && c.iterations <= 5000);  // a screenshot run stays short
        // Every schema field has a default that passes its own range.
        QVERIFY(refusal(diffusionSchema().defaults()).isEmpty());
    }

    void choicesMapToTheEngine() {
        for (const auto& id : diffusionDatasetIds()) {
            const DiffusionConfig c = diffusionConfigFromJson({{"dataset", id}}, "test");
            QCOMPARE(diffusion::toyDatasetName(c.data.kind), id);
        }
        QCOMPARE(diffusionConfigFromJson({{"process", "sub_vp"}}, "t").process.kind,
                 diffusion::ProcessKind::SubVP);
        QCOMPARE(diffusionConfigFromJson({{"process", "ve"}}, "t").process.kind,
                 diffusion::ProcessKind::VE);
        QCOMPARE(diffusionConfigFromJson({{"prediction", "score"}}, "t").prediction,
                 diffusion::Prediction::Score);
        const auto mix =
            diffusionConfigFromJson({{"dataset", "gaussian_mixture"}, {"mixture_modes", 3}}, "t");
        QCOMPARE(mix.data.mixture.means.size(), std::size_t{3});
        mix.data.mixture.validate();
        const auto net = diffusionConfigFromJson({{"width", 32}, {"depth", 4}}, "t");
        QCOMPARE(net.net.hiddenWidths,
                 (std::vector<driftlab::core::diffusion::Index>{32, 32, 32, 32}));
        const auto longer =
            diffusionConfigFromJson({{"embedding_dim", 64}, {"ema_decay", 0.9999}}, "t");
        QCOMPARE(longer.net.embeddingDim, driftlab::core::diffusion::Index{64});
        QCOMPARE(longer.training.emaDecay, 0.9999);
        QCOMPARE(diffusionConfigFromJson(json::object(), "t").net.embeddingDim,
                 driftlab::core::diffusion::Index{32});  // the reference network's
    }

    void badValuesAreRefusedWithMessages() {
        struct Case {
            json object;
            const char* expected;
        };
        const std::vector<Case> cases = {
            {{{"beta_min", 5.0}, {"beta_max", 5.0}},
             "beta_max (5.0) must be greater than beta_min"},
            {{{"beta_min", 10.0}, {"beta_max", 1.0}}, "must be greater than beta_min (10.0)"},
            {{{"process", "ve"}, {"sigma_min", 0.0}}, "sigma_min must be positive"},
            {{{"process", "ve"}, {"sigma_min", 2.0}, {"sigma_max", 1.0}},
             "sigma_max (1.0) must be greater than sigma_min"},
            {{{"sampler", "dpm_solver_3"}, {"nfe", 2}}, "below the smallest budget dpm_solver_3"},
            {{{"dataset", "moons"}}, "dataset"},
            {{{"process", "vpp"}}, "process"},
            {{{"iterations", 0}}, "iterations"},
            {{{"learning_rate", -1.0}}, "learning_rate"},
            {{{"width", 2.5}}, "width"},
            {{{"nfe", 1e9}}, "nfe"},
            {{{"batchsize", 10}}, "batchsize"},
            {{{"embedding_dim", 7}}, "embedding_dim must be even"},
            {{{"ema_decay", 1.0}}, "ema_decay"},
            {json::array(), "expected a JSON object"},
        };
        for (const auto& c : cases) {
            const QString message = refusal(c.object);
            QVERIFY2(message.contains(c.expected),
                     qPrintable(QString::fromStdString(c.object.dump()) + " -> " + message));
        }
        // The VE bounds do not matter for VP, and beta does not for VE.
        QVERIFY(refusal({{"sigma_min", 0.0}}).isEmpty());
        QVERIFY(refusal({{"process", "ve"}, {"beta_min", 5.0}, {"beta_max", 1.0}}).isEmpty());
    }

    void valuesRoundTrip() {
        // Every preset's config writes back to the values it was read from, and those read
        // back to the same config: one binding table serves both directions.
        for (const auto& id : diffusionPresetIds()) {
            const DiffusionPlan plan = diffusionPreset(id);
            const json written = diffusionValues(plan.config);
            QVERIFY2(written == plan.values, (id + ": " + written.dump()).c_str());
            QCOMPARE(diffusionValues(diffusionConfigFromJson(written, id)), written);
        }
        // Non-default values of every kind (choice, layer shape, integer, real) survive.
        const json changed = {
            {"process", "sub_vp"}, {"width", 24},       {"depth", 5}, {"prediction", "score"},
            {"noise", 0.125},      {"sampler", "ddim"}, {"seed", 77}, {"batch", 100}};
        const DiffusionConfig c = diffusionConfigFromJson(changed, "t");
        QCOMPARE(c.net.hiddenWidths, (std::vector<diffusion::Index>(5, 24)));
        json expected = diffusionSchema().defaults();
        for (const auto& [key, value] : changed.items()) expected[key] = value;
        QCOMPARE(diffusionValues(c), expected);
        QCOMPARE(c.net.seed, std::uint64_t(78));  // derived from the seed, not a key
    }

    void nfeBudgetsTranslateToSteps() {
        using diffusion::SamplerKind;
        QCOMPARE(samplerOptionsForNfe(SamplerKind::ProbabilityFlow, 20, 0).steps, 10);
        QCOMPARE(samplerOptionsForNfe(SamplerKind::PredictorCorrector, 20, 0).steps, 10);
        QCOMPARE(samplerOptionsForNfe(SamplerKind::DpmSolver2, 20, 0).steps, 20);
        QCOMPARE(samplerOptionsForNfe(SamplerKind::ReverseSde, 5, 0).steps, 5);
    }
};

QTEST_GUILESS_MAIN(TestDiffusionConfig)
#include "test_diffusion_config.moc"
