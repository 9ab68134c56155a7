// EDXL-RM document -> Muster envelope for the EDXL adapter.
#include "adapters/edxl/edxl_envelope.h"

#include <cmath>
#include <optional>
#include <set>

#include "adapters/cap/internal/cap_lexical.h"
#include "schemas/equipment.capnp.h"

namespace muster::edxl {
namespace {

using Action = schema::EquipmentRequest::Action;
using LineItem = schema::EquipmentRequest::LineItem;

constexpr double kSlack = 1e-9;

using cap::internal::Refuse;

std::string Where(size_t k) { return "ResourceInformation[" + std::to_string(k) + "]"; }

std::string Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", v);
  return buf;
}

bool Accepting(const RmResourceInfo& r) { return r.response && r.response->type != "Decline"; }
bool Declining(const RmResourceInfo& r) { return r.response && r.response->type == "Decline"; }

std::string FirstReason(const RmMessage& m) {
  for (const auto& r : m.resources) {
    if (r.response && !r.response->reason.empty()) return r.response->reason;
  }
  return {};
}

// The step of a ReportResourceDeploymentStatus ("" for a plain status report).
std::string StepOf(const RmMessage& m) { return DeriveRm(m).step; }

Status CheckQuantity(const RmMessage& m, size_t k, bool positive) {
  const RmResourceInfo& r = m.resources[k];
  std::string where = Where(k) + "/AssignmentInformation/Quantity";
  if (r.has_quantity_text_only && !r.quantity) {
    return Refuse("INVALID_QUANTITY", where,
                  "has only QuantityText; Muster reads MeasuredQuantity/Amount (a number) with "
                  "its UnitOfMeasure");
  }
  if (!r.quantity) return Status::Ok();
  double a = r.quantity->amount;
  if (positive ? !(a > 0) : a < 0) {
    return Refuse(
        "INVALID_QUANTITY", where + "/MeasuredQuantity/Amount",
        "'" + r.quantity->amount_text + "' must be " + (positive ? "greater than 0" : "0 or more"));
  }
  return Status::Ok();
}

// Return and deliver: a Quantity in every element (how much) or in none (all of it).
Status CheckAllOrNone(const RmMessage& m, std::string_view what) {
  size_t with = 0;
  for (size_t k = 0; k < m.resources.size(); ++k) {
    MUSTER_RETURN_IF_ERROR(CheckQuantity(m, k, /*positive=*/false));
    if (m.resources[k].quantity) ++with;
  }
  if (with != 0 && with != m.resources.size()) {
    return Refuse(
        "INCONSISTENT_QUANTITIES", "ResourceInformation",
        "a " + std::string(what) +
            " gives a Quantity in every ResourceInformation or in none (none: all of it); "
            "this one gives it in " +
            std::to_string(with) + " of " + std::to_string(m.resources.size()));
  }
  return Status::Ok();
}

Status CheckResponses(const RmMessage& m) {
  bool accept = false, decline = false;
  for (const auto& r : m.resources) {
    accept = accept || Accepting(r);
    decline = decline || Declining(r);
  }
  if (accept && decline) {
    return Refuse("MIXED_RESPONSE", "ResourceInformation/ResponseInformation/ResponseType",
                  "a " + std::string(RmTypeName(m.type)) +
                      " either accepts (Accept, Provisional) or declines; Muster cannot take "
                      "both in one message: send the offer for the accepted items only");
  }
  if (decline && FirstReason(m).empty()) {
    return Refuse("MISSING_REASON", "ResourceInformation/ResponseInformation",
                  "a Decline needs a ResponseReason (Muster records why)");
  }
  if (m.type == RmType::kCommitResource) {
    for (size_t k = 0; k < m.resources.size(); ++k) {
      if (m.resources[k].response && m.resources[k].response->type == "Provisional") {
        return Refuse("PROVISIONAL_COMMIT", Where(k) + "/ResponseInformation/ResponseType",
                      "a Muster commit is binding; send Accept, or wait before committing");
      }
    }
  }
  for (size_t k = 0; k < m.resources.size(); ++k) {
    if (Accepting(m.resources[k])) MUSTER_RETURN_IF_ERROR(CheckQuantity(m, k, /*positive=*/true));
  }
  return Status::Ok();
}

Status CheckSteps(const RmMessage& m) {
  std::string first;
  size_t with = 0;
  for (size_t k = 0; k < m.resources.size(); ++k) {
    const std::string& step = m.resources[k].step;
    if (step.empty()) continue;
    std::string where = Where(k) + "/Resource/ResourceStatus/DeploymentStatus";
    if (m.type != RmType::kReportResourceDeploymentStatus) {
      return Refuse("INVALID_STEP", where,
                    "a " + std::string(kStepList) +
                        " value belongs in a ReportResourceDeploymentStatus only");
    }
    if (step != "dispatch" && step != "deliver" && step != "cancel") {
      return Refuse("INVALID_STEP", where,
                    "'" + step + "' is not a step; " + std::string(kStepList) +
                        " has dispatch, deliver and cancel");
    }
    if (!first.empty() && step != first) {
      return Refuse("INCONSISTENT_STEP", where,
                    "'" + step + "' but an earlier element says '" + first + "'");
    }
    first = step;
    ++with;
  }
  if (with != 0 && with != m.resources.size()) {
    return Refuse("INCONSISTENT_STEP", "ResourceInformation",
                  "the step '" + first + "' is named in " + std::to_string(with) + " of " +
                      std::to_string(m.resources.size()) +
                      " ResourceInformation elements; name it in every one");
  }
  return Status::Ok();
}

Status CheckRequest(const RmMessage& m) {
  if (m.resources.empty()) {
    return Refuse("MISSING_REQUIRED_ELEMENT", "ResourceInformation",
                  "a RequestResource asks for at least one resource");
  }
  for (size_t k = 0; k < m.resources.size(); ++k) {
    const RmResourceInfo& r = m.resources[k];
    if (r.type.value.empty()) {
      return Refuse("MISSING_REQUIRED_ELEMENT", Where(k) + "/Resource",
                    "Muster needs the type of each requested resource: <TypeStructure> with a "
                    "ValueListURN and a Value");
    }
    MUSTER_RETURN_IF_ERROR(CheckQuantity(m, k, /*positive=*/true));
    if (!r.quantity) {
      return Refuse("MISSING_REQUIRED_ELEMENT", Where(k) + "/AssignmentInformation",
                    "Muster needs how many: <Quantity><MeasuredQuantity><Amount>");
    }
    if (r.quantity->unit.value.empty()) {
      return Refuse("MISSING_REQUIRED_ELEMENT",
                    Where(k) + "/AssignmentInformation/Quantity/MeasuredQuantity",
                    "Muster needs the unit: <UnitOfMeasure> with a ValueListURN and a Value");
    }
  }
  if (DeriveRm(m).deliver_to.empty()) {
    return Refuse("MISSING_REQUIRED_ELEMENT", "ScheduleInformation",
                  "Muster needs where to deliver: a ScheduleInformation with ScheduleType "
                  "RequestedArrival (or ReportTo) and Location/LocationDescription");
  }
  return Status::Ok();
}

// --- Threads --------------------------------------------------------------------------------

struct Thread {
  ThreadMessage message;                // the message this document answers
  std::optional<ThreadObject> request;  // its request
  std::optional<ThreadObject> offer;    // its offer, if it names one
};

Result<Thread> FindThread(const RmMessage& m, const EdxlThreads& threads) {
  const bool preceding = !m.preceding_id.empty();
  const std::string& id = preceding ? m.preceding_id : m.originating_id;
  std::string_view field = preceding ? "PrecedingMessageID" : "OriginatingMessageID";
  std::optional<ThreadMessage> found = threads.FindMessage(id);
  if (!found) {
    return Refuse("UNKNOWN_THREAD", field,
                  "'" + id +
                      "' names no message this adapter has published or received, so the "
                      "request or offer it answers is unknown");
  }
  if (!found->originating_id.empty() && found->originating_id != m.originating_id) {
    return Refuse("INVALID_THREADING", "OriginatingMessageID",
                  "'" + m.originating_id + "', but the thread of " + std::string(field) + " '" +
                      id + "' started with '" + found->originating_id + "'");
  }
  Thread t;
  t.message = *found;
  t.request = threads.FindObject(found->request_id);
  t.offer = threads.FindObject(found->offer_id);
  if (!found->offer_id.empty() && !t.offer) {
    t.offer = ThreadObject{};
    t.offer->object_id = found->offer_id;
    t.offer->request_id = found->request_id;
  }
  return t;
}

std::string ElementsOf(const std::optional<ThreadObject>& o) {
  std::string out;
  if (!o) return out;
  for (const auto& i : o->items) out += (out.empty() ? "" : ", ") + i.element_id;
  return out;
}

const ThreadItem* MatchItem(const std::optional<ThreadObject>& o, std::string_view id) {
  if (!o) return nullptr;
  for (const auto& i : o->items) {
    if (i.element_id == id) return &i;
  }
  for (const auto& i : o->items) {
    if (i.item_id == id) return &i;
  }
  return nullptr;
}

// The request line item an element stands for: PrecedingResourceInfoElementID (else
// ResourceInfoElementID), matched against `first`, then `second`. Strict: unmatched is an error;
// otherwise the element's own id is taken as the item id.
Result<std::string> ItemIdFor(const RmResourceInfo& r, size_t k,
                              const std::optional<ThreadObject>& first,
                              const std::optional<ThreadObject>& second, bool strict) {
  const std::string& id = r.response ? r.response->preceding_element_id : r.element_id;
  if (const ThreadItem* i = MatchItem(first, id)) return i->item_id;
  if (const ThreadItem* i = MatchItem(second, id)) return i->item_id;
  if (!strict) return id;
  std::string field =
      r.response ? "/ResponseInformation/PrecedingResourceInfoElementID" : "/ResourceInfoElementID";
  const auto& named = first ? first : second;
  return Refuse("UNKNOWN_RESOURCE_ELEMENT", Where(k) + field,
                "'" + id + "' names no line item of " +
                    (named ? named->object_id + " (its elements: " + ElementsOf(named) + ")"
                           : std::string("the thread")));
}

void FillItem(const RmResourceInfo& r, const std::string& item_id, LineItem::Builder out) {
  out.setItemId(item_id);
  out.setResourceType(r.type.value);
  out.setEdxlTypeList(r.type.list_urn);
  out.setDescription(r.description);
  if (r.quantity) {
    out.setEdxlHasQuantity(true);
    out.setQuantity(r.quantity->amount);
    out.setUnit(r.quantity->unit.value);
    out.setEdxlUnitList(r.quantity->unit.list_urn);
  }
  out.setEdxlElementId(r.element_id);
  if (r.response) {
    out.setEdxlPrecedingElementId(r.response->preceding_element_id);
    out.setEdxlResponseType(r.response->type);
    out.setEdxlResponseReason(r.response->reason);
  }
}

// The commit must take the offer exactly as offered (a Muster commit takes the whole offer).
Status CheckWholeOffer(const RmMessage& m, const std::vector<std::string>& item_ids,
                       const ThreadObject& offer) {
  if (m.resources.empty() || offer.items.empty()) return Status::Ok();
  std::set<std::string> covered;
  for (size_t k = 0; k < m.resources.size(); ++k) {
    const ThreadItem* oi = nullptr;
    for (const auto& i : offer.items) {
      if (i.item_id == item_ids[k]) oi = &i;
    }
    if (oi == nullptr) continue;  // ItemIdFor was strict: cannot happen
    covered.insert(oi->item_id);
    const auto& q = m.resources[k].quantity;
    if (q && std::fabs(q->amount - oi->quantity) > kSlack) {
      return Refuse("PARTIAL_COMMIT", Where(k) + "/AssignmentInformation/Quantity",
                    Number(q->amount) + " of line item " + oi->item_id + ", but " +
                        offer.object_id + " offers " + Number(oi->quantity) +
                        "; a Muster commit takes the whole offer (ask for a new offer for a "
                        "different quantity)");
    }
  }
  for (const auto& i : offer.items) {
    if (!covered.count(i.item_id)) {
      return Refuse("PARTIAL_COMMIT", "ResourceInformation",
                    "line item " + i.item_id + " (element " + i.element_id + ") of " +
                        offer.object_id +
                        " is not committed; a Muster commit takes the whole offer, so commit "
                        "every element or none");
    }
  }
  return Status::Ok();
}

void SetList(capnp::List<capnp::Text>::Builder list, const std::vector<std::string>& values) {
  for (size_t i = 0; i < values.size(); ++i) list.set(static_cast<unsigned>(i), values[i]);
}

struct Plan {
  Action action = Action::REQUEST;
  std::string request_id, offer_id;
  std::vector<std::string> item_ids;  // per resource element
  bool to_edxl_items = false;         // the elements go to edxlItems, `items` stays empty
};

Result<Plan> PlanStep(const RmMessage& m, const Thread& t) {
  Plan p;
  p.request_id = t.message.request_id;
  if (p.request_id.empty() && t.offer) p.request_id = t.offer->request_id;
  const bool has_offer = t.offer.has_value();
  auto need_offer = [&](std::string_view what) -> Status {
    if (has_offer) return Status::Ok();
    return Refuse(
        "NO_OFFER_IN_THREAD",
        m.preceding_id.empty() ? "OriginatingMessageID" : "PrecedingMessageID",
        "'" + (m.preceding_id.empty() ? m.originating_id : m.preceding_id) + "' is about request " +
            p.request_id + " as a whole; a " + std::string(what) +
            " answers an offer (a ResponseToRequestResource) or a later message about it");
  };
  auto items = [&](const std::optional<ThreadObject>& first,
                   const std::optional<ThreadObject>& second, bool strict) -> Status {
    for (size_t k = 0; k < m.resources.size(); ++k) {
      MUSTER_ASSIGN_OR_RETURN(std::string id, ItemIdFor(m.resources[k], k, first, second, strict));
      p.item_ids.push_back(std::move(id));
    }
    return Status::Ok();
  };
  bool decline = !m.resources.empty() && Declining(m.resources[0]);
  switch (m.type) {
    case RmType::kResponseToRequestResource:
      if (has_offer) {
        return Refuse("INVALID_THREADING", "PrecedingMessageID",
                      "'" + m.preceding_id + "' is about offer " + t.offer->object_id +
                          "; a ResponseToRequestResource answers the RequestResource");
      }
      p.action = decline ? Action::DECLINE : Action::OFFER;
      MUSTER_RETURN_IF_ERROR(items(t.request, std::nullopt, /*strict=*/!decline));
      break;
    case RmType::kCommitResource:
      MUSTER_RETURN_IF_ERROR(need_offer("CommitResource"));
      p.offer_id = t.offer->object_id;
      p.action = decline ? Action::DECLINE : Action::COMMIT;
      MUSTER_RETURN_IF_ERROR(items(t.offer, t.request, /*strict=*/!decline));
      if (!decline) {
        MUSTER_RETURN_IF_ERROR(CheckWholeOffer(m, p.item_ids, *t.offer));
        p.to_edxl_items = true;
      }
      break;
    case RmType::kRequestReturn:
      MUSTER_RETURN_IF_ERROR(need_offer("RequestReturn"));
      p.offer_id = t.offer->object_id;
      p.action = Action::RETURN;
      MUSTER_RETURN_IF_ERROR(items(t.offer, t.request, /*strict=*/true));
      p.to_edxl_items = m.resources.empty() || !m.resources[0].quantity;
      break;
    case RmType::kReleaseResource:
      p.action = Action::RELEASE;
      if (has_offer) p.offer_id = t.offer->object_id;
      MUSTER_RETURN_IF_ERROR(items(t.offer, t.request, /*strict=*/false));
      break;
    case RmType::kRequestResourceDeploymentStatus:
      MUSTER_RETURN_IF_ERROR(need_offer("RequestResourceDeploymentStatus"));
      p.offer_id = t.offer->object_id;
      p.action = Action::STATUS_REQUEST;
      MUSTER_RETURN_IF_ERROR(items(t.offer, t.request, /*strict=*/false));
      break;
    case RmType::kReportResourceDeploymentStatus: {
      std::string step = StepOf(m);
      if (step == "cancel") {
        p.action = Action::CANCEL;
        MUSTER_RETURN_IF_ERROR(items(t.request, std::nullopt, /*strict=*/false));
        break;
      }
      MUSTER_RETURN_IF_ERROR(need_offer("ReportResourceDeploymentStatus"));
      p.offer_id = t.offer->object_id;
      if (step == "dispatch") {
        p.action = Action::DISPATCH;
        p.to_edxl_items = true;
        MUSTER_RETURN_IF_ERROR(items(t.offer, t.request, /*strict=*/false));
      } else if (step == "deliver") {
        p.action = Action::DELIVER;
        MUSTER_RETURN_IF_ERROR(items(t.offer, t.request, /*strict=*/true));
        p.to_edxl_items = m.resources.empty() || !m.resources[0].quantity;
      } else {
        p.action = Action::STATUS_REPORT;
        MUSTER_RETURN_IF_ERROR(items(t.offer, t.request, /*strict=*/false));
      }
      break;
    }
    default:
      return Refuse("UNSUPPORTED_MESSAGE_TYPE", "MessageContentType",
                    std::string(RmTypeName(m.type)) + " is not mapped");
  }
  return p;
}

}  // namespace

Status CheckRmForMuster(const RmMessage& m) {
  if (!IsSupportedRmType(m.type)) {
    return Refuse("UNSUPPORTED_MESSAGE_TYPE", "MessageContentType",
                  std::string(RmTypeName(m.type)) +
                      " is EDXL-RM but has no counterpart in Muster's equipment workflow "
                      "(supported: RequestResource, ResponseToRequestResource, CommitResource, "
                      "RequestReturn, ReleaseResource, RequestResourceDeploymentStatus, "
                      "ReportResourceDeploymentStatus)");
  }
  MUSTER_RETURN_IF_ERROR(CheckSteps(m));
  switch (m.type) {
    case RmType::kRequestResource:
      return CheckRequest(m);
    case RmType::kResponseToRequestResource:
      if (m.resources.empty()) {
        return Refuse("MISSING_REQUIRED_ELEMENT", "ResourceInformation",
                      "a ResponseToRequestResource offers or declines at least one resource");
      }
      return CheckResponses(m);
    case RmType::kCommitResource:
      return CheckResponses(m);
    case RmType::kRequestReturn:
      return CheckAllOrNone(m, "RequestReturn");
    case RmType::kReleaseResource:
      for (size_t k = 0; k < m.resources.size(); ++k) {
        MUSTER_RETURN_IF_ERROR(CheckQuantity(m, k, /*positive=*/false));
      }
      return Status::Ok();
    case RmType::kReportResourceDeploymentStatus: {
      std::string step = StepOf(m);
      if (step == "deliver") return CheckAllOrNone(m, "deliver");
      if (step == "dispatch" && DeriveRm(m).eta_millis == 0) {
        return Refuse("MISSING_REQUIRED_ELEMENT", "ScheduleInformation",
                      "a dispatch needs the estimated time of arrival: a ScheduleInformation with "
                      "ScheduleType EstimatedArrival and a DateTime");
      }
      if ((step == "dispatch" || step == "cancel") && m.resources.empty()) {
        return Refuse("MISSING_REQUIRED_ELEMENT", "ResourceInformation",
                      "the step is named in a ResourceInformation");
      }
      return Status::Ok();
    }
    default:
      return Status::Ok();
  }
}

Status BuildEdxlEnvelope(std::string_view xml, const RmMessage& m, const EdxlEnvelopeOptions& o,
                         schema::Envelope::Builder out) {
  MUSTER_RETURN_IF_ERROR(CheckRmForMuster(m));
  Plan plan;
  std::optional<Thread> thread;
  if (m.type == RmType::kRequestResource) {
    plan.action = Action::REQUEST;
    for (const auto& r : m.resources) plan.item_ids.push_back(r.element_id);
  } else {
    MUSTER_ASSIGN_OR_RETURN(Thread t, FindThread(m, o.threads));
    thread = std::move(t);
    MUSTER_ASSIGN_OR_RETURN(plan, PlanStep(m, *thread));
  }
  const bool explicit_terms = !o.principals.empty() || !o.organisations.empty() ||
                              !o.sectors.empty() || !o.roles.empty() || !o.areas.empty();
  if (plan.action == Action::REQUEST && !explicit_terms) {
    return Refuse("NO_ADDRESSING", "RequestResource",
                  "EDXL-RM does not say who is asked; give --to (e.g. --to org:msd)");
  }

  out.getSent().setUnixMillis(m.sent.unix_millis);
  out.getSent().setUtcOffsetMinutes(static_cast<int16_t>(m.sent.utc_offset_minutes));
  out.setStatus(o.status);
  out.setClassification(o.classification);
  out.setPrecedence(o.precedence);
  out.setIncident(m.incident_id);
  if (thread) {
    // A step carries its object's labels: an offer its request's, other steps their offer's or
    // request's.
    // (A record the index holds has a latest MessageID; FindThread's stand-in has none.)
    const std::optional<ThreadObject>& object =
        !plan.offer_id.empty() && thread->offer && !thread->offer->latest.empty() ? thread->offer
                                                                                  : thread->request;
    if (object && !object->latest.empty()) {
      out.setStatus(object->status);
      out.setClassification(object->classification);
    }
    uint64_t seq = SeqOfObject(plan.offer_id.empty() ? plan.request_id : plan.offer_id);
    if (seq != 0) out.initReferences(1).set(0, seq);
  }
  auto a = out.initAddressing();
  SetList(a.initPrincipals(static_cast<unsigned>(o.principals.size())), o.principals);
  SetList(a.initOrganisations(static_cast<unsigned>(o.organisations.size())), o.organisations);
  SetList(a.initSectors(static_cast<unsigned>(o.sectors.size())), o.sectors);
  SetList(a.initRoles(static_cast<unsigned>(o.roles.size())), o.roles);
  SetList(a.initAreas(static_cast<unsigned>(o.areas.size())), o.areas);
  auto original = out.initOriginal();
  original.setMimeType(std::string(kEdxlMimeType));
  original.setBytes(kj::arrayPtr(reinterpret_cast<const kj::byte*>(xml.data()), xml.size()));

  auto body = out.initBody().initEquipment();
  body.setAction(plan.action);
  // For a step on an offer the broker checks that the request named is the offer's.
  if (plan.action != Action::REQUEST) body.setRequestId(plan.request_id);
  body.setOfferId(plan.offer_id);
  auto list = plan.to_edxl_items ? body.initEdxlItems(static_cast<unsigned>(m.resources.size()))
                                 : body.initItems(static_cast<unsigned>(m.resources.size()));
  for (size_t k = 0; k < m.resources.size(); ++k) {
    FillItem(m.resources[k], plan.item_ids[k], list[static_cast<unsigned>(k)]);
  }
  RmDerived d = DeriveRm(m);
  if (plan.action == Action::REQUEST) {
    body.setDeliverTo(d.deliver_to);
    body.setNeededByMillis(d.needed_by_millis);
    body.setPriority(d.priority);
  }
  if (plan.action == Action::DISPATCH) body.setEtaMillis(d.eta_millis);
  if (plan.action == Action::DECLINE) body.setReason(FirstReason(m));
  body.setNote(m.description);
  body.setEdxlMessageId(m.message_id);
  body.setEdxlOriginatingMessageId(m.originating_id);
  body.setEdxlPrecedingMessageId(m.preceding_id);
  return Status::Ok();
}

}  // namespace muster::edxl
