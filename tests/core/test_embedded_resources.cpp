// The embedded resources: every file under resources/presets and resources/datasets is in the
// table exactly once, keyed by its path under resources/, with the file's exact bytes, and
// the prefix lookup each family's preset code uses returns just its folder.
#include "core/experiment/embedded_resources.h"

#include <QtTest>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

using namespace driftlab::core;
namespace fs = std::filesystem;

namespace {

std::string readBytes(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// Path under resources/ -> bytes, for every regular file below the given folders.
std::map<std::string, std::string> filesOnDisk(const std::vector<std::string>& folders) {
    const fs::path root = fs::path(DRIFTLAB_SOURCE_DIR) / "resources";
    std::map<std::string, std::string> files;
    for (const auto& folder : folders)
        for (const auto& entry : fs::recursive_directory_iterator(root / folder))
            if (entry.is_regular_file())
                files[fs::relative(entry.path(), root).generic_string()] = readBytes(entry.path());
    return files;
}

}  // namespace

class TestEmbeddedResources : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void everyFileIsEmbeddedOnceByPath() {
        const auto files = filesOnDisk({"presets", "datasets"});
        QVERIFY(files.size() >= 26);  // 9 + 6 + 9 presets, two data sets and their README
        const auto all = embeddedResources();
        for (const auto& [path, bytes] : files) {
            const auto count = std::count_if(all.begin(), all.end(),
                                             [&](const auto& r) { return r.path == path; });
            QVERIFY2(count == 1, (path + " embedded " + std::to_string(count) + " times").c_str());
            const auto it =
                std::find_if(all.begin(), all.end(), [&](const auto& r) { return r.path == path; });
            QVERIFY2(it->text == bytes, (path + ": embedded text differs from the file").c_str());
        }
        // Nothing embedded that is not a file there (a stale or misnamed entry).
        QCOMPARE(all.size(), files.size());
        QVERIFY(std::is_sorted(all.begin(), all.end(),
                               [](const auto& a, const auto& b) { return a.path < b.path; }));
    }

    void prefixSelectsOneFolder() {
        const auto trajectories = embeddedResources("presets/trajectories/");
        QCOMPARE(trajectories.size(), filesOnDisk({"presets/trajectories"}).size());
        for (const auto& resource : trajectories)
            QVERIFY(resource.path.substr(0, 21) == "presets/trajectories/");
        QVERIFY(std::any_of(trajectories.begin(), trajectories.end(), [](const auto& r) {
            return r.path == "presets/trajectories/ou.json";
        }));
        QCOMPARE(embeddedResources("datasets/").size(), std::size_t(3));
        QCOMPARE(embeddedResources("presets/diffusion/").size(), std::size_t(9));
        QVERIFY(embeddedResources("no_such_folder/").empty());
        // An exact path is its own prefix: the lookup of one file.
        QCOMPARE(embeddedResources("datasets/sunspots_yearly.csv").size(), std::size_t(1));
    }

    void stemDropsFolderAndExtension() {
        QCOMPARE(resourceStem("presets/trajectories/ou.json"), std::string("ou"));
        QCOMPARE(resourceStem("datasets/co2_mauna_loa_weekly.csv"),
                 std::string("co2_mauna_loa_weekly"));
        QCOMPARE(resourceStem("README"), std::string("README"));
        QCOMPARE(resourceStem("a/.hidden"), std::string(".hidden"));
    }
};

QTEST_GUILESS_MAIN(TestEmbeddedResources)
#include "test_embedded_resources.moc"
