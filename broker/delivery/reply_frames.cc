// Broker reply frames.
#include "broker/delivery/reply_frames.h"

#include <capnp/message.h>

#include "schemas/frame_codec.h"

namespace muster::delivery {

std::string ReceiptFrame(const ReceiptFields& r) {
  capnp::MallocMessageBuilder m(64);
  auto b = m.initRoot<schema::Frame>().initReceipt();
  b.setClientMessageId(r.client_message_id);
  b.setSeq(r.seq);
  b.setLeafIndex(r.leaf_index);
  b.setDuplicate(r.duplicate);
  b.setRecipients(r.recipients);
  b.setReceivedMillis(r.received_ms);
  return wire::EncodeFrame(m);
}

std::string RejectFrame(schema::RejectCode code, const std::string& reason,
                        const std::string& client_message_id, uint64_t query_id,
                        uint32_t retry_after_ms) {
  capnp::MallocMessageBuilder m(64);
  auto b = m.initRoot<schema::Frame>().initReject();
  b.setCode(code);
  b.setReason(reason);
  b.setClientMessageId(client_message_id);
  b.setQueryId(query_id);
  b.setRetryAfterMillis(retry_after_ms);
  return wire::EncodeFrame(m);
}

std::string PongFrame(uint64_t nonce, int64_t server_time_ms) {
  capnp::MallocMessageBuilder m(32);
  auto b = m.initRoot<schema::Frame>().initPong();
  b.setNonce(nonce);
  b.setServerTimeMillis(server_time_ms);
  return wire::EncodeFrame(m);
}

std::string NoticeFrame(schema::Notice::Kind kind, uint64_t seq, const std::string& subject,
                        const std::string& text, int64_t at_ms) {
  capnp::MallocMessageBuilder m(64);
  auto b = m.initRoot<schema::Frame>().initNotice();
  b.setKind(kind);
  b.setSeq(seq);
  b.setSubject(subject);
  b.setText(text);
  b.setAtMillis(at_ms);
  return wire::EncodeFrame(m);
}

std::string TextResultFrame(uint64_t query_id, const std::string& text) {
  capnp::MallocMessageBuilder m(64);
  auto b = m.initRoot<schema::Frame>().initResult();
  b.setQueryId(query_id);
  b.setText(text);
  return wire::EncodeFrame(m);
}

const char* RejectCodeName(schema::RejectCode code) {
  switch (code) {
    case schema::RejectCode::MALFORMED: return "malformed";
    case schema::RejectCode::UNKNOWN_COMMAND: return "unknown-command";
    case schema::RejectCode::TOO_LARGE: return "too-large";
    case schema::RejectCode::INVALID: return "invalid";
    case schema::RejectCode::UNAUTHENTICATED: return "unauthenticated";
    case schema::RejectCode::FORBIDDEN: return "forbidden";
    case schema::RejectCode::NO_RECIPIENTS: return "no-recipients";
    case schema::RejectCode::OVERLOADED: return "overloaded";
    case schema::RejectCode::UNAVAILABLE: return "unavailable";
    case schema::RejectCode::NOT_FOUND: return "not-found";
    case schema::RejectCode::CONFLICT: return "conflict";
    case schema::RejectCode::HELLO_REQUIRED: return "hello-required";
    case schema::RejectCode::UNSUPPORTED_VERSION: return "unsupported-version";
    case schema::RejectCode::INTERNAL: return "internal";
  }
  return "unknown";
}

}  // namespace muster::delivery
