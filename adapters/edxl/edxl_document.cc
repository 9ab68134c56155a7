// Muster envelope -> EDXL-RM document for the EDXL adapter.
#include "adapters/edxl/edxl_document.h"

#include <optional>

#include "adapters/edxl/edxl_envelope.h"
#include "adapters/edxl/rm_parser.h"
#include "adapters/edxl/rm_writer.h"
#include "schemas/equipment.capnp.h"

namespace muster::edxl {
namespace {

using Action = schema::EquipmentRequest::Action;
using LineItem = schema::EquipmentRequest::LineItem;

RmType TypeFor(Action action, bool on_offer) {
  switch (action) {
    case Action::REQUEST:
      return RmType::kRequestResource;
    case Action::OFFER:
      return RmType::kResponseToRequestResource;
    case Action::DECLINE:
      return on_offer ? RmType::kCommitResource : RmType::kResponseToRequestResource;
    case Action::COMMIT:
      return RmType::kCommitResource;
    case Action::RETURN:
      return RmType::kRequestReturn;
    case Action::RELEASE:
      return RmType::kReleaseResource;
    case Action::STATUS_REQUEST:
      return RmType::kRequestResourceDeploymentStatus;
    case Action::STATUS_REPORT:
    case Action::DISPATCH:
    case Action::DELIVER:
    case Action::CANCEL:
      return RmType::kReportResourceDeploymentStatus;
  }
  return RmType::kReportResourceDeploymentStatus;
}

std::string StepFor(Action action) {
  switch (action) {
    case Action::DISPATCH:
      return "dispatch";
    case Action::DELIVER:
      return "deliver";
    case Action::CANCEL:
      return "cancel";
    default:
      return {};
  }
}

const ThreadItem* FindItem(const std::optional<ThreadObject>& o, std::string_view item_id) {
  if (!o) return nullptr;
  for (const auto& i : o->items) {
    if (i.item_id == item_id) return &i;
  }
  return nullptr;
}

std::string SeqIdOf(const std::string& object_id) {
  uint64_t seq = SeqOfObject(object_id);
  return seq == 0 ? std::string() : SeqMessageId(seq);
}

RmDateTime DateAt(int64_t millis, int32_t offset) {
  RmDateTime t;
  t.unix_millis = millis;
  t.utc_offset_minutes = offset;
  return t;
}

// A bare line item (from a thread object) as a LineItem-like value.
struct Element {
  std::string item_id, element_id, preceding_id, response_type, response_reason;
  std::string resource_type, type_list, unit, unit_list, description;
  double quantity = 0;
  bool has_quantity = false;
};

Element FromLineItem(LineItem::Reader i, bool has_quantity) {
  Element e;
  e.item_id = i.getItemId();
  e.element_id = i.getEdxlElementId();
  e.preceding_id = i.getEdxlPrecedingElementId();
  e.response_type = i.getEdxlResponseType();
  e.response_reason = i.getEdxlResponseReason();
  e.resource_type = i.getResourceType();
  e.type_list = i.getEdxlTypeList();
  e.unit = i.getUnit();
  e.unit_list = i.getEdxlUnitList();
  e.description = i.getDescription();
  e.quantity = i.getQuantity();
  e.has_quantity = has_quantity;
  return e;
}

Element FromThreadItem(const ThreadItem& i, bool has_quantity) {
  Element e;
  e.item_id = i.item_id;
  e.element_id = i.element_id;
  e.resource_type = i.resource_type;
  e.type_list = i.type_list;
  e.unit = i.unit;
  e.unit_list = i.unit_list;
  e.quantity = i.quantity;
  e.has_quantity = has_quantity;
  return e;
}

}  // namespace

Result<RmMessage> RmMessageOf(schema::Envelope::Reader envelope, uint64_t seq,
                              const EdxlThreads& threads) {
  if (envelope.getBody().which() != schema::Envelope::Body::EQUIPMENT) {
    return Status::InvalidArgument("not an equipment request: the EDXL adapter hands on only equipment traffic");
  }
  auto body = envelope.getBody().getEquipment();
  const Action action = body.getAction();
  const bool native = body.getEdxlMessageId().size() == 0;
  const std::string offer_id = body.getOfferId();
  const bool on_offer = !offer_id.empty();
  std::optional<ThreadObject> offer = on_offer ? threads.FindObject(offer_id) : std::nullopt;
  std::string request_id = body.getRequestId();
  if (request_id.empty() && offer) request_id = offer->request_id;
  std::optional<ThreadObject> request =
      action == Action::REQUEST ? std::nullopt : threads.FindObject(request_id);

  RmMessage m;
  m.type = TypeFor(action, on_offer);
  m.message_id = EdxlMessageIdOf(envelope, seq);
  const int32_t offset = envelope.getSent().getUtcOffsetMinutes();
  m.sent = DateAt(envelope.getSent().getUnixMillis(), offset);
  m.description = body.getNote();
  m.incident_id = envelope.getIncident();
  if (m.incident_id.empty() && native && request) m.incident_id = request->incident;

  m.originating_id = body.getEdxlOriginatingMessageId();
  m.preceding_id = body.getEdxlPrecedingMessageId();
  if (native) {
    if (action == Action::REQUEST) {
      m.originating_id = m.message_id;
    } else {
      m.originating_id = request && !request->originating_id.empty() ? request->originating_id
                                                                    : SeqIdOf(request_id);
      if (m.originating_id.empty()) m.originating_id = SeqIdOf(offer_id);
      const bool answers_request = action == Action::OFFER || !on_offer;
      if (answers_request && (action == Action::OFFER || action == Action::DECLINE)) {
        m.preceding_id = request && !request->created_by.empty() ? request->created_by : SeqIdOf(request_id);
      } else if (answers_request) {
        m.preceding_id = request && !request->latest.empty() ? request->latest : SeqIdOf(request_id);
      } else {
        m.preceding_id = offer && !offer->latest.empty() ? offer->latest : SeqIdOf(offer_id);
      }
    }
  }

  std::string sender = envelope.getSender();
  std::string org = envelope.getSenderOrg();
  m.contacts.push_back(RmContact{sender.empty() ? "Muster" : sender + (org.empty() ? "" : " (" + org + ")"),
                                 "Sender"});

  // The elements: the items, else edxlItems, else (a Muster client's step) the thread's.
  // An EDXL sender's element had a Quantity or not (edxlHasQuantity); a Muster client's items
  // always say how many.
  std::vector<Element> elements;
  if (body.getItems().size() != 0) {
    for (auto i : body.getItems()) elements.push_back(FromLineItem(i, native || i.getEdxlHasQuantity()));
    // A request's unnamed line items are "1", "2", … (as the broker names them).
    for (size_t k = 0; action == Action::REQUEST && k < elements.size(); ++k) {
      if (elements[k].item_id.empty()) elements[k].item_id = std::to_string(k + 1);
    }
  } else if (body.getEdxlItems().size() != 0) {
    for (auto i : body.getEdxlItems()) elements.push_back(FromLineItem(i, native || i.getEdxlHasQuantity()));
  } else if (native) {
    const bool offer_items = action == Action::COMMIT || action == Action::DISPATCH ||
                             action == Action::RELEASE || (action == Action::DECLINE && on_offer) ||
                             (action == Action::DELIVER);
    const std::optional<ThreadObject>& source =
        offer_items && on_offer ? offer
        : (action == Action::DECLINE || action == Action::CANCEL) ? request
                                                                  : std::optional<ThreadObject>();
    if (source) {
      bool with_quantity = action == Action::COMMIT || action == Action::RELEASE;
      for (const auto& i : source->items) elements.push_back(FromThreadItem(i, with_quantity));
    }
    if (elements.empty() && (action == Action::DISPATCH || action == Action::CANCEL ||
                             action == Action::DELIVER)) {
      Element e;  // the step is named in an element; this one stands for the whole object
      e.element_id = on_offer ? offer_id : request_id;
      elements.push_back(e);
    }
  }

  const bool response = m.type == RmType::kResponseToRequestResource || m.type == RmType::kCommitResource;
  const std::string step = StepFor(action);
  for (const Element& e : elements) {
    RmResourceInfo r;
    r.element_id = !e.element_id.empty() ? e.element_id : e.item_id;
    const ThreadItem* ri = FindItem(request, e.item_id);
    if (response) {
      RmResponse resp;
      resp.preceding_element_id = e.preceding_id;
      if (resp.preceding_element_id.empty()) {
        const ThreadItem* answered = m.type == RmType::kCommitResource ? FindItem(offer, e.item_id) : ri;
        resp.preceding_element_id = answered ? answered->element_id : e.item_id;
      }
      resp.type = !e.response_type.empty() ? e.response_type
                  : action == Action::DECLINE ? "Decline"
                                              : "Accept";
      resp.reason = e.response_reason;
      if (resp.reason.empty() && action == Action::DECLINE && native) resp.reason = body.getReason();
      r.response = std::move(resp);
    }
    r.type = RmValue{e.type_list, e.resource_type};
    if (r.type.value.empty() && native && ri) r.type = RmValue{ri->type_list, ri->resource_type};
    if (!r.type.value.empty() && r.type.list_urn.empty()) r.type.list_urn = kTypeList;
    r.description = e.description;
    if (action == Action::REQUEST) r.priority = body.getPriority();
    r.step = step;
    if (e.has_quantity) {
      RmQuantity q;
      q.amount = e.quantity;
      q.unit = RmValue{e.unit_list, e.unit};
      if (q.unit.value.empty() && native && ri) q.unit = RmValue{ri->unit_list, ri->unit};
      if (!q.unit.value.empty() && q.unit.list_urn.empty()) q.unit.list_urn = kUnitList;
      r.quantity = std::move(q);
    }
    const bool accepting = response && r.response->type != "Decline";
    r.has_resource = !r.type.value.empty() || !r.description.empty() || !r.priority.empty() ||
                     !r.step.empty() || action == Action::REQUEST || action == Action::RELEASE ||
                     accepting;
    if (action == Action::REQUEST) {
      RmSchedule s;
      s.type = "RequestedArrival";
      if (body.getNeededByMillis() != 0) s.date_time = DateAt(body.getNeededByMillis(), offset);
      s.location = body.getDeliverTo();
      r.schedules.push_back(std::move(s));
    }
    if (action == Action::DISPATCH && body.getEtaMillis() != 0) {
      RmSchedule s;
      s.type = "EstimatedArrival";
      s.date_time = DateAt(body.getEtaMillis(), offset);
      r.schedules.push_back(std::move(s));
    }
    m.resources.push_back(std::move(r));
  }
  if (native && body.getReason().size() != 0) {
    // A reason with no ResponseInformation to carry it (cancel, release, …) goes with the note.
    bool carried = false;
    for (const auto& r : m.resources) carried = carried || (r.response && !r.response->reason.empty());
    if (!carried) {
      std::string reason = body.getReason();
      m.description = m.description.empty() ? reason : reason + "\n" + m.description;
    }
  }
  return m;
}

Result<EdxlDocument> EdxlDocumentOf(schema::Envelope::Reader envelope, uint64_t seq,
                                    const EdxlThreads& threads) {
  MUSTER_ASSIGN_OR_RETURN(RmMessage message, RmMessageOf(envelope, seq, threads));
  EdxlDocument doc;
  if (envelope.hasOriginal()) {
    auto original = envelope.getOriginal();
    if (std::string_view(original.getMimeType().cStr()) == kEdxlMimeType &&
        original.getBytes().size() > 0) {
      std::string_view bytes(reinterpret_cast<const char*>(original.getBytes().begin()),
                             original.getBytes().size());
      auto parsed = ParseRm(bytes);
      if (!parsed.ok()) {
        doc.note = "the original EDXL-RM document is not valid (" + parsed.status().message() + ")";
      } else {
        std::vector<std::string> diffs = RmDifferences(*parsed, message);
        if (diffs.empty()) {
          doc.xml = std::string(bytes);
          doc.from_original = true;
          return doc;
        }
        doc.note = "the original EDXL-RM document differs from the message at " + diffs.front();
      }
    }
  }
  doc.xml = WriteRm(message);
  return doc;
}

}  // namespace muster::edxl
