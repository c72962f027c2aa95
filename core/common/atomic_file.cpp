#include "core/common/atomic_file.h"

#include "core/common/error.h"

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace driftlab::core {

namespace {

// Bytes gathered before a write() call, so piecewise output is not one syscall per line.
constexpr std::size_t kBufferSize = 1 << 16;

}  // namespace

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
    namespace fs = std::filesystem;
    const fs::path target(path_);
    const fs::path directory = target.has_parent_path() ? target.parent_path() : fs::path(".");
    directory_ = directory.string();
    // Built with += rather than "." + string: GCC 12 gives a false -Wrestrict warning there.
    std::string tempName = ".";
    tempName += target.filename().string();
    tempName += ".tmp-XXXXXX";
    temp_ = (directory / tempName).string();
    fd_ = ::mkstemp(temp_.data());
    if (fd_ < 0) {
        temp_.clear();
        fail("cannot create a temporary file in " + directory_);
    }
    // mkstemp creates 0600; keep the old file's permissions, or use the usual 0644.
    struct stat old {};
    const mode_t mode = ::stat(path_.c_str(), &old) == 0 ? (old.st_mode & 07777) : 0644;
    if (::fchmod(fd_, mode) != 0) fail("cannot set permissions");
    buffer_.reserve(kBufferSize);
}

AtomicFile::~AtomicFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_ && !temp_.empty()) ::unlink(temp_.c_str());
}

void AtomicFile::fail(const std::string& what) {
    // errno first: close() and unlink() below may change it.
    Error error("cannot save " + path_ + ": " + what + ": " + std::strerror(errno));
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    if (!temp_.empty()) ::unlink(temp_.c_str());
    temp_.clear();
    throw error;
}

void AtomicFile::writeAll(const char* data, std::size_t left) {
    while (left > 0) {
        const ssize_t written = ::write(fd_, data, left);
        if (written < 0) {
            if (errno == EINTR) continue;
            fail("write failed");
        }
        data += written;
        left -= static_cast<std::size_t>(written);
    }
}

void AtomicFile::flush() {
    writeAll(buffer_.data(), buffer_.size());
    buffer_.clear();
}

void AtomicFile::write(std::string_view bytes) {
    if (fd_ < 0) throw Error("cannot save " + path_ + ": the file is already closed");
    if (buffer_.size() + bytes.size() > kBufferSize) {
        flush();
        // One large piece goes straight through rather than via a copy.
        if (bytes.size() > kBufferSize) return writeAll(bytes.data(), bytes.size());
    }
    buffer_.append(bytes);
}

void AtomicFile::commit() {
    if (fd_ < 0) throw Error("cannot save " + path_ + ": the file is already closed");
    flush();
    if (::fsync(fd_) != 0) fail("fsync failed");
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) fail("close failed");
    if (::rename(temp_.c_str(), path_.c_str()) != 0) fail("rename failed");
    committed_ = true;
    // Make the rename itself durable; failing here cannot hurt the data, so it is not fatal.
    const int dirFd = ::open(directory_.c_str(), O_RDONLY | O_DIRECTORY);
    if (dirFd >= 0) {
        ::fsync(dirFd);
        ::close(dirFd);
    }
}

void writeFileAtomically(const std::string& path, std::string_view bytes) {
    AtomicFile file(path);
    file.write(bytes);
    file.commit();
}

}  // namespace driftlab::core
