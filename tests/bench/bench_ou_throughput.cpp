// Throughput of the typed-equation Monte-Carlo path: Ornstein-Uhlenbeck with Euler-Maruyama
// (one muparser evaluation and one normal per path-step), and 3-D Lorenz with additive noise.
// Prints one JSON line per configuration. Target: >= 50e6 path-steps/s on 2 threads.
#include "core/equations/compiled_equation.h"
#include "core/solvers/simulation.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <vector>

using namespace driftlab::core;

namespace {

Parameter param(const char* name, double value) {
    Parameter p;
    p.name = name;
    p.value = value;
    return p;
}

EquationSpec ouSpec() {
    EquationSpec spec;
    spec.name = "Ornstein-Uhlenbeck";
    spec.variables = {"x"};
    spec.drift = {"theta*(mu-x)"};
    spec.diffusion = {"sigma"};
    spec.parameters = {param("theta", 1.0), param("mu", 0.5), param("sigma", 0.3)};
    spec.initial = {2.0};
    return spec;
}

EquationSpec lorenzSpec() {
    EquationSpec spec;
    spec.name = "Lorenz with additive noise";
    spec.variables = {"x", "y", "z"};
    spec.drift = {"s*(y-x)", "x*(r-z)-y", "x*y-b*z"};
    spec.diffusion = {"eps", "eps", "eps"};
    spec.parameters = {param("s", 10.0), param("r", 28.0), param("b", 8.0 / 3.0),
                       param("eps", 1.0)};
    spec.initial = {1.0, 1.0, 1.0};
    return spec;
}

struct Summary {
    double median, min, max, seconds;
    double perCpuSecond;  // path-steps per CPU second: robust when the machine is shared
};

double cpuSeconds() {
    timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

Summary run(const CompiledEquation& equation, SimulationSettings settings, int repeats) {
    std::vector<double> rates, seconds, perCpu;
    for (int r = 0; r < repeats; ++r) {
        settings.seed = 1 + r;
        const double cpu0 = cpuSeconds();
        const SimulationResult result = simulate(equation, equation.spec().initial, settings);
        const double cpu = cpuSeconds() - cpu0;
        rates.push_back(result.stats.pathStepsPerSecond);
        seconds.push_back(result.stats.wallSeconds);
        perCpu.push_back(double(settings.paths) * settings.steps / cpu);
    }
    std::sort(rates.begin(), rates.end());
    std::sort(seconds.begin(), seconds.end());
    std::sort(perCpu.begin(), perCpu.end());
    return {rates[rates.size() / 2], rates.front(), rates.back(), seconds[seconds.size() / 2],
            perCpu[perCpu.size() / 2]};
}

}  // namespace

int main() {
    const CompiledEquation ou(ouSpec());
    SimulationSettings settings;
    settings.paths = 10000;
    settings.steps = 1000;
    settings.savedTimes = 501;
    settings.solver = "euler_maruyama";
    const int repeats = 7;
    for (int threads : {2, 1}) {
        settings.threads = threads;
        const Summary s = run(ou, settings, repeats);
        std::printf(
            "{\"workload\":\"ou_euler_maruyama\",\"paths\":%d,\"steps\":%d,\"threads\":%d,"
            "\"repeats\":%d,\"median_path_steps_per_s\":%.4g,\"min\":%.4g,\"max\":%.4g,"
            "\"median_seconds\":%.4f,\"median_per_cpu_second\":%.4g,\"target\":50e6,"
            "\"meets_target\":%s}\n",
            settings.paths, settings.steps, threads, repeats, s.median, s.min, s.max, s.seconds,
            s.perCpuSecond, threads == 2 ? (s.median >= 50e6 ? "true" : "false") : "null");
        std::fflush(stdout);
    }

    const CompiledEquation lorenz(lorenzSpec());
    settings.paths = 10000;
    settings.steps = 2000;
    settings.t1 = 2.0;
    settings.threads = 2;
    const Summary s = run(lorenz, settings, 5);
    std::printf(
        "{\"workload\":\"lorenz_additive_euler_maruyama\",\"paths\":%d,\"steps\":%d,"
        "\"components\":3,\"threads\":2,\"repeats\":5,\"median_seconds\":%.4f,"
        "\"median_path_steps_per_s\":%.4g,\"state_bytes\":%.0f}\n",
        settings.paths, settings.steps, s.seconds, s.median, estimatedStateBytes(3, settings));
    return 0;
}
