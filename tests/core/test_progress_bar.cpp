// The headless progress bar: its format, the rate and detail, redraw throttling, padding of a
// shorter line, and silence when disabled or finished.
#include "core/experiment/progress_bar.h"

#include <QtTest>

#include <sstream>

using namespace driftlab::core;

namespace {

// The text after the last '\r' (what a terminal shows).
std::string lastLine(const std::string& out) {
    const auto r = out.rfind('\r');
    return r == std::string::npos ? out : out.substr(r + 1);
}

}  // namespace

class TestProgressBar : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void drawsBarPercentRateAndDetail() {
        std::ostringstream out;
        ProgressBar bar(out, true, {2e6, "M path\u00b7steps/s", 1e6});
        bar.update(0.52, "loss 0.5");
        const std::string first = out.str();
        QVERIFY2(first.rfind("\r[#####.....]  52%  ", 0) == 0, first.c_str());
        QVERIFY2(first.find(" M path\u00b7steps/s  ") != std::string::npos, first.c_str());
        QVERIFY2(first.size() > 8 && first.substr(first.size() - 8) == "loss 0.5", first.c_str());
        bar.finish();
        const std::string text = out.str();
        QVERIFY2(lastLine(text).rfind("[##########] 100%", 0) == 0, text.c_str());
        QCOMPARE(text.back(), '\n');
        QCOMPARE(std::count(text.begin(), text.end(), '\n'), 1L);
    }

    void noRateWithoutTotalWork() {
        std::ostringstream out;
        ProgressBar bar(out, true);
        bar.update(0.1);
        QVERIFY2(out.str().find("/s") == std::string::npos, out.str().c_str());
        QVERIFY2(out.str().rfind("\r[#.........]  10%  ", 0) == 0, out.str().c_str());
    }

    void throttlesAndNeverGoesBack() {
        std::ostringstream out;
        ProgressBar bar(out, true);
        QVERIFY(bar.due(0.0));  // nothing drawn yet
        bar.update(0.30);
        const std::size_t drawn = out.str().size();
        // Within 100 ms of the last draw, and a lower or equal percentage: no redraw.
        QVERIFY(!bar.due(0.30));
        QVERIFY(!bar.due(0.10));
        bar.update(0.10);
        bar.update(0.305);
        QCOMPARE(out.str().size(), drawn);
    }

    void shorterLineIsPadded() {
        std::ostringstream out;
        ProgressBar bar(out, true);
        bar.update(0.5, "a rather long detail text");
        const std::size_t firstLength = lastLine(out.str()).size();
        bar.finish("x");
        std::string last = lastLine(out.str());
        last.pop_back();  // the '\n'
        QCOMPARE(last.size(), firstLength);
        QVERIFY(last.find("  x ") != std::string::npos);
    }

    void silentWhenDisabledOrDone() {
        std::ostringstream off;
        ProgressBar disabled(off, false);
        disabled.update(0.5, "x");
        disabled.finish("y");
        disabled.abandon();
        QVERIFY(!disabled.due(0.9));
        QCOMPARE(off.str(), std::string());

        std::ostringstream out;
        ProgressBar bar(out, true);
        bar.update(0.2);
        bar.abandon();
        QCOMPARE(out.str().back(), '\n');
        const std::string text = out.str();
        bar.update(0.9);
        bar.finish();
        bar.abandon();
        QCOMPARE(out.str(), text);  // an abandoned bar draws nothing more
    }
};

QTEST_GUILESS_MAIN(TestProgressBar)
#include "test_progress_bar.moc"
