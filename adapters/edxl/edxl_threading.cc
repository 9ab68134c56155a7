// Recording equipment messages in the EDXL adapter's thread index.
#include "adapters/edxl/edxl_threading.h"

#include <charconv>

#include "schemas/equipment.capnp.h"

namespace muster::edxl {
namespace {

using Action = schema::EquipmentRequest::Action;

const ThreadItem* FindItem(const std::optional<ThreadObject>& object, std::string_view item_id) {
  if (!object) return nullptr;
  for (const auto& i : object->items) {
    if (i.item_id == item_id) return &i;
  }
  return nullptr;
}

std::vector<ThreadItem> ItemsOf(capnp::List<schema::EquipmentRequest::LineItem>::Reader items,
                                const std::optional<ThreadObject>& request) {
  std::vector<ThreadItem> out;
  for (unsigned k = 0; k < items.size(); ++k) {
    auto i = items[k];
    ThreadItem t;
    t.item_id = i.getItemId().size() != 0 ? std::string(i.getItemId().cStr()) : std::to_string(k + 1);
    t.element_id = i.getEdxlElementId().size() != 0 ? std::string(i.getEdxlElementId().cStr()) : t.item_id;
    t.resource_type = i.getResourceType();
    t.type_list = i.getEdxlTypeList();
    t.unit = i.getUnit();
    t.unit_list = i.getEdxlUnitList();
    t.description = i.getDescription();
    t.quantity = i.getQuantity();
    if (const ThreadItem* r = FindItem(request, t.item_id)) {
      if (t.resource_type.empty()) {
        t.resource_type = r->resource_type;
        t.type_list = r->type_list;
      }
      if (t.unit.empty()) {
        t.unit = r->unit;
        t.unit_list = r->unit_list;
      }
    }
    out.push_back(std::move(t));
  }
  return out;
}

// The object `id`, or a new one carrying what this message says about it.
ThreadObject ObjectOrNew(const EdxlThreadIndex& index, const std::string& id,
                         const std::string& request_id, const std::string& originating,
                         schema::Envelope::Reader envelope) {
  if (auto o = index.FindObject(id)) return *o;
  ThreadObject o;
  o.object_id = id;
  o.request_id = request_id;
  o.originating_id = originating;
  o.status = envelope.getStatus();
  o.classification = envelope.getClassification();
  o.incident = envelope.getIncident();
  return o;
}

}  // namespace

EdxlThreads ThreadsOf(const EdxlThreadIndex& index) {
  EdxlThreads t;
  t.message = [&index](std::string_view id) { return index.FindMessage(id); };
  t.object = [&index](std::string_view id) { return index.FindObject(id); };
  return t;
}

std::string SeqMessageId(uint64_t seq) { return "urn:muster:seq:" + std::to_string(seq); }

std::string EdxlMessageIdOf(schema::Envelope::Reader envelope, uint64_t seq) {
  if (envelope.getBody().which() == schema::Envelope::Body::EQUIPMENT) {
    auto id = envelope.getBody().getEquipment().getEdxlMessageId();
    if (id.size() != 0) return id;
  }
  return SeqMessageId(seq);
}

uint64_t SeqOfObject(std::string_view id) {
  if (id.size() < 3 || id[1] != '-' || (id[0] != 'R' && id[0] != 'O')) return 0;
  uint64_t seq = 0;
  auto [p, ec] = std::from_chars(id.data() + 2, id.data() + id.size(), seq);
  if (ec != std::errc() || p != id.data() + id.size()) return 0;
  return seq;
}

Status RememberEquipment(EdxlThreadIndex& index, schema::Envelope::Reader envelope, uint64_t seq) {
  if (envelope.getBody().which() != schema::Envelope::Body::EQUIPMENT || seq == 0) {
    return Status::Ok();
  }
  auto body = envelope.getBody().getEquipment();
  const Action action = body.getAction();
  const std::string message_id = EdxlMessageIdOf(envelope, seq);
  std::string request_id = action == Action::REQUEST ? "R-" + std::to_string(seq)
                                                     : std::string(body.getRequestId().cStr());
  std::string offer_id = action == Action::OFFER ? "O-" + std::to_string(seq)
                                                 : std::string(body.getOfferId().cStr());
  std::optional<ThreadObject> offer;
  if (action != Action::OFFER && !offer_id.empty()) offer = index.FindObject(offer_id);
  if (request_id.empty() && offer) request_id = offer->request_id;
  std::optional<ThreadObject> request;
  if (action != Action::REQUEST && !request_id.empty()) request = index.FindObject(request_id);

  std::string originating = body.getEdxlOriginatingMessageId();
  if (originating.empty()) {
    if (action == Action::REQUEST) {
      originating = message_id;
    } else if (request && !request->originating_id.empty()) {
      originating = request->originating_id;
    } else if (uint64_t s = SeqOfObject(request_id); s != 0) {
      originating = SeqMessageId(s);
    }
  }

  MUSTER_RETURN_IF_ERROR(index.PutMessage({message_id, seq, request_id, offer_id, originating}));

  if (action == Action::REQUEST) {
    ThreadObject o;
    o.object_id = o.request_id = request_id;
    o.originating_id = originating;
    o.created_by = o.latest = message_id;
    o.status = envelope.getStatus();
    o.classification = envelope.getClassification();
    o.incident = envelope.getIncident();
    o.items = ItemsOf(body.getItems(), std::nullopt);
    return index.PutObject(o);
  }
  if (action == Action::OFFER) {
    ThreadObject o;
    o.object_id = offer_id;
    o.request_id = request_id;
    o.originating_id = originating;
    o.created_by = o.latest = message_id;
    o.status = envelope.getStatus();
    o.classification = envelope.getClassification();
    o.incident = request ? request->incident : std::string(envelope.getIncident().cStr());
    o.items = ItemsOf(body.getItems(), request);
    MUSTER_RETURN_IF_ERROR(index.PutObject(o));
  } else if (!offer_id.empty()) {
    ThreadObject o = offer ? *offer : ObjectOrNew(index, offer_id, request_id, originating, envelope);
    o.latest = message_id;
    MUSTER_RETURN_IF_ERROR(index.PutObject(o));
  }
  if (!request_id.empty()) {
    ThreadObject r = request ? *request : ObjectOrNew(index, request_id, request_id, originating, envelope);
    r.latest = message_id;
    MUSTER_RETURN_IF_ERROR(index.PutObject(r));
  }
  return Status::Ok();
}

}  // namespace muster::edxl
