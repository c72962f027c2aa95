// Atomic file writing: contents round-trip (text and binary, whole or piecewise), and every
// kind of failure throws driftlab::Error naming the path, keeps the previous file byte for
// byte and leaves no temporary behind.
#include "core/common/atomic_file.h"
#include "core/common/error.h"

#include <QtTest/QtTest>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace driftlab;
using namespace driftlab::core;

namespace {

std::string readAll(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// Every byte value, NULs included, repeated past the writer's 64 KiB buffer.
std::string binaryBytes(std::size_t size) {
    std::string bytes(size, '\0');
    for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<char>((i * 7 + i / 256) & 0xff);
    return bytes;
}

int filesIn(const QTemporaryDir& dir) {
    return int(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size());
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

}  // namespace

class TestAtomicFile : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void textAndBinaryRoundTrip() {
        QTemporaryDir dir;
        const std::string text = dir.filePath("notes.txt").toStdString();
        writeFileAtomically(text, "line one\nline two\n");
        QCOMPARE(readAll(text), std::string("line one\nline two\n"));

        const std::string binary = dir.filePath("model.bin").toStdString();
        const std::string bytes = binaryBytes(200000);
        writeFileAtomically(binary, bytes);
        QCOMPARE(readAll(binary).size(), bytes.size());
        QVERIFY(readAll(binary) == bytes);

        writeFileAtomically(text, "");  // an empty file is a file too
        QVERIFY(std::filesystem::exists(text));
        QCOMPARE(std::filesystem::file_size(text), std::uintmax_t(0));
        QCOMPARE(filesIn(dir), 2);
    }

    void piecewiseWritesRoundTrip() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("paths.csv").toStdString();
        const std::string big = binaryBytes(150000);
        std::string expected;
        {
            AtomicFile file(path);
            for (int i = 0; i < 5000; ++i) {  // many small pieces, flushed in blocks
                const std::string line = std::to_string(i) + ",0.5\n";
                file.write(line);
                expected += line;
            }
            file.write(big);  // one piece larger than the buffer
            expected += big;
            file.write("end\n");
            expected += "end\n";
            QVERIFY(!std::filesystem::exists(path));  // nothing visible before commit()
            file.commit();
        }
        QVERIFY(readAll(path) == expected);
        QCOMPARE(filesIn(dir), 1);
    }

    void abandonedWriterLeavesTheOldFile() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("loss.csv").toStdString();
        writeFileAtomically(path, "old contents\n");
        try {
            AtomicFile file(path);
            file.write(std::string(100000, 'x'));
            throw std::runtime_error("the run was interrupted");
        } catch (const std::runtime_error&) {
        }
        QCOMPARE(readAll(path), std::string("old contents\n"));
        QCOMPARE(filesIn(dir), 1);
    }

    void replacesWholeFileAndKeepsPermissions() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("session.json").toStdString();
        writeFileAtomically(path, "first version, rather long\n");
        writeFileAtomically(path, "second\n");
        QCOMPARE(readAll(path), std::string("second\n"));
        QCOMPARE(filesIn(dir), 1);
        struct stat info {};
        QCOMPARE(::stat(path.c_str(), &info), 0);
        QCOMPARE(info.st_mode & 0777, 0644u);
        QCOMPARE(::chmod(path.c_str(), 0600), 0);
        writeFileAtomically(path, "third\n");
        QCOMPARE(::stat(path.c_str(), &info), 0);
        QCOMPARE(info.st_mode & 0777, 0600u);
    }

    void missingDirectoryThrows() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("missing/sub/session.json").toStdString();
        QVERIFY_THROWS_EXCEPTION(Error, writeFileAtomically(path, "data"));
        QVERIFY(!std::filesystem::exists(path));
    }

    // Works as root too: a file cannot be a folder for anyone.
    void parentThatIsAFileThrowsNamingThePath() {
        QTemporaryDir dir;
        const std::string parent = dir.filePath("plain_file").toStdString();
        writeFileAtomically(parent, "I am a file\n");
        const std::string path = parent + "/metrics.json";
        try {
            writeFileAtomically(path, "{}");
            QFAIL("no error");
        } catch (const Error& e) {
            QVERIFY2(contains(e.what(), "cannot save " + path), e.what());
            QVERIFY2(contains(e.what(), "Not a directory"), e.what());
        }
        QVERIFY_THROWS_EXCEPTION(Error, AtomicFile{path});
        QCOMPARE(readAll(parent), std::string("I am a file\n"));
        QCOMPARE(filesIn(dir), 1);
    }

    void failedWriteKeepsTheOldFileByteForByte() {
        // Simulates a full disk in a way that works as root too: the file-size limit makes
        // write() fail with EFBIG.
        QTemporaryDir dir;
        const std::string path = dir.filePath("model.bin").toStdString();
        const std::string old = binaryBytes(12);
        writeFileAtomically(path, old);
        rlimit previous{};
        QCOMPARE(getrlimit(RLIMIT_FSIZE, &previous), 0);
        const auto oldHandler = std::signal(SIGXFSZ, SIG_IGN);
        rlimit small = previous;
        small.rlim_cur = 16;
        QCOMPARE(setrlimit(RLIMIT_FSIZE, &small), 0);
        std::string message;
        try {
            writeFileAtomically(path, binaryBytes(4096));
        } catch (const Error& e) {
            message = e.what();
        }
        setrlimit(RLIMIT_FSIZE, &previous);
        std::signal(SIGXFSZ, oldHandler);
        QVERIFY2(contains(message, "cannot save " + path + ": write failed"), message.c_str());
        QVERIFY(readAll(path) == old);
        QCOMPARE(filesIn(dir), 1);
    }

    void readOnlyDirectoryKeepsTheOldFile() {
        if (geteuid() == 0) QSKIP("root ignores directory permissions");
        QTemporaryDir dir;
        const std::string path = dir.filePath("session.json").toStdString();
        writeFileAtomically(path, "old contents\n");
        QVERIFY(::chmod(dir.path().toLocal8Bit().constData(), 0555) == 0);
        std::string message;
        try {
            writeFileAtomically(path, "new contents\n");
        } catch (const Error& e) {
            message = e.what();
        }
        ::chmod(dir.path().toLocal8Bit().constData(), 0755);
        QVERIFY2(contains(message, "cannot save " + path), message.c_str());
        QCOMPARE(readAll(path), std::string("old contents\n"));
        QCOMPARE(filesIn(dir), 1);
    }

    void renameOntoADirectoryFailsCleanly() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("taken").toStdString();
        std::filesystem::create_directories(path + "/inside");
        QVERIFY_THROWS_EXCEPTION(Error, writeFileAtomically(path, "data"));
        QVERIFY(std::filesystem::is_directory(path + "/inside"));
        // The temporary file is cleaned up.
        QCOMPARE(filesIn(dir), 0);
    }
};

QTEST_GUILESS_MAIN(TestAtomicFile)
#include "test_atomic_file.moc"
