// WriteRm: an RmMessage as an EDXL-RM 1.0 XML document (UTF-8, indented), elements in schema
// order: the message structure in kRmMsgNamespace (the default namespace), the children of the
// common types (value lists, quantities, contact, incident and response information, location
// descriptions) in kRmNamespace (prefix "rm"). ParseRm of the result gives back the message
// (RmDifferences is empty) for every message ParseRm can produce.
//
// Dates are written as their text when they have one, otherwise from the instant in its offset;
// amounts as their text, otherwise in the shortest form that reads back exactly. Text that XML
// cannot carry (control characters, invalid UTF-8) is replaced by U+FFFD. A message without
// contacts gets one ContactInformation with ContactRole "Sender" (the element is required).
// Pure function, thread-safe.
#pragma once

#include <string>

#include "adapters/edxl/rm_message.h"

namespace muster::edxl {

std::string WriteRm(const RmMessage& message);

}  // namespace muster::edxl
