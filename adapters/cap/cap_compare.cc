// Field-for-field comparison of two Alerts.
#include "adapters/cap/cap_compare.h"

#include <string_view>

#include "adapters/cap/internal/cap_lexical.h"

namespace muster::cap {
namespace {

using schema::Alert;

class Differ {
 public:
  explicit Differ(std::vector<std::string>* out) : out_(out) {}

  void Text(const std::string& path, capnp::Text::Reader a, capnp::Text::Reader b) {
    std::string_view x(a.cStr(), a.size());
    std::string_view y(b.cStr(), b.size());
    if (x != y) Add(path, internal::Excerpt(x) + " != " + internal::Excerpt(y));
  }

  template <typename E>
  void Enum(const std::string& path, E a, E b) {
    if (a != b) {
      Add(path, std::to_string(static_cast<int>(a)) + " != " + std::to_string(static_cast<int>(b)));
    }
  }

  void Bool(const std::string& path, bool a, bool b) {
    if (a != b) Add(path, std::string(a ? "true" : "false") + " != " + (b ? "true" : "false"));
  }

  // Compares sizes; returns true when entries should be compared one by one.
  bool SameSize(const std::string& path, unsigned a, unsigned b) {
    if (a == b) return true;
    Add(path, std::to_string(a) + " entries != " + std::to_string(b) + " entries");
    return false;
  }

  template <typename List>
  void TextList(const std::string& path, List a, List b) {
    if (!SameSize(path, a.size(), b.size())) return;
    for (unsigned i = 0; i < a.size(); ++i) Text(Index(path, i), a[i], b[i]);
  }

  template <typename List>
  void EnumList(const std::string& path, List a, List b) {
    if (!SameSize(path, a.size(), b.size())) return;
    for (unsigned i = 0; i < a.size(); ++i) Enum(Index(path, i), a[i], b[i]);
  }

  template <typename List>
  void NameValueList(const std::string& path, List a, List b) {
    if (!SameSize(path, a.size(), b.size())) return;
    for (unsigned i = 0; i < a.size(); ++i) {
      Text(Index(path, i) + "/valueName", a[i].getName(), b[i].getName());
      Text(Index(path, i) + "/value", a[i].getValue(), b[i].getValue());
    }
  }

  void Resource(const std::string& p, Alert::Resource::Reader a, Alert::Resource::Reader b) {
    Text(p + "/resourceDesc", a.getResourceDesc(), b.getResourceDesc());
    Text(p + "/mimeType", a.getMimeType(), b.getMimeType());
    Text(p + "/size", a.getSize(), b.getSize());
    Text(p + "/uri", a.getUri(), b.getUri());
    Text(p + "/derefUri", a.getDerefUri(), b.getDerefUri());
    Text(p + "/digest", a.getDigest(), b.getDigest());
  }

  void Area(const std::string& p, Alert::Area::Reader a, Alert::Area::Reader b) {
    Text(p + "/areaDesc", a.getAreaDesc(), b.getAreaDesc());
    TextList(p + "/polygon", a.getPolygons(), b.getPolygons());
    TextList(p + "/circle", a.getCircles(), b.getCircles());
    NameValueList(p + "/geocode", a.getGeocodes(), b.getGeocodes());
    Text(p + "/altitude", a.getAltitude(), b.getAltitude());
    Text(p + "/ceiling", a.getCeiling(), b.getCeiling());
  }

  void Info(const std::string& p, Alert::Info::Reader a, Alert::Info::Reader b) {
    Text(p + "/language", a.getLanguage(), b.getLanguage());
    EnumList(p + "/category", a.getCategories(), b.getCategories());
    Text(p + "/event", a.getEvent(), b.getEvent());
    EnumList(p + "/responseType", a.getResponseTypes(), b.getResponseTypes());
    Enum(p + "/urgency", a.getUrgency(), b.getUrgency());
    Enum(p + "/severity", a.getSeverity(), b.getSeverity());
    Enum(p + "/certainty", a.getCertainty(), b.getCertainty());
    Text(p + "/audience", a.getAudience(), b.getAudience());
    NameValueList(p + "/eventCode", a.getEventCodes(), b.getEventCodes());
    Text(p + "/effective", a.getEffective(), b.getEffective());
    Text(p + "/onset", a.getOnset(), b.getOnset());
    Text(p + "/expires", a.getExpires(), b.getExpires());
    Text(p + "/senderName", a.getSenderName(), b.getSenderName());
    Text(p + "/headline", a.getHeadline(), b.getHeadline());
    Text(p + "/description", a.getDescription(), b.getDescription());
    Text(p + "/instruction", a.getInstruction(), b.getInstruction());
    Text(p + "/web", a.getWeb(), b.getWeb());
    Text(p + "/contact", a.getContact(), b.getContact());
    NameValueList(p + "/parameter", a.getParameters(), b.getParameters());
    auto ra = a.getResources();
    auto rb = b.getResources();
    if (SameSize(p + "/resource", ra.size(), rb.size())) {
      for (unsigned i = 0; i < ra.size(); ++i) Resource(Index(p + "/resource", i), ra[i], rb[i]);
    }
    auto aa = a.getAreas();
    auto ab = b.getAreas();
    if (SameSize(p + "/area", aa.size(), ab.size())) {
      for (unsigned i = 0; i < aa.size(); ++i) Area(Index(p + "/area", i), aa[i], ab[i]);
    }
  }

  static std::string Index(const std::string& path, unsigned i) {
    return path + "[" + std::to_string(i) + "]";
  }

 private:
  void Add(const std::string& path, const std::string& what) {
    out_->push_back(path + ": " + what);
  }

  std::vector<std::string>* out_;
};

}  // namespace

std::vector<std::string> AlertDifferences(Alert::Reader a, Alert::Reader b,
                                          const AlertCompareOptions& options) {
  std::vector<std::string> out;
  Differ d(&out);
  d.Text("identifier", a.getIdentifier(), b.getIdentifier());
  d.Text("sender", a.getSender(), b.getSender());
  d.Text("sent", a.getSent(), b.getSent());
  d.Enum("status", a.getStatus(), b.getStatus());
  d.Enum("msgType", a.getMsgType(), b.getMsgType());
  d.Text("source", a.getSource(), b.getSource());
  d.Enum("scope", a.getScope(), b.getScope());
  d.Text("restriction", a.getRestriction(), b.getRestriction());
  d.Text("addresses", a.getAddresses(), b.getAddresses());
  d.TextList("code", a.getCodes(), b.getCodes());
  d.Text("note", a.getNote(), b.getNote());
  d.Text("references", a.getReferences(), b.getReferences());
  d.Text("incidents", a.getIncidents(), b.getIncidents());
  auto ia = a.getInfos();
  auto ib = b.getInfos();
  if (d.SameSize("info", ia.size(), ib.size())) {
    for (unsigned i = 0; i < ia.size(); ++i) d.Info(Differ::Index("info", i), ia[i], ib[i]);
  }
  if (!options.ignore_has_signature) {
    d.Bool("hasSignature", a.getHasSignature(), b.getHasSignature());
  }
  return out;
}

}  // namespace muster::cap
