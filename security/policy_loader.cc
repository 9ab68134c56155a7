// TOML policy loading and validation with toml++.
#include "security/policy_loader.h"

#include <cmath>
#include <functional>
#include <set>
#include <sstream>
#include <toml++/toml.h>

#include "common/files.h"
#include "security/jurisdiction.h"

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
      if (key != "organisation" && key != "principal" && key != "rule" && key != "rate_limit" &&
          key != "limits") {
        return Error(node, "unknown section '" + std::string(key.str()) +
                               "' (expected [[organisation]], [[principal]], [[rule]], "
                               "[[rate_limit]] or [limits])");
      }
    }
    // Organisations first, wherever they are in the file: principals and rules refer to them.
    MUSTER_RETURN_IF_ERROR(ForEachTable(
        root, "organisation", [&](const toml::table& t) { return ParseOrganisation(t); }));
    MUSTER_RETURN_IF_ERROR(
        ForEachTable(root, "principal", [&](const toml::table& t) { return ParsePrincipal(t); }));
    MUSTER_RETURN_IF_ERROR(
        ForEachTable(root, "rule", [&](const toml::table& t) { return ParseRule(t); }));
    MUSTER_RETURN_IF_ERROR(
        ForEachTable(root, "rate_limit", [&](const toml::table& t) { return ParseRateLimit(t); }));
    if (const toml::node* l = root.get("limits")) {
      auto* t = l->as_table();
      if (!t) return Error(*l, "'limits' must be written [limits]");
      MUSTER_RETURN_IF_ERROR(ParseLimits(*t));
    }
    if (principals_.empty()) {
      return Status::InvalidArgument(source_ + ": the policy lists no [[principal]]; nobody could connect");
    }
    return std::shared_ptr<const Policy>(
        std::make_shared<Policy>(std::move(orgs_), std::move(principals_), std::move(rules_),
                                 std::move(rate_limits_), limits_, source_));
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

  // Calls `parse` for each table of the array of tables `name` ([[name]]).
  Status ForEachTable(const toml::table& root, const char* name,
                      const std::function<Status(const toml::table&)>& parse) {
    const toml::node* node = root.get(name);
    if (!node) return Status::Ok();
    auto* arr = node->as_array();
    if (!arr) return Error(*node, std::string("'") + name + "' must be written [[" + name + "]]");
    for (auto& item : *arr) {
      auto* t = item.as_table();
      if (!t) {
        return Error(item,
                     std::string("'") + name + "' must be a list of tables ([[" + name + "]])");
      }
      MUSTER_RETURN_IF_ERROR(parse(*t));
    }
    return Status::Ok();
  }

  // Reads the optional list of strings `key` into `out`, each value checked by `valid`
  // (`expected` describes the allowed values). Absent: `out` stays empty (matches anything); an
  // empty list is refused, since it would silently match nothing.
  Status OptionalList(const toml::table& t, const char* key, const std::string& where,
                      const std::function<bool(const std::string&)>& valid,
                      const std::string& expected, std::vector<std::string>* out) {
    const toml::node* node = t.get(key);
    if (!node) return Status::Ok();
    auto* arr = node->as_array();
    if (!arr) {
      return Error(*node, where + ": '" + key + "' must be a list of strings (" + expected + ")");
    }
    if (arr->empty()) {
      return Error(*node, where + ": '" + key +
                              "' is empty, which matches nothing; leave it out to match any");
    }
    for (auto& item : *arr) {
      auto v = item.value<std::string>();
      if (!v) return Error(item, where + ": '" + key + "' must be a list of strings");
      if (!valid(*v)) {
        return Error(item,
                     where + ": unknown value '" + *v + "' in '" + key + "' (" + expected + ")");
      }
      out->push_back(*v);
    }
    return Status::Ok();
  }

  Status ParseRule(const toml::table& t) {
    Rule rule;
    rule.line = static_cast<int>(t.source().begin.line);
    if (t.contains("name")) MUSTER_RETURN_IF_ERROR(RequireString(t, "name", "rule", &rule.name));
    std::string where = rule.label();
    MUSTER_RETURN_IF_ERROR(CheckKeys(t,
                                     {"name", "action", "sectors", "roles", "orgs", "kinds",
                                      "statuses", "max_classification", "to", "via", "actions"},
                                     where));
    std::string action;
    MUSTER_RETURN_IF_ERROR(RequireString(t, "action", where, &action));
    if (action == "send") {
      rule.action = RuleAction::kSend;
    } else if (action == "receive") {
      rule.action = RuleAction::kReceive;
    } else {
      return Error(*t.get("action"),
                   where + ": 'action' must be \"send\" or \"receive\", not '" + action + "'");
    }
    MUSTER_RETURN_IF_ERROR(OptionalList(
        t, "sectors", where, [](const std::string& v) { return IsKnownSector(v); },
        "government, military, rescue, volunteer, audit", &rule.sectors));
    MUSTER_RETURN_IF_ERROR(OptionalList(
        t, "roles", where, [](const std::string& v) { return IsKnownRole(v); },
        "adapter, officer, duty-officer, auditor, admin", &rule.roles));
    MUSTER_RETURN_IF_ERROR(OptionalList(
        t, "orgs", where, [&](const std::string& v) { return org_ids_.count(v) > 0; },
        "ids of organisations defined with [[organisation]]", &rule.orgs));
    MUSTER_RETURN_IF_ERROR(OptionalList(
        t, "kinds", where, [](const std::string& v) { return IsKnownKind(v); },
        "alert, liaison, equipment", &rule.kinds));
    MUSTER_RETURN_IF_ERROR(OptionalList(
        t, "statuses", where, [](const std::string& v) { return IsKnownStatus(v); },
        "actual, exercise, test, system", &rule.statuses));
    if (t.contains("max_classification")) {
      std::string c;
      MUSTER_RETURN_IF_ERROR(RequireString(t, "max_classification", where, &c));
      auto parsed = ParseClearance(c);
      if (!parsed) {
        return Error(*t.get("max_classification"),
                     where + ": unknown classification '" + c +
                         "' in 'max_classification' (public, internal, restricted, confidential)");
      }
      rule.max_classification = *parsed;
    }
    const char* terms_key = rule.action == RuleAction::kSend ? "to" : "via";
    const char* other_key = rule.action == RuleAction::kSend ? "via" : "to";
    if (const toml::node* other = t.get(other_key)) {
      return Error(*other, where + ": '" + other_key + "' belongs in a " +
                               (rule.action == RuleAction::kSend ? "receive" : "send") +
                               " rule; a " + action + " rule takes '" + terms_key + "'");
    }
    MUSTER_RETURN_IF_ERROR(OptionalList(
        t, terms_key, where, [](const std::string& v) { return IsKnownTermType(v); },
        "principal, org, sector, role, area", &rule.term_types));
    // An action must belong to one of the rule's kinds (or to any kind when kinds is absent).
    std::vector<std::string> kinds = rule.kinds;
    if (kinds.empty()) kinds = {"alert", "liaison", "equipment"};
    std::string kinds_with_actions;
    for (const auto& k : kinds) {
      if (!KindActions(k).empty()) {
        kinds_with_actions += (kinds_with_actions.empty() ? "" : ", ") + k;
      }
    }
    if (t.contains("actions") && kinds_with_actions.empty()) {
      return Error(*t.get("actions"),
                   where + ": 'actions' given, but alert messages have no workflow actions");
    }
    MUSTER_RETURN_IF_ERROR(OptionalList(
        t, "actions", where,
        [&](const std::string& v) {
          for (const auto& k : kinds)
            if (IsKnownAction(k, v)) return true;
          return false;
        },
        "an action of " + kinds_with_actions + ": " + ActionList(kinds), &rule.actions));
    rules_.push_back(std::move(rule));
    return Status::Ok();
  }

  static std::string ActionList(const std::vector<std::string>& kinds) {
    std::string out;
    std::set<std::string_view> seen;
    for (const auto& k : kinds) {
      for (auto a : KindActions(k)) {
        if (!seen.insert(a).second) continue;
        out += (out.empty() ? "" : ", ") + std::string(a);
      }
    }
    return out;
  }

  Status ParseRateLimit(const toml::table& t) {
    RateLimit r;
    MUSTER_RETURN_IF_ERROR(CheckKeys(t, {"role", "per_second", "burst"}, "rate_limit"));
    MUSTER_RETURN_IF_ERROR(RequireString(t, "role", "rate_limit", &r.role));
    std::string where = "rate_limit for role '" + r.role + "'";
    if (!IsKnownRole(r.role)) {
      return Error(*t.get("role"), "rate_limit: unknown role '" + r.role +
                                       "' (adapter, officer, duty-officer, auditor, admin)");
    }
    for (const auto& other : rate_limits_) {
      if (other.role == r.role) return Error(t, where + ": defined twice");
    }
    const toml::node* ps = t.get("per_second");
    if (!ps) return Error(t, where + ": missing 'per_second'");
    std::optional<double> rate;
    if (ps->is_floating_point() || ps->is_integer()) rate = ps->value<double>();
    if (!rate || !std::isfinite(*rate) || *rate <= 0) {
      return Error(*ps, where + ": 'per_second' must be a number greater than 0");
    }
    r.per_second = *rate;
    const toml::node* b = t.get("burst");
    if (!b) return Error(t, where + ": missing 'burst'");
    auto burst = b->is_integer() ? b->value<int64_t>() : std::nullopt;
    if (!burst || *burst < 1) {
      return Error(*b, where + ": 'burst' must be an integer of at least 1");
    }
    r.burst = *burst;
    rate_limits_.push_back(std::move(r));
    return Status::Ok();
  }

  Status ParseLimits(const toml::table& t) {
    MUSTER_RETURN_IF_ERROR(CheckKeys(t, {"max_recipients"}, "limits"));
    if (const toml::node* m = t.get("max_recipients")) {
      auto v = m->is_integer() ? m->value<int64_t>() : std::nullopt;
      if (!v || *v < 1 || *v > 10'000'000) {
        return Error(*m, "limits: 'max_recipients' must be an integer from 1 to 10000000");
      }
      limits_.max_recipients = static_cast<uint32_t>(*v);
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
        if (!code || !IsDivisionCode(*code)) {
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
    if (p.id == "muster") {
      return Error(t, where + ": 'muster' is reserved: it is the sender of the broker's own messages");
    }
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
  std::vector<Rule> rules_;
  std::vector<RateLimit> rate_limits_;
  PolicyLimits limits_;
};

}  // namespace

Result<std::shared_ptr<const Policy>> ParsePolicy(const std::string& text, const std::string& source,
                                                  const std::string& base_dir) {
  return PolicyParser(source, base_dir).Parse(text);
}

Result<std::shared_ptr<const Policy>> LoadPolicyFile(const std::string& path) {
  auto text = ReadFile(path, 16u << 20);
  if (!text.ok()) return text.status().WithContext("policy");
  return ParsePolicy(*text, path, DirName(path));
}

}  // namespace muster::security
