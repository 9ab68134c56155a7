// Where an adapter's run (muster-cap, muster-edxl) hands delivered documents to its agency: files
// in a directory (written atomically as <seq>.xml, zero-padded to 12 digits, so a reader never
// sees half a file; the temp file is "<name>.tmp"), or an HTTP POST of the document (the
// adapter's Content-Type, header X-Muster-Seq and the adapter's own headers) that counts as
// handed on only with a 2xx answer. Hand() returning Ok is what allows the adapter to
// acknowledge the delivery as received; any error leaves it unacknowledged, so the broker
// delivers it again.
// Owned by the run loop; not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "common/status.h"

namespace muster::cli {

// HTTP headers (name, value) a POST carries besides X-Muster-Seq; files ignore them.
using DeliveryHeaders = std::vector<std::pair<std::string, std::string>>;

class DeliveryOutput {
 public:
  virtual ~DeliveryOutput() = default;
  // A short description for logs ("directory out/", "POST http://…").
  virtual std::string Describe() const = 0;
  // Errors: IoError (file), Unavailable (HTTP: no connection or a non-2xx status).
  virtual Status Hand(uint64_t seq, const std::string& document,
                      const DeliveryHeaders& headers) = 0;
};

// Creates `dir` if needed. InvalidArgument (naming --out) when it cannot.
Result<std::unique_ptr<DeliveryOutput>> NewFileDeliveryOutput(const std::string& dir);

// `url`: http://host[:port]/path (https:// too); `content_type` of every POST, e.g.
// "application/cap+xml". InvalidArgument (naming --post) for anything else.
Result<std::unique_ptr<DeliveryOutput>> NewHttpDeliveryOutput(const std::string& url,
                                                              std::string content_type);

// The file name for a delivery: "000000000042.xml".
std::string DeliveryFileName(uint64_t seq);

}  // namespace muster::cli
