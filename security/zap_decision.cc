// ZAP request evaluation against the policy.
#include "security/zap_decision.h"

namespace muster::security {

ZapDecision DecideZap(const Policy& policy, const std::vector<std::string>& request,
                      const std::string& expected_domain) {
  ZapDecision d;
  std::string version = request.size() > 0 ? request[0] : "1.0";
  std::string request_id = request.size() > 1 ? request[1] : "";
  auto refuse = [&](const char* status, std::string reason) {
    d.admitted = false;
    d.reason = std::move(reason);
    d.reply = {"1.0", request_id, status, d.reason, "", ""};
    return d;
  };
  if (request.size() < 6) return refuse("500", "malformed ZAP request");
  if (version != "1.0") return refuse("500", "unsupported ZAP version");
  const std::string& domain = request[2];
  d.peer_address = request[3];
  const std::string& mechanism = request[5];
  if (domain != expected_domain) return refuse("400", "wrong ZAP domain");
  if (mechanism != "CURVE") return refuse("400", "mechanism " + mechanism + " not allowed; CURVE is required");
  if (request.size() != 7 || request[6].size() != 32) return refuse("400", "malformed CURVE credentials");
  RawKey key{};
  std::copy(request[6].begin(), request[6].end(), key.begin());
  d.key_z85 = EncodeZ85Key(key);
  const Principal* p = policy.FindPrincipalByKey(key);
  if (p == nullptr) return refuse("400", "unknown key");
  if (p->revoked) {
    d.principal = p->id;
    return refuse("400", "principal '" + p->id + "' is revoked");
  }
  d.admitted = true;
  d.principal = p->id;
  d.reply = {"1.0", request_id, "200", "OK", p->id, ""};
  return d;
}

}  // namespace muster::security
