// Where muster-edxl run hands delivered equipment traffic to its agency: EDXL-RM XML files in a
// directory (written atomically as <seq>.xml, zero-padded to 12 digits, so a reader never sees
// half a file; the temp file is "<name>.tmp"), or an HTTP POST of the XML (Content-Type
// application/xml, headers X-Muster-Seq and X-EDXL-MessageID) that counts as handed on only with
// a 2xx answer. Hand() returning Ok is what allows the adapter to acknowledge the delivery as
// received; any error leaves it unacknowledged, so the broker delivers it again.
// Owned by the run loop; not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/result.h"
#include "common/status.h"

namespace muster::cli {

class EdxlDeliveryOutput {
 public:
  virtual ~EdxlDeliveryOutput() = default;
  // A short description for logs ("directory out/", "POST http://…").
  virtual std::string Describe() const = 0;
  // Errors: IoError (file), Unavailable (HTTP: no connection or a non-2xx status).
  virtual Status Hand(uint64_t seq, const std::string& message_id, const std::string& xml) = 0;
};

// Creates `dir` if needed. InvalidArgument when it cannot.
Result<std::unique_ptr<EdxlDeliveryOutput>> NewEdxlFileOutput(const std::string& dir);

// `url`: http://host[:port]/path (https:// too). InvalidArgument for anything else.
Result<std::unique_ptr<EdxlDeliveryOutput>> NewEdxlHttpOutput(const std::string& url);

// The file name for a delivery: "000000000042.xml".
std::string EdxlDeliveryFileName(uint64_t seq);

}  // namespace muster::cli
