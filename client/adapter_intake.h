// What the adapters' send and run (muster-cap, muster-edxl) read from their flags besides the
// documents: the labels of a new message and the outbox directory. Pure functions.
#pragma once

#include <string>

#include "client/cli_common.h"
#include "common/result.h"
#include "schemas/envelope.capnp.h"

namespace muster::cli {

// --status, --classification, --precedence. InvalidArgument naming the flag and its values.
Result<schema::MessageStatus> StatusFlag(const std::string& value);
Result<schema::Classification> ClassificationFlag(const std::string& value);
Result<schema::Precedence> PrecedenceFlag(const std::string& value);

// --outbox when given; else beside the key (--key, else MUSTER_KEY): keys/msd.key ->
// keys/msd.outbox; else ~/.muster/outbox.
std::string AdapterOutboxDir(const std::string& outbox_flag, const GlobalFlags& global);

}  // namespace muster::cli
