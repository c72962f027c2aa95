// The driftlab executable end to end: every preset headless, bad input refused with a clear
// message and a non-zero exit, and --screenshot producing a picture that is not blank.
#include "core/experiment/family_registry.h"
#include "core/timeseries/timeseries_config.h"
#include "core/trajectories/trajectory_config.h"

#include <QDir>
#include <QFile>
#include <QImage>
#include <QProcess>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>

namespace {

struct Outcome {
    int exitCode = -1;
    QString out;
    QString err;
};

Outcome runDriftlab(const QStringList& args, int timeoutMs = 240000) {
    QProcess process;
    process.start(DRIFTLAB_APP_BINARY, args);
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        return {-2, {}, "timed out"};
    }
    Outcome outcome;
    outcome.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -3;
    outcome.out = QString::fromUtf8(process.readAllStandardOutput());
    outcome.err = QString::fromUtf8(process.readAllStandardError());
    return outcome;
}

QStringList lines(const QString& text) { return text.split('\n', Qt::SkipEmptyParts); }

QString writeFile(const QTemporaryDir& dir, const QString& name, const QByteArray& text) {
    const QString path = dir.filePath(name);
    QFile file(path);
    file.open(QIODevice::WriteOnly);
    file.write(text);
    return path;
}

}  // namespace

class TestCommandLine : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void everyPresetRunsHeadless_data() {
        QTest::addColumn<QString>("preset");
        for (const auto& id : driftlab::core::presetIds())
            QTest::newRow(id.c_str()) << QString::fromStdString(id);
    }
    void everyPresetRunsHeadless() {
        QFETCH(QString, preset);
        QTemporaryDir dir;
        const Outcome outcome = runDriftlab({"--headless", preset, "--out", dir.path()});
        QVERIFY2(outcome.exitCode == 0, qPrintable(outcome.err));
        for (const char* name : {"paths.csv", "quantiles.csv", "summary.json", "config.json"}) {
            QFileInfo file(dir.filePath(name));
            QVERIFY2(file.exists() && file.size() > 0, name);
        }
        // The progress bar ends at 100 %.
        QVERIFY2(outcome.out.contains("100%"), qPrintable(outcome.out.right(300)));
    }

    void badInputIsRefusedClearly_data() {
        QTest::addColumn<QByteArray>("config");
        QTest::addColumn<QString>("expected");
        QTest::newRow("malformed json")
            << QByteArray("{\"experiment\": \"trajectories\",\n  oops") << "malformed JSON";
        QTest::newRow("unknown key")
            << QByteArray(R"({"experiment":"trajectories","equation":{"drift":["-x"],
               "diffusion":["1"],"initial":[0]},"simulation":{"pathz":10}})")
            << "pathz";
        QTest::newRow("bad expression")
            << QByteArray(R"({"experiment":"trajectories","equation":{"drift":["-x**2"],
               "diffusion":["1"],"initial":[0]}})")
            << "position";
        QTest::newRow("absurd size")
            << QByteArray(R"({"experiment":"trajectories","equation":{"drift":["-x"],
               "diffusion":["1"],"initial":[0]},
               "simulation":{"paths":1000000,"saved_times":100000,"steps":100000}})")
            << "GB";
    }
    void badInputIsRefusedClearly() {
        QFETCH(QByteArray, config);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const QString path = writeFile(dir, "bad.json", config);
        const Outcome outcome = runDriftlab({"--headless", path, "--out", dir.filePath("out")});
        QCOMPARE(outcome.exitCode, 1);
        QVERIFY2(outcome.err.contains("error"), qPrintable(outcome.err));
        QVERIFY2(outcome.err.contains(expected, Qt::CaseInsensitive), qPrintable(outcome.err));
        // One clear line, not a stack of noise.
        QCOMPARE(outcome.err.trimmed().count('\n'), 0);
        QVERIFY(!QFileInfo::exists(dir.filePath("out/summary.json")));
    }

    void badCommandLinesFail() {
        QCOMPARE(runDriftlab({"--headless", "no_such_preset_or_file", "--out", "/tmp/x"}).exitCode,
                 1);
        QCOMPARE(runDriftlab({"--headless", "ou"}).exitCode, 1);
        QCOMPARE(runDriftlab({"--bogus-flag"}).exitCode, 1);
        const Outcome help = runDriftlab({"--help"});
        QCOMPARE(help.exitCode, 0);
        QVERIFY(help.out.contains("--headless"));
    }

    void listPresetsGroupsByWorkspace() {
        const Outcome all = runDriftlab({"--list-presets"});
        QCOMPARE(all.exitCode, 0);
        QStringList expected;
        for (const auto& family : driftlab::core::experimentFamilies())
            for (const auto& id : family.presetIds())
                expected << QString::fromStdString(family.id + "/" + id);
        QCOMPARE(lines(all.out), expected);
        for (const char* line :
             {"trajectories/ou", "timeseries/ou_forecasting", "diffusion/two_moons_vp_dpm2"})
            QVERIFY2(lines(all.out).contains(line), line);

        const Outcome one = runDriftlab({"--list-presets", "--workspace", "timeseries"});
        QCOMPARE(one.exitCode, 0);
        QStringList timeseries;
        for (const auto& id : driftlab::core::timeSeriesPresetIds())
            timeseries << QString::fromStdString(id);
        QCOMPARE(lines(one.out), timeseries);
        const Outcome trajectories = runDriftlab({"--workspace", "trajectories", "--list-presets"});
        QCOMPARE(lines(trajectories.out).size(), int(driftlab::core::presetIds().size()));
        QCOMPARE(lines(trajectories.out).front(), QString("ou"));

        const Outcome unknown = runDriftlab({"--list-presets", "--workspace", "fields"});
        QCOMPARE(unknown.exitCode, 1);
        QVERIFY2(unknown.err.contains("unknown workspace \"fields\"") &&
                     unknown.err.contains("trajectories, diffusion, timeseries"),
                 qPrintable(unknown.err));
        QCOMPARE(unknown.out, QString());

        const Outcome help = runDriftlab({"--help"});
        QVERIFY(help.out.contains("WORKSPACE/ID"));
        QVERIFY(help.out.contains("trajectories, diffusion, timeseries"));
    }

    void headlessDispatchesByWorkspace() {
        QTemporaryDir dir;
        const Outcome unknown =
            runDriftlab({"--headless", "ou", "--workspace", "fields", "--out", dir.path()});
        QCOMPARE(unknown.exitCode, 1);
        QVERIFY2(unknown.err.contains("unknown workspace") &&
                     unknown.err.contains("trajectories, diffusion, timeseries"),
                 qPrintable(unknown.err));
        QCOMPARE(unknown.err.trimmed().count('\n'), 0);

        // A trajectory preset id means nothing to another workspace.
        const Outcome wrongFamily =
            runDriftlab({"--headless", "ou", "--workspace", "timeseries", "--out", dir.path()});
        QCOMPARE(wrongFamily.exitCode, 1);
        QVERIFY2(wrongFamily.err.contains("ou_forecasting"), qPrintable(wrongFamily.err));

        const QString badSeries =
            writeFile(dir, "bad_series.json",
                      R"({"experiment": "timeseries", "timeseries": {"modle": "ode"}})");
        const Outcome bad = runDriftlab(
            {"--headless", badSeries, "--workspace", "timeseries", "--out", dir.filePath("bad")});
        QCOMPARE(bad.exitCode, 1);
        QVERIFY2(bad.err.contains("modle") && bad.err.contains("model"), qPrintable(bad.err));
        QCOMPARE(bad.err.trimmed().count('\n'), 0);

        const QString series = writeFile(dir, "series.json", R"({"experiment": "timeseries",
            "timeseries": {"dataset": "ou", "series_count": 12, "observations": 10, "length": 2,
                           "dt": 0.2, "model": "ode", "latent_dim": 2, "drift_width": 8,
                           "encoder_width": 8, "iterations": 6, "batch": 4,
                           "validate_every": 3, "display_series": 2, "forecast_paths": 4}})");
        const Outcome trained = runDriftlab(
            {"--headless", series, "--workspace", "timeseries", "--out", dir.filePath("series")});
        QVERIFY2(trained.exitCode == 0, qPrintable(trained.err));
        for (const char* name : {"metrics.json", "loss.csv", "model.bin", "config.json"})
            QVERIFY2(QFileInfo::exists(dir.filePath(QString("series/") + name)), name);
        QVERIFY2(trained.out.contains("[##########] 100%"), qPrintable(trained.out.right(300)));

        const QString points = writeFile(dir, "points.json", R"({"experiment": "diffusion",
            "diffusion": {"dataset": "two_moons", "dataset_size": 200, "width": 16, "depth": 1,
                          "embedding_dim": 4, "iterations": 20, "batch": 32, "nfe": 4,
                          "samples": 50, "sampler": "ddim"},
            "headless": {"budgets": [4], "metric_points": 100, "mmd_points": 50,
                         "directions": 20, "likelihood_points": 0, "shootout": false}})");
        const Outcome sampled = runDriftlab(
            {"--headless", points, "--workspace", "diffusion", "--out", dir.filePath("points")});
        QVERIFY2(sampled.exitCode == 0, qPrintable(sampled.err));
        for (const char* name : {"samples.csv", "metrics.json", "loss.csv", "config.json"})
            QVERIFY2(QFileInfo::exists(dir.filePath(QString("points/") + name)), name);
        QVERIFY2(sampled.out.contains("[##########] 100%"), qPrintable(sampled.out.right(300)));
        QVERIFY(
            !QFileInfo::exists(dir.filePath("points/paths.csv")));  // not the trajectories runner
    }

    void screenshotIsNotBlank_data() {
        QTest::addColumn<QString>("preset");
        QTest::newRow("ou (1-D fan chart)") << "ou";
        QTest::newRow("lorenz (3-D phase space)") << "lorenz";
    }
    void screenshotIsNotBlank() {
        QFETCH(QString, preset);
        QTemporaryDir dir;
        const QString png = dir.filePath("shot.png");
        const Outcome outcome = runDriftlab({"--screenshot", png, preset});
        QVERIFY2(outcome.exitCode == 0, qPrintable(outcome.err));
        QImage image(png);
        QVERIFY(!image.isNull());
        QVERIFY(image.width() >= 800 && image.height() >= 600);
        // A real picture has many colours (anti-aliased paths, bands, text) and no big
        // black hole where a VTK view failed to draw.
        QSet<QRgb> colours;
        qint64 black = 0, total = 0;
        for (int y = 0; y < image.height(); y += 3) {
            for (int x = 0; x < image.width(); x += 3) {
                const QRgb p = image.pixel(x, y);
                colours.insert(p);
                black += (qRed(p) + qGreen(p) + qBlue(p)) < 20;
                ++total;
            }
        }
        QVERIFY2(colours.size() > 200, qPrintable(QString::number(colours.size())));
        QVERIFY2(black < total / 4, qPrintable(QString("%1 of %2 black").arg(black).arg(total)));
    }
};

QTEST_GUILESS_MAIN(TestCommandLine)
#include "test_command_line.moc"
