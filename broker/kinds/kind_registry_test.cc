// KindRegistry: each body, name and workflow kind finds its plugin; nothing else finds one.
#include "broker/kinds/kind_registry.h"

#include <gtest/gtest.h>

namespace muster::kinds {
namespace {

TEST(KindRegistryTest, FindsEachPluginByBodyNameAndKind) {
  KindRegistry registry;
  ASSERT_EQ(registry.plugins().size(), 3u);
  struct Expect {
    schema::Envelope::Body::Which body;
    const char* name;
    schema::Kind kind;
  };
  const Expect kExpect[] = {
      {schema::Envelope::Body::ALERT, "alert", schema::Kind::ALERT},
      {schema::Envelope::Body::LIAISON, "liaison", schema::Kind::LIAISON},
      {schema::Envelope::Body::EQUIPMENT, "equipment", schema::Kind::EQUIPMENT},
  };
  for (const auto& e : kExpect) {
    const KindPlugin* by_body = registry.ForBody(e.body);
    ASSERT_NE(by_body, nullptr) << e.name;
    EXPECT_EQ(by_body->name(), e.name);
    EXPECT_EQ(by_body->body(), e.body);
    EXPECT_EQ(registry.ForName(e.name), by_body);
    EXPECT_EQ(registry.ForKind(e.kind), by_body);
  }
  EXPECT_EQ(registry.ForBody(schema::Envelope::Body::NONE), nullptr);
  EXPECT_EQ(registry.ForName("audit"), nullptr);
  EXPECT_EQ(registry.ForName(""), nullptr);
  EXPECT_EQ(registry.ForKind(static_cast<schema::Kind>(9)), nullptr);
}

}  // namespace
}  // namespace muster::kinds
