// The one codec for protocol frames, shared by the broker and every client: encode a Frame
// builder into bytes, and decode peer bytes safely — copied into word-aligned memory, read with
// explicit capnp::ReaderOptions (traversal limit tied to the frame size, nesting <= 16), and
// traversed completely at decode time, so that bad pointers, bad sizes and limit violations fail
// here as a Status. Some content errors only show when a field is read (e.g. a Text without its
// NUL terminator): readers of peer frames still catch kj::Exception around their handling, as the
// broker does. (Hand-written; the rest of schemas/ is generated.)
#pragma once

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <capnp/message.h>
#include <kj/array.h>

#include <memory>
#include <string>

#include "common/result.h"
#include "schemas/protocol.capnp.h"

namespace muster::wire {

struct FrameLimits {
  size_t max_frame_bytes = 1u << 20;  // larger frames are refused before decoding
  int max_nesting = 16;
  // Reading may touch at most this many times the frame's own size (no amplification by a peer).
  // The broker keeps it tight; a client reading its broker's answers field by field needs more.
  size_t traversal_multiplier = 4;
};

// A decoded frame: owns the aligned copy of the bytes and the reader over them.
class DecodedFrame {
 public:
  static Result<std::unique_ptr<DecodedFrame>> Decode(const void* data, size_t size,
                                                      const FrameLimits& limits = {});
  DecodedFrame(const DecodedFrame&) = delete;
  DecodedFrame& operator=(const DecodedFrame&) = delete;

  schema::Frame::Reader frame() const { return root_; }
  size_t size_bytes() const { return size_bytes_; }

 private:
  DecodedFrame() = default;
  kj::Array<capnp::word> words_;
  std::unique_ptr<capnp::FlatArrayMessageReader> reader_;
  schema::Frame::Reader root_;
  size_t size_bytes_ = 0;
};

// Serialises a message whose root is a Frame into a flat byte string for one ZeroMQ frame.
std::string EncodeFrame(capnp::MessageBuilder& message);

// Decodes a record stored by Muster, e.g. a StoredMessage: the canonical form of a struct
// (capnp::canonicalize: one segment, no segment table). The reader stays valid as long as the
// holder lives.
class DecodedStruct {
 public:
  static Result<std::unique_ptr<DecodedStruct>> Decode(const void* data, size_t size,
                                                       size_t max_bytes = 64u << 20);
  template <typename T>
  typename T::Reader Get() {
    return reader_->getRoot<T>();
  }

 private:
  DecodedStruct() = default;
  kj::Array<capnp::word> words_;
  kj::ArrayPtr<const capnp::word> segments_[1];
  std::unique_ptr<capnp::SegmentArrayMessageReader> reader_;
};

}  // namespace muster::wire
