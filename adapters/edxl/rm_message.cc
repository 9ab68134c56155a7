// EDXL-RM message types, derived values and the comparison of what Muster maps.
#include "adapters/edxl/rm_message.h"

#include <cmath>
#include <cstdio>
#include <utility>

namespace muster::edxl {
namespace {

struct TypeName {
  RmType type;
  std::string_view name;
};

constexpr TypeName kTypeNames[] = {
    {RmType::kRequestResource, "RequestResource"},
    {RmType::kResponseToRequestResource, "ResponseToRequestResource"},
    {RmType::kRequisitionResource, "RequisitionResource"},
    {RmType::kCommitResource, "CommitResource"},
    {RmType::kRequestInformation, "RequestInformation"},
    {RmType::kResponseToRequestInformation, "ResponseToRequestInformation"},
    {RmType::kOfferUnsolicitedResource, "OfferUnsolicitedResource"},
    {RmType::kReleaseResource, "ReleaseResource"},
    {RmType::kRequestReturn, "RequestReturn"},
    {RmType::kResponseToRequestReturn, "ResponseToRequestReturn"},
    {RmType::kRequestQuote, "RequestQuote"},
    {RmType::kResponseToRequestQuote, "ResponseToRequestQuote"},
    {RmType::kRequestResourceDeploymentStatus, "RequestResourceDeploymentStatus"},
    {RmType::kReportResourceDeploymentStatus, "ReportResourceDeploymentStatus"},
    {RmType::kRequestExtendedDeploymentDuration, "RequestExtendedDeploymentDuration"},
    {RmType::kResponseToRequestExtendedDeploymentDuration,
     "ResponseToRequestExtendedDeploymentDuration"},
};

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

std::string Number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.17g", v);
  return buf;
}

class Differ {
 public:
  void Text(const std::string& path, std::string_view a, std::string_view b) {
    if (a != b) out_.push_back(path + ": " + Quote(a) + " != " + Quote(b));
  }
  void Millis(const std::string& path, int64_t a, int64_t b) {
    if (a != b) out_.push_back(path + ": " + std::to_string(a) + " != " + std::to_string(b));
  }
  void Amount(const std::string& path, double a, double b) {
    if (!(a == b) && !(std::isnan(a) && std::isnan(b))) {
      out_.push_back(path + ": " + Number(a) + " != " + Number(b));
    }
  }
  void Present(const std::string& path, bool a, bool b) {
    if (a != b) out_.push_back(path + std::string(a ? ": present != absent" : ": absent != present"));
  }
  std::vector<std::string> Take() { return std::move(out_); }

 private:
  std::vector<std::string> out_;
};

}  // namespace

std::string_view RmTypeName(RmType type) {
  for (const auto& t : kTypeNames) {
    if (t.type == type) return t.name;
  }
  return "unknown";
}

std::optional<RmType> RmTypeByName(std::string_view name) {
  for (const auto& t : kTypeNames) {
    if (t.name == name) return t.type;
  }
  return std::nullopt;
}

bool IsSupportedRmType(RmType type) {
  switch (type) {
    case RmType::kRequestResource:
    case RmType::kResponseToRequestResource:
    case RmType::kCommitResource:
    case RmType::kReleaseResource:
    case RmType::kRequestReturn:
    case RmType::kRequestResourceDeploymentStatus:
    case RmType::kReportResourceDeploymentStatus:
      return true;
    default:
      return false;
  }
}

RmDerived DeriveRm(const RmMessage& message) {
  RmDerived d;
  bool have_needed_by = false;
  bool have_eta = false;
  for (const auto& r : message.resources) {
    if (d.priority.empty()) d.priority = r.priority;
    if (d.step.empty()) d.step = r.step;
    for (const auto& s : r.schedules) {
      if (s.type == "RequestedArrival" && s.date_time &&
          (!have_needed_by || s.date_time->unix_millis < d.needed_by_millis)) {
        d.needed_by_millis = s.date_time->unix_millis;
        have_needed_by = true;
      }
      if (s.type == "EstimatedArrival" && s.date_time &&
          (!have_eta || s.date_time->unix_millis < d.eta_millis)) {
        d.eta_millis = s.date_time->unix_millis;
        have_eta = true;
      }
      if ((s.type == "RequestedArrival" || s.type == "ReportTo") && d.deliver_to.empty()) {
        d.deliver_to = s.location;
      }
    }
  }
  return d;
}

std::vector<std::string> RmDifferences(const RmMessage& a, const RmMessage& b) {
  Differ d;
  d.Text("MessageContentType", RmTypeName(a.type), RmTypeName(b.type));
  d.Text("MessageID", a.message_id, b.message_id);
  d.Millis("SentDateTime", a.sent.unix_millis, b.sent.unix_millis);
  d.Millis("SentDateTime (offset minutes)", a.sent.utc_offset_minutes, b.sent.utc_offset_minutes);
  d.Text("MessageDescription", a.description, b.description);
  d.Text("OriginatingMessageID", a.originating_id, b.originating_id);
  d.Text("PrecedingMessageID", a.preceding_id, b.preceding_id);
  d.Text("IncidentInformation/IncidentID", a.incident_id, b.incident_id);
  if (a.resources.size() != b.resources.size()) {
    d.Millis("ResourceInformation (count)", static_cast<int64_t>(a.resources.size()),
             static_cast<int64_t>(b.resources.size()));
  }
  for (size_t k = 0; k < a.resources.size() && k < b.resources.size(); ++k) {
    const RmResourceInfo& x = a.resources[k];
    const RmResourceInfo& y = b.resources[k];
    std::string p = "ResourceInformation[" + std::to_string(k) + "]/";
    d.Text(p + "ResourceInfoElementID", x.element_id, y.element_id);
    d.Present(p + "ResponseInformation", x.response.has_value(), y.response.has_value());
    if (x.response && y.response) {
      d.Text(p + "ResponseInformation/PrecedingResourceInfoElementID",
             x.response->preceding_element_id, y.response->preceding_element_id);
      d.Text(p + "ResponseInformation/ResponseType", x.response->type, y.response->type);
      d.Text(p + "ResponseInformation/ResponseReason", x.response->reason, y.response->reason);
    }
    d.Text(p + "Resource/TypeStructure/ValueListURN", x.type.list_urn, y.type.list_urn);
    d.Text(p + "Resource/TypeStructure/Value", x.type.value, y.type.value);
    d.Text(p + "Resource/Description", x.description, y.description);
    d.Present(p + "AssignmentInformation/Quantity/MeasuredQuantity", x.quantity.has_value(),
              y.quantity.has_value());
    if (x.quantity && y.quantity) {
      std::string q = p + "AssignmentInformation/Quantity/MeasuredQuantity/";
      d.Amount(q + "Amount", x.quantity->amount, y.quantity->amount);
      d.Text(q + "UnitOfMeasure/ValueListURN", x.quantity->unit.list_urn,
             y.quantity->unit.list_urn);
      d.Text(q + "UnitOfMeasure/Value", x.quantity->unit.value, y.quantity->unit.value);
    }
  }
  // Schedules and keywords as Muster reads them: where to deliver, by when and the priority of a
  // request, the ETA of a dispatch. Other schedules are kept only verbatim.
  RmDerived da = DeriveRm(a);
  RmDerived db = DeriveRm(b);
  if (a.type == RmType::kRequestResource || b.type == RmType::kRequestResource) {
    d.Millis("ScheduleInformation RequestedArrival (earliest DateTime)", da.needed_by_millis,
             db.needed_by_millis);
    d.Text("ScheduleInformation RequestedArrival/ReportTo (first LocationDescription)",
           da.deliver_to, db.deliver_to);
    d.Text("Resource/Keyword " + std::string(kPriorityList), da.priority, db.priority);
  }
  d.Text("Resource/ResourceStatus/DeploymentStatus " + std::string(kStepList), da.step, db.step);
  if (da.step == "dispatch" || db.step == "dispatch") {
    d.Millis("ScheduleInformation EstimatedArrival (earliest DateTime)", da.eta_millis,
             db.eta_millis);
  }
  return d.Take();
}

}  // namespace muster::edxl
