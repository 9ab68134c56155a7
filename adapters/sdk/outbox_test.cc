// Outbox against a real temporary directory: durability across reopen, order, idempotent adds,
// receipts and refusals, the lock, and what crashes leave behind (temp files, a finished record
// beside its pending one, a damaged file). Publishing through a broker is covered by
// tests/integration/cap_adapter_test.cc.
#include "adapters/sdk/outbox.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "common/files.h"

namespace muster::client {
namespace {

namespace fs = std::filesystem;

class OutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/muster-outbox-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::unique_ptr<Outbox> OpenOrDie() {
    auto o = Outbox::Open(dir_);
    EXPECT_TRUE(o.ok()) << o.status().ToString();
    return o.ok() ? std::move(o).value() : nullptr;
  }

  // An envelope with a recognisable incident.
  static std::unique_ptr<capnp::MallocMessageBuilder> Envelope(const std::string& incident) {
    auto m = std::make_unique<capnp::MallocMessageBuilder>();
    auto e = m->initRoot<schema::Envelope>();
    e.setIncident(incident);
    e.setClassification(schema::Classification::PUBLIC);
    e.initAddressing().initPrincipals(1).set(0, "msd");
    auto original = e.initOriginal();
    original.setMimeType("application/cap+xml");
    original.setBytes(kj::arrayPtr(reinterpret_cast<const kj::byte*>("<alert/>"), 8));
    return m;
  }

  static std::string IncidentOf(const OutboxEntry& entry) {
    auto d = wire::DecodedStruct::Decode(entry.envelope.data(), entry.envelope.size());
    EXPECT_TRUE(d.ok());
    return (*d)->Get<schema::Envelope>().getIncident();
  }

  std::vector<std::string> EntryFiles() const {
    std::vector<std::string> out;
    for (const auto& f : fs::directory_iterator(dir_ + "/entries")) out.push_back(f.path().filename());
    std::sort(out.begin(), out.end());
    return out;
  }

  std::string dir_;
};

TEST_F(OutboxTest, AddedEntriesSurviveReopenInOrderWithTheirEnvelopes) {
  {
    auto outbox = OpenOrDie();
    for (int i = 0; i < 3; ++i) {
      auto m = Envelope("INC-" + std::to_string(i));
      auto e = outbox->Add("id-" + std::to_string(i), m->getRoot<schema::Envelope>().asReader(), "f" + std::to_string(i));
      ASSERT_TRUE(e.ok()) << e.status().ToString();
      EXPECT_EQ(e->state, OutboxState::kPending);
    }
  }
  auto outbox = OpenOrDie();
  auto pending = outbox->Pending();
  ASSERT_EQ(pending.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(pending[i].id, "id-" + std::to_string(i));
    EXPECT_EQ(pending[i].source, "f" + std::to_string(i));
    EXPECT_EQ(IncidentOf(pending[i]), "INC-" + std::to_string(i));
    if (i > 0) {
      EXPECT_GT(pending[i].order, pending[i - 1].order);
    }
  }
  auto d = wire::DecodedStruct::Decode(pending[0].envelope.data(), pending[0].envelope.size());
  ASSERT_TRUE(d.ok());
  auto original = (*d)->Get<schema::Envelope>().getOriginal();
  EXPECT_EQ(original.getMimeType(), "application/cap+xml");
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(original.getBytes().begin()), original.getBytes().size()),
            "<alert/>");
}

TEST_F(OutboxTest, AddIsIdempotentPerIdAndTheFirstEnvelopeWins) {
  auto outbox = OpenOrDie();
  auto a = Envelope("first");
  auto b = Envelope("second");
  ASSERT_TRUE(outbox->Add("same", a->getRoot<schema::Envelope>().asReader()).ok());
  auto again = outbox->Add("same", b->getRoot<schema::Envelope>().asReader());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(IncidentOf(*again), "first");
  EXPECT_EQ(outbox->pending_count(), 1u);
  EXPECT_EQ(EntryFiles().size(), 1u);
}

TEST_F(OutboxTest, ReceiptsAndRefusalsAreKeptAndEndThePendingState) {
  {
    auto outbox = OpenOrDie();
    auto m = Envelope("x");
    ASSERT_TRUE(outbox->Add("a", m->getRoot<schema::Envelope>().asReader()).ok());
    ASSERT_TRUE(outbox->Add("b", m->getRoot<schema::Envelope>().asReader()).ok());
    ReceiptInfo r;
    r.seq = 42;
    r.leaf_index = 7;
    r.recipients = 3;
    r.received_ms = 1234;
    r.duplicate = true;
    ASSERT_TRUE(outbox->MarkDone("a", r).ok());
    ASSERT_TRUE(outbox->MarkRefused("b", "forbidden: not to\nthem 100%").ok());
    EXPECT_EQ(outbox->MarkDone("a", r).code(), StatusCode::kNotFound);
    EXPECT_EQ(outbox->MarkDone("nope", r).code(), StatusCode::kNotFound);
  }
  auto outbox = OpenOrDie();
  EXPECT_TRUE(outbox->Pending().empty());
  auto a = outbox->Find("a");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->state, OutboxState::kDone);
  EXPECT_EQ(a->receipt.seq, 42u);
  EXPECT_EQ(a->receipt.leaf_index, 7u);
  EXPECT_EQ(a->receipt.recipients, 3u);
  EXPECT_EQ(a->receipt.received_ms, 1234);
  EXPECT_TRUE(a->receipt.duplicate);
  EXPECT_TRUE(a->envelope.empty()) << "a done entry keeps its receipt, not its envelope";
  auto b = outbox->Find("b");
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->state, OutboxState::kRefused);
  EXPECT_EQ(b->reason, "forbidden: not to\nthem 100%");
  // A done id added again returns the receipt; a refused one is queued again, at the end.
  auto m = Envelope("retry");
  auto again = outbox->Add("a", m->getRoot<schema::Envelope>().asReader());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->state, OutboxState::kDone);
  auto requeued = outbox->Add("b", m->getRoot<schema::Envelope>().asReader());
  ASSERT_TRUE(requeued.ok());
  EXPECT_EQ(requeued->state, OutboxState::kPending);
  EXPECT_GT(requeued->order, b->order);
  EXPECT_EQ(outbox->pending_count(), 1u);
  EXPECT_EQ(EntryFiles(), (std::vector<std::string>{"00000000000000000001.done", "00000000000000000003.pending"}));
}

TEST_F(OutboxTest, ASecondOpenOfTheSameDirectoryIsRefusedUntilTheFirstCloses) {
  auto first = OpenOrDie();
  auto second = Outbox::Open(dir_);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(second.status().message().find("in use by another process"), std::string::npos);
  first.reset();
  EXPECT_TRUE(Outbox::Open(dir_).ok());
}

TEST_F(OutboxTest, ATempFileLeftByACrashBeforeRenameIsIgnoredAndRemoved) {
  {
    auto outbox = OpenOrDie();
    auto m = Envelope("kept");
    ASSERT_TRUE(outbox->Add("kept", m->getRoot<schema::Envelope>().asReader()).ok());
  }
  // What a crash between write and rename leaves: a partial temp file of a later entry.
  {
    std::ofstream tmp(dir_ + "/entries/00000000000000000002.pending.tmp");
    tmp << "muster-outbox-entry 1\nid: half-writ";
  }
  auto outbox = OpenOrDie();
  auto pending = outbox->Pending();
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].id, "kept");
  EXPECT_EQ(EntryFiles(), (std::vector<std::string>{"00000000000000000001.pending"}));
}

TEST_F(OutboxTest, AFinishedRecordBesideItsPendingOneWins) {
  {
    auto outbox = OpenOrDie();
    auto m = Envelope("x");
    ASSERT_TRUE(outbox->Add("a", m->getRoot<schema::Envelope>().asReader()).ok());
  }
  const std::string pending = dir_ + "/entries/00000000000000000001.pending";
  auto saved = ReadFile(pending);
  ASSERT_TRUE(saved.ok());
  {
    auto outbox = OpenOrDie();
    ReceiptInfo r;
    r.seq = 9;
    ASSERT_TRUE(outbox->MarkDone("a", r).ok());
  }
  // The crash between writing the done record and removing the pending one.
  ASSERT_TRUE(WriteFileAtomic(pending, *saved, 0600).ok());
  auto outbox = OpenOrDie();
  EXPECT_TRUE(outbox->Pending().empty());
  EXPECT_EQ(outbox->Find("a")->receipt.seq, 9u);
  EXPECT_EQ(EntryFiles(), (std::vector<std::string>{"00000000000000000001.done"}));
}

TEST_F(OutboxTest, ADamagedEntryStopsOpenAndIsNamed) {
  {
    auto outbox = OpenOrDie();
    auto m = Envelope("x");
    ASSERT_TRUE(outbox->Add("a", m->getRoot<schema::Envelope>().asReader()).ok());
  }
  const std::string path = dir_ + "/entries/00000000000000000001.pending";
  auto bytes = ReadFile(path);
  ASSERT_TRUE(bytes.ok());
  std::string damaged = *bytes;
  damaged.back() ^= 0x55;
  ASSERT_TRUE(WriteFileAtomic(path, damaged, 0600).ok());
  auto outbox = Outbox::Open(dir_);
  ASSERT_FALSE(outbox.ok());
  EXPECT_EQ(outbox.status().code(), StatusCode::kCorruption);
  EXPECT_NE(outbox.status().message().find(path), std::string::npos) << outbox.status().message();
}

TEST_F(OutboxTest, EntriesAreFilesWrittenWithPrivatePermissions) {
  auto outbox = OpenOrDie();
  auto m = Envelope("x");
  ASSERT_TRUE(outbox->Add("a", m->getRoot<schema::Envelope>().asReader()).ok());
  struct stat st{};
  ASSERT_EQ(stat((dir_ + "/entries/00000000000000000001.pending").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(OutboxTest, BadIdsAreRefused) {
  auto outbox = OpenOrDie();
  auto m = Envelope("x");
  EXPECT_EQ(outbox->Add("", m->getRoot<schema::Envelope>().asReader()).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(outbox->Add("has space", m->getRoot<schema::Envelope>().asReader()).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(outbox->Add(std::string(129, 'x'), m->getRoot<schema::Envelope>().asReader()).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(OutboxTest, PruneRemovesOnlyFinishedRecords) {
  auto outbox = OpenOrDie();
  auto m = Envelope("x");
  ASSERT_TRUE(outbox->Add("a", m->getRoot<schema::Envelope>().asReader()).ok());
  ASSERT_TRUE(outbox->Add("b", m->getRoot<schema::Envelope>().asReader()).ok());
  ASSERT_TRUE(outbox->MarkDone("a", ReceiptInfo{}).ok());
  ASSERT_TRUE(outbox->PruneFinished(INT64_MAX).ok());
  EXPECT_FALSE(outbox->Find("a").has_value());
  EXPECT_TRUE(outbox->Find("b").has_value());
  EXPECT_EQ(EntryFiles(), (std::vector<std::string>{"00000000000000000002.pending"}));
}

TEST(OutboxIdTest, ContentIdsAreStableAndDifferByContent) {
  EXPECT_EQ(ContentMessageId("cap", "<alert/>"), ContentMessageId("cap", "<alert/>"));
  EXPECT_NE(ContentMessageId("cap", "<alert/>"), ContentMessageId("cap", "<alert />"));
  EXPECT_EQ(ContentMessageId("cap", "x").size(), 4u + 32u);
  EXPECT_EQ(ContentMessageId("cap", "x").rfind("cap-", 0), 0u);
}

TEST(OutboxIdTest, PermanentAndTransientRefusals) {
  EXPECT_TRUE(IsPermanentRefusal(Status::InvalidArgument("invalid: x")));
  EXPECT_TRUE(IsPermanentRefusal(Status::PermissionDenied("forbidden: x")));
  EXPECT_TRUE(IsPermanentRefusal(Status::FailedPrecondition("no-recipients: x")));
  EXPECT_TRUE(IsPermanentRefusal(Status::NotFound("not-found: x")));
  EXPECT_FALSE(IsPermanentRefusal(Status::Unavailable("unavailable: x")));
  EXPECT_FALSE(IsPermanentRefusal(Status::Overloaded("overloaded: x")));
  EXPECT_FALSE(IsPermanentRefusal(Status::DeadlineExceeded("no receipt")));
  EXPECT_FALSE(IsPermanentRefusal(Status::Unauthenticated("refused this key")));
}

}  // namespace
}  // namespace muster::client
