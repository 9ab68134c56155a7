// RmMessage: the part of an OASIS EDXL-RM 1.0 message that Muster maps to its equipment workflow
// (standards.md §2), as plain values. ParseRm (rm_parser.h) fills it from XML and WriteRm
// (rm_writer.h) writes it back; the elements it does not hold are not lost on the way through the
// broker: the original document travels verbatim in the envelope (edxl_envelope.h).
//
// Held (mapped to Muster fields):
//   MessageID, SentDateTime, MessageContentType (the root), MessageDescription,
//   OriginatingMessageID, PrecedingMessageID, the first IncidentInformation/IncidentID, and per
//   ResourceInformation: ResourceInfoElementID; ResponseInformation/PrecedingResourceInfoElementID,
//   ResponseType, ResponseReason; Resource/TypeStructure (ValueListURN + Value),
//   Resource/Description, a Resource/Keyword in kPriorityList, a Resource/ResourceStatus/
//   DeploymentStatus in kStepList; AssignmentInformation/Quantity/MeasuredQuantity (Amount,
//   UnitOfMeasure ValueListURN + Value); ScheduleInformation (ScheduleType, DateTime,
//   Location/LocationDescription).
//   ContactInformation is read (ContactDescription, ContactRole) so that a written document has
//   one, but it is not mapped.
// Everything else (Funding, MessageRecall is refused, IncidentDescription, further
// IncidentInformation, CIQ contact details, ReasonCode, ResourceID, Name, TypeInfo, other
// Keywords, Credentials, Certifications, SpecialRequirements, ResponsibleParty,
// OwnershipInformation, other ResourceStatus content, QuantityText, Restrictions,
// AnticipatedFunction, PriceQuote, OrderID, AssignmentInstructions, other Location content) is
// kept only verbatim.
//
// Value types; thread-safe as values are.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace muster::edxl {

// The message namespace (roots and the structure of each message) and the namespace of the
// common types (value lists, quantities, contact and response information).
inline constexpr std::string_view kRmMsgNamespace = "urn:oasis:names:tc:emergency:EDXL:RM:1.0:msg";
inline constexpr std::string_view kRmNamespace = "urn:oasis:names:tc:emergency:EDXL:RM:1.0";

// Muster's own value lists, used where EDXL-RM has no element for a Muster field.
// Resource/Keyword ValueListURN carrying the request's priority (free text, e.g. "urgent").
inline constexpr std::string_view kPriorityList = "urn:muster:edxl:priority";
// Resource/ResourceStatus/DeploymentStatus ValueListURN naming the Muster step a
// ReportResourceDeploymentStatus stands for: dispatch, deliver or cancel.
inline constexpr std::string_view kStepList = "urn:muster:edxl:step";
// Default ValueListURNs for a resource type and a unit that came without one.
inline constexpr std::string_view kTypeList = "urn:muster:edxl:resource-type";
inline constexpr std::string_view kUnitList = "urn:muster:edxl:unit";

inline constexpr size_t kMaxDocumentBytes = 1024 * 1024;  // whole document
inline constexpr size_t kMaxTextBytes = 64 * 1024;        // any one element's text
inline constexpr size_t kMaxIdBytes = 256;                // MessageID and the other ids

// The 16 message types of EDXL-RM 1.0 (MessageContentType and the root element's name).
enum class RmType {
  kRequestResource,
  kResponseToRequestResource,
  kRequisitionResource,
  kCommitResource,
  kRequestInformation,
  kResponseToRequestInformation,
  kOfferUnsolicitedResource,
  kReleaseResource,
  kRequestReturn,
  kResponseToRequestReturn,
  kRequestQuote,
  kResponseToRequestQuote,
  kRequestResourceDeploymentStatus,
  kReportResourceDeploymentStatus,
  kRequestExtendedDeploymentDuration,
  kResponseToRequestExtendedDeploymentDuration,
};

std::string_view RmTypeName(RmType type);
std::optional<RmType> RmTypeByName(std::string_view name);
// The types Muster maps to its equipment workflow: RequestResource, ResponseToRequestResource,
// CommitResource, ReleaseResource, RequestReturn, RequestResourceDeploymentStatus and
// ReportResourceDeploymentStatus.
bool IsSupportedRmType(RmType type);

// A value-list entry: ValueListURN and Value.
struct RmValue {
  std::string list_urn;
  std::string value;
  bool operator==(const RmValue&) const = default;
};

// An EDXL dateTime as written and as an instant.
struct RmDateTime {
  std::string text;
  int64_t unix_millis = 0;
  int32_t utc_offset_minutes = 0;
};

struct RmSchedule {
  std::string type;                     // ScheduleType, e.g. RequestedArrival
  std::optional<RmDateTime> date_time;  // DateTime
  std::string location;                 // Location/LocationDescription
};

struct RmResponse {
  std::string preceding_element_id;  // PrecedingResourceInfoElementID
  std::string type;                  // ResponseType: Accept, Decline, Provisional
  std::string reason;                // ResponseReason
  bool has_reason_code = false;      // a ReasonCode is present (its value is kept verbatim)
};

struct RmQuantity {
  double amount = 0;        // MeasuredQuantity/Amount
  std::string amount_text;  // as written
  RmValue unit;             // MeasuredQuantity/UnitOfMeasure
};

struct RmResourceInfo {
  std::string element_id;               // ResourceInfoElementID
  std::optional<RmResponse> response;   // ResponseInformation
  bool has_resource = false;            // a Resource element is present
  RmValue type;                         // Resource/TypeStructure
  std::string description;              // Resource/Description
  std::string priority;                 // Resource/Keyword in kPriorityList
  std::string step;                     // Resource/ResourceStatus/DeploymentStatus in kStepList
  std::optional<RmQuantity> quantity;   // AssignmentInformation/Quantity/MeasuredQuantity
  bool has_quantity_text_only = false;  // Quantity with QuantityText but no MeasuredQuantity
  std::vector<RmSchedule> schedules;    // ScheduleInformation
};

struct RmContact {
  std::string description;  // ContactDescription
  std::string role;         // ContactRole
};

struct RmMessage {
  RmType type = RmType::kRequestResource;
  std::string message_id;      // MessageID
  RmDateTime sent;             // SentDateTime
  std::string description;     // MessageDescription
  std::string originating_id;  // OriginatingMessageID
  std::string preceding_id;    // PrecedingMessageID
  std::string incident_id;     // IncidentInformation[0]/IncidentID
  std::vector<RmContact> contacts;
  std::vector<RmResourceInfo> resources;
};

// Values derived from the resource elements as Muster reads them (request-level in Muster,
// per element in EDXL-RM). Empty / 0 when absent.
struct RmDerived {
  int64_t needed_by_millis = 0;  // the earliest RequestedArrival DateTime
  std::string deliver_to;        // the first LocationDescription of a RequestedArrival or ReportTo
  int64_t eta_millis = 0;        // the earliest EstimatedArrival DateTime
  std::string priority;          // the first priority keyword
  std::string step;              // the first step (dispatch, deliver, cancel)
};
RmDerived DeriveRm(const RmMessage& message);

// The differences between two messages in what Muster maps (the list above; schedules, priority
// and step compared as DeriveRm sees them; times as instants; contacts not compared), as
// "<path>: 'a' != 'b'" lines in document order. Empty when they agree.
std::vector<std::string> RmDifferences(const RmMessage& a, const RmMessage& b);

}  // namespace muster::edxl
