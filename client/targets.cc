// Target parsing.
#include "client/targets.h"

namespace muster::cli {

Status ParseTargets(const std::vector<std::string>& values, Targets* out) {
  for (const auto& value : values) {
    size_t start = 0;
    while (start <= value.size()) {
      size_t comma = value.find(',', start);
      std::string item = value.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      start = comma == std::string::npos ? value.size() + 1 : comma + 1;
      while (!item.empty() && item.front() == ' ') item.erase(item.begin());
      while (!item.empty() && item.back() == ' ') item.pop_back();
      if (item.empty()) continue;
      size_t colon = item.find(':');
      std::string kind = colon == std::string::npos ? "" : item.substr(0, colon);
      std::string id = colon == std::string::npos ? "" : item.substr(colon + 1);
      if (id.empty()) kind.clear();
      if (kind == "principal") out->principals.push_back(id);
      else if (kind == "org") out->organisations.push_back(id);
      else if (kind == "sector") out->sectors.push_back(id);
      else if (kind == "role") out->roles.push_back(id);
      else if (kind == "area") out->areas.push_back(id);
      else {
        return Status::InvalidArgument("bad target '" + item +
                                       "': use principal:ID, org:ID, sector:NAME, role:NAME or area:CODE");
      }
    }
  }
  if (out->principals.empty() && out->organisations.empty() && out->sectors.empty() && out->roles.empty() &&
      out->areas.empty()) {
    return Status::InvalidArgument("no target: give --to, e.g. --to org:msd");
  }
  return Status::Ok();
}

namespace {
void Fill(capnp::List<capnp::Text>::Builder list, const std::vector<std::string>& values) {
  for (size_t i = 0; i < values.size(); ++i) list.set(static_cast<unsigned>(i), values[i]);
}
}  // namespace

void FillAddressing(const Targets& t, schema::Addressing::Builder a) {
  Fill(a.initPrincipals(static_cast<unsigned>(t.principals.size())), t.principals);
  Fill(a.initOrganisations(static_cast<unsigned>(t.organisations.size())), t.organisations);
  Fill(a.initSectors(static_cast<unsigned>(t.sectors.size())), t.sectors);
  Fill(a.initRoles(static_cast<unsigned>(t.roles.size())), t.roles);
  Fill(a.initAreas(static_cast<unsigned>(t.areas.size())), t.areas);
}

}  // namespace muster::cli
