// GB/T 2260 area codes from CAP geocodes, and the Beijing-time check.
#include "adapters/cap/cap_geocode.h"

#include <algorithm>

#include "adapters/cap/internal/cap_lexical.h"

namespace muster::cap {
namespace {

// Lower-cases ASCII and drops the separators people put inside "GB/T 2260".
std::string NormaliseName(std::string_view name) {
  std::string out;
  for (char c : internal::TrimXmlSpace(name)) {
    if (c == ' ' || c == '/' || c == '-' || c == '_' || c == '.') continue;
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out;
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

bool IsGbt2260ValueName(std::string_view value_name) {
  std::string n = NormaliseName(value_name);
  if (n == "admincode" || n == "行政区划代码") return true;
  for (std::string_view base : {std::string_view("gbt2260"), std::string_view("gb2260")}) {
    if (n == base) return true;
    // With an edition year: gbt22602007.
    if (n.size() == base.size() + 4 && n.compare(0, base.size(), base) == 0 &&
        AllDigits(std::string_view(n).substr(base.size()))) {
      return true;
    }
  }
  return false;
}

bool IsCpeasValueName(std::string_view value_name) {
  return NormaliseName(value_name) == "cpeasgeographiccode";
}

bool IsGbt2260Code(std::string_view code) {
  if (code.size() != 6 || !AllDigits(code)) return false;
  int province = (code[0] - '0') * 10 + (code[1] - '0');
  return province >= 11 && province <= 82;
}

std::vector<std::string> ExtractGbt2260Codes(schema::Alert::Reader alert) {
  std::vector<std::string> codes;
  auto add = [&](std::string_view code) {
    if (std::find(codes.begin(), codes.end(), code) == codes.end()) codes.emplace_back(code);
  };
  for (auto info : alert.getInfos()) {
    for (auto area : info.getAreas()) {
      for (auto geocode : area.getGeocodes()) {
        std::string_view name(geocode.getName().cStr(), geocode.getName().size());
        std::string_view value =
            internal::TrimXmlSpace({geocode.getValue().cStr(), geocode.getValue().size()});
        if (IsGbt2260ValueName(name)) {
          if (IsGbt2260Code(value)) add(value);
        } else if (IsCpeasValueName(name)) {
          if (value.size() == 12 && AllDigits(value) && IsGbt2260Code(value.substr(0, 6))) {
            add(value.substr(0, 6));
          }
        }
      }
    }
  }
  return codes;
}

bool IsChineseProfileTime(std::string_view text) {
  return !internal::DateTimeProblem(text).has_value() && text.size() == 25 &&
         text.substr(19) == "+08:00";
}

}  // namespace muster::cap
