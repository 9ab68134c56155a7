// Test support: signs CAP documents with an enveloped XML-DSig signature (RSA-SHA256, exclusive
// C14N, SHA-256 digest, the public key as a KeyValue) made by xmlsec with an RSA key generated
// once per process. Lets the tests build genuine signed alerts without shipping a private key.
// Thread-safe. Linked into tests only.
#pragma once

#include <string>
#include <string_view>

namespace muster::cap::internal {

// Returns `xml` with a <Signature> appended as the last child of its root element, serialised
// by libxml2 (an XML declaration first). The signature is laid out on several lines (xmlsec's
// template) unless `compact_signature`. Aborts the test binary if signing fails.
std::string SignForTest(std::string_view xml, bool compact_signature = false);

}  // namespace muster::cap::internal
