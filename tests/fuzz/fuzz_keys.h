// Fixed keys shared by the fuzz targets and the seed maker, so that the committed seeds (signed
// checkpoint notes, policies) verify against the keys the targets use. Test keys only: never use
// them for anything real.
#pragma once

#include <string_view>

namespace muster::fuzz {

// The checkpoint key the checkpoint_note target trusts.
inline constexpr std::string_view kCheckpointKeyName = "muster.example/audit";
inline constexpr std::string_view kCheckpointKeySeed = "muster fuzz checkpoint test seed";

// A second known key (for notes with several signatures).
inline constexpr std::string_view kWitnessKeyName = "witness.example/w1";
inline constexpr std::string_view kWitnessKeySeed = "muster fuzz witness key test sd!";

// A key the target does not know: its signatures must be ignored.
inline constexpr std::string_view kStrangerKeyName = "stranger.example/log";
inline constexpr std::string_view kStrangerKeySeed = "muster fuzz unknown key test sd!";

static_assert(kCheckpointKeySeed.size() == 32);
static_assert(kWitnessKeySeed.size() == 32);
static_assert(kStrangerKeySeed.size() == 32);

}  // namespace muster::fuzz
