// Printing a result Table from the broker: aligned columns for people, or one JSON object per
// row (keys = column names) with --json.
#pragma once

#include <string>

#include "schemas/protocol.capnp.h"

namespace muster::cli {

void PrintTable(schema::Table::Reader table, bool json);

}  // namespace muster::cli
