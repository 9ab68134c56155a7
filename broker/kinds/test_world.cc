// The test city and its publish loop.
#include "broker/kinds/test_world.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace muster::kinds {
namespace {

using security::Clearance;

std::unique_ptr<security::Policy> CityPolicy() {
  std::vector<security::Organisation> orgs = {
      {"ema", "Emergency management bureau", "government", {"320400"}},
      {"msd", "Military sub-district", "military", {"320400"}},
      {"fire-1", "Fire brigade 1", "rescue", {"320402"}},
      {"rescue-1", "Social rescue team 1", "rescue", {"320481"}},
      {"vol-1", "Volunteer station 1", "volunteer", {"320402"}},
      {"audit", "Audit office", "audit", {}},
  };
  auto p = [](std::string id, std::string org, std::string role, Clearance c,
              bool revoked = false) {
    security::Principal out;
    out.id = std::move(id);
    out.org = std::move(org);
    out.role = std::move(role);
    out.clearance = c;
    out.revoked = revoked;
    return out;
  };
  std::vector<security::Principal> principals = {
      p("command", "ema", "adapter", Clearance::kConfidential),
      p("duty", "ema", "duty-officer", Clearance::kConfidential),
      p("admin", "ema", "admin", Clearance::kInternal),
      p("msd", "msd", "adapter", Clearance::kConfidential),
      p("msd-duty", "msd", "duty-officer", Clearance::kConfidential),
      p("liaison-1", "msd", "officer", Clearance::kConfidential),
      p("liaison-2", "msd", "officer", Clearance::kConfidential),
      p("liaison-3", "msd", "officer", Clearance::kConfidential),
      p("liaison-x", "msd", "officer", Clearance::kConfidential, /*revoked=*/true),
      p("fire-1", "fire-1", "adapter", Clearance::kInternal),
      p("fire-duty", "fire-1", "duty-officer", Clearance::kInternal),
      p("fire-officer", "fire-1", "officer", Clearance::kInternal),
      p("rescue-1", "rescue-1", "adapter", Clearance::kInternal),
      p("rescue-2", "rescue-1", "officer", Clearance::kInternal),
      p("vol-1", "vol-1", "adapter", Clearance::kPublic),
      p("auditor", "audit", "auditor", Clearance::kConfidential),
  };
  return std::make_unique<security::Policy>(std::move(orgs), std::move(principals), "test city");
}

}  // namespace

std::string QueryTable::Cell(size_t row, std::string_view column) const {
  auto it = std::find(columns.begin(), columns.end(), column);
  if (it == columns.end()) return "<no column " + std::string(column) + ">";
  if (row >= rows.size()) return "<no row " + std::to_string(row) + ">";
  return rows[row][static_cast<size_t>(it - columns.begin())];
}

TestWorld::TestWorld() : policy_(CityPolicy()) {}

Published TestWorld::Publish(const std::string& principal,
                             const std::function<void(schema::Envelope::Builder)>& fill,
                             std::vector<std::string> routed) {
  Published out;
  out.seq = next_seq;
  const security::Principal* who = policy_->FindPrincipal(principal);
  if (who == nullptr) {
    ADD_FAILURE() << "test publishes as unknown principal " << principal;
    out.status = Status::Internal("unknown principal");
    return out;
  }
  capnp::MallocMessageBuilder message;
  auto e = message.initRoot<schema::Envelope>();
  e.setStatus(schema::MessageStatus::ACTUAL);
  e.setClassification(schema::Classification::INTERNAL);
  fill(e);
  e.setSeq(out.seq);
  e.setSender(principal);
  e.setSenderOrg(who->org);
  e.setReceivedMillis(now_ms);

  MessageContext context;
  context.seq = out.seq;
  context.now_ms = now_ms;
  context.publisher =
      Publisher{principal, who->org, who->role, policy_->FindOrganisation(who->org)->sector};
  context.policy = policy_.get();

  const KindPlugin* plugin = registry_.ForBody(e.getBody().which());
  if (plugin == nullptr) {
    out.status = Status::InvalidArgument("no plugin for this body");
    return out;
  }
  auto envelope = e.asReader();
  Status validated = plugin->Validate(envelope, context, state_);
  Result<Effect> applied = plugin->Apply(envelope, context, state_);
  if (validated.ok() != applied.ok() ||
      (!validated.ok() && validated.ToString() != applied.status().ToString())) {
    ADD_FAILURE() << "Validate and Apply disagree: " << validated.ToString() << " vs "
                  << (applied.ok() ? std::string("ok") : applied.status().ToString());
  }
  out.status = validated;
  if (!validated.ok() || !applied.ok()) return out;
  out.effect = std::move(applied).value();
  std::vector<std::string> recipients = std::move(routed);
  for (const auto& r : out.effect.extra_recipients) {
    if (std::find(recipients.begin(), recipients.end(), r) == recipients.end())
      recipients.push_back(r);
  }
  state_.Commit(plugin->name(), out.seq, out.effect, std::move(recipients));
  ++next_seq;
  return out;
}

QueryTable TestWorld::Query(const std::string& viewer, schema::Kind kind, std::string_view id,
                            std::string_view incident, std::string_view state) {
  QueryTable out;
  const security::Principal* who = policy_->FindPrincipal(viewer);
  if (who == nullptr) {
    ADD_FAILURE() << "test queries as unknown principal " << viewer;
    out.status = Status::Internal("unknown principal");
    return out;
  }
  capnp::MallocMessageBuilder message;
  auto q = message.initRoot<schema::WorkflowQuery>();
  q.setKind(kind);
  q.setId(std::string(id));
  q.setIncident(std::string(incident));
  q.setState(std::string(state));
  capnp::MallocMessageBuilder answer;
  auto table = answer.initRoot<schema::Table>();
  const KindPlugin* plugin = registry_.ForKind(kind);
  Viewer v{who->id, who->org, who->role, who->clearance};
  out.status = plugin->Query(q.asReader(), v, state_, table);
  if (!out.status.ok()) return out;
  for (auto c : table.asReader().getColumns()) out.columns.emplace_back(c);
  for (auto row : table.asReader().getRows()) {
    std::vector<std::string> cells;
    for (auto c : row.getCells()) cells.emplace_back(c);
    EXPECT_EQ(cells.size(), out.columns.size());
    out.rows.push_back(std::move(cells));
  }
  return out;
}

std::unique_ptr<wire::DecodedStruct> TestWorld::Record(std::string_view kind, std::string_view id) {
  auto bytes = state_.Get(kind, id);
  if (!bytes.ok() || !*bytes) {
    ADD_FAILURE() << "no " << kind << " record " << id;
    return nullptr;
  }
  auto decoded = wire::DecodedStruct::Decode((*bytes)->data(), (*bytes)->size());
  if (!decoded.ok()) {
    ADD_FAILURE() << decoded.status().ToString();
    return nullptr;
  }
  return std::move(decoded).value();
}

}  // namespace muster::kinds
