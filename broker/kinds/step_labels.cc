// Status and classification of workflow steps.
#include "broker/kinds/step_labels.h"

#include <string>

namespace muster::kinds {

std::string_view StatusName(schema::MessageStatus status) {
  switch (status) {
    case schema::MessageStatus::ACTUAL:
      return "actual";
    case schema::MessageStatus::EXERCISE:
      return "exercise";
    case schema::MessageStatus::TEST:
      return "test";
    case schema::MessageStatus::SYSTEM:
      return "system";
  }
  return "unknown";
}

std::string_view ClassificationName(schema::Classification classification) {
  switch (classification) {
    case schema::Classification::PUBLIC:
      return "public";
    case schema::Classification::INTERNAL:
      return "internal";
    case schema::Classification::RESTRICTED:
      return "restricted";
    case schema::Classification::CONFIDENTIAL:
      return "confidential";
  }
  return "unknown";
}

Status CheckStepLabels(schema::Envelope::Reader envelope, std::string_view object,
                       schema::MessageStatus status, schema::Classification classification) {
  if (envelope.getStatus() != status) {
    return Status::InvalidArgument(
        "status: " + std::string(object) + " is " + std::string(StatusName(status)) +
        " traffic; its steps must be " + std::string(StatusName(status)) + " too, not " +
        std::string(StatusName(envelope.getStatus())));
  }
  if (static_cast<uint16_t>(envelope.getClassification()) < static_cast<uint16_t>(classification)) {
    return Status::InvalidArgument(
        "classification: " + std::string(object) + " is " +
        std::string(ClassificationName(classification)) + "; its steps must be classified " +
        std::string(ClassificationName(classification)) + " or higher, not " +
        std::string(ClassificationName(envelope.getClassification())));
  }
  return Status::Ok();
}

}  // namespace muster::kinds
