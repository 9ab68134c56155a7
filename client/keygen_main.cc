// muster-keygen NAME: writes a CURVE keypair, NAME.key (secret, mode 0600) and NAME.pub (Z85).
// muster-keygen --signing NAME: writes an Ed25519 audit signing key, NAME.signing.key (secret,
// mode 0600) and NAME.signing.pub (the verifier key auditors pin).
// Exit codes: 0 ok, 1 failure, 2 usage.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "common/files.h"
#include "security/curve_keys.h"
#include "security/signing_key.h"

namespace {

int Fail(const muster::Status& s) {
  std::fprintf(stderr, "error: %s\n", s.message().c_str());
  return 1;
}

int Signing(const std::string& dir, const std::string& name, std::string key_name, bool force) {
  if (key_name.empty()) key_name = "muster/" + name;
  auto key = muster::security::SigningKey::Generate(key_name);
  if (!key.ok()) return Fail(key.status());
  std::string secret = muster::JoinPath(dir, name + ".signing.key");
  std::string pub = muster::JoinPath(dir, name + ".signing.pub");
  if (muster::Status s = muster::MakeDirs(dir); !s.ok()) return Fail(s);
  if (muster::Status s = muster::security::WriteSigningKeyFile(secret, **key, force); !s.ok()) return Fail(s);
  if (muster::Status s = muster::security::WriteVerifierKeyFile(pub, (*key)->verifier_key(), force); !s.ok()) {
    return Fail(s);
  }
  std::printf("wrote %s (secret, mode 0600) and %s\nverifier key: %s\n", secret.c_str(), pub.c_str(),
              muster::security::FormatVerifierKey((*key)->verifier_key()).c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"muster-keygen: create a CURVE keypair for a principal or the broker, or an audit signing key"};
  std::string name, dir = ".", key_name;
  bool force = false, signing = false;
  app.add_option("NAME", name, "key name; writes NAME.key and NAME.pub (or NAME.signing.key/.pub)")->required();
  app.add_option("--dir", dir, "directory to write into (default: current)");
  app.add_flag("--signing", signing, "an Ed25519 key that signs audit checkpoints (for the broker)");
  app.add_option("--key-name", key_name, "with --signing: the name in signatures (default muster/NAME)");
  app.add_flag("--force", force, "replace existing key files");
  app.footer("Examples:\n  muster-keygen vol-7 --dir /etc/muster/keys\n"
             "  muster-keygen --signing broker --key-name muster/city --dir /etc/muster/keys");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (signing) return Signing(dir, name, key_name, force);
  auto pair = muster::security::GenerateCurveKeyPair();
  if (!pair.ok()) return Fail(pair.status());
  if (muster::Status s = muster::security::WriteCurveKeyFiles(dir, name, *pair, force); !s.ok()) return Fail(s);
  std::printf("wrote %s/%s.key (secret, mode 0600) and %s/%s.pub\npublic key: %s\n", dir.c_str(), name.c_str(),
              dir.c_str(), name.c_str(), pair->public_z85.c_str());
  return 0;
}
