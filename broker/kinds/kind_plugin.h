// KindPlugin: what the broker knows about one kind of traffic (alert, liaison, equipment), behind
// one interface, so routing, store and audit know none of a kind's fields. Adding a kind is one
// schema struct, one plugin file and its tests.
//
// In the publish pipeline, after routing and before the commit, the broker asks the message's
// plugin to Validate it against the current workflow state, then to Apply it: the plugin
// returns the state records to write (in the message's own WriteBatch), extra recipients the
// workflow requires (an update reaches everyone who received the original; an assignment
// reaches its officer), and notices to send once the message is durable.
// Plugins are stateless and thread-compatible: all state comes through the StateView.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "schemas/envelope.capnp.h"
#include "schemas/protocol.capnp.h"
#include "security/policy.h"

namespace muster::kinds {

// Workflow state records, keyed by (kind, object id). Reads see the latest state, including
// changes of messages accepted but not yet durable.
class StateView {
 public:
  virtual ~StateView() = default;
  // The state record of an object, or nullopt if there is none.
  virtual Result<std::optional<std::string>> Get(std::string_view kind, std::string_view id) const = 0;
  // Every object of `kind` (id, record), for listings. `incident` filters when non-empty.
  virtual Status List(std::string_view kind, std::string_view incident,
                      const std::function<bool(std::string_view id, std::string_view record)>& visit) const = 0;
  // The recipients a stored message was routed to (for updates and cancels).
  virtual Result<std::vector<std::string>> RecipientsOf(uint64_t seq) const = 0;
};

// Who is publishing, as the broker authenticated them.
struct Publisher {
  std::string principal;
  std::string org;
  std::string role;
  std::string sector;
};

struct MessageContext {
  uint64_t seq = 0;      // the seq this message will get
  int64_t now_ms = 0;
  Publisher publisher;
  const security::Policy* policy = nullptr;
};

struct StateWrite {
  std::string id;        // object id within the kind
  std::string record;    // the new state record (canonical bytes)
  std::string incident;  // for incident listings
};

struct Effect {
  std::vector<StateWrite> writes;
  std::vector<std::string> extra_recipients;  // principals added to the routed recipients
  std::string object_id;                      // the object this message created or changed
  std::string summary;                        // one line for notices and logs, e.g. "accepted (was proposed)"
};

// Who asks a state query, for read-side filtering.
struct Viewer {
  std::string principal;
  std::string org;
  std::string role;
  security::Clearance clearance = security::Clearance::kPublic;
};

class KindPlugin {
 public:
  virtual ~KindPlugin() = default;
  virtual std::string_view name() const = 0;  // "alert", "liaison", "equipment"
  virtual schema::Envelope::Body::Which body() const = 0;

  // Checks the message against the current state and the publisher. Errors:
  //   InvalidArgument  — a malformed body (the reason names the field);
  //   FailedPrecondition — an illegal transition (the reason names the current state);
  //   PermissionDenied — this publisher may not make this transition;
  //   NotFound — the message refers to an object that does not exist.
  virtual Status Validate(schema::Envelope::Reader envelope, const MessageContext& context,
                          const StateView& state) const = 0;

  // The state changes of an already validated message.
  virtual Result<Effect> Apply(schema::Envelope::Reader envelope, const MessageContext& context,
                               const StateView& state) const = 0;

  // Answers `list` and `show` queries as a table, showing the viewer only what it may see.
  virtual Status Query(schema::WorkflowQuery::Reader query, const Viewer& viewer, const StateView& state,
                       schema::Table::Builder table) const = 0;
};

}  // namespace muster::kinds
