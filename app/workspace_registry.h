#pragma once
#include <QString>
#include <functional>
#include <vector>

class QObject;

namespace driftlab::app {

class Workspace;

struct WorkspaceFactory {
    QString id;     // used on the command line: --workspace trajectories
    QString title;  // shown in the workspace selector
    std::function<Workspace*(QObject* parent)> create;
};

// Every workspace the app offers, in selector order; the first is the default.
const std::vector<WorkspaceFactory>& workspaceFactories();

}  // namespace driftlab::app
