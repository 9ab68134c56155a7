// The EDXL adapter's thread index: one text file per MessageID and per object.
#include "adapters/edxl/edxl_thread_index.h"

#include <charconv>
#include <cstdio>
#include <cstdlib>

#include "common/files.h"
#include "security/sha256.h"

namespace muster::edxl {
namespace {

constexpr std::string_view kHeader = "muster-edxl-thread 1";
constexpr size_t kMaxRecordBytes = 1024 * 1024;

using Fields = std::vector<std::pair<std::string, std::string>>;

// Percent-escapes '%', whitespace and control characters, so a value is one space-free token.
std::string Escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (c == '%' || u <= 0x20 || u == 0x7f) {
      char buf[4];
      std::snprintf(buf, sizeof(buf), "%%%02X", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

std::optional<std::string> Unescape(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    unsigned value = 0;
    auto [p, ec] = std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16);
    if (ec != std::errc() || p != text.data() + i + 3) return std::nullopt;
    out += static_cast<char>(value);
    i += 2;
  }
  return out;
}

std::vector<std::string_view> Split(std::string_view text, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t end = text.find(sep, start);
    if (end == std::string_view::npos) {
      out.push_back(text.substr(start));
      return out;
    }
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
}

std::string Get(const Fields& fields, std::string_view name) {
  for (const auto& [k, v] : fields) {
    if (k == name) return v;
  }
  return {};
}

std::string DoubleText(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  return ec == std::errc() ? std::string(buf, end) : "0";
}

}  // namespace

Result<std::unique_ptr<EdxlThreadIndex>> EdxlThreadIndex::Open(const std::string& dir) {
  MUSTER_RETURN_IF_ERROR(MakeDirs(dir, 0700));
  return std::unique_ptr<EdxlThreadIndex>(new EdxlThreadIndex(dir));
}

std::string EdxlThreadIndex::PathFor(std::string_view key) const {
  return JoinPath(dir_, security::ToHex(security::Sha256(key)).substr(0, 40));
}

std::optional<Fields> EdxlThreadIndex::Load(std::string_view key) const {
  auto text = ReadFile(PathFor(key), kMaxRecordBytes);
  if (!text.ok()) return std::nullopt;
  std::vector<std::string_view> lines = Split(*text, '\n');
  if (lines.size() < 2 || lines[0] != kHeader) return std::nullopt;
  Fields fields;
  for (size_t i = 1; i < lines.size(); ++i) {
    if (lines[i].empty()) continue;
    size_t space = lines[i].find(' ');
    std::string_view name = lines[i].substr(0, space);
    std::string_view value = space == std::string_view::npos ? "" : lines[i].substr(space + 1);
    auto decoded = Unescape(value);
    if (!decoded) return std::nullopt;
    fields.emplace_back(std::string(name), std::move(*decoded));
  }
  if (Get(fields, "key") != key) return std::nullopt;  // a hash prefix collision
  return fields;
}

Status EdxlThreadIndex::Store(std::string_view key, const Fields& fields) {
  std::string text(kHeader);
  text += "\nkey " + Escape(key) + "\n";
  for (const auto& [name, value] : fields) text += name + " " + Escape(value) + "\n";
  return WriteFileAtomic(PathFor(key), text, 0600);
}

std::optional<ThreadMessage> EdxlThreadIndex::FindMessage(std::string_view message_id) const {
  auto fields = Load("message " + std::string(message_id));
  if (!fields) return std::nullopt;
  ThreadMessage m;
  m.message_id = std::string(message_id);
  m.seq = std::strtoull(Get(*fields, "seq").c_str(), nullptr, 10);
  m.request_id = Get(*fields, "request");
  m.offer_id = Get(*fields, "offer");
  m.originating_id = Get(*fields, "originating");
  return m;
}

Status EdxlThreadIndex::PutMessage(const ThreadMessage& m) {
  return Store("message " + m.message_id, {{"seq", std::to_string(m.seq)},
                                           {"request", m.request_id},
                                           {"offer", m.offer_id},
                                           {"originating", m.originating_id}});
}

std::optional<ThreadObject> EdxlThreadIndex::FindObject(std::string_view object_id) const {
  auto fields = Load("object " + std::string(object_id));
  if (!fields) return std::nullopt;
  ThreadObject o;
  o.object_id = std::string(object_id);
  o.request_id = Get(*fields, "request");
  o.originating_id = Get(*fields, "originating");
  o.created_by = Get(*fields, "created-by");
  o.latest = Get(*fields, "latest");
  o.status = static_cast<schema::MessageStatus>(std::atoi(Get(*fields, "status").c_str()));
  o.classification =
      static_cast<schema::Classification>(std::atoi(Get(*fields, "classification").c_str()));
  o.incident = Get(*fields, "incident");
  for (const auto& [name, value] : *fields) {
    if (name != "item") continue;
    // The item's fields are escaped once more, so they are separated by single spaces.
    std::vector<std::string_view> parts = Split(value, ' ');
    if (parts.size() != 8) continue;
    std::vector<std::string> f;
    for (auto p : parts) f.push_back(Unescape(p).value_or(""));
    o.items.push_back(ThreadItem{f[0], f[1], f[2], f[3], f[4], f[5], f[6],
                                 std::strtod(f[7].c_str(), nullptr)});
  }
  return o;
}

Status EdxlThreadIndex::PutObject(const ThreadObject& o) {
  Fields fields = {{"request", o.request_id},
                   {"originating", o.originating_id},
                   {"created-by", o.created_by},
                   {"latest", o.latest},
                   {"status", std::to_string(static_cast<int>(o.status))},
                   {"classification", std::to_string(static_cast<int>(o.classification))},
                   {"incident", o.incident}};
  for (const ThreadItem& i : o.items) {
    std::string value;
    for (const std::string* f : {&i.item_id, &i.element_id, &i.resource_type, &i.type_list, &i.unit,
                                 &i.unit_list, &i.description}) {
      value += Escape(*f) + " ";
    }
    value += DoubleText(i.quantity);
    fields.emplace_back("item", value);
  }
  return Store("object " + o.object_id, fields);
}

}  // namespace muster::edxl
