// Audit queries over the protocol (Query.audit, for principals with role auditor): the broker's
// answer — a pure function of its store and the query that fills a Result with a table — and
// the client's readers of those tables, so that both sides share one layout. The client checks
// proofs itself (CheckInclusion, CheckConsistency) against the broker's verifier key: the
// broker's answer is data, not a verdict.
//
// Verbs (AuditQuery.verb; "" means "query") and their tables:
//   query        Filters from the AuditQuery fields (fromMillis/toMillis 0 = unset, event by
//                name, limit 0 = the service's row limit); args may hold "after=N" to continue
//                from leaf N. Columns: RecordColumns(), one row per leaf in leaf order. When the
//                search stopped before the end (row, size or work limit), the last row has the
//                single cell "continue-after=N".
//   checkpoints  Columns size, root, time, note: the newest `limit` (default and at most
//                max_checkpoints) checkpoints, oldest first; args ["latest"]: only the latest.
//   proof        args [SEQ] (a message's accepted leaf) or ["leaf=N"]. Columns name, value; rows
//                seq (if asked by seq), leaf_index, tree_size, root, leaf, checkpoint, then one
//                "proof" row per hash, leaf side first. Hashes and leaf bytes in base64.
//   consistency  args [OLD, NEW] (NEW may be "latest": the latest checkpoint). Rows old_size,
//                new_size, old_root, new_root, old_checkpoint, new_checkpoint (the signed notes,
//                "" for a size without one), then "proof" rows.
// Errors: InvalidArgument (unknown verb or event, bad argument), NotFound (no such message),
// FailedPrecondition (no checkpoint covers it yet), and store errors as they come.
// Thread-safety: as AuditReader; the answer reads the store only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "broker/audit/audit_reader.h"
#include "broker/store/store.h"
#include "common/result.h"
#include "schemas/protocol.capnp.h"

namespace muster::audit {

struct AuditServiceOptions {
  size_t max_rows = 1000;               // rows of one answer
  size_t max_answer_bytes = 512 * 1024; // text in one answer (frames are at most 1 MiB)
  uint64_t max_examined = 200000;       // leaves decoded for one query: bounds the broker's time
  size_t max_checkpoints = 100;         // checkpoints listed at most
};

// Answers `query` from the store, filling `result`'s table (its queryId is the caller's job).
Status AnswerAuditQuery(const store::Store& store, schema::AuditQuery::Reader query, schema::Result::Builder result,
                        const AuditServiceOptions& options = {});

// The query filter an AuditQuery asks for (verb "query"); InvalidArgument for an unknown event.
Result<QueryFilter> FilterFromAuditQuery(schema::AuditQuery::Reader query);
// Sets the AuditQuery fields for a filter (verb "query"; first_leaf becomes "after=N").
void FillAuditQuery(const QueryFilter& filter, schema::AuditQuery::Builder query);

// Query results as text cells (RecordColumns()), local or from the broker.
struct RecordTable {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
  std::optional<uint64_t> resume_at;  // more may match from this leaf on
};
RecordTable ToRecordTable(const QueryResult& result);

Result<RecordTable> ReadRecordTable(schema::Table::Reader table);
Result<std::vector<StoredCheckpoint>> ReadCheckpointTable(schema::Table::Reader table);
Result<InclusionProofResult> ReadProofTable(schema::Table::Reader table);
Result<ConsistencyProofResult> ReadConsistencyTable(schema::Table::Reader table);

}  // namespace muster::audit
