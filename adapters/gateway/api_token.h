// API tokens: how an agency system proves which agency it is. A token is a random string given
// to the agency once; the gateway keeps only its SHA-256 (hex) in its configuration and compares
// the hash of each presented token with every configured hash in constant time.
// Thread-safe (TokenTable is immutable after construction). No exceptions escape.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace muster::gateway {

// The SHA-256 of `token` as 64 lowercase hex digits: what goes into token_sha256.
std::string TokenSha256(std::string_view token);

// A fresh token: "mgw_" and 43 base64url characters (32 bytes from the kernel's random source).
// Unavailable if no randomness could be read.
Result<std::string> NewApiToken();

// The token carried by an "Authorization: Bearer <token>" header value, or empty if the value
// is not of that form (the scheme is case-insensitive; surrounding spaces are ignored).
std::string BearerToken(std::string_view authorization);

// Maps token hashes to agency indexes.
class TokenTable {
 public:
  // `hashes[i]` is the token_sha256 of agency i.
  explicit TokenTable(std::vector<std::string> hashes) : hashes_(std::move(hashes)) {}

  // The index of the agency whose token this is, or -1. Hashes the token and compares with every
  // entry without stopping early, so timing does not tell how much of a hash matched.
  int Find(std::string_view token) const;

 private:
  std::vector<std::string> hashes_;
};

}  // namespace muster::gateway
