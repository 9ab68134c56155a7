// TOML policy loading and validation with toml++.
#include "security/policy_loader.h"

#include <set>
#include <sstream>
#include <toml++/toml.h>

#include "common/files.h"

namespace muster::security {
namespace {

class PolicyParser {
 public:
  PolicyParser(std::string source, std::string base_dir)
      : source_(std::move(source)), base_dir_(std::move(base_dir)) {}

  Result<std::shared_ptr<const Policy>> Parse(const std::string& text) {
    toml::table root;
    try {
      root = toml::parse(text, source_);
    } catch (const toml::parse_error& e) {
      std::ostringstream msg;
      msg << source_ << ":" << e.source().begin.line << ": " << e.description();
      return Status::InvalidArgument(msg.str());
    }
    for (const auto& [key, node] : root) {
      if (key != "organisation" && key != "principal") {
        return Error(node, "unknown section '" + std::string(key.str()) +
                               "' (expected [[organisation]] or [[principal]])");
      }
    }
    if (auto* orgs = root["organisation"].as_array()) {
      for (auto& node : *orgs) {
        auto* t = node.as_table();
        if (!t) return Error(node, "'organisation' must be a list of tables ([[organisation]])");
        MUSTER_RETURN_IF_ERROR(ParseOrganisation(*t));
      }
    } else if (root.contains("organisation")) {
      return Error(*root.get("organisation"), "'organisation' must be written [[organisation]]");
    }
    if (auto* ps = root["principal"].as_array()) {
      for (auto& node : *ps) {
        auto* t = node.as_table();
        if (!t) return Error(node, "'principal' must be a list of tables ([[principal]])");
        MUSTER_RETURN_IF_ERROR(ParsePrincipal(*t));
      }
    } else if (root.contains("principal")) {
      return Error(*root.get("principal"), "'principal' must be written [[principal]]");
    }
    if (principals_.empty()) {
      return Status::InvalidArgument(source_ + ": the policy lists no [[principal]]; nobody could connect");
    }
    return std::shared_ptr<const Policy>(
        std::make_shared<Policy>(std::move(orgs_), std::move(principals_), source_));
  }

 private:
  Status Error(const toml::node& node, const std::string& what) {
    std::ostringstream msg;
    msg << source_ << ":" << node.source().begin.line << ": " << what;
    return Status::InvalidArgument(msg.str());
  }

  Status CheckKeys(const toml::table& t, const std::set<std::string>& allowed,
                   const std::string& where) {
    for (const auto& [key, node] : t) {
      if (!allowed.count(std::string(key.str()))) {
        std::string list;
        for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
        return Error(node, where + ": unknown key '" + std::string(key.str()) + "' (allowed: " +
                               list + ")");
      }
    }
    return Status::Ok();
  }

  Status RequireString(const toml::table& t, const char* key, const std::string& where,
                       std::string* out) {
    const toml::node* node = t.get(key);
    if (!node) return Error(t, where + ": missing '" + key + "'");
    auto v = node->value<std::string>();
    if (!v) return Error(*node, where + ": '" + key + "' must be a string");
    *out = *v;
    return Status::Ok();
  }

  Status ParseOrganisation(const toml::table& t) {
    Organisation org;
    MUSTER_RETURN_IF_ERROR(RequireString(t, "id", "organisation", &org.id));
    std::string where = "organisation '" + org.id + "'";
    MUSTER_RETURN_IF_ERROR(CheckKeys(t, {"id", "name", "sector", "jurisdictions"}, where));
    if (!IsValidId(org.id)) return Error(t, where + ": id must be 1-64 characters of a-z 0-9 . _ -");
    if (org_ids_.count(org.id)) return Error(t, where + ": defined twice");
    MUSTER_RETURN_IF_ERROR(RequireString(t, "name", where, &org.name));
    MUSTER_RETURN_IF_ERROR(RequireString(t, "sector", where, &org.sector));
    if (!IsKnownSector(org.sector)) {
      return Error(*t.get("sector"), where + ": unknown sector '" + org.sector +
                                         "' (government, military, rescue, volunteer, audit)");
    }
    if (const toml::node* j = t.get("jurisdictions")) {
      auto* arr = j->as_array();
      if (!arr) return Error(*j, where + ": 'jurisdictions' must be a list of division codes");
      for (auto& item : *arr) {
        auto code = item.value<std::string>();
        if (!code || code->size() != 6 ||
            code->find_first_not_of("0123456789") != std::string::npos) {
          return Error(item, where + ": a jurisdiction is a 6-digit GB/T 2260 code such as \"320400\"");
        }
        org.jurisdictions.push_back(*code);
      }
    }
    org_ids_.insert(org.id);
    orgs_.push_back(std::move(org));
    return Status::Ok();
  }

  Status ParsePrincipal(const toml::table& t) {
    Principal p;
    MUSTER_RETURN_IF_ERROR(RequireString(t, "id", "principal", &p.id));
    std::string where = "principal '" + p.id + "'";
    MUSTER_RETURN_IF_ERROR(CheckKeys(
        t, {"id", "org", "role", "clearance", "public_key", "key_file", "revoked"}, where));
    if (!IsValidId(p.id)) return Error(t, where + ": id must be 1-64 characters of a-z 0-9 . _ -");
    if (principal_ids_.count(p.id)) return Error(t, where + ": defined twice");
    MUSTER_RETURN_IF_ERROR(RequireString(t, "org", where, &p.org));
    if (!org_ids_.count(p.org)) {
      return Error(*t.get("org"), where + ": organisation '" + p.org +
                                      "' is not defined (define it above with [[organisation]])");
    }
    MUSTER_RETURN_IF_ERROR(RequireString(t, "role", where, &p.role));
    if (!IsKnownRole(p.role)) {
      return Error(*t.get("role"), where + ": unknown role '" + p.role +
                                       "' (adapter, officer, duty-officer, auditor, admin)");
    }
    std::string clearance = "public";
    if (t.contains("clearance")) MUSTER_RETURN_IF_ERROR(RequireString(t, "clearance", where, &clearance));
    auto c = ParseClearance(clearance);
    if (!c) {
      return Error(*t.get("clearance"), where + ": unknown clearance '" + clearance +
                                            "' (public, internal, restricted, confidential)");
    }
    p.clearance = *c;
    if (const toml::node* r = t.get("revoked")) {
      auto v = r->value<bool>();
      if (!v) return Error(*r, where + ": 'revoked' must be true or false");
      p.revoked = *v;
    }
    bool has_key = t.contains("public_key"), has_file = t.contains("key_file");
    if (has_key == has_file) {
      return Error(t, where + ": give exactly one of 'public_key' (Z85) or 'key_file' (path to NAME.pub)");
    }
    if (has_key) {
      MUSTER_RETURN_IF_ERROR(RequireString(t, "public_key", where, &p.public_key_z85));
    } else {
      std::string file;
      MUSTER_RETURN_IF_ERROR(RequireString(t, "key_file", where, &file));
      auto key = LoadCurvePublicKeyFile(JoinPath(base_dir_, file));
      if (!key.ok()) return Error(*t.get("key_file"), where + ": " + key.status().message());
      p.public_key_z85 = *key;
    }
    auto raw = DecodeZ85Key(p.public_key_z85);
    if (!raw.ok()) return Error(t, where + ": " + raw.status().message());
    p.public_key = *raw;
    if (key_owner_.count(p.public_key)) {
      return Error(t, where + ": uses the same public key as principal '" + key_owner_[p.public_key] +
                          "'; every principal needs its own key");
    }
    key_owner_[p.public_key] = p.id;
    principal_ids_.insert(p.id);
    principals_.push_back(std::move(p));
    return Status::Ok();
  }

  std::string source_;
  std::string base_dir_;
  std::vector<Organisation> orgs_;
  std::vector<Principal> principals_;
  std::set<std::string> org_ids_;
  std::set<std::string> principal_ids_;
  std::map<RawKey, std::string> key_owner_;
};

}  // namespace

Result<std::shared_ptr<const Policy>> ParsePolicy(const std::string& text, const std::string& source,
                                                  const std::string& base_dir) {
  return PolicyParser(source, base_dir).Parse(text);
}

Result<std::shared_ptr<const Policy>> LoadPolicyFile(const std::string& path) {
  auto text = ReadFile(path);
  if (!text.ok()) return text.status().WithContext("policy");
  return ParsePolicy(*text, path, DirName(path));
}

}  // namespace muster::security
