// The publish pipeline.
#include "broker/publish_pipeline.h"

#include <algorithm>
#include <memory>

#include "broker/routing/recipient_resolver.h"
#include "security/authorization.h"
#include "broker/store/keys.h"
#include "broker/delivery/deliver_frame.h"
#include "broker/store/record_codec.h"
#include "common/check.h"
#include "security/sha256.h"

namespace muster::broker {

using delivery::ReceiptFields;
using delivery::ReceiptFrame;
using delivery::RejectCodeName;
using delivery::RejectFrame;

namespace {

// How a plugin's refusal is told to the client.
schema::RejectCode WorkflowRejectCode(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument: return schema::RejectCode::INVALID;
    case StatusCode::kNotFound: return schema::RejectCode::NOT_FOUND;
    case StatusCode::kFailedPrecondition: return schema::RejectCode::CONFLICT;
    case StatusCode::kPermissionDenied: return schema::RejectCode::FORBIDDEN;
    default: return schema::RejectCode::INTERNAL;
  }
}

RateLimit LimitFor(const security::Policy& policy, const security::Principal& sender) {
  const security::RateLimit* limit = policy.RateLimitForRole(sender.role);
  if (limit == nullptr) return RateLimit{};
  return RateLimit{limit->per_second, static_cast<double>(limit->burst)};
}

std::vector<std::string> ToStrings(capnp::List<capnp::Text>::Reader list) {
  std::vector<std::string> out;
  out.reserve(list.size());
  for (auto t : list) out.emplace_back(t.cStr(), t.size());
  return out;
}

}  // namespace

PublishPipeline::PublishPipeline(const BrokerConfig& config, security::PolicyHolder& policy,
                                 const kinds::KindRegistry& kinds, store::Store& store,
                                 store::GroupCommitter& committer,
                                 delivery::DeliveryScheduler& scheduler, audit::AuditLog& audit,
                                 delivery::FrameSink& sink, const Clock& clock, Logger& log)
    : config_(config),
      policy_(policy),
      kinds_(kinds),
      state_(store),
      store_(store),
      committer_(committer),
      scheduler_(scheduler),
      audit_(audit),
      sink_(sink),
      clock_(clock),
      log_(log),
      limits_{config.max_text_bytes, config.max_frame_bytes},
      checker_(limits_) {}

Status PublishPipeline::Recover() {
  auto last = store_.LastKey(store::Column::kMessages);
  if (!last.ok()) return last.status();
  next_seq_ = last->has_value() ? store::DecodeU64(**last) + 1 : 1;
  return Status::Ok();
}

void PublishPipeline::Reject(const delivery::Session& session, schema::RejectCode code,
                             const std::string& reason, const std::string& client_message_id,
                             std::string_view frame) {
  ++counters_.rejected;
  ++counters_.rejected_by_code[RejectCodeName(code)];
  log_.Info("publish", "rejected", {{"principal", session.principal}, {"code", RejectCodeName(code)},
                                    {"id", client_message_id}, {"reason", reason}});
  audit::AuditEvent e;
  e.event = schema::AuditLeaf::Event::REJECTED;
  e.actor = session.principal;
  e.org = session.org;
  e.code = RejectCodeName(code);
  e.reason = reason;
  e.detail = client_message_id;
  auto digest = security::Sha256(frame);
  e.digest.assign(reinterpret_cast<const char*>(digest.data()), digest.size());
  audit_.Defer(e);
  sink_.Send(session.routing_id, RejectFrame(code, reason, client_message_id));
}

void PublishPipeline::Handle(const delivery::Session& session, schema::Publish::Reader publish,
                             std::string_view frame) {
  const std::string cmid = publish.getClientMessageId();

  // 1. Availability: never accept what cannot be made durable.
  if (!store_.healthy()) {
    return Reject(session, schema::RejectCode::UNAVAILABLE,
                  "the broker cannot write to its store right now; nothing was accepted, retry later",
                  cmid, frame);
  }

  // 2. Dedup: a retry of a publish in flight waits for its receipt; a retry of a committed one
  //    gets the original receipt again.
  const std::string dedup_key = store::DedupKey(session.principal, cmid);
  if (auto it = inflight_.find(dedup_key); it != inflight_.end()) {
    it->second.waiters.push_back(session.routing_id);
    return;
  }
  if (!cmid.empty()) {
    auto original = store_.Get(store::Column::kDedup, dedup_key);
    if (!original.ok()) {
      return Reject(session, schema::RejectCode::UNAVAILABLE, original.status().message(), cmid, frame);
    }
    if (original->has_value()) {
      auto rec = store::DecodeDedupRecord(**original);
      if (rec.ok()) {
        ++counters_.duplicates;
        sink_.Send(session.routing_id,
                   ReceiptFrame({cmid, rec->seq, rec->leaf_index, true, rec->recipients, rec->received_ms}));
        return;
      }
    }
  }

  // 3. Validate.
  auto envelope = publish.getEnvelope();
  if (Status s = checker_.Check(cmid, envelope, frame.size()); !s.ok()) {
    bool too_large = s.message().find("exceeds the limit") != std::string::npos;
    return Reject(session, too_large ? schema::RejectCode::TOO_LARGE : schema::RejectCode::INVALID,
                  s.message(), cmid, frame);
  }
  const int64_t now = clock_.NowMillis();
  if (envelope.getExpiresMillis() != 0 && envelope.getExpiresMillis() <= now) {
    return Reject(session, schema::RejectCode::INVALID, "the message has already expired", cmid, frame);
  }
  if (envelope.getAckDeadlineMillis() != 0 && envelope.getAckDeadlineMillis() <= now) {
    return Reject(session, schema::RejectCode::INVALID, "the acknowledgement deadline is already past", cmid, frame);
  }

  // 4. Authorise: admitted, within its rate, and allowed by a send rule to send this kind, at this
  //    classification (never above its clearance), with these addressing terms.
  auto policy = policy_.Get();
  const security::Principal* sender = policy->FindPrincipal(session.principal);
  if (sender == nullptr || sender->revoked) {
    return Reject(session, schema::RejectCode::UNAUTHENTICATED,
                  "principal '" + session.principal + "' is no longer admitted", cmid, frame);
  }
  if (uint32_t wait_ms = limiter_.Take(session.principal, LimitFor(*policy, *sender), clock_.MonotonicMillis())) {
    ++counters_.rejected;
    ++counters_.rejected_by_code["overloaded"];
    std::string reason = "rate limit for role " + sender->role + " reached; retry in " + std::to_string(wait_ms) + " ms";
    log_.Debug("publish", "rate limited", {{"principal", session.principal}});
    sink_.Send(session.routing_id, RejectFrame(schema::RejectCode::OVERLOADED, reason, cmid, 0, wait_ms));
    return;  // not audited one by one: a flood must not become a flood of writes
  }
  routing::RouteRequest route;
  route.sender = session.principal;
  route.classification = static_cast<security::Clearance>(envelope.getClassification());
  route.kind = delivery::KindOf(envelope);
  route.status = delivery::StatusOf(envelope);
  route.action = delivery::ActionOf(envelope);
  auto addressing = envelope.getAddressing();
  route.terms.principals = ToStrings(addressing.getPrincipals());
  route.terms.organisations = ToStrings(addressing.getOrganisations());
  route.terms.sectors = ToStrings(addressing.getSectors());
  route.terms.roles = ToStrings(addressing.getRoles());
  route.terms.areas = ToStrings(addressing.getAreas());
  security::SendRequest send{route.kind, route.status, route.action, route.classification,
                             routing::TermTypes(route.terms)};
  if (Status allowed = security::CheckSend(*policy, *sender, send); !allowed.ok()) {
    bool bad = allowed.code() == StatusCode::kInvalidArgument;
    return Reject(session, bad ? schema::RejectCode::INVALID : schema::RejectCode::FORBIDDEN, allowed.message(),
                  cmid, frame);
  }

  // 5. The workflow: the kind's plugin checks the message against the current state of its
  //    object and says what changes and who else must hear of it.
  const kinds::KindPlugin* plugin = kinds_.ForBody(envelope.getBody().which());
  kinds::Effect effect;
  if (plugin != nullptr) {
    const security::Organisation* org = policy->FindOrganisation(sender->org);
    kinds::MessageContext context;
    context.seq = next_seq_;
    context.now_ms = now;
    context.publisher = {session.principal, sender->org, sender->role, org ? org->sector : ""};
    context.policy = policy.get();
    Status valid = plugin->Validate(envelope, context, state_);
    if (!valid.ok()) return Reject(session, WorkflowRejectCode(valid), valid.message(), cmid, frame);
    auto applied = plugin->Apply(envelope, context, state_);
    if (!applied.ok()) return Reject(session, WorkflowRejectCode(applied.status()), applied.status().message(), cmid, frame);
    effect = std::move(applied).value();
  }

  // 6. Route: the addressing, plus the parties the workflow adds (as principal terms, so the same
  //    receive rules and clearances apply to them).
  std::vector<routing::ResolvedRecipient> resolved;
  if (!route.terms.empty()) {
    auto addressed = routing::ResolveRecipients(*policy, route);
    if (!addressed.ok()) {
      bool nobody = addressed.status().code() == StatusCode::kFailedPrecondition;
      if (!nobody || effect.extra_recipients.empty()) {
        return Reject(session, nobody ? schema::RejectCode::NO_RECIPIENTS : schema::RejectCode::INVALID,
                      addressed.status().message(), cmid, frame);
      }
    } else {
      resolved = std::move(addressed).value();
    }
  }
  if (!effect.extra_recipients.empty()) {
    routing::RouteRequest parties = route;
    parties.terms = routing::AddressTerms();
    for (const auto& p : effect.extra_recipients) {
      if (p == session.principal) continue;
      bool already = false;
      for (const auto& r : resolved) already = already || r.principal == p;
      if (!already) parties.terms.principals.push_back(p);
    }
    if (!parties.terms.empty()) {
      auto added = routing::ResolveRecipients(*policy, parties);
      if (added.ok()) {
        for (auto& r : *added) resolved.push_back(std::move(r));
      } else if (added.status().code() != StatusCode::kFailedPrecondition) {
        return Reject(session, schema::RejectCode::INVALID, added.status().message(), cmid, frame);
      }
    }
  }
  if (resolved.empty()) {
    return Reject(session, route.terms.empty() ? schema::RejectCode::INVALID : schema::RejectCode::NO_RECIPIENTS,
                  route.terms.empty() ? "the message has no addressing (use --to principal:ID or org:ID)"
                                      : "no recipient is allowed to receive this message",
                  cmid, frame);
  }
  auto recipients = &resolved;
  const uint32_t max_recipients = std::min(config_.max_recipients, policy->max_recipients());
  if (recipients->size() > max_recipients) {
    return Reject(session, schema::RejectCode::OVERLOADED,
                  "the addressing resolves to " + std::to_string(recipients->size()) +
                      " recipients; the limit is " + std::to_string(max_recipients),
                  cmid, frame);
  }

  // 7. Commit: one atomic, fsync'd write of everything the message needs — the message, its dedup
  //    key, its pending entries, its workflow state and its audit leaf.
  store::BrokerStamp stamp;
  stamp.seq = next_seq_++;
  stamp.client_message_id = cmid;
  stamp.sender = session.principal;
  stamp.sender_org = sender->org;
  stamp.received_ms = now;
  store::CommitItem item;
  std::vector<store::RecipientEntry> entries;
  entries.reserve(recipients->size());
  audit::AuditEvent leaf;
  leaf.event = schema::AuditLeaf::Event::ACCEPTED;
  leaf.actor = session.principal;
  leaf.org = sender->org;
  leaf.seq = stamp.seq;
  leaf.incident = envelope.getIncident();
  leaf.kind = delivery::KindOf(envelope);
  leaf.detail = cmid;
  for (auto& r : *recipients) {
    leaf.recipients.push_back(r.principal);
    entries.push_back({std::move(r.principal), std::move(r.matched_term)});
  }
  stamp.leaf_index = audit_.size();  // the leaf appended below; its digest covers this record
  auto bytes = std::make_shared<const std::string>(store::EncodeStoredMessage(envelope, stamp, entries));
  auto digest = security::Sha256(*bytes);
  leaf.digest.assign(reinterpret_cast<const char*>(digest.data()), digest.size());
  uint64_t leaf_index = audit_.Append(leaf, &item.writes);
  MUSTER_CHECK(leaf_index == stamp.leaf_index);
  const int precedence = static_cast<int>(envelope.getPrecedence());

  item.writes.Put(store::Column::kMessages, store::MessageKey(stamp.seq), *bytes);
  item.writes.Put(store::Column::kDedup, dedup_key,
                  store::EncodeDedupRecord({stamp.seq, stamp.leaf_index,
                                            static_cast<uint32_t>(entries.size()), now}));
  for (const auto& e : entries) {
    // A pending entry per recipient (its value: the term that matched). No delivery record yet:
    // a recipient without one is pending.
    item.writes.Put(store::Column::kPending, store::PendingKey(e.principal, precedence, stamp.seq),
                    e.matched_term);
  }
  if (envelope.getAckDeadlineMillis() != 0) {
    // Watched by the escalation monitor; survives restarts.
    item.writes.Put(store::Column::kIndexes, store::DeadlineKey(envelope.getAckDeadlineMillis(), stamp.seq), "");
  }
  InflightPublish& inflight = inflight_[dedup_key];
  inflight.receipt = {cmid, stamp.seq, stamp.leaf_index, false, static_cast<uint32_t>(entries.size()), now};
  inflight.waiters.push_back(session.routing_id);

  // The workflow state changes, visible to the next messages at once (the overlay) and in the
  // store once durable.
  const uint64_t version = state_.NextVersion();
  for (const auto& change : effect.writes) state_.Stage(plugin->name(), change, version, &item.writes);
  {
    std::vector<std::string> names;
    names.reserve(entries.size());
    for (const auto& e : entries) names.push_back(e.principal);
    state_.StageRecipients(stamp.seq, std::move(names), version);
  }
  delivery::CommittedMessage committed{stamp.seq, precedence, bytes, std::move(entries)};
  item.on_done = audit_.WhenDurable([this, dedup_key, version, committed = std::move(committed)](const Status& s) {
    state_.Settle(version);
    OnCommitted(dedup_key, committed, s);
  });
  committer_.Submit(std::move(item));
}

void PublishPipeline::OnCommitted(const std::string& dedup_key,
                                  const delivery::CommittedMessage& message, const Status& status) {
  auto node = inflight_.extract(dedup_key);
  if (node.empty()) return;
  InflightPublish& p = node.mapped();
  if (!status.ok()) {
    log_.Error("publish", "commit failed; refusing", {{"seq", std::to_string(message.seq)}, {"error", status.ToString()}});
    for (const auto& waiter : p.waiters) {
      sink_.Send(waiter, RejectFrame(schema::RejectCode::UNAVAILABLE,
                                     "the broker could not make the message durable (" + status.message() +
                                         "); nothing was accepted, retry later",
                                     p.receipt.client_message_id));
    }
    counters_.rejected += p.waiters.size();
    counters_.rejected_by_code["unavailable"] += p.waiters.size();
    return;
  }
  // 8. Confirm.
  ++counters_.accepted;
  for (size_t i = 0; i < p.waiters.size(); ++i) {
    ReceiptFields r = p.receipt;
    r.duplicate = i > 0;
    if (i > 0) ++counters_.duplicates;
    sink_.Send(p.waiters[i], ReceiptFrame(r));
  }
  // 9. Deliver.
  scheduler_.OnCommitted(message);
}

uint64_t PublishPipeline::PublishFromBroker(const std::function<void(schema::Envelope::Builder)>& fill,
                                            const std::vector<store::RecipientEntry>& recipients,
                                            store::WriteSet writes, const std::vector<audit::AuditEvent>& leaves) {
  if (!fill) {
    // Only the writes and leaves: nothing to publish.
    store::CommitItem item;
    item.writes = std::move(writes);
    for (const auto& leaf : leaves) audit_.Append(leaf, &item.writes);
    item.on_done = audit_.WhenDurable(nullptr);
    committer_.Submit(std::move(item));
    return 0;
  }
  capnp::MallocMessageBuilder m(256);
  auto envelope = m.initRoot<schema::Envelope>();
  fill(envelope);
  const int64_t now = clock_.NowMillis();
  store::BrokerStamp stamp;
  stamp.seq = next_seq_++;
  stamp.client_message_id = "muster." + std::to_string(stamp.seq);
  stamp.sender = kBrokerSender;
  stamp.received_ms = now;
  store::CommitItem item;
  item.writes = std::move(writes);
  for (const auto& leaf : leaves) audit_.Append(leaf, &item.writes);
  audit::AuditEvent accepted;
  accepted.event = schema::AuditLeaf::Event::ACCEPTED;
  accepted.actor = kBrokerSender;
  accepted.seq = stamp.seq;
  accepted.incident = envelope.asReader().getIncident();
  accepted.kind = delivery::KindOf(envelope.asReader());
  accepted.detail = stamp.client_message_id;
  for (const auto& r : recipients) accepted.recipients.push_back(r.principal);
  stamp.leaf_index = audit_.size();
  auto bytes = std::make_shared<const std::string>(store::EncodeStoredMessage(envelope.asReader(), stamp, recipients));
  auto digest = security::Sha256(*bytes);
  accepted.digest.assign(reinterpret_cast<const char*>(digest.data()), digest.size());
  MUSTER_CHECK(audit_.Append(accepted, &item.writes) == stamp.leaf_index);
  const int precedence = static_cast<int>(envelope.getPrecedence());
  item.writes.Put(store::Column::kMessages, store::MessageKey(stamp.seq), *bytes);
  for (const auto& r : recipients) {
    item.writes.Put(store::Column::kPending, store::PendingKey(r.principal, precedence, stamp.seq), r.matched_term);
  }
  delivery::CommittedMessage committed{stamp.seq, precedence, bytes, recipients};
  item.on_done = audit_.WhenDurable([this, committed](const Status& s) {
    if (!s.ok()) {
      log_.Error("publish", "broker message not committed", {{"seq", std::to_string(committed.seq)}, {"error", s.ToString()}});
      return;
    }
    ++counters_.accepted;
    scheduler_.OnCommitted(committed);
  });
  committer_.Submit(std::move(item));
  return stamp.seq;
}

}  // namespace muster::broker
