// KindRegistry: the kind plugins the broker knows (alert, liaison, equipment), found by the body
// of an envelope, by name or by the schema's Kind (workflow queries). Owns the plugins; built
// once by the broker's main and passed down by reference. Immutable after construction, so
// thread-safe for lookups.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "broker/kinds/kind_plugin.h"
#include "schemas/common.capnp.h"

namespace muster::kinds {

class KindRegistry {
 public:
  KindRegistry();
  KindRegistry(const KindRegistry&) = delete;
  KindRegistry& operator=(const KindRegistry&) = delete;

  // The plugin for an envelope's body, or nullptr (body `none`, or a body no plugin handles).
  const KindPlugin* ForBody(schema::Envelope::Body::Which body) const;
  // The plugin named "alert", "liaison" or "equipment", or nullptr.
  const KindPlugin* ForName(std::string_view name) const;
  // The plugin for a workflow query's kind, or nullptr.
  const KindPlugin* ForKind(schema::Kind kind) const;

  const std::vector<std::unique_ptr<KindPlugin>>& plugins() const { return plugins_; }

 private:
  std::vector<std::unique_ptr<KindPlugin>> plugins_;
};

}  // namespace muster::kinds
