// Reads a policy file (TOML). Every error names the file, the line and what to change; unknown
// keys, sections and values are errors, so a typo never silently weakens or widens the policy.
// Format (docs/policy.md has the whole of it, with the demo policy as the worked example):
//
//   [[organisation]]
//   id = "ema"  name = "…"  sector = "government"  jurisdictions = ["320400"]
//   [[principal]]
//   id = "command"  org = "ema"  role = "adapter"  clearance = "confidential"
//   public_key = "<40 Z85 chars>"   # or key_file = "keys/command.pub" (relative to the policy)
//   revoked = false
//   [[rule]]
//   name = "…"  action = "send"      # or "receive"
//   sectors = […]  roles = […]  orgs = […]  kinds = […]  statuses = […]  actions = […]
//   max_classification = "internal"  # default public
//   to = ["principal", "org"]        # send rules; receive rules take via = […]
//   [[rate_limit]]
//   role = "adapter"  per_second = 200.0  burst = 400
//   [limits]
//   max_recipients = 10000
#pragma once

#include <memory>
#include <string>

#include "common/result.h"
#include "security/policy.h"

namespace muster::security {

Result<std::shared_ptr<const Policy>> LoadPolicyFile(const std::string& path);

// Parses policy text. `source` names it in errors; relative key_file paths resolve against
// `base_dir`.
Result<std::shared_ptr<const Policy>> ParsePolicy(const std::string& text, const std::string& source,
                                                  const std::string& base_dir);

}  // namespace muster::security
