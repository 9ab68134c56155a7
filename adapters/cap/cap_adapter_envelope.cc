// CAP document <-> envelope mapping for the CAP adapter.
#include "adapters/cap/cap_adapter_envelope.h"

#include <algorithm>

#include "adapters/cap/cap_compare.h"
#include "adapters/cap/cap_geocode.h"
#include "adapters/cap/cap_parser.h"
#include "adapters/cap/cap_writer.h"
#include "common/time_text.h"

namespace muster::cap {
namespace {

constexpr size_t kMaxIncidentBytes = 128;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Whitespace-separated tokens; a token may be a double-quoted string containing whitespace.
std::vector<std::string> Tokens(std::string_view text) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && IsSpace(text[i])) ++i;
    if (i >= text.size()) break;
    std::string token;
    if (text[i] == '"') {
      size_t end = text.find('"', i + 1);
      if (end == std::string_view::npos) end = text.size();
      token = std::string(text.substr(i + 1, end - i - 1));
      i = end + 1;
    } else {
      size_t start = i;
      while (i < text.size() && !IsSpace(text[i])) ++i;
      token = std::string(text.substr(start, i - start));
    }
    out.push_back(std::move(token));
  }
  return out;
}

void SetList(capnp::List<capnp::Text>::Builder list, const std::vector<std::string>& values) {
  for (size_t i = 0; i < values.size(); ++i) list.set(static_cast<unsigned>(i), values[i]);
}

Result<schema::MessageStatus> StatusFor(schema::Alert::CapStatus status) {
  switch (status) {
    case schema::Alert::CapStatus::ACTUAL: return schema::MessageStatus::ACTUAL;
    case schema::Alert::CapStatus::EXERCISE: return schema::MessageStatus::EXERCISE;
    case schema::Alert::CapStatus::SYSTEM: return schema::MessageStatus::SYSTEM;
    case schema::Alert::CapStatus::TEST: return schema::MessageStatus::TEST;
    case schema::Alert::CapStatus::DRAFT:
      return Status::InvalidArgument(
          "DRAFT_NOT_EXCHANGED: status 'Draft': drafts are not exchanged through the broker; send it as "
          "Test or Exercise");
    case schema::Alert::CapStatus::UNSET: break;
  }
  return Status::InvalidArgument("MISSING_REQUIRED_ELEMENT: status: no CAP status");
}

}  // namespace

std::string FirstCapIncident(std::string_view incidents) {
  auto tokens = Tokens(incidents);
  return tokens.empty() ? std::string() : tokens.front();
}

std::vector<std::pair<std::string, std::string>> CapReferencePairs(std::string_view references) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const std::string& token : Tokens(references)) {
    size_t c1 = token.find(',');
    size_t c2 = c1 == std::string::npos ? c1 : token.find(',', c1 + 1);
    if (c2 == std::string::npos) continue;
    out.emplace_back(token.substr(0, c1), token.substr(c1 + 1, c2 - c1 - 1));
  }
  return out;
}

Status BuildCapEnvelope(std::string_view xml, schema::Alert::Reader alert, const CapEnvelopeOptions& o,
                        schema::Envelope::Builder out) {
  MUSTER_ASSIGN_OR_RETURN(schema::MessageStatus status, StatusFor(alert.getStatus()));

  auto sent = ParseInstant(alert.getSent().cStr());
  if (!sent.ok()) {
    return Status::InvalidArgument("INVALID_DATE: sent '" + std::string(alert.getSent().cStr()) + "': " +
                                   sent.status().message());
  }

  std::string incident = FirstCapIncident(alert.getIncidents().cStr());
  if (incident.size() > kMaxIncidentBytes) {
    return Status::InvalidArgument("INVALID_INCIDENTS: incidents: the first incident is " +
                                   std::to_string(incident.size()) + " bytes; at most " +
                                   std::to_string(kMaxIncidentBytes) + " are carried");
  }

  int64_t expires_ms = 0;
  std::string expires_text;
  for (auto info : alert.getInfos()) {
    if (info.getExpires().size() == 0) continue;
    auto t = ParseInstant(info.getExpires().cStr());
    if (!t.ok()) {
      return Status::InvalidArgument("INVALID_DATE: expires '" + std::string(info.getExpires().cStr()) + "': " +
                                     t.status().message());
    }
    if (expires_ms == 0 || t->unix_millis < expires_ms) {
      expires_ms = t->unix_millis;
      expires_text = info.getExpires().cStr();
    }
  }
  if (o.ignore_expires) {
    expires_ms = 0;
  } else if (expires_ms != 0 && expires_ms <= o.now_ms) {
    return Status::InvalidArgument("ALREADY_EXPIRED: expires '" + expires_text +
                                   "': the alert has already expired (the broker does not take expired "
                                   "messages)");
  }

  std::vector<std::string> areas = o.areas;
  bool explicit_terms = !o.principals.empty() || !o.organisations.empty() || !o.sectors.empty() ||
                        !o.roles.empty() || !o.areas.empty();
  if (!explicit_terms) areas = ExtractGbt2260Codes(alert);
  if (!explicit_terms && areas.empty()) {
    return Status::InvalidArgument(
        "NO_ADDRESSING: the alert has no GB/T 2260 geocode in any info/area, so it cannot be addressed "
        "by area; give --to (e.g. --to org:msd)");
  }

  std::vector<uint64_t> references;
  if (o.find_reference) {
    for (const auto& [sender, identifier] : CapReferencePairs(alert.getReferences().cStr())) {
      std::optional<uint64_t> seq = o.find_reference(sender, identifier);
      if (seq && std::find(references.begin(), references.end(), *seq) == references.end()) {
        references.push_back(*seq);
      }
    }
  }

  out.getSent().setUnixMillis(sent->unix_millis);
  out.getSent().setUtcOffsetMinutes(static_cast<int16_t>(sent->utc_offset_minutes));
  out.setStatus(status);
  out.setPrecedence(o.precedence);
  out.setClassification(o.classification);
  out.setIncident(incident);
  auto refs = out.initReferences(static_cast<unsigned>(references.size()));
  for (size_t i = 0; i < references.size(); ++i) refs.set(static_cast<unsigned>(i), references[i]);
  auto a = out.initAddressing();
  SetList(a.initPrincipals(static_cast<unsigned>(o.principals.size())), o.principals);
  SetList(a.initOrganisations(static_cast<unsigned>(o.organisations.size())), o.organisations);
  SetList(a.initSectors(static_cast<unsigned>(o.sectors.size())), o.sectors);
  SetList(a.initRoles(static_cast<unsigned>(o.roles.size())), o.roles);
  SetList(a.initAreas(static_cast<unsigned>(areas.size())), areas);
  out.setExpiresMillis(expires_ms);
  auto original = out.initOriginal();
  original.setMimeType(std::string(kCapMimeType));
  original.setBytes(kj::arrayPtr(reinterpret_cast<const kj::byte*>(xml.data()), xml.size()));
  out.initBody().setAlert(alert);
  return Status::Ok();
}

Result<CapDocument> CapDocumentOf(schema::Envelope::Reader envelope) {
  if (envelope.getBody().which() != schema::Envelope::Body::ALERT) {
    return Status::InvalidArgument("not an alert: the CAP adapter hands only alerts to its agency");
  }
  schema::Alert::Reader body = envelope.getBody().getAlert();
  CapDocument doc;
  if (envelope.hasOriginal()) {
    auto original = envelope.getOriginal();
    if (std::string_view(original.getMimeType().cStr()) == kCapMimeType && original.getBytes().size() > 0) {
      std::string_view bytes(reinterpret_cast<const char*>(original.getBytes().begin()), original.getBytes().size());
      auto parsed = ParseCapMessage(bytes);
      if (!parsed.ok()) {
        doc.note = "the original CAP document is not valid (" + parsed.status().message() + ")";
      } else {
        auto diffs = AlertDifferences((*parsed)->getRoot<schema::Alert>().asReader(), body);
        if (diffs.empty()) {
          doc.xml = std::string(bytes);
          doc.from_original = true;
          return doc;
        }
        doc.note = "the original CAP document differs from the alert at " + diffs.front();
      }
    }
  }
  doc.xml = WriteCap(body);
  return doc;
}

}  // namespace muster::cap
