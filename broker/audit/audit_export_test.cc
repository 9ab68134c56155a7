// Tests for audit exports: JSON lines and CSV exports verify with only the verifier key; any
// change to a record's columns, leaf bytes, proof, order, count or to the checkpoint fails.
#include "broker/audit/audit_export.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <sstream>

#include "broker/audit/audit_reader_testing.h"
#include "security/note_encoding.h"

namespace muster::audit {
namespace {

using schema::AuditLeaf;

class ExportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    t_.AppendSimple(300);
    // Text that CSV must quote, and a non-ASCII name.
    AuditEvent odd;
    odd.event = AuditLeaf::Event::REJECTED;
    odd.actor = "vol-1";
    odd.code = "forbidden";
    odd.reason = "a, \"quoted\"\nsecond line";
    odd.incident = "INC-3";
    odd.detail = "#not a comment";
    odd.org = "志愿者";
    t_.Append({odd});
    t_.AppendSimple(100);
    t_.Checkpoint();  // 401
    t_.AppendSimple(30);
  }

  std::string Export(ExportFormat format, const QueryFilter& f, ExportSummary* summary = nullptr) {
    AuditReader reader(t_.store());
    std::ostringstream out;
    Status s = WriteExport(reader, format, f, out, summary);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return out.str();
  }
  Result<ExportCheck> Check(const std::string& text) { return VerifyExport(text, t_.key().verifier_key()); }

  testing::TestLog t_;
};

QueryFilter Incident(const std::string& incident) {
  QueryFilter f;
  f.incident = incident;
  return f;
}

TEST_F(ExportTest, JsonLinesRoundTrip) {
  ExportSummary summary;
  std::string text = Export(ExportFormat::kJsonLines, Incident("INC-3"), &summary);
  auto check = Check(text);
  ASSERT_TRUE(check.ok()) << check.status().ToString();
  EXPECT_EQ(check->records, summary.records);
  AuditReader reader(t_.store());
  QueryFilter f = Incident("INC-3");
  f.end_leaf = 401;
  EXPECT_EQ(check->records, reader.Query(f)->records.size());
  EXPECT_EQ(check->checkpoint_size, 401u);
  EXPECT_EQ(check->origin, "muster/test");
  EXPECT_TRUE(summary.newer_leaves_omitted) << "leaves 401.. are not in the checkpoint";
}

TEST_F(ExportTest, CsvRoundTripWithQuotedFields) {
  std::string text = Export(ExportFormat::kCsv, Incident("INC-3"));
  EXPECT_NE(text.find("\"a, \"\"quoted\"\"\nsecond line\""), std::string::npos);
  auto check = Check(text);
  ASSERT_TRUE(check.ok()) << check.status().ToString();
  EXPECT_EQ(check->format, ExportFormat::kCsv);
  EXPECT_GT(check->records, 10u);
}

TEST_F(ExportTest, AWholeLogExportVerifies) {
  ExportSummary summary;
  std::string text = Export(ExportFormat::kJsonLines, QueryFilter(), &summary);
  EXPECT_EQ(summary.records, 401u);
  EXPECT_EQ(Check(text)->records, 401u);
  text = Export(ExportFormat::kCsv, QueryFilter(), &summary);
  EXPECT_EQ(Check(text)->records, 401u);
}

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  size_t pos = text.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  if (pos != std::string::npos) text.replace(pos, from.size(), to);
  return text;
}

TEST_F(ExportTest, TamperedJsonLinesFail) {
  const std::string text = Export(ExportFormat::kJsonLines, Incident("INC-3"));
  ASSERT_TRUE(Check(text).ok());
  // A readable column changed.
  auto r = Check(Replace(text, "\"actor\":\"command\"", "\"actor\":\"commander\""));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("column actor is \"commander\" but the leaf says \"command\""), std::string::npos)
      << r.status().message();
  // The leaf bytes changed (and the column with them): the proof no longer leads to the root.
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  auto record = nlohmann::json::parse(lines[1]);
  auto leaf = *DecodeAuditRecord(*security::DecodeBase64(record["leaf"].get<std::string>()));
  AuditEvent e = ToAuditEvent(leaf);
  e.reason = "nothing happened";
  record["leaf"] = security::EncodeBase64(EncodeLeaf(leaf.index, leaf.time_ms, e));
  record["reason"] = "nothing happened";
  std::string forged = text;
  forged.replace(forged.find(lines[1]), lines[1].size(), record.dump());
  r = Check(forged);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("its inclusion proof does not lead to the checkpoint's root"), std::string::npos)
      << r.status().message();
  // A proof hash changed.
  record = nlohmann::json::parse(lines[2]);
  std::string h = record["proof"][0].get<std::string>();
  h[5] = h[5] == 'A' ? 'B' : 'A';
  record["proof"][0] = h;
  forged = text;
  forged.replace(forged.find(lines[2]), lines[2].size(), record.dump());
  EXPECT_EQ(Check(forged).status().code(), StatusCode::kCorruption);
  // A record removed (the count no longer matches), duplicated (order), or the end cut off.
  forged = text;
  forged.erase(forged.find(lines[2]), lines[2].size() + 1);
  EXPECT_EQ(Check(forged).status().code(), StatusCode::kCorruption);
  forged = text;
  forged.insert(forged.find(lines[2]), lines[2] + "\n");
  EXPECT_EQ(Check(forged).status().code(), StatusCode::kCorruption);
  forged = text.substr(0, text.find(lines.back()));
  r = Check(forged);
  EXPECT_EQ(r.status().message(), "the export is truncated: it has no end line");
  // The checkpoint changed: its signature fails.
  auto header = nlohmann::json::parse(lines[0]);
  std::string note = header["checkpoint"].get<std::string>();
  note = Replace(note, "\n401\n", "\n402\n");
  header["checkpoint"] = note;
  header["size"] = 402;
  forged = text;
  forged.replace(0, lines[0].size(), header.dump());
  EXPECT_EQ(Check(forged).status().code(), StatusCode::kUnauthenticated);
  // Another key.
  auto other = std::move(security::SigningKey::Generate("muster/test")).value();
  EXPECT_EQ(VerifyExport(text, other->verifier_key()).status().code(), StatusCode::kUnauthenticated);
}

TEST_F(ExportTest, TamperedCsvFails) {
  const std::string text = Export(ExportFormat::kCsv, Incident("INC-3"));
  ASSERT_TRUE(Check(text).ok());
  auto r = Check(Replace(text, ",command,ema,", ",command,msd,"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("column org is \"msd\""), std::string::npos) << r.status().message();
  r = Check(Replace(text, "#|muster/test", "#|muster/other"));
  EXPECT_EQ(r.status().code(), StatusCode::kUnauthenticated) << r.status().ToString();
  r = Check(Replace(text, "# end ", "# end 1"));
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  r = Check(text.substr(0, text.rfind("# end")));
  EXPECT_EQ(r.status().message(), "the export is truncated: it has no end line");
  EXPECT_EQ(Check("index,time\r\n1,2\r\n").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Check("").status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ExportTest, NoCheckpointNoExport) {
  testing::TestLog fresh;
  fresh.AppendSimple(10);
  AuditReader reader(fresh.store());
  std::ostringstream out;
  EXPECT_EQ(WriteExport(reader, ExportFormat::kJsonLines, QueryFilter(), out).code(), StatusCode::kFailedPrecondition);
}

TEST(RecordCellsTest, TimesAreUtcWithMilliseconds) {
  EXPECT_EQ(FormatLeafTime(1790000000123), "2026-09-21T14:13:20.123Z");
  EXPECT_EQ(FormatLeafTime(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(RecordColumns().size(), RecordCells(AuditRecord()).size());
}

}  // namespace
}  // namespace muster::audit
