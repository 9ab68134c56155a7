// Audit exports: the records a query selects, written so that anyone holding the broker's
// verifier key can check them offline with nothing else — every record carries its leaf bytes
// and its inclusion proof against one signed checkpoint, which the file carries too. The
// readable columns are checked against the leaf bytes, so editing them is caught as well.
//
// JSON lines: a header object, one object per record, an end object:
//   {"type":"muster-audit-export","version":1,"origin":…,"size":N,"root":B64,"checkpoint":NOTE,"filters":{…}}
//   {"type":"record","index":I,"time":…,"event":…,…,"leaf":B64,"proof":[B64,…]}
//   {"type":"end","records":K}
// CSV (RFC 4180): a comment block with the checkpoint note (each of its lines after "#|"), a
// header row, one row per record (the record columns, then leaf and proof: base64 hashes
// separated by spaces), and "# end K records".
//
// What an export proves: each record is in the log the checkpoint commits to. It does not prove
// that the query found every matching record (see docs/audit.md). Thread-compatible functions.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "broker/audit/audit_reader.h"
#include "common/result.h"
#include "security/signing_key.h"

namespace muster::audit {

// The text form of a record shared by tables, exports and the protocol: RecordColumns() names
// the cells of RecordCells(). Times are RFC 3339 UTC with milliseconds, digests hex, recipients
// joined with ",".
const std::vector<std::string>& RecordColumns();
std::vector<std::string> RecordCells(const AuditRecord& record);
std::string FormatLeafTime(int64_t unix_ms);

enum class ExportFormat { kJsonLines, kCsv };

struct ExportSummary {
  uint64_t records = 0;
  uint64_t checkpoint_size = 0;
  // Some leaves in the queried range are newer than the checkpoint; they were not exported
  // (no proof for them yet).
  bool newer_leaves_omitted = false;
};

// Writes the records matching `filter` that the latest checkpoint covers. FailedPrecondition if
// no checkpoint has been signed yet; `filter.limit` and `max_examined` apply as in Query.
Status WriteExport(const AuditReader& reader, ExportFormat format, const QueryFilter& filter, std::ostream& out,
                   ExportSummary* summary = nullptr);

struct ExportCheck {
  ExportFormat format = ExportFormat::kJsonLines;
  uint64_t records = 0;
  std::string origin;
  uint64_t checkpoint_size = 0;
  std::string checkpoint_time;
};

// Checks an export: the checkpoint's signature by `key`, each record's leaf hash, inclusion
// proof and readable columns, and the record count. Errors name the first bad line or record:
// Unauthenticated (checkpoint signature), Corruption (a record or proof), InvalidArgument (not
// an export).
Result<ExportCheck> VerifyExport(std::string_view contents, const security::VerifierKey& key);

}  // namespace muster::audit
