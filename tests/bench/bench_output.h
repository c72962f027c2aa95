// Where benchmarks put the files they write: the build tree's bench-out folder (the
// DRIFTLAB_BENCH_OUT definition), never the directory they happen to be run from, so a run
// from the repository root leaves nothing there to commit by accident.
#pragma once

#include <filesystem>
#include <string>

namespace driftlab::bench {

// The output folder, created if missing.
inline std::filesystem::path outputDir() {
    const std::filesystem::path dir(DRIFTLAB_BENCH_OUT);
    std::filesystem::create_directories(dir);
    return dir;
}

// A bare file name goes into outputDir(); a path with a folder in it is taken as given.
inline std::string outputPath(const std::string& name) {
    const std::filesystem::path path(name);
    if (path.has_parent_path()) return name;
    return (outputDir() / path).string();
}

}  // namespace driftlab::bench
