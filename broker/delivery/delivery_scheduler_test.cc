// Tests for the delivery scheduler with a real store and committer and a recording sink:
// windows, precedence order, acks, redelivery after re-attach, expiry, recording unacked
// deliveries across a wall-clock step.
#include "broker/delivery/delivery_scheduler.h"

#include <capnp/message.h>
#include <gtest/gtest.h>
#include <poll.h>

#include <chrono>
#include <thread>

#include "broker/store/keys.h"
#include "schemas/frame_codec.h"
#include "schemas/envelope.capnp.h"

namespace muster::delivery {
namespace {

class RecordingSink : public FrameSink {
 public:
  SendResult Send(const std::string& routing_id, const std::string& frame) override {
    auto d = wire::DecodedFrame::Decode(frame.data(), frame.size());
    if (d.ok() && (*d)->frame().which() == schema::Frame::DELIVER) {
      delivered.push_back((*d)->frame().getDeliver().getSeq());
      redeliveries.push_back((*d)->frame().getDeliver().getRedeliveryCount());
    }
    if (d.ok() && (*d)->frame().which() == schema::Frame::NOTICE) ++caught_up;
    return SendResult::kSent;
  }
  std::vector<uint64_t> delivered;
  std::vector<uint32_t> redeliveries;
  int caught_up = 0;
};

class DeliverySchedulerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/muster-sched-XXXXXX";
    dir_ = mkdtemp(tmpl);
    store_ = std::move(store::Store::Open({dir_ + "/db"})).value();
    committer_ = std::make_unique<store::GroupCommitter>(*store_);
    ASSERT_TRUE(committer_->Start().ok());
    scheduler_ = std::make_unique<DeliveryScheduler>(*store_, *committer_, sink_, clock_, log_);
  }
  void TearDown() override {
    Settle();
    committer_->Stop();
    std::system(("rm -rf " + dir_).c_str());
  }
  void Settle() {
    while (committer_->outstanding() > 0) {
      pollfd p{committer_->notify_fd(), POLLIN, 0};
      ::poll(&p, 1, 50);
      committer_->RunCompletions();
    }
  }
  // Stores a message for `to` as the publish pipeline would, and tells the scheduler.
  void Commit(uint64_t seq, const std::string& to, int precedence = 0, int64_t expires_ms = 0) {
    capnp::MallocMessageBuilder m;
    auto e = m.initRoot<schema::Envelope>();
    e.setPrecedence(static_cast<schema::Precedence>(precedence));
    e.setExpiresMillis(expires_ms);
    e.initBody().initAlert().initInfos(1)[0].setEvent("E");
    store::BrokerStamp stamp;
    stamp.seq = seq;
    std::vector<store::RecipientEntry> recipients = {{to, "principal:" + to}};
    auto bytes = std::make_shared<const std::string>(store::EncodeStoredMessage(e.asReader(), stamp, recipients));
    store::CommitItem item;
    item.writes.Put(store::Column::kMessages, store::MessageKey(seq), *bytes);
    item.writes.Put(store::Column::kPending, store::PendingKey(to, precedence, seq), "principal:" + to);
    committer_->Submit(std::move(item));
    Settle();
    scheduler_->OnCommitted({seq, precedence, bytes, recipients});
  }

  std::string dir_;
  Logger log_{stderr, LogLevel::kError};
  OffsetClock clock_;
  RecordingSink sink_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<store::GroupCommitter> committer_;
  std::unique_ptr<DeliveryScheduler> scheduler_;
};

TEST_F(DeliverySchedulerTest, WindowLimitsInFlightAndAcksOpenIt) {
  for (uint64_t s = 1; s <= 5; ++s) Commit(s, "msd");
  scheduler_->Attach("msd", "r1", /*window=*/2);
  EXPECT_EQ(sink_.delivered, (std::vector<uint64_t>{1, 2}));
  ASSERT_TRUE(scheduler_->Ack("msd", {1}, false, nullptr).ok());
  EXPECT_EQ(sink_.delivered, (std::vector<uint64_t>{1, 2, 3}));
  ASSERT_TRUE(scheduler_->Ack("msd", {2, 3}, false, nullptr).ok());
  EXPECT_EQ(sink_.delivered, (std::vector<uint64_t>{1, 2, 3, 4, 5}));
  Commit(6, "msd");  // window full (4 and 5 unacked): stays pending
  EXPECT_EQ(sink_.delivered.back(), 5u);
  ASSERT_TRUE(scheduler_->Ack("msd", {4, 5}, false, nullptr).ok());
  EXPECT_EQ(sink_.delivered.back(), 6u);
  EXPECT_EQ(sink_.caught_up, 0);
  ASSERT_TRUE(scheduler_->Ack("msd", {6}, false, nullptr).ok());
  EXPECT_EQ(sink_.caught_up, 1) << "everything delivered and acked";
  Commit(7, "msd");  // caught up with room: delivered at once from memory
  EXPECT_EQ(sink_.delivered.back(), 7u);
}

TEST_F(DeliverySchedulerTest, HigherPrecedenceJumpsTheBacklog) {
  for (uint64_t s = 1; s <= 4; ++s) Commit(s, "msd");
  scheduler_->Attach("msd", "r1", 1);
  Commit(5, "msd", /*flash=*/3);
  ASSERT_TRUE(scheduler_->Ack("msd", {1}, false, nullptr).ok());
  EXPECT_EQ(sink_.delivered, (std::vector<uint64_t>{1, 5}));
}

TEST_F(DeliverySchedulerTest, ReattachRedeliversUnackedWithCount) {
  Commit(1, "msd");
  Commit(2, "msd");
  scheduler_->Attach("msd", "r1", 10);
  ASSERT_TRUE(scheduler_->Ack("msd", {1}, false, nullptr).ok());
  Settle();
  scheduler_->Detach("msd");
  sink_.delivered.clear();
  sink_.redeliveries.clear();
  scheduler_->Attach("msd", "r2", 10);
  EXPECT_EQ(sink_.delivered, (std::vector<uint64_t>{2}));
  EXPECT_EQ(sink_.redeliveries, (std::vector<uint32_t>{1}));
}

TEST_F(DeliverySchedulerTest, ExpiredMessagesAreNotDeliveredAndRecorded) {
  int64_t soon = clock_.NowMillis() + 60000;
  Commit(1, "msd", 0, soon);
  Commit(2, "msd");
  clock_.set_offset_ms(120000);  // the clock jumps past the expiry
  scheduler_->Attach("msd", "r1", 10);
  EXPECT_EQ(sink_.delivered, (std::vector<uint64_t>{2}));
  Settle();
  auto rec = store_->Get(store::Column::kDelivery, store::DeliveryKey(1, "msd"));
  ASSERT_TRUE(rec.ok() && rec->has_value());
  EXPECT_EQ(store::DecodeDeliveryRecord(**rec)->state, store::DeliveryState::kExpired);
  EXPECT_FALSE(store_->Get(store::Column::kPending, store::PendingKey("msd", 0, 1))->has_value());
  EXPECT_EQ(scheduler_->stats().expired, 1u);
}

TEST_F(DeliverySchedulerTest, AnUnackedDeliveryIsRecordedAfterItsGraceEvenWhenTheClockStepsBack) {
  Commit(1, "msd");
  scheduler_->Attach("msd", "r1", 10);
  ASSERT_EQ(sink_.delivered, (std::vector<uint64_t>{1}));
  clock_.set_offset_ms(-3600 * 1000);  // the wall clock steps back an hour
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  scheduler_->RecordUnackedDeliveries(/*grace_ms=*/50);
  Settle();
  auto rec = store_->Get(store::Column::kDelivery, store::DeliveryKey(1, "msd"));
  ASSERT_TRUE(rec.ok() && rec->has_value()) << "the delivery was not recorded after its grace";
  EXPECT_EQ(store::DecodeDeliveryRecord(**rec)->state, store::DeliveryState::kDelivered);
}

TEST_F(DeliverySchedulerTest, AckOfSomethingNeverDeliveredIsNotFound) {
  EXPECT_EQ(scheduler_->Ack("msd", {99}, false, nullptr).code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace muster::delivery
