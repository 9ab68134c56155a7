// ResultTable: the rows a plugin answers a workflow query with, written into schema::Table.
// Conventions shared with the client: list queries return one row per object with plain column
// names; show queries return the object's own columns (the same on every row) plus detail
// columns named "<part>.<field>" ("history.seq", "item.requested"), each row filling the detail
// columns of one part and leaving the others empty. Times are RFC 3339 UTC text, quantities
// plain decimals. Value type; not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "schemas/protocol.capnp.h"

namespace muster::kinds {

class ResultTable {
 public:
  explicit ResultTable(std::vector<std::string> columns) : columns_(std::move(columns)) {}

  // REQUIRES: cells.size() == columns().size().
  void AddRow(std::vector<std::string> cells);
  const std::vector<std::string>& columns() const { return columns_; }
  const std::vector<std::vector<std::string>>& rows() const { return rows_; }

  void WriteTo(schema::Table::Builder table) const;

 private:
  std::vector<std::string> columns_;
  std::vector<std::vector<std::string>> rows_;
};

// "2026-11-28T13:05:00+00:00", or "" for 0.
std::string TimeCell(int64_t unix_ms);
// "12", "2.5" (shortest exact-enough decimal).
std::string QuantityCell(double quantity);

}  // namespace muster::kinds
