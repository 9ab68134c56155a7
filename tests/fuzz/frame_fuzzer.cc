// libFuzzer target: peer bytes -> protocol frame, as the broker's frame handler sees them.
// Decodes with the broker's limits, reads the command, runs the publish envelope checks (with the
// frame's own size, as the broker does, and with SIZE_MAX) and writes an alert body out as CAP.
// Decode must turn any input into a Status; once a frame has decoded, a kj::Exception from reading
// it is caught and rejected as malformed, exactly as Broker::HandleFrame does.
//
// Invariant checked beyond "no crash": for a frame too small to break any size limit, the
// enumerations-only check must accept exactly what the full check accepts.
#include <kj/exception.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>

#include "adapters/cap/cap_parser.h"
#include "adapters/cap/cap_writer.h"
#include "broker/envelope_check.h"
#include "common/status.h"
#include "schemas/frame_codec.h"

namespace {

using muster::Status;
using muster::schema::Frame;

// One checker for the whole run, like one publish pipeline: exercises the cached field plans.
muster::broker::EnvelopeChecker& Checker() {
  static auto* checker = new muster::broker::EnvelopeChecker(muster::broker::EnvelopeLimits{});
  return *checker;
}

// A second reader over the same bytes. Every read through a reader counts against its traversal
// budget (a small multiple of the frame size) and Decode has already spent one pass of it, so each
// independent use below gets its own reader, as the broker and the gateway each have their own.
std::unique_ptr<muster::wire::DecodedFrame> Redecode(const uint8_t* data, size_t size) {
  auto again = muster::wire::DecodedFrame::Decode(data, size, muster::wire::FrameLimits{});
  if (!again.ok()) {
    std::fprintf(stderr, "the same bytes decoded once and failed the second time: %s\n",
                 again.status().ToString().c_str());
    std::abort();
  }
  return std::move(*again);
}

// The publish checks' Status, or nullopt if reading the frame threw (the broker rejects it).
std::optional<Status> CheckPublish(const muster::wire::DecodedFrame& decoded, size_t frame_bytes) {
  try {
    auto publish = decoded.frame().getPublish();
    const std::string cmid = publish.getClientMessageId();
    return Checker().Check(cmid, publish.getEnvelope(), frame_bytes);
  } catch (const kj::Exception&) {
    return std::nullopt;
  }
}

void HandlePublish(const muster::wire::DecodedFrame& decoded, const uint8_t* data, size_t size) {
  const size_t frame_bytes = decoded.size_bytes();
  std::optional<Status> as_sent = CheckPublish(decoded, frame_bytes);
  std::optional<Status> full = CheckPublish(*Redecode(data, size), SIZE_MAX);

  const muster::broker::EnvelopeLimits limits;
  if (frame_bytes <= std::min(limits.max_text_bytes, limits.max_list_items) && as_sent && full &&
      as_sent->ok() != full->ok()) {
    std::fprintf(stderr,
                 "envelope check of a %zu-byte frame: enumerations-only mode says '%s', full "
                 "check says '%s'\n",
                 frame_bytes, as_sent->ToString().c_str(), full->ToString().c_str());
    std::abort();
  }

  // What the CAP gateway does with an alert it delivers: write it out, then a peer may parse it
  // again. The written XML may be refused (the alert need not be one ParseCap made), but neither
  // step may crash.
  auto for_writer = Redecode(data, size);
  auto envelope = for_writer->frame().getPublish().getEnvelope();
  if (envelope.getBody().isAlert()) {
    std::string xml = muster::cap::WriteCap(envelope.getBody().getAlert());
    auto reparsed = muster::cap::ParseCapMessage(xml);
    (void)reparsed;
  }
}

void HandleFrame(const muster::wire::DecodedFrame& decoded, const uint8_t* data, size_t size) {
  Frame::Reader frame = decoded.frame();
  switch (frame.which()) {
    case Frame::HELLO: {
      auto hello = frame.getHello();
      (void)hello.getProtocolVersion();
      (void)std::string(hello.getClientName());
      return;
    }
    case Frame::PUBLISH:
      return HandlePublish(decoded, data, size);
    case Frame::ACK: {
      uint64_t sum = 0;
      for (uint64_t seq : frame.getAck().getSeqs()) sum += seq;
      (void)sum;
      (void)frame.getAck().getLevel();
      return;
    }
    case Frame::QUERY: {
      auto query = frame.getQuery();
      if (query.isAudit()) {
        for (auto arg : query.getAudit().getArgs()) (void)std::string(arg);
        (void)std::string(query.getAudit().getVerb());
      } else if (query.isWorkflow()) {
        (void)std::string(query.getWorkflow().getId());
      } else if (query.isAdmin() && query.getAdmin().isRevoke()) {
        (void)std::string(query.getAdmin().getRevoke());
      }
      return;
    }
    default:
      return;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto decoded = muster::wire::DecodedFrame::Decode(data, size, muster::wire::FrameLimits{});
  if (!decoded.ok()) return 0;
  try {
    HandleFrame(**decoded, data, size);
  } catch (const kj::Exception&) {
    // Rejected as malformed by the broker's frame handler.
  }
  return 0;
}
