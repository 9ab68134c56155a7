// API token hashing, generation and lookup.
#include "adapters/gateway/api_token.h"

#include <sys/random.h>

#include <cerrno>
#include <cstring>

#include "security/sha256.h"

namespace muster::gateway {
namespace {

bool EqualConstantTime(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace

std::string TokenSha256(std::string_view token) { return security::ToHex(security::Sha256(token)); }

Result<std::string> NewApiToken() {
  unsigned char bytes[32];
  size_t got = 0;
  while (got < sizeof(bytes)) {
    ssize_t n = ::getrandom(bytes + got, sizeof(bytes) - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::Unavailable(std::string("no randomness for a token: ") + std::strerror(errno));
    }
    got += static_cast<size_t>(n);
  }
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out = "mgw_";
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char b : bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 6) {
      out += kAlphabet[(buffer >> (bits - 6)) & 0x3f];
      bits -= 6;
    }
  }
  if (bits > 0) out += kAlphabet[(buffer << (6 - bits)) & 0x3f];
  std::memset(bytes, 0, sizeof(bytes));
  return out;
}

std::string BearerToken(std::string_view value) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  constexpr std::string_view kScheme = "bearer";
  if (value.size() <= kScheme.size() + 1) return "";
  for (size_t i = 0; i < kScheme.size(); ++i) {
    char c = value[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kScheme[i]) return "";
  }
  if (value[kScheme.size()] != ' ') return "";
  std::string_view token = value.substr(kScheme.size() + 1);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  if (token.find_first_of(" \t") != std::string_view::npos) return "";
  return std::string(token);
}

int TokenTable::Find(std::string_view token) const {
  if (token.empty()) return -1;
  const std::string hash = TokenSha256(token);
  int found = -1;
  for (size_t i = 0; i < hashes_.size(); ++i) {
    if (EqualConstantTime(hash, hashes_[i]) && found < 0) found = static_cast<int>(i);
  }
  return found;
}

}  // namespace muster::gateway
