// The equipment request and offer state machines. Validate and Apply share one decision (Decide),
// so a step that validates is exactly the step that is applied.
#include "broker/kinds/equipment_plugin.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "broker/kinds/guarded_call.h"
#include "broker/kinds/parties.h"
#include "broker/kinds/result_table.h"
#include "broker/kinds/state_record.h"
#include "broker/kinds/step_labels.h"
#include "schemas/equipment.capnp.h"
#include "schemas/state.capnp.h"

namespace muster::kinds {
namespace {

using schema::EquipmentRequest;
using Action = EquipmentRequest::Action;
using RState = schema::EquipmentRequestState::State;
using OState = schema::EquipmentOfferState::State;

constexpr std::string_view kKind = "equipment";
constexpr std::string_view kRequestPrefix = "R-";
constexpr std::string_view kOfferPrefix = "O-";
// Quantities are decimals; sums are compared with this much slack.
constexpr double kSlack = 1e-9;

struct LineItem {
  std::string item_id;
  std::string resource_type;
  std::string unit;
  std::string description;
  double requested = 0;
  double offered = 0;
  double committed = 0;
  double dispatched = 0;
  double delivered = 0;
  double returned = 0;
};

struct OfferRef {
  std::string id;
  std::string provider;
  OState state = OState::OFFERED;
};

struct Request {
  std::string id;
  std::string requester;
  std::string requester_org;
  RState state = RState::OPEN;
  std::string incident;
  std::string deliver_to;
  int64_t needed_by_ms = 0;
  std::string priority;
  std::vector<LineItem> items;
  std::vector<OfferRef> offers;
  std::vector<std::string> declined_by;
  std::vector<HistoryStep> history;
  schema::Classification classification = schema::Classification::PUBLIC;
  uint64_t created_seq = 0;
  schema::MessageStatus status = schema::MessageStatus::ACTUAL;

  LineItem* FindItem(std::string_view item_id) {
    for (auto& i : items) {
      if (i.item_id == item_id) return &i;
    }
    return nullptr;
  }
};

struct OfferItem {
  std::string item_id;
  double quantity = 0;
  double received = 0;
  double returned = 0;
};

struct Offer {
  std::string id;
  std::string request_id;
  std::string requester;
  std::string requester_org;
  std::string provider;
  std::string provider_org;
  OState state = OState::OFFERED;
  std::vector<OfferItem> items;
  int64_t eta_ms = 0;
  std::vector<HistoryStep> history;
  std::string incident;
  schema::Classification classification = schema::Classification::PUBLIC;
  uint64_t created_seq = 0;
  schema::MessageStatus status = schema::MessageStatus::ACTUAL;

  OfferItem* FindItem(std::string_view item_id) {
    for (auto& i : items) {
      if (i.item_id == item_id) return &i;
    }
    return nullptr;
  }
};

std::string_view RequestStateName(RState s) {
  switch (s) {
    case RState::OPEN:
      return "open";
    case RState::CANCELLED:
      return "cancelled";
    case RState::CLOSED:
      return "closed";
  }
  return "unknown";
}

std::string_view OfferStateName(OState s) {
  switch (s) {
    case OState::OFFERED:
      return "offered";
    case OState::COMMITTED:
      return "committed";
    case OState::DECLINED:
      return "declined";
    case OState::DISPATCHED:
      return "dispatched";
    case OState::DELIVERED:
      return "delivered";
    case OState::RETURNED:
      return "returned";
    case OState::RELEASED:
      return "released";
  }
  return "unknown";
}

std::string_view ActionName(Action a) {
  switch (a) {
    case Action::REQUEST:
      return "request";
    case Action::OFFER:
      return "offer";
    case Action::COMMIT:
      return "commit";
    case Action::DECLINE:
      return "decline";
    case Action::DISPATCH:
      return "dispatch";
    case Action::DELIVER:
      return "deliver";
    case Action::RETURN:
      return "return";
    case Action::CANCEL:
      return "cancel";
    case Action::RELEASE:
      return "release";
    case Action::STATUS_REQUEST:
      return "status-request";
    case Action::STATUS_REPORT:
      return "status-report";
  }
  return {};
}

bool IsCommittedOrFurther(OState s) {
  return s == OState::COMMITTED || s == OState::DISPATCHED || s == OState::DELIVERED ||
         s == OState::RETURNED || s == OState::RELEASED;
}
bool IsDispatchedOrFurther(OState s) {
  return s == OState::DISPATCHED || s == OState::DELIVERED || s == OState::RETURNED ||
         s == OState::RELEASED;
}

// --- Record codec
// ---------------------------------------------------------------------------------

std::string Encode(const Request& q) {
  capnp::MallocMessageBuilder m;
  auto r = m.initRoot<schema::EquipmentRequestState>();
  r.setId(q.id);
  r.setRequester(q.requester);
  r.setRequesterOrg(q.requester_org);
  r.setState(q.state);
  r.setIncident(q.incident);
  r.setDeliverTo(q.deliver_to);
  r.setNeededByMillis(q.needed_by_ms);
  r.setPriority(q.priority);
  auto items = r.initItems(static_cast<unsigned>(q.items.size()));
  for (size_t k = 0; k < q.items.size(); ++k) {
    auto i = items[static_cast<unsigned>(k)];
    const LineItem& li = q.items[k];
    i.setItemId(li.item_id);
    i.setResourceType(li.resource_type);
    i.setUnit(li.unit);
    i.setDescription(li.description);
    i.setRequested(li.requested);
    i.setOffered(li.offered);
    i.setCommitted(li.committed);
    i.setDispatched(li.dispatched);
    i.setDelivered(li.delivered);
    i.setReturned(li.returned);
  }
  auto offers = r.initOffers(static_cast<unsigned>(q.offers.size()));
  for (size_t k = 0; k < q.offers.size(); ++k) {
    auto o = offers[static_cast<unsigned>(k)];
    o.setId(q.offers[k].id);
    o.setProvider(q.offers[k].provider);
    o.setState(q.offers[k].state);
  }
  auto declined = r.initDeclinedBy(static_cast<unsigned>(q.declined_by.size()));
  for (size_t k = 0; k < q.declined_by.size(); ++k) {
    declined.set(static_cast<unsigned>(k), q.declined_by[k]);
  }
  WriteHistory(q.history, r.initHistory(static_cast<unsigned>(q.history.size())));
  r.setClassification(q.classification);
  r.setCreatedSeq(q.created_seq);
  r.setStatus(q.status);
  return EncodeRecord(r.asReader());
}

Result<Request> DecodeRequest(std::string_view bytes, std::string_view id) {
  MUSTER_ASSIGN_OR_RETURN(auto decoded,
                          DecodeRecord(bytes, "equipment request " + std::string(id)));
  auto r = decoded->Get<schema::EquipmentRequestState>();
  Request q;
  q.id = r.getId();
  q.requester = r.getRequester();
  q.requester_org = r.getRequesterOrg();
  q.state = r.getState();
  q.incident = r.getIncident();
  q.deliver_to = r.getDeliverTo();
  q.needed_by_ms = r.getNeededByMillis();
  q.priority = r.getPriority();
  for (auto i : r.getItems()) {
    q.items.push_back(LineItem{i.getItemId(), i.getResourceType(), i.getUnit(), i.getDescription(),
                               i.getRequested(), i.getOffered(), i.getCommitted(),
                               i.getDispatched(), i.getDelivered(), i.getReturned()});
  }
  for (auto o : r.getOffers())
    q.offers.push_back(OfferRef{o.getId(), o.getProvider(), o.getState()});
  for (auto d : r.getDeclinedBy()) q.declined_by.emplace_back(d);
  q.history = ReadHistory(r.getHistory());
  q.classification = r.getClassification();
  q.created_seq = r.getCreatedSeq();
  q.status = r.getStatus();
  return q;
}

std::string Encode(const Offer& o) {
  capnp::MallocMessageBuilder m;
  auto r = m.initRoot<schema::EquipmentOfferState>();
  r.setId(o.id);
  r.setRequestId(o.request_id);
  r.setRequester(o.requester);
  r.setRequesterOrg(o.requester_org);
  r.setProvider(o.provider);
  r.setProviderOrg(o.provider_org);
  r.setState(o.state);
  auto items = r.initItems(static_cast<unsigned>(o.items.size()));
  for (size_t k = 0; k < o.items.size(); ++k) {
    auto i = items[static_cast<unsigned>(k)];
    i.setItemId(o.items[k].item_id);
    i.setQuantity(o.items[k].quantity);
    i.setReceived(o.items[k].received);
    i.setReturned(o.items[k].returned);
  }
  r.setEtaMillis(o.eta_ms);
  WriteHistory(o.history, r.initHistory(static_cast<unsigned>(o.history.size())));
  r.setIncident(o.incident);
  r.setClassification(o.classification);
  r.setCreatedSeq(o.created_seq);
  r.setStatus(o.status);
  return EncodeRecord(r.asReader());
}

Result<Offer> DecodeOffer(std::string_view bytes, std::string_view id) {
  MUSTER_ASSIGN_OR_RETURN(auto decoded, DecodeRecord(bytes, "equipment offer " + std::string(id)));
  auto r = decoded->Get<schema::EquipmentOfferState>();
  Offer o;
  o.id = r.getId();
  o.request_id = r.getRequestId();
  o.requester = r.getRequester();
  o.requester_org = r.getRequesterOrg();
  o.provider = r.getProvider();
  o.provider_org = r.getProviderOrg();
  o.state = r.getState();
  for (auto i : r.getItems()) {
    o.items.push_back(OfferItem{i.getItemId(), i.getQuantity(), i.getReceived(), i.getReturned()});
  }
  o.eta_ms = r.getEtaMillis();
  o.history = ReadHistory(r.getHistory());
  o.incident = r.getIncident();
  o.classification = r.getClassification();
  o.created_seq = r.getCreatedSeq();
  o.status = r.getStatus();
  return o;
}

Result<std::optional<Request>> LoadRequest(const StateView& state, std::string_view id) {
  if (!SeqOfObjectId(id, kRequestPrefix)) return std::optional<Request>();
  MUSTER_ASSIGN_OR_RETURN(std::optional<std::string> bytes, state.Get(kKind, id));
  if (!bytes) return std::optional<Request>();
  MUSTER_ASSIGN_OR_RETURN(Request q, DecodeRequest(*bytes, id));
  return std::optional<Request>(std::move(q));
}

Result<std::optional<Offer>> LoadOffer(const StateView& state, std::string_view id) {
  if (!SeqOfObjectId(id, kOfferPrefix)) return std::optional<Offer>();
  MUSTER_ASSIGN_OR_RETURN(std::optional<std::string> bytes, state.Get(kKind, id));
  if (!bytes) return std::optional<Offer>();
  MUSTER_ASSIGN_OR_RETURN(Offer o, DecodeOffer(*bytes, id));
  return std::optional<Offer>(std::move(o));
}

// --- Decision
// -------------------------------------------------------------------------------------

struct Plan {
  std::optional<Request> request;  // changed
  std::vector<Offer> offers;       // changed
  std::vector<std::string> extra_recipients;
  std::string object_id;
  std::string summary;
};

std::string Unit(const LineItem* item) {
  return item == nullptr ? std::string() : " " + item->unit;
}

void Record(std::vector<HistoryStep>* history, const MessageContext& context, std::string action,
            std::string note, std::string_view state) {
  history->push_back(HistoryStep{context.seq, std::move(action), context.publisher.principal,
                                 context.now_ms, std::move(note), std::string(state)});
}

Offer* FindChanged(Plan* plan, std::string_view id) {
  for (auto& o : plan->offers) {
    if (o.id == id) return &o;
  }
  return nullptr;
}

// Recomputes the request's per-item totals and offer list from its offers (the plan's changed
// offers as they are now, the others as stored).
Status Recompute(Request* q, Plan* plan, const StateView& state) {
  for (auto& i : q->items) i.offered = i.committed = i.dispatched = i.delivered = i.returned = 0;
  for (auto& ref : q->offers) {
    std::optional<Offer> stored;
    const Offer* o = FindChanged(plan, ref.id);
    if (o == nullptr) {
      MUSTER_ASSIGN_OR_RETURN(stored, LoadOffer(state, ref.id));
      if (!stored) {
        return Status::Corruption("equipment request " + q->id + " lists offer " + ref.id +
                                  ", which is missing");
      }
      o = &*stored;
    }
    ref.state = o->state;
    for (const OfferItem& oi : o->items) {
      LineItem* li = q->FindItem(oi.item_id);
      if (li == nullptr) continue;
      if (o->state != OState::DECLINED) li->offered += oi.quantity;
      if (IsCommittedOrFurther(o->state)) li->committed += oi.quantity;
      if (IsDispatchedOrFurther(o->state)) li->dispatched += oi.quantity;
      li->delivered += oi.received;
      li->returned += oi.returned;
    }
  }
  return Status::Ok();
}

Status CheckIncident(schema::Envelope::Reader envelope, std::string_view what,
                     const std::string& incident) {
  if (envelope.getIncident().size() != 0 && incident != envelope.getIncident().cStr()) {
    return Status::InvalidArgument("incident: " + std::string(what) + " belongs to incident " +
                                   incident + ", not " + envelope.getIncident().cStr());
  }
  return Status::Ok();
}

bool PositiveQuantity(double q) { return std::isfinite(q) && q > 0; }

std::string ItemsNote(const std::vector<OfferItem>& items, double OfferItem::*field, Request* q) {
  std::string note;
  for (const auto& i : items) {
    if (!note.empty()) note += ", ";
    note += "item " + i.item_id + ": " + QuantityCell(i.*field) + Unit(q->FindItem(i.item_id));
  }
  return note;
}

Result<Plan> CreateRequest(schema::Envelope::Reader envelope, EquipmentRequest::Reader body,
                           const MessageContext& context) {
  if (body.getRequestId().size() != 0 || body.getOfferId().size() != 0) {
    return Status::InvalidArgument(
        "requestId: must be empty on request; the broker names the request R-<seq>");
  }
  auto items = body.getItems();
  if (items.size() == 0)
    return Status::InvalidArgument("items: a request needs at least one line item");
  bool named = items[0].getItemId().size() != 0;
  Request q;
  for (unsigned k = 0; k < items.size(); ++k) {
    auto i = items[k];
    std::string where = "items[" + std::to_string(k) + "]";
    if ((i.getItemId().size() != 0) != named) {
      return Status::InvalidArgument(where + ".itemId: give every line item an id, or none");
    }
    std::string item_id = named ? std::string(i.getItemId().cStr()) : std::to_string(k + 1);
    if (q.FindItem(item_id) != nullptr) {
      return Status::InvalidArgument(where + ".itemId: '" + item_id + "' appears twice");
    }
    if (i.getResourceType().size() == 0) {
      return Status::InvalidArgument(where + ".resourceType: a line item needs a resource type");
    }
    if (!PositiveQuantity(i.getQuantity())) {
      return Status::InvalidArgument(where + ".quantity: must be a positive number");
    }
    if (i.getUnit().size() == 0)
      return Status::InvalidArgument(where + ".unit: a line item needs a unit");
    q.items.push_back(
        LineItem{item_id, i.getResourceType(), i.getUnit(), i.getDescription(), i.getQuantity()});
  }
  if (body.getDeliverTo().size() == 0) {
    return Status::InvalidArgument("deliverTo: a request needs a place of delivery");
  }
  if (body.getNeededByMillis() < 0) {
    return Status::InvalidArgument("neededByMillis: must be a time (or 0 for not stated)");
  }
  q.id = ObjectId(kRequestPrefix, context.seq);
  q.requester = context.publisher.principal;
  q.requester_org = context.publisher.org;
  q.state = RState::OPEN;
  q.incident = envelope.getIncident();
  q.deliver_to = body.getDeliverTo();
  q.needed_by_ms = body.getNeededByMillis();
  q.priority = body.getPriority();
  q.classification = envelope.getClassification();
  q.status = envelope.getStatus();
  q.created_seq = context.seq;
  std::string note;
  for (const auto& li : q.items) {
    if (!note.empty()) note += ", ";
    note += "item " + li.item_id + ": " + QuantityCell(li.requested) + " " + li.unit + " " +
            li.resource_type;
  }
  Record(&q.history, context, "request", JoinNote(note, body.getNote().cStr()), "open");
  Plan plan;
  plan.object_id = q.id;
  plan.summary = q.id + " requested by " + q.requester + " (" + std::to_string(q.items.size()) +
                 " line item" + (q.items.size() == 1 ? "" : "s") + ")";
  plan.request = std::move(q);
  return plan;
}

// Per-item quantities of deliver and return: none given means "all of it". An item without an
// id names the offer's only line item.
Result<std::map<std::string, double>> ItemQuantities(EquipmentRequest::Reader body,
                                                     const Offer& offer, double OfferItem::*limit,
                                                     std::string_view limit_word) {
  std::map<std::string, double> out;
  auto items = body.getItems();
  if (items.size() == 0) {
    for (const auto& i : offer.items) out[i.item_id] = i.*limit;
    return out;
  }
  for (const auto& i : offer.items) out[i.item_id] = 0;
  std::vector<std::string> seen;
  for (unsigned k = 0; k < items.size(); ++k) {
    std::string where = "items[" + std::to_string(k) + "]";
    std::string item_id = items[k].getItemId();
    if (item_id.empty()) {
      if (offer.items.size() != 1) {
        return Status::InvalidArgument(where + ".itemId: offer " + offer.id + " has " +
                                       std::to_string(offer.items.size()) +
                                       " line items; name the item");
      }
      item_id = offer.items[0].item_id;
    }
    const OfferItem* oi = nullptr;
    for (const auto& i : offer.items) {
      if (i.item_id == item_id) oi = &i;
    }
    if (oi == nullptr) {
      return Status::InvalidArgument(where + ".itemId: offer " + offer.id + " has no line item '" +
                                     item_id + "'");
    }
    if (std::find(seen.begin(), seen.end(), item_id) != seen.end()) {
      return Status::InvalidArgument(where + ".itemId: '" + item_id + "' appears twice");
    }
    seen.push_back(item_id);
    double q = items[k].getQuantity();
    if (q > oi->*limit + kSlack) {
      return Status::InvalidArgument(where + ".quantity: " + QuantityCell(q) + " of item " +
                                     item_id + " but only " + QuantityCell(oi->*limit) + " " +
                                     std::string(limit_word));
    }
    out[item_id] = q;
  }
  return out;
}

Result<Plan> CreateOffer(schema::Envelope::Reader envelope, EquipmentRequest::Reader body,
                         const MessageContext& context, const StateView& state) {
  std::string request_id = body.getRequestId();
  if (request_id.empty())
    return Status::InvalidArgument("requestId: offer needs the request id (R-<seq>)");
  if (body.getOfferId().size() != 0) {
    return Status::InvalidArgument(
        "offerId: must be empty on offer; the broker names the offer O-<seq>");
  }
  auto items = body.getItems();
  if (items.size() == 0)
    return Status::InvalidArgument("items: an offer needs at least one line item");
  for (unsigned k = 0; k < items.size(); ++k) {
    std::string where = "items[" + std::to_string(k) + "]";
    if (items[k].getItemId().size() == 0) {
      return Status::InvalidArgument(where + ".itemId: an offer names the request's line item");
    }
    if (!PositiveQuantity(items[k].getQuantity())) {
      return Status::InvalidArgument(where + ".quantity: must be a positive number");
    }
  }
  MUSTER_ASSIGN_OR_RETURN(std::optional<Request> q, LoadRequest(state, request_id));
  if (!q) return Status::NotFound("no equipment request " + request_id);
  MUSTER_RETURN_IF_ERROR(CheckIncident(envelope, "request " + request_id, q->incident));
  MUSTER_RETURN_IF_ERROR(
      CheckStepLabels(envelope, "request " + request_id, q->status, q->classification));
  if (q->state != RState::OPEN) {
    return Status::FailedPrecondition("request " + request_id + " is " +
                                      std::string(RequestStateName(q->state)) +
                                      ": offer is only possible when open");
  }
  if (context.publisher.principal == q->requester) {
    return Status::PermissionDenied("the requester " + q->requester +
                                    " cannot offer against its own request " + request_id);
  }
  Offer o;
  for (unsigned k = 0; k < items.size(); ++k) {
    std::string where = "items[" + std::to_string(k) + "]";
    std::string item_id = items[k].getItemId();
    if (q->FindItem(item_id) == nullptr) {
      return Status::InvalidArgument(where + ".itemId: request " + request_id +
                                     " has no line item '" + item_id + "'");
    }
    if (o.FindItem(item_id) != nullptr) {
      return Status::InvalidArgument(where + ".itemId: '" + item_id + "' appears twice");
    }
    o.items.push_back(OfferItem{item_id, items[k].getQuantity()});
  }
  o.id = ObjectId(kOfferPrefix, context.seq);
  o.request_id = request_id;
  o.requester = q->requester;
  o.requester_org = q->requester_org;
  o.provider = context.publisher.principal;
  o.provider_org = context.publisher.org;
  o.state = OState::OFFERED;
  o.incident = q->incident;
  o.classification = envelope.getClassification();
  o.status = envelope.getStatus();
  o.created_seq = context.seq;
  std::string note = ItemsNote(o.items, &OfferItem::quantity, &*q);
  Record(&o.history, context, "offer", JoinNote(note, body.getNote().cStr()), "offered");
  Plan plan;
  plan.object_id = o.id;
  plan.summary = o.id + " offered by " + o.provider + " against " + request_id;
  plan.offers.push_back(o);
  q->offers.push_back(OfferRef{o.id, o.provider, o.state});
  MUSTER_RETURN_IF_ERROR(Recompute(&*q, &plan, state));
  Record(&q->history, context, "offer", JoinNote(o.id + " " + note, body.getNote().cStr()),
         RequestStateName(q->state));
  RecipientSet extra(context.publisher.principal);
  extra.Add(q->requester);
  plan.extra_recipients = extra.Take();
  plan.request = std::move(q);
  return plan;
}

// decline REQ, cancel REQ and release REQ.
Result<Plan> RequestStep(schema::Envelope::Reader envelope, EquipmentRequest::Reader body,
                         Action action, const MessageContext& context, const StateView& state) {
  std::string action_name(ActionName(action));
  std::string request_id = body.getRequestId();
  if (request_id.empty()) {
    return Status::InvalidArgument("requestId: " + action_name + " needs the request id (R-<seq>)" +
                                   (action == Action::DECLINE || action == Action::RELEASE
                                        ? " or the offer id (O-<seq>)"
                                        : ""));
  }
  if (action == Action::DECLINE && body.getReason().size() == 0) {
    return Status::InvalidArgument("reason: decline needs a reason");
  }
  MUSTER_ASSIGN_OR_RETURN(std::optional<Request> q, LoadRequest(state, request_id));
  if (!q) return Status::NotFound("no equipment request " + request_id);
  MUSTER_RETURN_IF_ERROR(CheckIncident(envelope, "request " + request_id, q->incident));
  MUSTER_RETURN_IF_ERROR(
      CheckStepLabels(envelope, "request " + request_id, q->status, q->classification));
  if (q->state != RState::OPEN) {
    return Status::FailedPrecondition("request " + request_id + " is " +
                                      std::string(RequestStateName(q->state)) + ": " + action_name +
                                      " is only possible when open");
  }
  const std::string& who = context.publisher.principal;
  Plan plan;
  plan.object_id = request_id;
  RecipientSet extra(who);
  std::string note = JoinNote(body.getReason().cStr(), body.getNote().cStr());
  if (action == Action::DECLINE) {
    if (who == q->requester) {
      return Status::PermissionDenied("the requester " + q->requester +
                                      " cannot decline its own request " + request_id +
                                      "; cancel it instead");
    }
    if (std::find(q->declined_by.begin(), q->declined_by.end(), who) != q->declined_by.end()) {
      return Status::FailedPrecondition(who + " has already declined request " + request_id);
    }
    q->declined_by.push_back(who);
    Record(&q->history, context, "decline", note, RequestStateName(q->state));
    extra.Add(q->requester);
    plan.summary = request_id + " declined by " + who;
  } else {
    bool cancel = action == Action::CANCEL;
    if (who != q->requester) {
      return Status::PermissionDenied("only the requester " + q->requester + " may " +
                                      (cancel ? "cancel" : "release (close)") + " request " +
                                      request_id);
    }
    std::vector<Offer> offers;
    for (const auto& ref : q->offers) {
      MUSTER_ASSIGN_OR_RETURN(std::optional<Offer> o, LoadOffer(state, ref.id));
      if (!o) {
        return Status::Corruption("equipment request " + request_id + " lists offer " + ref.id +
                                  ", which is missing");
      }
      bool blocks = cancel ? IsDispatchedOrFurther(o->state)
                           : (o->state == OState::COMMITTED || o->state == OState::DISPATCHED);
      if (blocks) {
        return Status::FailedPrecondition(
            "request " + request_id + " cannot be " + (cancel ? "cancelled" : "closed") +
            ": offer " + o->id + " is " + std::string(OfferStateName(o->state)) +
            (cancel ? " (cancel is only possible while nothing is dispatched)"
                    : " (release is only possible when no offer is committed or in transit)"));
      }
      offers.push_back(std::move(*o));
    }
    std::string why = cancel ? "request cancelled" : "request closed";
    for (auto& o : offers) {
      bool live = o.state == OState::OFFERED || (cancel && o.state == OState::COMMITTED);
      if (live) {
        o.state = OState::DECLINED;
        Record(&o.history, context, "decline", why, "declined");
        plan.offers.push_back(o);
      }
      extra.Add(o.provider);
    }
    q->state = cancel ? RState::CANCELLED : RState::CLOSED;
    MUSTER_RETURN_IF_ERROR(Recompute(&*q, &plan, state));
    Record(&q->history, context, action_name, note, RequestStateName(q->state));
    MUSTER_ASSIGN_OR_RETURN(std::vector<std::string> recipients,
                            state.RecipientsOf(q->created_seq));
    extra.AddAll(recipients);
    plan.summary = request_id + " " + std::string(RequestStateName(q->state)) + " by " + who;
  }
  plan.extra_recipients = extra.Take();
  plan.request = std::move(q);
  return plan;
}

// The states an offer step is possible in, and how a refusal names them.
struct OfferLegality {
  std::vector<OState> from;
  std::string_view from_text;
};

OfferLegality OfferLegalityOf(Action a) {
  switch (a) {
    case Action::COMMIT:
      return {{OState::OFFERED}, "offered"};
    case Action::DECLINE:
      return {{OState::OFFERED, OState::COMMITTED}, "offered or committed"};
    case Action::DISPATCH:
      return {{OState::COMMITTED}, "committed"};
    case Action::DELIVER:
      return {{OState::DISPATCHED}, "dispatched"};
    case Action::RETURN:
      return {{OState::DELIVERED}, "delivered"};
    case Action::RELEASE:
      return {{OState::DELIVERED, OState::RETURNED}, "delivered or returned"};
    case Action::STATUS_REQUEST:
    case Action::STATUS_REPORT:
      return {{OState::OFFERED, OState::COMMITTED, OState::DECLINED, OState::DISPATCHED,
               OState::DELIVERED, OState::RETURNED, OState::RELEASED},
              "any state"};
    default:
      break;
  }
  return {{}, ""};
}

// commit, decline, dispatch, deliver, return, release, status-request and status-report of an
// offer.
Result<Plan> OfferStep(schema::Envelope::Reader envelope, EquipmentRequest::Reader body,
                       Action action, const MessageContext& context, const StateView& state) {
  std::string action_name(ActionName(action));
  std::string offer_id = body.getOfferId();
  if (offer_id.empty()) {
    return Status::InvalidArgument("offerId: " + action_name + " needs the offer id (O-<seq>)");
  }
  if (action == Action::DECLINE && body.getReason().size() == 0) {
    return Status::InvalidArgument("reason: decline needs a reason");
  }
  if ((action == Action::COMMIT || action == Action::DISPATCH) && body.getItems().size() != 0) {
    return Status::InvalidArgument("items: " + action_name +
                                   " takes the whole offer; a different quantity is a new offer");
  }
  if (action == Action::DISPATCH && body.getEtaMillis() <= 0) {
    return Status::InvalidArgument("etaMillis: dispatch needs the estimated time of arrival");
  }
  if (action == Action::DELIVER || action == Action::RETURN) {
    auto items = body.getItems();
    for (unsigned k = 0; k < items.size(); ++k) {
      double q = items[k].getQuantity();
      if (!std::isfinite(q) || q < 0) {
        return Status::InvalidArgument("items[" + std::to_string(k) +
                                       "].quantity: must be a number >= 0");
      }
    }
  }
  MUSTER_ASSIGN_OR_RETURN(std::optional<Offer> o, LoadOffer(state, offer_id));
  if (!o) return Status::NotFound("no equipment offer " + offer_id);
  if (body.getRequestId().size() != 0 && o->request_id != body.getRequestId().cStr()) {
    return Status::InvalidArgument("requestId: offer " + offer_id + " answers request " +
                                   o->request_id + ", not " + body.getRequestId().cStr());
  }
  MUSTER_RETURN_IF_ERROR(CheckIncident(envelope, "offer " + offer_id, o->incident));
  MUSTER_RETURN_IF_ERROR(
      CheckStepLabels(envelope, "offer " + offer_id, o->status, o->classification));
  MUSTER_ASSIGN_OR_RETURN(std::optional<Request> q, LoadRequest(state, o->request_id));
  if (!q) {
    return Status::Corruption("equipment offer " + offer_id + " answers request " + o->request_id +
                              ", which is missing");
  }

  OfferLegality legal = OfferLegalityOf(action);
  if (std::find(legal.from.begin(), legal.from.end(), o->state) == legal.from.end()) {
    return Status::FailedPrecondition("offer " + offer_id + " is " +
                                      std::string(OfferStateName(o->state)) + ": " + action_name +
                                      " is only possible when " + std::string(legal.from_text));
  }
  if (action == Action::COMMIT && q->state != RState::OPEN) {
    return Status::FailedPrecondition("request " + q->id + " is " +
                                      std::string(RequestStateName(q->state)) +
                                      ": commit is only possible while it is open");
  }
  const std::string& who = context.publisher.principal;
  bool requester = who == o->requester;
  bool provider = who == o->provider;
  switch (action) {
    case Action::COMMIT:
    case Action::DECLINE:
    case Action::DELIVER:
    case Action::RETURN:
      if (!requester) {
        std::string verb = action == Action::DELIVER ? "confirm delivery of" : action_name;
        return Status::PermissionDenied("only the requester " + o->requester + " may " + verb +
                                        " offer " + offer_id);
      }
      break;
    case Action::DISPATCH:
      if (!provider) {
        return Status::PermissionDenied("only the provider " + o->provider +
                                        " may dispatch offer " + offer_id);
      }
      break;
    default:
      if (!requester && !provider) {
        std::string verb = action == Action::RELEASE ? "release" : "send " + action_name + " for";
        return Status::PermissionDenied("only the requester " + o->requester + " or the provider " +
                                        o->provider + " may " + verb + " offer " + offer_id);
      }
      break;
  }

  std::string note = JoinNote(body.getReason().cStr(), body.getNote().cStr());
  OState before = o->state;
  switch (action) {
    case Action::COMMIT: {
      for (const auto& oi : o->items) {
        LineItem* li = q->FindItem(oi.item_id);
        if (li == nullptr) continue;
        double total = li->committed + oi.quantity;
        if (total > li->requested + kSlack) {
          std::string others;
          for (const auto& ref : q->offers) {
            if (ref.id != o->id && IsCommittedOrFurther(ref.state))
              others += (others.empty() ? "" : ", ") + ref.id;
          }
          return Status::FailedPrecondition(
              "committing offer " + offer_id + " would commit " + QuantityCell(total) + Unit(li) +
              " of line item " + li->item_id + " (" + li->resource_type + ") of request " + q->id +
              ": " + QuantityCell(li->requested) + " requested, " + QuantityCell(li->committed) +
              " already committed" + (others.empty() ? "" : " (" + others + ")") + ", this offer " +
              QuantityCell(oi.quantity));
        }
      }
      o->state = OState::COMMITTED;
      note = JoinNote(ItemsNote(o->items, &OfferItem::quantity, &*q), note);
      break;
    }
    case Action::DECLINE:
      o->state = OState::DECLINED;
      break;
    case Action::DISPATCH:
      o->state = OState::DISPATCHED;
      o->eta_ms = body.getEtaMillis();
      note = JoinNote("eta " + TimeCell(o->eta_ms), note);
      break;
    case Action::DELIVER: {
      MUSTER_ASSIGN_OR_RETURN(auto received,
                              ItemQuantities(body, *o, &OfferItem::quantity, "were dispatched"));
      for (auto& oi : o->items) oi.received = received[oi.item_id];
      o->state = OState::DELIVERED;
      note = JoinNote("received " + ItemsNote(o->items, &OfferItem::received, &*q), note);
      break;
    }
    case Action::RETURN: {
      MUSTER_ASSIGN_OR_RETURN(auto returned,
                              ItemQuantities(body, *o, &OfferItem::received, "were received"));
      for (auto& oi : o->items) oi.returned = returned[oi.item_id];
      o->state = OState::RETURNED;
      note = JoinNote("returned " + ItemsNote(o->items, &OfferItem::returned, &*q), note);
      break;
    }
    case Action::RELEASE:
      o->state = OState::RELEASED;
      break;
    default:
      break;  // status-request, status-report: history only
  }
  Record(&o->history, context, action_name, note, OfferStateName(o->state));
  Plan plan;
  plan.object_id = offer_id;
  plan.offers.push_back(*o);
  MUSTER_RETURN_IF_ERROR(Recompute(&*q, &plan, state));
  Record(&q->history, context, action_name, JoinNote(offer_id, note), RequestStateName(q->state));
  RecipientSet extra(who);
  extra.Add(o->requester);
  extra.Add(o->provider);
  plan.extra_recipients = extra.Take();
  plan.summary = offer_id + ": " + action_name + " by " + who + ", now " +
                 std::string(OfferStateName(o->state)) + " (was " +
                 std::string(OfferStateName(before)) + ")";
  plan.request = std::move(q);
  return plan;
}

Result<Plan> Decide(schema::Envelope::Reader envelope, const MessageContext& context,
                    const StateView& state) {
  if (envelope.getBody().which() != schema::Envelope::Body::EQUIPMENT) {
    return Status::InvalidArgument("body: not an equipment request");
  }
  auto body = envelope.getBody().getEquipment();
  Action action = body.getAction();
  switch (action) {
    case Action::REQUEST:
      return CreateRequest(envelope, body, context);
    case Action::OFFER:
      return CreateOffer(envelope, body, context, state);
    case Action::CANCEL:
      if (body.getOfferId().size() != 0) {
        return Status::InvalidArgument(
            "offerId: cancel applies to a request; turn an offer down with decline");
      }
      return RequestStep(envelope, body, action, context, state);
    case Action::DECLINE:
    case Action::RELEASE:
      if (body.getOfferId().size() == 0) return RequestStep(envelope, body, action, context, state);
      return OfferStep(envelope, body, action, context, state);
    case Action::COMMIT:
    case Action::DISPATCH:
    case Action::DELIVER:
    case Action::RETURN:
    case Action::STATUS_REQUEST:
    case Action::STATUS_REPORT:
      return OfferStep(envelope, body, action, context, state);
  }
  return Status::InvalidArgument("action: unknown equipment action " +
                                 std::to_string(static_cast<unsigned>(action)));
}

// --- Query
// ----------------------------------------------------------------------------------------

bool Contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

Result<bool> SeesRequest(const Request& q, const Viewer& v, const StateView& state) {
  security::Clearance needed = ClearanceFor(q.classification);
  if (v.principal == q.requester || Contains(q.declined_by, v.principal)) return true;
  for (const auto& ref : q.offers) {
    if (ref.provider == v.principal) return true;
  }
  if (SeesByRole(v, needed)) return true;
  if (v.clearance >= needed) {
    if (v.org == q.requester_org) return true;
    for (const auto& ref : q.offers) {
      MUSTER_ASSIGN_OR_RETURN(std::optional<Offer> o, LoadOffer(state, ref.id));
      if (o && o->provider_org == v.org) return true;
    }
  }
  MUSTER_ASSIGN_OR_RETURN(std::vector<std::string> recipients, state.RecipientsOf(q.created_seq));
  return Contains(recipients, v.principal);
}

bool SeesOffer(const Offer& o, const Viewer& v) {
  security::Clearance needed = ClearanceFor(o.classification);
  if (v.principal == o.requester || v.principal == o.provider) return true;
  if ((v.org == o.requester_org || v.org == o.provider_org) && v.clearance >= needed) return true;
  return SeesByRole(v, needed);
}

std::vector<std::string> RequestColumns() {
  return {"id",          "state",     "requester", "requester_org", "incident",
          "deliver_to",  "needed_by", "priority",  "items",         "offers",
          "declined_by", "updated",   "status",    "classification"};
}

std::vector<std::string> RequestCells(const Request& q) {
  std::string items;
  for (const auto& li : q.items) {
    if (!items.empty()) items += "; ";
    items += li.item_id + " " + li.resource_type + " " + QuantityCell(li.delivered) + "/" +
             QuantityCell(li.requested) + " " + li.unit + " delivered";
  }
  std::string offers;
  for (const auto& ref : q.offers) {
    if (!offers.empty()) offers += ", ";
    offers += ref.id + " " + std::string(OfferStateName(ref.state));
  }
  std::string declined;
  for (const auto& d : q.declined_by) declined += (declined.empty() ? "" : ", ") + d;
  return {q.id,
          std::string(RequestStateName(q.state)),
          q.requester,
          q.requester_org,
          q.incident,
          q.deliver_to,
          TimeCell(q.needed_by_ms),
          q.priority,
          items,
          offers,
          declined,
          q.history.empty() ? std::string() : TimeCell(q.history.back().at_ms),
          std::string(StatusName(q.status)),
          std::string(ClassificationName(q.classification))};
}

std::vector<std::string> HistoryColumns() {
  return {"history.seq", "history.action", "history.by",
          "history.at",  "history.state",  "history.note"};
}

std::vector<std::string> HistoryCells(const HistoryStep& h) {
  return {std::to_string(h.seq), h.action, h.by, TimeCell(h.at_ms), h.state, h.note};
}

// Appends one detail row: the object's cells, then `detail` at `offset` among the detail
// columns, the other detail columns empty.
void AddDetailRow(ResultTable* table, const std::vector<std::string>& object, size_t detail_columns,
                  size_t offset, const std::vector<std::string>& detail) {
  std::vector<std::string> cells = object;
  cells.resize(object.size() + detail_columns);
  for (size_t k = 0; k < detail.size(); ++k) cells[object.size() + offset + k] = detail[k];
  table->AddRow(std::move(cells));
}

Status ShowRequest(const Request& q, const StateView& state, schema::Table::Builder out) {
  std::vector<std::string> columns = RequestColumns();
  const std::vector<std::string> item_columns = {
      "item.id",      "item.type",      "item.unit",       "item.description", "item.requested",
      "item.offered", "item.committed", "item.dispatched", "item.delivered",   "item.returned"};
  const std::vector<std::string> offer_columns = {"offer.id",    "offer.provider", "offer.org",
                                                  "offer.state", "offer.items",    "offer.eta"};
  const std::vector<std::string> history_columns = HistoryColumns();
  size_t detail = item_columns.size() + offer_columns.size() + history_columns.size();
  for (const auto* part : {&item_columns, &offer_columns, &history_columns}) {
    columns.insert(columns.end(), part->begin(), part->end());
  }
  ResultTable table(columns);
  std::vector<std::string> object = RequestCells(q);
  for (const auto& li : q.items) {
    AddDetailRow(&table, object, detail, 0,
                 {li.item_id, li.resource_type, li.unit, li.description, QuantityCell(li.requested),
                  QuantityCell(li.offered), QuantityCell(li.committed), QuantityCell(li.dispatched),
                  QuantityCell(li.delivered), QuantityCell(li.returned)});
  }
  for (const auto& ref : q.offers) {
    MUSTER_ASSIGN_OR_RETURN(std::optional<Offer> o, LoadOffer(state, ref.id));
    if (!o) continue;
    std::string items;
    for (const auto& oi : o->items) {
      items += (items.empty() ? "" : ", ") + oi.item_id + ":" + QuantityCell(oi.quantity);
    }
    AddDetailRow(&table, object, detail, item_columns.size(),
                 {o->id, o->provider, o->provider_org, std::string(OfferStateName(o->state)), items,
                  TimeCell(o->eta_ms)});
  }
  for (const auto& h : q.history) {
    AddDetailRow(&table, object, detail, item_columns.size() + offer_columns.size(),
                 HistoryCells(h));
  }
  table.WriteTo(out);
  return Status::Ok();
}

Status ShowOffer(const Offer& o, const StateView& state, schema::Table::Builder out) {
  std::vector<std::string> columns = {"id",           "request",   "state",         "provider",
                                      "provider_org", "requester", "incident",      "eta",
                                      "updated",      "status",    "classification"};
  std::vector<std::string> object = {
      o.id,
      o.request_id,
      std::string(OfferStateName(o.state)),
      o.provider,
      o.provider_org,
      o.requester,
      o.incident,
      TimeCell(o.eta_ms),
      o.history.empty() ? std::string() : TimeCell(o.history.back().at_ms),
      std::string(StatusName(o.status)),
      std::string(ClassificationName(o.classification))};
  const std::vector<std::string> item_columns = {"item.id",       "item.type",     "item.unit",
                                                 "item.quantity", "item.received", "item.returned"};
  const std::vector<std::string> history_columns = HistoryColumns();
  size_t detail = item_columns.size() + history_columns.size();
  columns.insert(columns.end(), item_columns.begin(), item_columns.end());
  columns.insert(columns.end(), history_columns.begin(), history_columns.end());
  MUSTER_ASSIGN_OR_RETURN(std::optional<Request> q, LoadRequest(state, o.request_id));
  ResultTable table(columns);
  for (const auto& oi : o.items) {
    const LineItem* li = q ? q->FindItem(oi.item_id) : nullptr;
    AddDetailRow(&table, object, detail, 0,
                 {oi.item_id, li ? li->resource_type : "", li ? li->unit : "",
                  QuantityCell(oi.quantity), QuantityCell(oi.received), QuantityCell(oi.returned)});
  }
  for (const auto& h : o.history)
    AddDetailRow(&table, object, detail, item_columns.size(), HistoryCells(h));
  table.WriteTo(out);
  return Status::Ok();
}

Status Show(std::string_view id, const Viewer& viewer, const StateView& state,
            schema::Table::Builder out) {
  if (SeqOfObjectId(id, kOfferPrefix)) {
    MUSTER_ASSIGN_OR_RETURN(std::optional<Offer> o, LoadOffer(state, id));
    if (!o || !SeesOffer(*o, viewer))
      return Status::NotFound("no equipment offer " + std::string(id));
    return ShowOffer(*o, state, out);
  }
  MUSTER_ASSIGN_OR_RETURN(std::optional<Request> q, LoadRequest(state, id));
  bool visible = false;
  if (q) {
    MUSTER_ASSIGN_OR_RETURN(visible, SeesRequest(*q, viewer, state));
  }
  if (!visible) return Status::NotFound("no equipment request " + std::string(id));
  return ShowRequest(*q, state, out);
}

Status List(std::string_view incident, std::string_view state_filter, const Viewer& viewer,
            const StateView& state, schema::Table::Builder out) {
  std::optional<RState> wanted;
  for (RState s : {RState::OPEN, RState::CANCELLED, RState::CLOSED}) {
    if (state_filter == RequestStateName(s)) wanted = s;
  }
  if (!state_filter.empty() && !wanted) {
    return Status::InvalidArgument("state: unknown request state '" + std::string(state_filter) +
                                   "'; use open, cancelled or closed");
  }
  ResultTable table(RequestColumns());
  Status inner;
  Status listed = state.List(kKind, incident, [&](std::string_view id, std::string_view record) {
    if (!SeqOfObjectId(id, kRequestPrefix)) return true;
    auto q = DecodeRequest(record, id);
    if (!q.ok()) {
      inner = q.status();
      return false;
    }
    if (wanted && q->state != *wanted) return true;
    auto visible = SeesRequest(*q, viewer, state);
    if (!visible.ok()) {
      inner = visible.status();
      return false;
    }
    if (*visible) table.AddRow(RequestCells(*q));
    return true;
  });
  MUSTER_RETURN_IF_ERROR(listed);
  MUSTER_RETURN_IF_ERROR(inner);
  table.WriteTo(out);
  return Status::Ok();
}


}  // namespace

Status EquipmentPlugin::Validate(schema::Envelope::Reader envelope, const MessageContext& context,
                                 const StateView& state) const {
  return GuardedCall(name(), [&]() -> Status {
    return Decide(envelope, context, state).status();
  });
}

Result<Effect> EquipmentPlugin::Apply(schema::Envelope::Reader envelope,
                                      const MessageContext& context, const StateView& state) const {
  return GuardedCall(name(), [&]() -> Result<Effect> {
    MUSTER_ASSIGN_OR_RETURN(Plan plan, Decide(envelope, context, state));
    Effect effect;
    for (const Offer& o : plan.offers)
      effect.writes.push_back(StateWrite{o.id, Encode(o), o.incident});
    if (plan.request) {
      effect.writes.push_back(
          StateWrite{plan.request->id, Encode(*plan.request), plan.request->incident});
    }
    effect.extra_recipients = std::move(plan.extra_recipients);
    effect.object_id = std::move(plan.object_id);
    effect.summary = std::move(plan.summary);
    return effect;
  });
}

Status EquipmentPlugin::Query(schema::WorkflowQuery::Reader query, const Viewer& viewer,
                              const StateView& state, schema::Table::Builder table) const {
  return GuardedCall(name(), [&]() -> Status {
    if (query.getId().size() != 0) return Show(query.getId().cStr(), viewer, state, table);
    return List(query.getIncident().cStr(), query.getState().cStr(), viewer, state, table);
  });
}

}  // namespace muster::kinds
