// Protocol frame encoding and bounded decoding.
#include "schemas/frame_codec.h"

#include <kj/exception.h>

#include <cstring>

namespace muster::wire {
namespace {

kj::Array<capnp::word> AlignedCopy(const void* data, size_t size) {
  size_t words = (size + sizeof(capnp::word) - 1) / sizeof(capnp::word);
  auto out = kj::heapArray<capnp::word>(words);
  if (words > 0) {
    std::memset(out.begin(), 0, words * sizeof(capnp::word));
    std::memcpy(out.begin(), data, size);
  }
  return out;
}

capnp::ReaderOptions OptionsFor(size_t size, int nesting, size_t multiplier = 4) {
  capnp::ReaderOptions options;
  options.traversalLimitInWords = size / sizeof(capnp::word) * multiplier + 64;
  options.nestingLimit = nesting;
  return options;
}

}  // namespace

Result<std::unique_ptr<DecodedFrame>> DecodedFrame::Decode(const void* data, size_t size,
                                                           const FrameLimits& limits) {
  if (size > limits.max_frame_bytes) {
    return Status::InvalidArgument("frame of " + std::to_string(size) + " bytes exceeds the limit of " +
                                   std::to_string(limits.max_frame_bytes));
  }
  if (size == 0 || size % sizeof(capnp::word) != 0) {
    return Status::InvalidArgument("frame of " + std::to_string(size) +
                                   " bytes is not a Cap'n Proto message (not a whole number of words)");
  }
  std::unique_ptr<DecodedFrame> out(new DecodedFrame());
  out->words_ = AlignedCopy(data, size);
  out->size_bytes_ = size;
  try {
    out->reader_ = std::make_unique<capnp::FlatArrayMessageReader>(
        out->words_.asPtr(), OptionsFor(size, limits.max_nesting, limits.traversal_multiplier));
    out->root_ = out->reader_->getRoot<schema::Frame>();
    // Traverse everything now so any bad pointer or limit fails here.
    (void)out->root_.totalSize();
  } catch (const kj::Exception& e) {
    return Status::InvalidArgument(std::string("malformed frame: ") + e.getDescription().cStr());
  }
  return out;
}

std::string EncodeFrame(capnp::MessageBuilder& message) {
  kj::Array<capnp::word> words = capnp::messageToFlatArray(message);
  kj::ArrayPtr<const kj::byte> bytes = words.asBytes();
  return std::string(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
}

Result<std::unique_ptr<DecodedStruct>> DecodedStruct::Decode(const void* data, size_t size,
                                                             size_t max_bytes) {
  if (size > max_bytes || size == 0 || size % sizeof(capnp::word) != 0) {
    return Status::Corruption("stored record of " + std::to_string(size) + " bytes is not readable");
  }
  std::unique_ptr<DecodedStruct> out(new DecodedStruct());
  out->words_ = AlignedCopy(data, size);
  out->segments_[0] = out->words_.asPtr();
  try {
    out->reader_ = std::make_unique<capnp::SegmentArrayMessageReader>(
        kj::arrayPtr(out->segments_, 1), OptionsFor(size, 64));
  } catch (const kj::Exception& e) {
    return Status::Corruption(std::string("stored record: ") + e.getDescription().cStr());
  }
  return out;
}

}  // namespace muster::wire
