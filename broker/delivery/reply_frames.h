// Builders for the frames the broker sends: welcome, receipt, reject, pong, notice. Each returns
// the encoded bytes of one protocol frame.
#pragma once

#include <cstdint>
#include <string>

#include "schemas/protocol.capnp.h"

namespace muster::delivery {

struct ReceiptFields {
  std::string client_message_id;
  uint64_t seq = 0;
  uint64_t leaf_index = 0;
  bool duplicate = false;
  uint32_t recipients = 0;
  int64_t received_ms = 0;
};

std::string ReceiptFrame(const ReceiptFields& r);
std::string RejectFrame(schema::RejectCode code, const std::string& reason,
                        const std::string& client_message_id = "", uint64_t query_id = 0,
                        uint32_t retry_after_ms = 0);
std::string PongFrame(uint64_t nonce, int64_t server_time_ms);
std::string NoticeFrame(schema::Notice::Kind kind, uint64_t seq, const std::string& subject,
                        const std::string& text, int64_t at_ms);
std::string TextResultFrame(uint64_t query_id, const std::string& text);

// Short stable name of a reject code ("no-recipients"), for logs and client messages.
const char* RejectCodeName(schema::RejectCode code);

}  // namespace muster::delivery
