// Helpers shared by the EDXL adapter's unit tests: the hand-written EDXL-RM fixtures in
// tests/fixtures/edxl, and a private temporary directory. Test code only.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <capnp/message.h>

#include <filesystem>
#include <memory>
#include <string>

#include "adapters/edxl/edxl_envelope.h"
#include "adapters/edxl/edxl_thread_index.h"
#include "adapters/edxl/rm_parser.h"
#include "common/files.h"

#ifndef MUSTER_EDXL_FIXTURES
#error "MUSTER_EDXL_FIXTURES must name tests/fixtures/edxl"
#endif

namespace muster::edxl::testing {

// The fixture's bytes; fails the test (and returns "") when it cannot be read.
inline std::string Fixture(const std::string& name) {
  auto text = ReadFile(std::string(MUSTER_EDXL_FIXTURES) + "/" + name);
  EXPECT_TRUE(text.ok()) << name << ": " << text.status().message();
  return text.ok() ? *text : std::string();
}

// `text` with the first occurrence of `from` replaced by `to`; fails the test if absent.
inline std::string Replace(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "no '" << from << "' to replace";
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// A fresh directory under /tmp, removed with everything in it when the object goes.
class ScratchDir {
 public:
  ScratchDir() {
    char pattern[] = "/tmp/muster-edxl-XXXXXX";
    const char* made = ::mkdtemp(pattern);
    path_ = made ? made : "/tmp/muster-edxl-failed";
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// One adapter's view of a thread: documents taken in (ParseRm, BuildEdxlEnvelope against the
// index) and messages seen on the broker (RememberEquipment), with seqs the test chooses.
class ThreadHarness {
 public:
  ThreadHarness() {
    auto index = EdxlThreadIndex::Open(dir_.path() + "/threads");
    EXPECT_TRUE(index.ok()) << index.status().message();
    if (index.ok()) index_ = std::move(index).value();
  }

  EdxlThreadIndex& index() { return *index_; }
  EdxlThreads threads() const { return ThreadsOf(*index_); }

  // The envelope for `xml`, or the refusal.
  Result<std::unique_ptr<capnp::MallocMessageBuilder>> Take(const std::string& xml,
                                                            EdxlEnvelopeOptions options = {}) {
    MUSTER_ASSIGN_OR_RETURN(RmMessage m, ParseRm(xml));
    options.threads = threads();
    if (options.organisations.empty() && options.principals.empty()) {
      options.organisations = {"msd"};
    }
    auto message = std::make_unique<capnp::MallocMessageBuilder>();
    MUSTER_RETURN_IF_ERROR(
        BuildEdxlEnvelope(xml, m, options, message->initRoot<schema::Envelope>()));
    return message;
  }

  // Takes `xml` and records it as published with `seq`; fails the test on a refusal.
  std::unique_ptr<capnp::MallocMessageBuilder> Publish(const std::string& xml, uint64_t seq) {
    auto message = Take(xml);
    EXPECT_TRUE(message.ok()) << message.status().message();
    if (!message.ok()) return nullptr;
    Status s = RememberEquipment(*index_, (*message)->getRoot<schema::Envelope>().asReader(), seq);
    EXPECT_TRUE(s.ok()) << s.message();
    return std::move(message).value();
  }

 private:
  ScratchDir dir_;
  std::unique_ptr<EdxlThreadIndex> index_;
};

}  // namespace muster::edxl::testing
