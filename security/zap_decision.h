// The ZAP decision (RFC 27): given a ZAP request's frames and the policy, decide whether the peer
// is admitted and under which principal id. Pure logic with no sockets, so every pitfall is unit
// tested; broker/transport/zap_handler.cc runs it on the inproc://zeromq.zap.01 socket.
// Only the CURVE mechanism is admitted, only keys listed in the policy and not revoked, and the
// reply's User-Id is the principal id. No metadata properties are returned: the broker derives
// organisation, role and clearance from the User-Id, never from connection properties.
#pragma once

#include <string>
#include <vector>

#include "security/policy.h"

namespace muster::security {

struct ZapDecision {
  bool admitted = false;
  std::string principal;      // when admitted
  std::string reason;         // when refused: "unknown key", "revoked", …
  std::string key_z85;        // the client's long-term key, if CURVE
  std::string peer_address;
  std::vector<std::string> reply;  // the six reply frames to send back
};

// `expected_domain` is the ZAP domain the broker socket sets ("muster").
ZapDecision DecideZap(const Policy& policy, const std::vector<std::string>& request,
                      const std::string& expected_domain);

}  // namespace muster::security
