// deploy/install.sh and the systemd units: installs into a temporary root (binaries from this
// build), checks owners and modes, verifies the units with systemd-analyze, then runs the
// installed broker from its installed paths as the `muster` user with the unit's command line.
#include <gtest/gtest.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "common/files.h"
#include "tests/fixtures/broker_process.h"
#include "tests/fixtures/temp_dir.h"

namespace muster::testing {
namespace {

struct Owner {
  std::string user;
  unsigned mode = 0;
};

Owner OwnerOf(const std::string& path) {
  struct stat st{};
  if (stat(path.c_str(), &st) != 0) return {};
  const passwd* pw = getpwuid(st.st_uid);
  return {pw ? pw->pw_name : std::to_string(st.st_uid), st.st_mode & 07777};
}

class InstallTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "install.sh creates a user and sets owners: run as root";
    chmod(dir_.path().c_str(), 0755);  // the muster user must reach the installed files
    root_ = dir_.path();
  }
  CommandResult Install() {
    return RunCommand({std::string(MUSTER_SOURCE_DIR) + "/deploy/install.sh", "--prefix", root_ + "/usr",
                       "--sysconfdir", root_ + "/etc/muster", "--statedir", root_ + "/var/lib/muster",
                       "--backupdir", root_ + "/var/backups/muster", "--spooldir", root_ + "/var/spool/muster-cap",
                       "--unitdir", root_ + "/units", "--build-dir", MUSTER_BUILD_DIR, "--no-build", "--name",
                       "testcity"},
                      {}, 120);
  }
  TempDir dir_;
  std::string root_;
};

TEST_F(InstallTest, InstallsWithModesUnitsVerifyAndTheInstalledBrokerRuns) {
  CommandResult first = Install();
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  // Owners and modes: secrets readable only by their owner, state only by muster.
  EXPECT_EQ(OwnerOf(root_ + "/etc/muster/keys/broker.key").user, "muster");
  EXPECT_EQ(OwnerOf(root_ + "/etc/muster/keys/broker.key").mode, 0600u);
  EXPECT_EQ(OwnerOf(root_ + "/etc/muster/keys/broker.signing.key").mode, 0600u);
  EXPECT_EQ(OwnerOf(root_ + "/etc/muster/keys/admin.key").mode, 0600u);
  EXPECT_EQ(OwnerOf(root_ + "/var/lib/muster").user, "muster");
  EXPECT_EQ(OwnerOf(root_ + "/var/lib/muster").mode, 0700u);
  EXPECT_EQ(OwnerOf(root_ + "/etc/muster/musterd.toml").mode, 0640u);
  EXPECT_EQ(OwnerOf(root_ + "/var/lib/muster/gateway").user, "muster");
  EXPECT_EQ(OwnerOf(root_ + "/var/lib/muster/gateway").mode, 0700u);
  EXPECT_EQ(OwnerOf(root_ + "/var/spool/muster-cap/edxl").user, "muster");
  EXPECT_EQ(OwnerOf(root_ + "/var/spool/muster-cap/edxl").mode, 0700u);
  std::string key_before = *ReadFile(root_ + "/etc/muster/keys/broker.pub");

  // Idempotent: a second run keeps keys and configuration.
  CommandResult second = Install();
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(*ReadFile(root_ + "/etc/muster/keys/broker.pub"), key_before);

  // The units verify (their binaries exist at the installed paths).
  if (access("/usr/bin/systemd-analyze", X_OK) == 0) {
    CommandResult verify = RunCommand({"/usr/bin/systemd-analyze", "verify", root_ + "/units/musterd.service"});
    EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
    std::filesystem::copy_file(root_ + "/units/muster-cap@.service", root_ + "/units/muster-cap@vol-1.service");
    CommandResult cap = RunCommand({"/usr/bin/systemd-analyze", "verify", root_ + "/units/muster-cap@vol-1.service"});
    EXPECT_EQ(cap.exit_code, 0) << cap.out << cap.err;
    std::filesystem::copy_file(root_ + "/units/muster-edxl@.service", root_ + "/units/muster-edxl@msd.service");
    CommandResult edxl = RunCommand({"/usr/bin/systemd-analyze", "verify", root_ + "/units/muster-edxl@msd.service"});
    EXPECT_EQ(edxl.exit_code, 0) << edxl.out << edxl.err;
    CommandResult gateway =
        RunCommand({"/usr/bin/systemd-analyze", "verify", root_ + "/units/muster-gateway.service"});
    EXPECT_EQ(gateway.exit_code, 0) << gateway.out << gateway.err;
  }

  // Run the installed broker as the unit would: user muster, the unit's command line.
  std::string endpoint = "tcp://127.0.0.1:" + std::to_string(FreePort());
  ChildProcess broker({"/usr/bin/setpriv", "--reuid=muster", "--regid=muster", "--init-groups", "--",
                       root_ + "/usr/bin/musterd", "--config", root_ + "/etc/muster/musterd.toml", "--bind", endpoint},
                      root_ + "/musterd.log");
  CommandResult health;
  for (int i = 0; i < 50; ++i) {
    health = RunCommand({root_ + "/usr/bin/muster-admin", "--connect-timeout", "1", "--broker", endpoint, "--key",
                         root_ + "/etc/muster/keys/admin.key", "--server-key", root_ + "/etc/muster/keys/broker.pub",
                         "health"});
    if (health.exit_code == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_EQ(health.exit_code, 0) << health.err << *ReadFile(root_ + "/musterd.log");
  EXPECT_EQ(health.out.rfind("healthy", 0), 0u) << health.out;
  EXPECT_EQ(OwnerOf(root_ + "/var/lib/muster/data/CURRENT").user, "muster");
  broker.Signal(SIGTERM);
  EXPECT_EQ(broker.Wait(30), 0) << *ReadFile(root_ + "/musterd.log");
}

}  // namespace
}  // namespace muster::testing
