// TestWorld: what the kind plugin tests publish into — a policy of a small city (the bureau, the
// military sub-district with its liaison officers, a fire brigade, a rescue team, a volunteer
// station, the auditor), an in-memory state and the registry's plugins — driven the way the
// broker's publish pipeline drives them: Validate, then Apply, then commit the Effect with the
// message's recipients. Every publish also checks that Validate and Apply agree. Not
// thread-safe.
#pragma once

#include <capnp/message.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "broker/kinds/kind_registry.h"
#include "broker/kinds/memory_state_view.h"
#include "schemas/frame_codec.h"
#include "security/policy.h"

namespace muster::kinds {

struct Published {
  Status status;
  Effect effect;     // when ok
  uint64_t seq = 0;  // the seq it got, or would have got
  bool ok() const { return status.ok(); }
};

struct QueryTable {
  Status status;
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
  // The cell of `column` in row `row`, or "<no column X>" / "<no row N>".
  std::string Cell(size_t row, std::string_view column) const;
};

class TestWorld {
 public:
  TestWorld();

  // Publishes a message from `principal` whose envelope `fill` sets (status actual,
  // classification internal unless it says otherwise). `routed` are the recipients the
  // addressing resolved to; the committed recipients are `routed` plus the effect's extra ones.
  Published Publish(const std::string& principal,
                    const std::function<void(schema::Envelope::Builder)>& fill,
                    std::vector<std::string> routed = {});

  QueryTable Query(const std::string& viewer, schema::Kind kind, std::string_view id = "",
                   std::string_view incident = "", std::string_view state = "");

  // The stored record of (kind, id), decoded; nullptr (and a test failure) when absent.
  std::unique_ptr<wire::DecodedStruct> Record(std::string_view kind, std::string_view id);

  MemoryStateView& state() { return state_; }
  const security::Policy& policy() const { return *policy_; }
  const KindRegistry& registry() const { return registry_; }

  int64_t now_ms = 1'800'000'000'000;  // 2027-01-15
  uint64_t next_seq = 1;

 private:
  std::unique_ptr<security::Policy> policy_;
  MemoryStateView state_;
  KindRegistry registry_;
};

}  // namespace muster::kinds
