// State record bytes and object ids.
#include "broker/kinds/state_record.h"

#include <charconv>

namespace muster::kinds {

Result<std::unique_ptr<wire::DecodedStruct>> DecodeRecord(std::string_view bytes,
                                                          std::string_view what) {
  auto decoded = wire::DecodedStruct::Decode(bytes.data(), bytes.size());
  if (!decoded.ok()) {
    return Status::Corruption(std::string(what) + ": " + decoded.status().message());
  }
  return std::move(decoded).value();
}

std::string ObjectId(std::string_view prefix, uint64_t seq) {
  return std::string(prefix) + std::to_string(seq);
}

std::optional<uint64_t> SeqOfObjectId(std::string_view id, std::string_view prefix) {
  if (id.size() <= prefix.size() || id.substr(0, prefix.size()) != prefix) return std::nullopt;
  std::string_view digits = id.substr(prefix.size());
  if (digits[0] == '0') return std::nullopt;
  uint64_t seq = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), seq);
  if (ec != std::errc() || end != digits.data() + digits.size() || seq == 0) return std::nullopt;
  return seq;
}

std::vector<HistoryStep> ReadHistory(capnp::List<schema::HistoryEntry>::Reader list) {
  std::vector<HistoryStep> out;
  out.reserve(list.size());
  for (auto e : list) {
    out.push_back(HistoryStep{e.getSeq(), e.getAction(), e.getBy(), e.getAtMillis(), e.getNote(),
                              e.getState()});
  }
  return out;
}

void WriteHistory(const std::vector<HistoryStep>& steps,
                  capnp::List<schema::HistoryEntry>::Builder list) {
  for (size_t i = 0; i < steps.size(); ++i) {
    auto e = list[static_cast<unsigned>(i)];
    e.setSeq(steps[i].seq);
    e.setAction(steps[i].action);
    e.setBy(steps[i].by);
    e.setAtMillis(steps[i].at_ms);
    e.setNote(steps[i].note);
    e.setState(steps[i].state);
  }
}

std::string JoinNote(std::string_view a, std::string_view b) {
  if (a.empty()) return std::string(b);
  if (b.empty()) return std::string(a);
  return std::string(a) + "; " + std::string(b);
}

}  // namespace muster::kinds
