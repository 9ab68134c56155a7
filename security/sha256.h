// SHA-256 through OpenSSL EVP, and hex encoding of digests.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace muster::security {

using Digest = std::array<uint8_t, 32>;

Digest Sha256(std::string_view data);
// SHA-256 of the concatenation of two byte strings (no copy).
Digest Sha256(std::string_view a, std::string_view b);

std::string ToHex(const uint8_t* data, size_t size);
inline std::string ToHex(const Digest& d) { return ToHex(d.data(), d.size()); }

}  // namespace muster::security
