// Store key layout.
#include "broker/store/keys.h"

namespace muster::store {

std::string EncodeU64(uint64_t v) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[static_cast<size_t>(i)] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  return out;
}

uint64_t DecodeU64(std::string_view bytes) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(bytes[i]);
  return v;
}

std::string PendingPrefix(std::string_view recipient) {
  std::string key(recipient);
  key.push_back('\0');
  return key;
}

std::string PendingKey(std::string_view recipient, int precedence, uint64_t seq) {
  std::string key = PendingPrefix(recipient);
  key.push_back(static_cast<char>(255 - precedence));
  key += EncodeU64(seq);
  return key;
}

bool ParsePendingKey(std::string_view key, std::string_view recipient, PendingKeyParts* out) {
  if (key.size() != recipient.size() + 10 || key.substr(0, recipient.size()) != recipient ||
      key[recipient.size()] != '\0') {
    return false;
  }
  out->precedence = 255 - static_cast<uint8_t>(key[recipient.size() + 1]);
  out->seq = DecodeU64(key.substr(recipient.size() + 2));
  return true;
}

std::string DeliveryKey(uint64_t seq, std::string_view recipient) {
  std::string key = EncodeU64(seq);
  key.append(recipient);
  return key;
}

std::string DeliveryPrefix(uint64_t seq) { return EncodeU64(seq); }

std::string DedupKey(std::string_view sender, std::string_view client_message_id) {
  std::string key(sender);
  key.push_back('\0');
  key.append(client_message_id);
  return key;
}

std::string TreeKey(int level, uint64_t index) {
  std::string key(1, static_cast<char>(level));
  key += EncodeU64(index);
  return key;
}

std::string IndexPrefix(char tag, std::string_view value) {
  std::string key(1, tag);
  key.append(value);
  key.push_back('\0');
  return key;
}

std::string IndexKey(char tag, std::string_view value, uint64_t leaf_index) {
  return IndexPrefix(tag, value) + EncodeU64(leaf_index);
}

std::string DeadlineKey(int64_t deadline_ms, uint64_t seq) {
  return std::string(kDeadlinePrefix) + EncodeU64(static_cast<uint64_t>(deadline_ms)) + EncodeU64(seq);
}

bool ParseDeadlineKey(std::string_view key, int64_t* deadline_ms, uint64_t* seq) {
  if (key.size() != 17 || key[0] != kDeadlinePrefix[0]) return false;
  *deadline_ms = static_cast<int64_t>(DecodeU64(key.substr(1)));
  *seq = DecodeU64(key.substr(9));
  return true;
}

std::string PrefixEnd(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty()) {
    auto c = static_cast<uint8_t>(end.back());
    if (c != 0xff) {
      end.back() = static_cast<char>(c + 1);
      return end;
    }
    end.pop_back();
  }
  return end;  // empty: no upper bound
}

}  // namespace muster::store
