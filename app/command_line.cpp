#include "app/command_line.h"

#include "app/main_window.h"
#include "app/workspace.h"
#include "core/common/error.h"
#include "core/experiment/family_registry.h"
#include "core/trajectories/trajectory_config.h"
#include "widgets/vtk/surface_format.h"

#include <QApplication>
#include <QImage>
#include <QPixmap>
#include <QTimer>

#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

namespace driftlab::app {
namespace {

constexpr const char* kUsage = R"(Driftlab: a workbench for (neural) differential equations.

Usage:
  driftlab [CONFIG]                      open the window (CONFIG: a .json file or preset id)
  driftlab --headless CONFIG --out DIR   run without a window; writes paths.csv,
                                         quantiles.csv, summary.json and config.json to DIR
                                         (with --workspace ID: that workspace's experiment
                                         and files, CONFIG one of its presets or a file)
  driftlab --screenshot FILE [CONFIG]    open the window, run to completion, save a PNG
                                         of the whole window to FILE and exit
  driftlab --list-presets                print every workspace's preset ids, one a line,
                                         as WORKSPACE/ID (e.g. trajectories/ou)
  driftlab --list-presets --workspace ID print workspace ID's preset ids, one a line
  driftlab --help                        this text

Options:
  --workspace ID     start in (or run headless, or list the presets of) workspace ID:
                     @WORKSPACES@ (default: trajectories)
  --panel NAME       bring a panel to the front, e.g. "Solver diagnostics"
  --timeout SECONDS  give up a --screenshot run after this long (default 300)
)";

struct Options {
    bool help = false;
    bool listPresets = false;
    std::optional<std::string> headlessConfig;
    std::optional<std::string> outDir;
    std::optional<std::string> screenshotFile;
    std::optional<std::string> config;
    std::string workspace = "trajectories";
    bool workspaceGiven = false;
    std::string panel;
    double timeoutSeconds = 300.0;
};

Options parse(int argc, char** argv) {
    Options options;
    std::vector<std::string> args(argv + 1, argv + argc);
    auto value = [&](size_t& i, const std::string& flag) -> std::string {
        if (i + 1 >= args.size()) throw ConfigError(flag + " needs a value (see --help)");
        return args[++i];
    };
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--help" || a == "-h") {
            options.help = true;
        } else if (a == "--list-presets") {
            options.listPresets = true;
        } else if (a == "--headless") {
            options.headlessConfig = value(i, a);
        } else if (a == "--out") {
            options.outDir = value(i, a);
        } else if (a == "--screenshot") {
            options.screenshotFile = value(i, a);
        } else if (a == "--workspace") {
            options.workspace = value(i, a);
            options.workspaceGiven = true;
        } else if (a == "--panel") {
            options.panel = value(i, a);
        } else if (a == "--timeout") {
            const std::string text = value(i, a);
            try {
                options.timeoutSeconds = std::stod(text);
            } catch (const std::exception&) {
                throw ConfigError("--timeout expects seconds, got \"" + text + "\"");
            }
        } else if (!a.empty() && a[0] == '-') {
            throw ConfigError("unknown option \"" + a + "\" (see --help)");
        } else if (!options.config) {
            options.config = a;
        } else {
            throw ConfigError("unexpected argument \"" + a + "\" (see --help)");
        }
    }
    if (options.headlessConfig && !options.outDir) {
        throw ConfigError("--headless needs --out DIR for the results");
    }
    if (options.outDir && !options.headlessConfig) {
        throw ConfigError("--out only makes sense with --headless CONFIG");
    }
    if (options.headlessConfig && options.screenshotFile) {
        throw ConfigError("--headless and --screenshot cannot be combined");
    }
    return options;
}

const core::ExperimentFamily& family(const std::string& id) {
    if (const auto* found = core::findExperimentFamily(id)) return *found;
    throw ConfigError("unknown workspace \"" + id +
                      "\" (workspaces: " + core::experimentFamilyIds() + ")");
}

std::string usage() {
    std::string text = kUsage;
    const std::string marker = "@WORKSPACES@";
    text.replace(text.find(marker), marker.size(), core::experimentFamilyIds());
    return text;
}

// One id a line; without --workspace every family's, as "family/id" so the lines stay
// unambiguous when two families ship a preset of the same name.
void listPresets(const Options& options) {
    if (options.workspaceGiven) {
        for (const auto& id : family(options.workspace).presetIds()) std::cout << id << "\n";
        return;
    }
    for (const auto& f : core::experimentFamilies())
        for (const auto& id : f.presetIds()) std::cout << f.id << "/" << id << "\n";
}

int runGui(int argc, char** argv, const Options& options) {
    widgets::setDefaultSurfaceFormat();  // must precede QApplication (OpenGL 3.2 core)
    QApplication application(argc, argv);
    QApplication::setApplicationName("driftlab");
    QApplication::setOrganizationName("driftlab");

    MainWindow window;
    if (!window.selectWorkspace(QString::fromStdString(options.workspace))) {
        std::cerr << "driftlab: error: unknown workspace \"" << options.workspace << "\"\n";
        return 2;
    }
    Workspace* workspace = window.currentWorkspace();
    if (options.config) {
        QString error;
        if (!workspace->loadConfig(QString::fromStdString(*options.config), &error)) {
            std::cerr << "driftlab: error: " << error.toStdString() << "\n";
            return 1;
        }
    }
    if (!options.panel.empty() && !workspace->showPanel(QString::fromStdString(options.panel))) {
        std::cerr << "driftlab: error: no panel named \"" << options.panel << "\"\n";
        return 1;
    }
    window.show();

    if (!options.screenshotFile) {
        QTimer::singleShot(0, workspace, &Workspace::run);
        return application.exec();
    }

    // --screenshot: run, let the views render the result, grab the whole window.
    int exitCode = 0;
    const QString file = QString::fromStdString(*options.screenshotFile);
    QObject::connect(
        &window, &MainWindow::runFinished, &window, [&](bool ok, const QString& message) {
            if (!ok) {
                std::cerr << "driftlab: error: " << message.toStdString() << "\n";
                exitCode = 1;
            }
            QTimer::singleShot(400, &window, [&] {
                const QImage image = window.grab().toImage();
                if (!image.save(file)) {
                    std::cerr << "driftlab: error: cannot write screenshot " << file.toStdString()
                              << "\n";
                    exitCode = 1;
                } else {
                    std::cout << "screenshot written to " << file.toStdString() << "\n";
                }
                application.quit();
            });
        });
    QTimer::singleShot(static_cast<int>(options.timeoutSeconds * 1000.0), &window, [&] {
        std::cerr << "driftlab: error: --screenshot run did not finish within "
                  << options.timeoutSeconds << " s\n";
        exitCode = 1;
        application.quit();
    });
    QTimer::singleShot(0, workspace, &Workspace::run);
    application.exec();
    return exitCode;
}

}  // namespace

int runCommandLine(int argc, char** argv) {
    Options options;
    try {
        options = parse(argc, argv);
        if (options.help) {
            std::cout << usage();
            return 0;
        }
        if (options.listPresets) {
            listPresets(options);
            return 0;
        }
        if (options.headlessConfig) {
            core::HeadlessOptions headless;
            headless.outDir = *options.outDir;
            return family(options.workspace)
                .headless(*options.headlessConfig, headless, std::cout, std::cerr);
        }
        // Trajectory presets fail early, before any window opens; other workspaces take their
        // own ids (a data set, a diffusion preset) and refuse them in loadConfig.
        if (options.config && options.workspace == "trajectories" &&
            !std::filesystem::exists(*options.config)) {
            core::resolveTrajectoryConfig(*options.config);
        }
    } catch (const Error& e) {
        std::cerr << "driftlab: error: " << e.what() << "\n";
        return 1;
    }
    return runGui(argc, argv, options);
}

}  // namespace driftlab::app
