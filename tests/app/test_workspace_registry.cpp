// The app's workspaces and the core's experiment families name the same ids: every family
// has a workspace (so `driftlab --workspace ID` opens what `--headless` runs) and every
// workspace a family (so it has presets and a headless mode), with the same titles.
#include "app/workspace_registry.h"
#include "core/experiment/family_registry.h"

#include <QtTest>

#include <set>

using namespace driftlab;

class TestWorkspaceRegistry : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void workspacesAndFamiliesMatch() {
        std::set<std::string> workspaces, families;
        for (const auto& factory : app::workspaceFactories()) {
            QVERIFY2(workspaces.insert(factory.id.toStdString()).second, qPrintable(factory.id));
            const core::ExperimentFamily* family =
                core::findExperimentFamily(factory.id.toStdString());
            QVERIFY2(family, qPrintable("workspace " + factory.id + " has no core family"));
            QCOMPARE(factory.title.toStdString(), family->title);
        }
        for (const auto& family : core::experimentFamilies()) {
            QVERIFY2(families.insert(family.id).second, family.id.c_str());
            QVERIFY2(workspaces.count(family.id),
                     ("family " + family.id + " has no workspace").c_str());
        }
        QCOMPARE(workspaces, families);
        QCOMPARE(app::workspaceFactories().front().id, QString("trajectories"));  // the default
    }
};

QTEST_GUILESS_MAIN(TestWorkspaceRegistry)
#include "test_workspace_registry.moc"
