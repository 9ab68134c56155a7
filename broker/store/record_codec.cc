// Store value codec.
#include "broker/store/record_codec.h"

#include <capnp/message.h>
#include <kj/exception.h>

#include "schemas/frame_codec.h"
#include "schemas/store.capnp.h"

namespace muster::store {
namespace {

template <typename Reader>
std::string CanonicalBytes(Reader root) {
  kj::Array<capnp::word> words = capnp::canonicalize(root);
  auto bytes = words.asBytes();
  return std::string(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
}

}  // namespace

std::string EncodeStoredMessage(schema::Envelope::Reader client_envelope, const BrokerStamp& stamp,
                                const std::vector<RecipientEntry>& recipients) {
  auto size = client_envelope.totalSize();
  capnp::MallocMessageBuilder m(static_cast<unsigned>(size.wordCount + 16 + recipients.size() * 8),
                                capnp::AllocationStrategy::GROW_HEURISTICALLY);
  auto stored = m.initRoot<schema::StoredMessage>();
  stored.setEnvelope(client_envelope);
  auto env = stored.getEnvelope();
  env.setSeq(stamp.seq);
  env.setClientMessageId(stamp.client_message_id);
  env.setSender(stamp.sender);
  env.setSenderOrg(stamp.sender_org);
  env.setReceivedMillis(stamp.received_ms);
  if (env.getSent().getUnixMillis() == 0) env.getSent().setUnixMillis(stamp.received_ms);
  stored.setLeafIndex(stamp.leaf_index);
  auto list = stored.initRecipients(static_cast<unsigned>(recipients.size()));
  for (size_t i = 0; i < recipients.size(); ++i) {
    list[static_cast<unsigned>(i)].setPrincipal(recipients[i].principal);
    list[static_cast<unsigned>(i)].setMatchedTerm(recipients[i].matched_term);
  }
  return CanonicalBytes(stored.asReader());
}

const char* DeliveryStateName(DeliveryState s) {
  switch (s) {
    case DeliveryState::kPending: return "pending";
    case DeliveryState::kDelivered: return "delivered";
    case DeliveryState::kReceived: return "received";
    case DeliveryState::kAcknowledged: return "acknowledged";
    case DeliveryState::kEscalated: return "escalated";
    case DeliveryState::kExpired: return "expired";
  }
  return "pending";
}

std::string EncodeDeliveryRecord(const DeliveryRecord& r) {
  capnp::MallocMessageBuilder m;
  auto b = m.initRoot<schema::DeliveryRecord>();
  b.setState(static_cast<schema::DeliveryRecord::State>(r.state));
  b.setAttempts(r.attempts);
  b.setDeliveredMillis(r.delivered_ms);
  b.setReceivedMillis(r.received_ms);
  b.setAcknowledgedMillis(r.acknowledged_ms);
  b.setAcknowledgedBy(r.acknowledged_by);
  b.setEscalatedMillis(r.escalated_ms);
  b.setExpiredMillis(r.expired_ms);
  b.setMatchedTerm(r.matched_term);
  return CanonicalBytes(b.asReader());
}

Result<DeliveryRecord> DecodeDeliveryRecord(std::string_view bytes) {
  auto decoded = wire::DecodedStruct::Decode(bytes.data(), bytes.size());
  if (!decoded.ok()) return decoded.status();
  try {
    auto r = (*decoded)->Get<schema::DeliveryRecord>();
    DeliveryRecord out;
    out.state = static_cast<DeliveryState>(r.getState());
    out.attempts = r.getAttempts();
    out.delivered_ms = r.getDeliveredMillis();
    out.received_ms = r.getReceivedMillis();
    out.acknowledged_ms = r.getAcknowledgedMillis();
    out.acknowledged_by = r.getAcknowledgedBy();
    out.escalated_ms = r.getEscalatedMillis();
    out.expired_ms = r.getExpiredMillis();
    out.matched_term = r.getMatchedTerm();
    return out;
  } catch (const kj::Exception& e) {
    return Status::Corruption(std::string("delivery record: ") + e.getDescription().cStr());
  }
}

std::string EncodeDedupRecord(const DedupRecord& r) {
  capnp::MallocMessageBuilder m;
  auto b = m.initRoot<schema::DedupRecord>();
  b.setSeq(r.seq);
  b.setLeafIndex(r.leaf_index);
  b.setRecipients(r.recipients);
  b.setReceivedMillis(r.received_ms);
  return CanonicalBytes(b.asReader());
}

Result<DedupRecord> DecodeDedupRecord(std::string_view bytes) {
  auto decoded = wire::DecodedStruct::Decode(bytes.data(), bytes.size());
  if (!decoded.ok()) return decoded.status();
  try {
    auto r = (*decoded)->Get<schema::DedupRecord>();
    return DedupRecord{r.getSeq(), r.getLeafIndex(), r.getRecipients(), r.getReceivedMillis()};
  } catch (const kj::Exception& e) {
    return Status::Corruption(std::string("dedup record: ") + e.getDescription().cStr());
  }
}

}  // namespace muster::store
