// AlertDifferences: field-for-field comparison of two Alerts, naming every field that differs.
// Used to check the ParseCap/WriteCap round trip (tests, and any caller that wants to confirm a
// re-serialised alert still says the same thing). Pure function, thread-safe.
#pragma once

#include <string>
#include <vector>

#include "schemas/alert.capnp.h"

namespace muster::cap {

struct AlertCompareOptions {
  // Skip hasSignature: WriteCap never writes a signature, so a signed alert's round trip differs
  // there and nowhere else.
  bool ignore_has_signature = false;
};

// Returns one line per differing field, e.g. "info[0]/area[1]/polygon[0]: 'a' != 'b'" or
// "info[0]/parameters: 3 entries != 2 entries"; empty when the alerts are equal. Text compares
// byte for byte, lists entry by entry in order.
std::vector<std::string> AlertDifferences(schema::Alert::Reader a, schema::Alert::Reader b,
                                          const AlertCompareOptions& options = {});

}  // namespace muster::cap
