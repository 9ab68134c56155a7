// Workflow query tables.
#include "broker/kinds/result_table.h"

#include <cstdio>

#include "common/check.h"
#include "common/time_text.h"

namespace muster::kinds {

void ResultTable::AddRow(std::vector<std::string> cells) {
  MUSTER_CHECK(cells.size() == columns_.size());
  rows_.push_back(std::move(cells));
}

void ResultTable::WriteTo(schema::Table::Builder table) const {
  auto columns = table.initColumns(static_cast<unsigned>(columns_.size()));
  for (size_t c = 0; c < columns_.size(); ++c) columns.set(static_cast<unsigned>(c), columns_[c]);
  auto rows = table.initRows(static_cast<unsigned>(rows_.size()));
  for (size_t r = 0; r < rows_.size(); ++r) {
    auto cells = rows[static_cast<unsigned>(r)].initCells(static_cast<unsigned>(rows_[r].size()));
    for (size_t c = 0; c < rows_[r].size(); ++c) cells.set(static_cast<unsigned>(c), rows_[r][c]);
  }
}

std::string TimeCell(int64_t unix_ms) {
  return unix_ms == 0 ? std::string() : FormatInstant(unix_ms, 0);
}

std::string QuantityCell(double quantity) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.10g", quantity);
  return buf;
}

}  // namespace muster::kinds
