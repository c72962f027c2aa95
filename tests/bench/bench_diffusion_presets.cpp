// Runs diffusion presets through the headless runner (the code path of
// `driftlab --headless ID --workspace diffusion --out DIR/ID`) without the GUI build, then
// prints one JSON line per preset with training time, the configured sampler's metrics and
// the path of its shoot-out table.
// Usage: bench_diffusion_presets [--out DIR] [PRESET_ID ...]   (no ids: every preset; DIR
// defaults to diffusion-presets in the build tree's bench-out folder)
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench_output.h"
#include "core/diffusion/diffusion_headless.h"

using namespace driftlab::core;

int main(int argc, char** argv) {
    std::string out = driftlab::bench::outputPath("diffusion-presets");
    std::vector<std::string> ids;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--out") && i + 1 < argc)
            out = argv[++i];
        else
            ids.emplace_back(argv[i]);
    }
    if (ids.empty()) ids = diffusionPresetIds();
    int status = 0;
    for (const std::string& id : ids) {
        HeadlessOptions options;
        options.outDir = out + "/" + id;
        const int code = runDiffusionHeadless(id, options, std::cerr, std::cerr);
        status |= code;
        if (code != 0) continue;
        std::ifstream file(options.outDir + "/metrics.json");
        const nlohmann::json m = nlohmann::json::parse(file);
        std::printf(
            "{\"workload\":\"diffusion_presets\","
            "\"kind\":\"preset\",\"id\":\"%s\",\"training_seconds\":%.3f,"
            "\"iterations\":%ld,\"sampler\":\"%s\",\"nfe\":%ld,\"sw2\":%s,\"mmd2\":%s,"
            "\"sampling_seconds\":%.3f,\"shootout\":\"%s/shootout.csv\"}\n",
            id.c_str(), m["training"]["seconds"].get<double>(),
            m["training"]["iterations"].get<long>(), m["sampler"].get<std::string>().c_str(),
            m["nfe"].get<long>(), m["sw2"].dump().c_str(), m["mmd2"].dump().c_str(),
            m["sampling_seconds"].get<double>(), options.outDir.c_str());
        std::fflush(stdout);
    }
    return status;
}
