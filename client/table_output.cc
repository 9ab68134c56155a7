// Table printing.
#include "client/table_output.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <vector>

namespace muster::cli {

void PrintTable(schema::Table::Reader table, bool json) {
  std::vector<std::string> columns;
  for (auto c : table.getColumns()) columns.emplace_back(c.cStr());
  if (json) {
    for (auto row : table.getRows()) {
      nlohmann::ordered_json j;
      auto cells = row.getCells();
      for (size_t i = 0; i < columns.size() && i < cells.size(); ++i) j[columns[i]] = cells[static_cast<unsigned>(i)].cStr();
      std::printf("%s\n", j.dump().c_str());
    }
    return;
  }
  std::vector<size_t> width(columns.size());
  for (size_t i = 0; i < columns.size(); ++i) width[i] = columns[i].size();
  for (auto row : table.getRows()) {
    auto cells = row.getCells();
    for (size_t i = 0; i < columns.size() && i < cells.size(); ++i) {
      width[i] = std::max(width[i], static_cast<size_t>(cells[static_cast<unsigned>(i)].size()));
    }
  }
  auto print_row = [&](const std::vector<std::string>& cells) {
    std::string line;
    for (size_t i = 0; i < columns.size(); ++i) {
      std::string cell = i < cells.size() ? cells[i] : "";
      line += cell;
      if (i + 1 < columns.size()) line += std::string(width[i] - cell.size() + 2, ' ');
    }
    std::printf("%s\n", line.c_str());
  };
  std::vector<std::string> header;
  for (auto c : columns) {
    for (auto& ch : c) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    header.push_back(c);
  }
  print_row(header);
  for (auto row : table.getRows()) {
    std::vector<std::string> cells;
    for (auto c : row.getCells()) cells.emplace_back(c.cStr());
    print_row(cells);
  }
  if (table.getRows().size() == 0) std::printf("(none)\n");
}

}  // namespace muster::cli
