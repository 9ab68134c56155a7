// Addressing targets on the command line: "principal:ID", "org:ID", "sector:NAME", "role:NAME",
// "area:CODE", comma-separated or repeated.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "schemas/envelope.capnp.h"

namespace muster::cli {

struct Targets {
  std::vector<std::string> principals, organisations, sectors, roles, areas;
};

// Parses every --to value; errors name the bad target and the accepted forms.
Status ParseTargets(const std::vector<std::string>& values, Targets* out);
void FillAddressing(const Targets& targets, schema::Addressing::Builder addressing);

}  // namespace muster::cli
