// The broker's audit signing key on disk: `<path>` holds the Ed25519 secret (mode 0600) and
// `<path minus .key>.pub` the verifier key auditors pin ("<name>+<key id>+<base64 key>").
#pragma once

#include <memory>
#include <string>

#include "common/result.h"
#include "security/signing_key.h"

namespace muster::broker {

// The verifier key file that goes with a signing key file: NAME.signing.key -> NAME.signing.pub.
std::string VerifierKeyPathFor(const std::string& signing_key_path);

// Creates the signing key (named `key_name`, e.g. "muster/demo") and its verifier file if the
// secret file does not exist yet.
Status EnsureSigningKey(const std::string& signing_key_path, const std::string& key_name);

// Loads the signing key; NotFound names the file and how to create it.
Result<std::unique_ptr<security::SigningKey>> LoadSigningKey(const std::string& signing_key_path);

}  // namespace muster::broker
