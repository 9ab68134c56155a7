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

const char kDemoRules[] = R"(
# Rules. Deny by default: a principal sends only what some send rule allows and receives only what
# some receive rule allows; beyond the rules, nobody sends or receives above their clearance and a
# revoked principal neither sends nor receives. A filter left out matches anything. Auditors and
# admins have no rule, so they send and receive no traffic: auditors read the audit log through
# muster-audit, admins manage the broker with muster-admin.

# Government and military exchange everything up to confidential.
[[rule]]
name = "government and military send"
action = "send"
sectors = ["government", "military"]
roles = ["adapter", "officer", "duty-officer"]
max_classification = "confidential"

[[rule]]
name = "government and military receive"
action = "receive"
sectors = ["government", "military"]
roles = ["adapter", "officer", "duty-officer"]
max_classification = "confidential"

# Rescue teams send and receive everything up to internal.
[[rule]]
name = "rescue teams send"
action = "send"
sectors = ["rescue"]
roles = ["adapter", "officer", "duty-officer"]
max_classification = "internal"

[[rule]]
name = "rescue teams receive"
action = "receive"
sectors = ["rescue"]
roles = ["adapter", "officer", "duty-officer"]
max_classification = "internal"

# Volunteer stations send public situation messages (alerts) to anyone, and equipment offers to
# the requester they answer. System traffic is between agency systems, not for volunteers.
[[rule]]
name = "volunteer situation messages"
action = "send"
sectors = ["volunteer"]
roles = ["adapter", "officer", "duty-officer"]
kinds = ["alert"]
statuses = ["actual", "exercise", "test"]
max_classification = "public"

[[rule]]
name = "volunteer equipment offers"
action = "send"
sectors = ["volunteer"]
roles = ["adapter", "officer", "duty-officer"]
kinds = ["equipment"]
actions = ["offer"]
statuses = ["actual", "exercise", "test"]
max_classification = "public"
to = ["principal", "org"]

# Volunteer stations receive public alerts for their area: addressed to an area their
# jurisdiction overlaps, to the volunteer sector, or to them by name; not role broadcasts.
[[rule]]
name = "volunteer public alerts"
action = "receive"
sectors = ["volunteer"]
roles = ["adapter", "officer", "duty-officer"]
kinds = ["alert"]
statuses = ["actual", "exercise", "test"]
max_classification = "public"
via = ["area", "sector", "org", "principal"]

# ... and public equipment traffic (requests, and the rest of the workflow) only when addressed to
# them by name.
[[rule]]
name = "volunteer equipment addressed to them"
action = "receive"
sectors = ["volunteer"]
roles = ["adapter", "officer", "duty-officer"]
kinds = ["equipment"]
statuses = ["actual", "exercise", "test"]
max_classification = "public"
via = ["principal", "org"]

# Per-principal rate limits (token bucket) by role; roles without one are not rate limited.
[[rate_limit]]
role = "adapter"
per_second = 200.0
burst = 400

[[rate_limit]]
role = "officer"
per_second = 20.0
burst = 40

[[rate_limit]]
role = "duty-officer"
per_second = 20.0
burst = 40

[limits]
max_recipients = 10000
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
      {"admin", "ema", "admin", "internal", "the broker's administrator (muster-admin)"},
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
    policy += kDemoRules;
    MUSTER_RETURN_IF_ERROR(WriteFileAtomic(policy_path, policy, 0644));
  }
  *config_path = JoinPath(dir, "musterd.toml");
  if (!PathExists(*config_path)) {
    MUSTER_RETURN_IF_ERROR(WriteFileAtomic(*config_path, kDemoConfig, 0644));
  }
  return Status::Ok();
}

}  // namespace muster::broker
