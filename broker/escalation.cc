// Acknowledgement deadlines and escalation.
#include "broker/escalation.h"

#include <kj/exception.h>

#include <set>

#include "broker/delivery/deliver_frame.h"
#include "broker/store/keys.h"
#include "broker/store/record_codec.h"
#include "common/time_text.h"
#include "schemas/frame_codec.h"
#include "schemas/store.capnp.h"

namespace muster::broker {
namespace {

// Duty officers who should hear that `recipient` missed a deadline.
std::vector<std::string> DutyOfficersFor(const security::Policy& policy, const std::string& recipient) {
  std::vector<std::string> out;
  const security::Principal* p = policy.FindPrincipal(recipient);
  if (p != nullptr) {
    for (const auto& q : policy.principals()) {
      if (q.org == p->org && q.role == "duty-officer" && !q.revoked) out.push_back(q.id);
    }
  }
  if (out.empty()) {  // no duty officer of its own: the bureau's
    for (const auto& q : policy.principals()) {
      const security::Organisation* org = policy.FindOrganisation(q.org);
      if (org != nullptr && org->sector == "government" && q.role == "duty-officer" && !q.revoked) {
        out.push_back(q.id);
      }
    }
  }
  return out;
}

}  // namespace

EscalationMonitor::EscalationMonitor(store::Store& store, security::PolicyHolder& policy,
                                     PublishPipeline& publish, const Clock& clock, Logger& log)
    : store_(store), policy_(policy), publish_(publish), clock_(clock), log_(log) {}

void EscalationMonitor::Tick() {
  const int64_t now = clock_.NowMillis();
  std::vector<std::pair<int64_t, uint64_t>> due;
  std::string end = store::DeadlineKey(now + 1, 0);
  Status s = store_.Scan(store::Column::kIndexes, store::kDeadlinePrefix, end, [&](std::string_view key, std::string_view) {
    int64_t deadline;
    uint64_t seq;
    if (store::ParseDeadlineKey(key, &deadline, &seq)) due.emplace_back(deadline, seq);
    return due.size() < 1000;
  });
  if (!s.ok()) {
    log_.Error("escalation", "deadline scan failed", {{"error", s.ToString()}});
    return;
  }
  std::set<uint64_t> still_visible;
  const auto steady_now = std::chrono::steady_clock::now();
  for (const auto& [deadline, seq] : due) {
    still_visible.insert(seq);
    auto handled = submitted_.find(seq);
    if (handled != submitted_.end() && steady_now - handled->second < std::chrono::seconds(30)) {
      continue;  // handled; its removal is not visible yet
    }
    if (handled != submitted_.end()) {
      log_.Warn("escalation", "deadline still pending 30 s after it was handled; handling it again",
                {{"seq", std::to_string(seq)}});
    }
    Escalate(deadline, seq);
    submitted_[seq] = steady_now;
  }
  // Forget handled deadlines once their removal is visible.
  for (auto it = submitted_.begin(); it != submitted_.end();) {
    it = still_visible.count(it->first) ? std::next(it) : submitted_.erase(it);
  }
}

void EscalationMonitor::Escalate(int64_t deadline_ms, uint64_t seq) {
  store::WriteSet writes;
  writes.Delete(store::Column::kIndexes, store::DeadlineKey(deadline_ms, seq));
  auto bytes = store_.Get(store::Column::kMessages, store::MessageKey(seq));
  if (!bytes.ok() || !bytes->has_value()) {
    log_.Error("escalation", "deadline for a missing message", {{"seq", std::to_string(seq)}});
    publish_.PublishFromBroker(nullptr, {}, std::move(writes), {});
    return;
  }
  auto decoded = wire::DecodedStruct::Decode((*bytes)->data(), (*bytes)->size());
  if (!decoded.ok()) return;
  try {
    auto stored = (*decoded)->Get<schema::StoredMessage>();
    auto env = stored.getEnvelope();
    auto policy = policy_.Get();
    const int64_t now = clock_.NowMillis();
    std::vector<std::string> overdue;
    std::vector<audit::AuditEvent> leaves;
    std::set<std::string> notify = {env.getSender().cStr()};
    for (auto r : stored.getRecipients()) {
      std::string who = r.getPrincipal();
      store::DeliveryRecord record;
      record.matched_term = r.getMatchedTerm();
      auto rec = store_.Get(store::Column::kDelivery, store::DeliveryKey(seq, who));
      if (rec.ok() && rec->has_value()) {
        auto d = store::DecodeDeliveryRecord(**rec);
        if (d.ok()) record = *d;
      }
      if (record.state == store::DeliveryState::kAcknowledged || record.state == store::DeliveryState::kExpired ||
          record.state == store::DeliveryState::kEscalated) {
        continue;
      }
      record.state = store::DeliveryState::kEscalated;
      record.escalated_ms = now;
      writes.Put(store::Column::kDelivery, store::DeliveryKey(seq, who), store::EncodeDeliveryRecord(record));
      audit::AuditEvent leaf;
      leaf.event = schema::AuditLeaf::Event::ESCALATED;
      leaf.seq = seq;
      leaf.subject = who;
      leaf.incident = env.getIncident();
      leaf.kind = delivery::KindOf(env);
      leaf.reason = "not acknowledged by " + FormatInstant(deadline_ms, 0);
      leaves.push_back(leaf);
      overdue.push_back(who);
      for (const auto& d : DutyOfficersFor(*policy, who)) notify.insert(d);
    }
    if (overdue.empty()) {
      publish_.PublishFromBroker(nullptr, {}, std::move(writes), {});  // everyone acknowledged in time
      return;
    }
    escalations_ += overdue.size();
    // Who hears of it: the sender and the duty officers, if cleared for the original.
    std::vector<store::RecipientEntry> recipients;
    auto classification = static_cast<security::Clearance>(env.getClassification());
    for (const auto& id : notify) {
      const security::Principal* p = policy->FindPrincipal(id);
      if (p == nullptr || p->revoked || p->clearance < classification) continue;
      recipients.push_back({id, id == env.getSender().cStr() ? "escalation:sender" : "escalation:duty-officer"});
    }
    std::string list;
    for (const auto& o : overdue) list += (list.empty() ? "" : ", ") + o;
    std::string subject = env.getBody().which() == schema::Envelope::Body::ALERT &&
                                  env.getBody().getAlert().getInfos().size() > 0
                              ? std::string(env.getBody().getAlert().getInfos()[0].getEvent().cStr())
                              : delivery::KindOf(env);
    std::string headline = "Not acknowledged in time: #" + std::to_string(seq) + " " + subject + " — " + list;
    std::string description = "Message #" + std::to_string(seq) + " from " + env.getSender().cStr() +
                              " was to be acknowledged by " + FormatInstant(deadline_ms, 0) +
                              ". Not acknowledged by: " + list + ".";
    log_.Warn("escalation", "acknowledgement overdue", {{"seq", std::to_string(seq)}, {"recipients", list}});
    auto status = env.getStatus();
    auto precedence = env.getPrecedence();
    std::string incident = env.getIncident();
    auto fill = [&](schema::Envelope::Builder e) {
      e.setStatus(status);
      e.setPrecedence(precedence == schema::Precedence::ROUTINE ? schema::Precedence::PRIORITY : precedence);
      e.setClassification(static_cast<schema::Classification>(classification));
      e.setIncident(incident);
      e.initReferences(1).set(0, seq);
      e.getSent().setUnixMillis(now);
      auto alert = e.initBody().initAlert();
      alert.setIdentifier("muster.escalation." + std::to_string(seq));
      alert.setSender("muster");
      alert.setSent(FormatInstant(now, 0, /*cap_utc=*/true));
      alert.setMsgType(schema::Alert::MsgType::ALERT);
      alert.setScope(schema::Alert::Scope::RESTRICTED);
      auto info = alert.initInfos(1)[0];
      info.initCategories(1).set(0, schema::Alert::Category::OTHER);
      info.setEvent("Acknowledgement overdue");
      info.setUrgency(schema::Alert::Urgency::IMMEDIATE);
      info.setSeverity(schema::Alert::Severity::UNKNOWN);
      info.setCertainty(schema::Alert::Certainty::OBSERVED);
      info.setHeadline(headline);
      info.setDescription(description);
    };
    if (recipients.empty()) {
      publish_.PublishFromBroker(nullptr, {}, std::move(writes), leaves);
    } else {
      publish_.PublishFromBroker(fill, recipients, std::move(writes), leaves);
    }
  } catch (const kj::Exception& e) {
    log_.Error("escalation", "unreadable message", {{"seq", std::to_string(seq)}, {"error", e.getDescription().cStr()}});
  }
}

}  // namespace muster::broker
