// Receipts, submissions and delivery status as JSON.
#include "adapters/gateway/response_json.h"

#include "adapters/gateway/api_error.h"
#include "common/time_text.h"

namespace muster::gateway {
namespace {

nlohmann::ordered_json TimeOrNull(int64_t unix_ms) {
  if (unix_ms == 0) return nullptr;
  return FormatInstant(unix_ms, 0);
}

}  // namespace

std::string StatusUrl(uint64_t seq) { return "/v1/messages/" + std::to_string(seq) + "/status"; }

std::string SubmissionUrl(const std::string& client_message_id) {
  return "/v1/submissions/" + client_message_id;
}

nlohmann::ordered_json ReceiptJson(const client::ReceiptInfo& r) {
  nlohmann::ordered_json j;
  j["client_message_id"] = r.client_message_id;
  j["seq"] = r.seq;
  j["leaf_index"] = r.leaf_index;
  j["recipients"] = r.recipients;
  j["received"] = TimeOrNull(r.received_ms);
  j["status_url"] = StatusUrl(r.seq);
  return j;
}

nlohmann::ordered_json SubmissionJson(const client::OutboxEntry& entry) {
  nlohmann::ordered_json j;
  j["client_message_id"] = entry.id;
  j["state"] = client::OutboxStateName(entry.state);
  j["submission_url"] = SubmissionUrl(entry.id);
  if (entry.state == client::OutboxState::kDone) {
    client::ReceiptInfo r = entry.receipt;
    r.client_message_id = entry.id;
    j["receipt"] = ReceiptJson(r);
  } else if (entry.state == client::OutboxState::kRefused) {
    ApiError e = ApiErrorFromRefusal(entry.reason);
    j["error"] = {{"error", e.code}, {"reason", e.reason}};
    j["http_status"] = e.http_status;
  }
  return j;
}

nlohmann::ordered_json DeliveryStatusJson(schema::DeliveryStatus::Reader status) {
  nlohmann::ordered_json j;
  j["seq"] = status.getSeq();
  j["sender"] = status.getSender().cStr();
  auto list = nlohmann::ordered_json::array();
  for (auto r : status.getRecipients()) {
    nlohmann::ordered_json x;
    x["principal"] = r.getPrincipal().cStr();
    x["matched_term"] = r.getMatchedTerm().cStr();
    x["state"] = r.getState().cStr();
    x["attempts"] = r.getAttempts();
    x["delivered"] = TimeOrNull(r.getDeliveredMillis());
    x["received"] = TimeOrNull(r.getReceivedMillis());
    x["acknowledged"] = TimeOrNull(r.getAcknowledgedMillis());
    x["acknowledged_by"] = r.getAcknowledgedBy().size()
                               ? nlohmann::ordered_json(r.getAcknowledgedBy().cStr())
                               : nullptr;
    x["escalated"] = TimeOrNull(r.getEscalatedMillis());
    x["expired"] = TimeOrNull(r.getExpiredMillis());
    list.push_back(std::move(x));
  }
  j["recipients"] = std::move(list);
  return j;
}

}  // namespace muster::gateway
