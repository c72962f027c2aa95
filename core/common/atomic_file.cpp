#include "core/common/atomic_file.h"

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/common/error.h"

namespace driftlab::core {

void saveTextAtomically(const std::string& path, const std::string& text) {
    namespace fs = std::filesystem;
    const fs::path target(path);
    const fs::path directory = target.has_parent_path() ? target.parent_path() : fs::path(".");
    // The temporary lives next to the target: rename() is only atomic within a file system.
    // Built with += rather than "." + string: GCC 12 gives a false -Wrestrict warning there.
    std::string tempName = ".";
    tempName += target.filename().string();
    tempName += ".tmp-XXXXXX";
    std::string temp = (directory / tempName).string();
    const auto failure = [&](const std::string& what) {
        return Error("cannot save " + path + ": " + what + ": " + std::strerror(errno));
    };

    const int fd = mkstemp(temp.data());
    if (fd < 0) throw failure("cannot create a temporary file in " + directory.string());
    const auto abandon = [&](const std::string& what) {
        const Error error = failure(what);
        ::close(fd);
        ::unlink(temp.c_str());
        throw error;
    };

    // mkstemp creates 0600; keep the old file's permissions, or use the usual 0644.
    struct stat old {};
    const mode_t mode = ::stat(path.c_str(), &old) == 0 ? (old.st_mode & 07777) : 0644;
    if (::fchmod(fd, mode) != 0) abandon("cannot set permissions");

    const char* data = text.data();
    std::size_t left = text.size();
    while (left > 0) {
        const ssize_t written = ::write(fd, data, left);
        if (written < 0) {
            if (errno == EINTR) continue;
            abandon("write failed");
        }
        data += written;
        left -= static_cast<std::size_t>(written);
    }
    if (::fsync(fd) != 0) abandon("fsync failed");
    if (::close(fd) != 0) {
        const Error error = failure("close failed");
        ::unlink(temp.c_str());
        throw error;
    }
    if (::rename(temp.c_str(), path.c_str()) != 0) {
        const Error error = failure("rename failed");
        ::unlink(temp.c_str());
        throw error;
    }
    // Make the rename itself durable; failing here cannot hurt the data, so it is not fatal.
    const int dirFd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY);
    if (dirFd >= 0) {
        ::fsync(dirFd);
        ::close(dirFd);
    }
}

}  // namespace driftlab::core
