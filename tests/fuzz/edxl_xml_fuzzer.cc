// libFuzzer target: arbitrary bytes -> the EDXL-RM 1.0 parser, the writer round trip, and the
// adapter's inbound and outbound mapping of a request.
//
// Invariants checked beyond "no crash":
//   - a refusal (of ParseRm, CheckRmForMuster or BuildEdxlEnvelope) is InvalidArgument and its
//     message starts with a stable reason code (rm_parser.h: "<CODE>: <where>: <why>");
//   - for every accepted document, ParseRm(WriteRm(m)) succeeds and RmDifferences is empty
//     (rm_writer.h);
//   - for every document the adapter takes in without a thread (a RequestResource), the envelope
//     maps back to the same message from its body alone (RmMessageOf, WriteRm, ParseRm: no
//     difference), and the document handed to a recipient is the sender's original bytes
//     (edxl_document.h).
// A violation prints what differs and aborts, so libFuzzer saves the input.
#include <capnp/message.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/edxl/edxl_document.h"
#include "adapters/edxl/edxl_envelope.h"
#include "adapters/edxl/rm_message.h"
#include "adapters/edxl/rm_parser.h"
#include "adapters/edxl/rm_writer.h"
#include "common/status.h"

namespace {

namespace edxl = muster::edxl;

[[noreturn]] void Fail(const char* what, const std::vector<std::string>& detail,
                       const std::string& written) {
  std::fprintf(stderr, "edxl_xml: %s\n", what);
  for (const auto& d : detail) std::fprintf(stderr, "  %s\n", d.c_str());
  std::fprintf(stderr, "--- written document (%zu bytes):\n%s\n", written.size(), written.c_str());
  std::abort();
}

void CheckRefusal(const char* stage, const muster::Status& status) {
  if (status.code() != muster::StatusCode::kInvalidArgument || edxl::RmReasonCode(status).empty()) {
    std::fprintf(stderr, "edxl_xml: %s refused without a reason code: %s\n", stage,
                 status.ToString().c_str());
    std::abort();
  }
}

// The message written and read back; aborts unless it is `m` in everything Muster maps.
void CheckWrittenBack(const char* what, const edxl::RmMessage& m, const edxl::RmMessage& back) {
  std::string written = edxl::WriteRm(back);
  auto reparsed = edxl::ParseRm(written);
  if (!reparsed.ok()) Fail(what, {reparsed.status().ToString()}, written);
  std::vector<std::string> differences = edxl::RmDifferences(m, *reparsed);
  if (!differences.empty()) Fail(what, differences, written);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string xml(reinterpret_cast<const char*>(data), size);
  auto parsed = edxl::ParseRm(xml);
  if (!parsed.ok()) {
    CheckRefusal("ParseRm", parsed.status());
    return 0;
  }
  const edxl::RmMessage& message = *parsed;
  CheckWrittenBack("WriteRm: the written document differs or is refused", message, message);

  muster::Status fit = edxl::CheckRmForMuster(message);
  if (!fit.ok()) {
    CheckRefusal("CheckRmForMuster", fit);
    return 0;
  }
  // No thread index: only a RequestResource maps; every answer is refused UNKNOWN_THREAD.
  edxl::EdxlEnvelopeOptions options;
  options.organisations = {"msd"};
  capnp::MallocMessageBuilder builder;
  auto envelope = builder.initRoot<muster::schema::Envelope>();
  muster::Status built = edxl::BuildEdxlEnvelope(xml, message, options, envelope);
  if (!built.ok()) {
    CheckRefusal("BuildEdxlEnvelope", built);
    return 0;
  }
  constexpr uint64_t kSeq = 7;
  auto from_body = edxl::RmMessageOf(envelope.asReader(), kSeq, edxl::EdxlThreads{});
  if (!from_body.ok())
    Fail("RmMessageOf refused an envelope the adapter built", {from_body.status().ToString()}, "");
  CheckWrittenBack("RmMessageOf: the body does not give the message back", message, *from_body);

  auto document = edxl::EdxlDocumentOf(envelope.asReader(), kSeq, edxl::EdxlThreads{});
  if (!document.ok())
    Fail("EdxlDocumentOf refused an envelope the adapter built", {document.status().ToString()},
         "");
  if (!document->from_original || document->xml != xml) {
    Fail("EdxlDocumentOf did not hand on the sender's original", {document->note}, document->xml);
  }
  return 0;
}
