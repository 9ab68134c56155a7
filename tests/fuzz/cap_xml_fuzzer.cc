// libFuzzer target: arbitrary bytes -> CAP 1.2 parser (for a signed alert, the XML-DSig check with
// xmlsec too), and the writer round trip.
//
// Invariants checked beyond "no crash":
//   - a refusal is InvalidArgument and its message starts with a stable reason code
//     (cap_parser.h: "Every error is Status::InvalidArgument whose message is <CODE>: ...");
//   - for every accepted document, ParseCap(WriteCap(alert)) succeeds and equals the alert field
//     for field (cap_writer.h), signature flag excepted.
// A violation prints both documents' differences and aborts, so libFuzzer saves the input.
#include <capnp/message.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "adapters/cap/cap_compare.h"
#include "adapters/cap/cap_parser.h"
#include "adapters/cap/cap_writer.h"
#include "common/status.h"

namespace {

using muster::schema::Alert;

[[noreturn]] void Fail(const char* what, const std::string& detail, const std::string& written) {
  std::fprintf(stderr, "cap_xml round trip: %s\n%s\n--- WriteCap output (%zu bytes):\n%s\n", what,
               detail.c_str(), written.size(), written.c_str());
  std::abort();
}

void CheckRefusal(const muster::Status& status) {
  if (status.code() != muster::StatusCode::kInvalidArgument ||
      muster::cap::CapReasonCode(status).empty()) {
    std::fprintf(stderr, "cap_xml: refusal without a reason code: %s\n", status.ToString().c_str());
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view xml(reinterpret_cast<const char*>(data), size);
  auto first = muster::cap::ParseCapMessage(xml);
  if (!first.ok()) {
    CheckRefusal(first.status());
    return 0;
  }
  Alert::Reader alert = (*first)->getRoot<Alert>().asReader();
  std::string written = muster::cap::WriteCap(alert);

  auto second = muster::cap::ParseCapMessage(written);
  if (!second.ok()) Fail("the written document is refused", second.status().ToString(), written);

  muster::cap::AlertCompareOptions options;
  options.ignore_has_signature = true;
  auto differences =
      muster::cap::AlertDifferences(alert, (*second)->getRoot<Alert>().asReader(), options);
  if (!differences.empty()) {
    std::string detail;
    for (const auto& d : differences) detail += "  " + d + "\n";
    Fail("the re-parsed alert differs", detail, written);
  }
  return 0;
}
