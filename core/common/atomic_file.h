#pragma once
// Writing a file so that it holds either its previous contents or all of the new ones, never a
// part: the bytes go to a temporary file in the target's folder (rename() is only atomic
// within one file system), which is fsynced and renamed over the target; the folder is then
// fsynced so the rename itself survives a crash. A failure at any point throws
// driftlab::Error naming the target and the cause, leaves the previous file untouched and
// removes the temporary. An interrupted run therefore never leaves a truncated file behind,
// not even in a reused output folder. The new file keeps the old one's permissions (0644
// for a new file).
#include <cstddef>
#include <string>
#include <string_view>

namespace driftlab::core {

// For text and binary alike.
void writeFileAtomically(const std::string& path, std::string_view bytes);

// The same, for output produced piece by piece (a large CSV need not sit in memory whole):
// write() appends, commit() publishes. Destroyed without commit() (an exception on the way),
// the temporary is removed and the target is left as it was.
class AtomicFile {
public:
    explicit AtomicFile(std::string path);  // creates the temporary
    ~AtomicFile();
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    void write(std::string_view bytes);
    void commit();

    const std::string& path() const { return path_; }

private:
    void writeAll(const char* data, std::size_t size);
    void flush();
    [[noreturn]] void fail(const std::string& what);

    std::string path_, temp_, directory_, buffer_;
    int fd_ = -1;
    bool committed_ = false;
};

}  // namespace driftlab::core
