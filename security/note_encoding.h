// Strict standard base64 (RFC 4648 §4) and UTF-8 checks shared by the signed-note code
// (verifier keys, signature lines and checkpoint roots). No OpenSSL: the decoder is strict on
// purpose (padding required, no whitespace, unused bits must be zero) so that every encoded value
// has exactly one accepted spelling.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace muster::security {

std::string EncodeBase64(std::string_view bytes);
std::string EncodeBase64(const uint8_t* data, size_t size);

// Decodes canonical standard base64 with '=' padding. InvalidArgument names the first problem
// (length not a multiple of 4, a character outside the alphabet, misplaced padding, non-zero
// unused bits).
Result<std::string> DecodeBase64(std::string_view text);

// True if `text` is well-formed UTF-8 (no overlong forms, surrogates or code points > U+10FFFF).
bool IsValidUtf8(std::string_view text);

// Decodes the UTF-8 code point starting at text[*pos] and advances *pos past it.
// REQUIRES: *pos < text.size(). Returns false (and leaves *pos unchanged) on a malformed sequence.
bool NextUtf8CodePoint(std::string_view text, size_t* pos, char32_t* code_point);

// True for the code points Unicode classes as white space (Go's unicode.IsSpace): ASCII
// tab/newline/vertical tab/form feed/carriage return/space, U+0085, U+00A0, U+1680, U+2000–U+200A,
// U+2028, U+2029, U+202F, U+205F and U+3000.
bool IsUnicodeSpace(char32_t code_point);

}  // namespace muster::security
