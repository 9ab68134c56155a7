// The three plugins, by body, name and kind.
#include "broker/kinds/kind_registry.h"

#include "broker/kinds/alert_plugin.h"
#include "broker/kinds/equipment_plugin.h"
#include "broker/kinds/liaison_plugin.h"

namespace muster::kinds {

KindRegistry::KindRegistry() {
  plugins_.push_back(std::make_unique<AlertPlugin>());
  plugins_.push_back(std::make_unique<LiaisonPlugin>());
  plugins_.push_back(std::make_unique<EquipmentPlugin>());
}

const KindPlugin* KindRegistry::ForBody(schema::Envelope::Body::Which body) const {
  for (const auto& p : plugins_) {
    if (p->body() == body) return p.get();
  }
  return nullptr;
}

const KindPlugin* KindRegistry::ForName(std::string_view name) const {
  for (const auto& p : plugins_) {
    if (p->name() == name) return p.get();
  }
  return nullptr;
}

const KindPlugin* KindRegistry::ForKind(schema::Kind kind) const {
  switch (kind) {
    case schema::Kind::ALERT:
      return ForName("alert");
    case schema::Kind::LIAISON:
      return ForName("liaison");
    case schema::Kind::EQUIPMENT:
      return ForName("equipment");
  }
  return nullptr;
}

}  // namespace muster::kinds
