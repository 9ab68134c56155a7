// Demo setup for `musterd --demo DIR`: writes, where absent, DIR/musterd.toml, DIR/policy.toml and
// DIR/keys/<name>.key|.pub for the broker and every demo principal, so a fresh machine can run a
// complete broker with no other step. Existing files are never overwritten. The demo policy
// (organisations, principals, rules, rate limits) is the worked example of docs/policy.md.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace muster::broker {

struct DemoPrincipal {
  const char* id;
  const char* org;
  const char* role;
  const char* clearance;
  const char* description;
};

// The demo principals, in the order they are written to the policy.
const std::vector<DemoPrincipal>& DemoPrincipals();

// Creates what is missing in `dir`. Returns the path of the config file.
Status WriteDemoFiles(const std::string& dir, std::string* config_path);

}  // namespace muster::broker
