// Demo configuration, policy and keys.
#include "broker/demo_setup.h"

#include "common/files.h"
#include "security/curve_keys.h"

namespace muster::broker {
namespace {

const char kDemoOrganisations[] = R"(# Demo policy of a city's emergency coordination (Changzhou, GB/T 2260 320400).
# Organisations: id, name, sector (government, military, rescue, volunteer, audit) and the
# GB/T 2260 division codes of their jurisdiction. Principals: id, org, role, clearance and key.

[[organisation]]
id = "ema"
name = "Emergency management bureau"
sector = "government"
jurisdictions = ["320400"]

[[organisation]]
id = "msd"
name = "Military sub-district"
sector = "military"
jurisdictions = ["320400"]

[[organisation]]
id = "rescue-1"
name = "Social rescue team 1"
sector = "rescue"
jurisdictions = ["320481"]

[[organisation]]
id = "vol-1"
name = "Volunteer station 1"
sector = "volunteer"
jurisdictions = ["320402"]

[[organisation]]
id = "audit"
name = "Audit office"
sector = "audit"
jurisdictions = []
)";

const char kDemoConfig[] = R"(# musterd configuration (demo). Relative paths are relative to this file.
[broker]
name = "demo"
bind = "tcp://127.0.0.1:7750"
data_dir = "data"
secret_key = "keys/broker.key"
policy = "policy.toml"
log_level = "info"

[limits]
max_frame_bytes = 1048576
delivery_window = 256
heartbeat_ms = 5000
session_timeout_ms = 20000
max_recipients = 10000
max_text_bytes = 65536
)";

Status EnsureKey(const std::string& keys_dir, const std::string& name) {
  if (PathExists(JoinPath(keys_dir, name + ".key"))) return Status::Ok();
  auto pair = security::GenerateCurveKeyPair();
  if (!pair.ok()) return pair.status();
  return security::WriteCurveKeyFiles(keys_dir, name, *pair, /*overwrite=*/true);
}

}  // namespace

const std::vector<DemoPrincipal>& DemoPrincipals() {
  static const std::vector<DemoPrincipal> kPrincipals = {
      {"command", "ema", "adapter", "confidential", "the bureau's command centre system"},
      {"duty", "ema", "duty-officer", "confidential", "the bureau's duty officer"},
      {"msd", "msd", "adapter", "confidential", "the military sub-district's system"},
      {"liaison-1", "msd", "officer", "confidential", "a liaison officer of the sub-district"},
      {"rescue-1", "rescue-1", "adapter", "internal", "a social rescue team"},
      {"vol-1", "vol-1", "adapter", "public", "a community volunteer station"},
      {"auditor", "audit", "auditor", "confidential", "the auditor"},
  };
  return kPrincipals;
}

Status WriteDemoFiles(const std::string& dir, std::string* config_path) {
  MUSTER_RETURN_IF_ERROR(MakeDirs(dir, 0755));
  std::string keys_dir = JoinPath(dir, "keys");
  MUSTER_RETURN_IF_ERROR(MakeDirs(keys_dir, 0755));
  MUSTER_RETURN_IF_ERROR(EnsureKey(keys_dir, "broker"));
  for (const auto& p : DemoPrincipals()) MUSTER_RETURN_IF_ERROR(EnsureKey(keys_dir, p.id));

  std::string policy_path = JoinPath(dir, "policy.toml");
  if (!PathExists(policy_path)) {
    std::string policy = kDemoOrganisations;
    for (const auto& p : DemoPrincipals()) {
      policy += std::string("\n# ") + p.description + "\n[[principal]]\nid = \"" + p.id +
                "\"\norg = \"" + p.org + "\"\nrole = \"" + p.role + "\"\nclearance = \"" +
                p.clearance + "\"\nkey_file = \"keys/" + p.id + ".pub\"\n";
    }
    MUSTER_RETURN_IF_ERROR(WriteFileAtomic(policy_path, policy, 0644));
  }
  *config_path = JoinPath(dir, "musterd.toml");
  if (!PathExists(*config_path)) {
    MUSTER_RETURN_IF_ERROR(WriteFileAtomic(*config_path, kDemoConfig, 0644));
  }
  return Status::Ok();
}

}  // namespace muster::broker
