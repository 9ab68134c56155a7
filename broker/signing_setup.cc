// Audit signing key files.
#include "broker/signing_setup.h"

#include "common/files.h"

namespace muster::broker {

std::string VerifierKeyPathFor(const std::string& path) {
  const std::string suffix = ".key";
  if (path.size() > suffix.size() && path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0) {
    return path.substr(0, path.size() - suffix.size()) + ".pub";
  }
  return path + ".pub";
}

Status EnsureSigningKey(const std::string& path, const std::string& key_name) {
  if (PathExists(path)) return Status::Ok();
  auto key = security::SigningKey::Generate(key_name);
  if (!key.ok()) return key.status();
  MUSTER_RETURN_IF_ERROR(MakeDirs(DirName(path), 0755));
  MUSTER_RETURN_IF_ERROR(security::WriteSigningKeyFile(path, **key));
  return security::WriteVerifierKeyFile(VerifierKeyPathFor(path), (*key)->verifier_key(), /*overwrite=*/true);
}

Result<std::unique_ptr<security::SigningKey>> LoadSigningKey(const std::string& path) {
  auto key = security::SigningKey::LoadFile(path);
  if (!key.ok() && key.status().code() == StatusCode::kNotFound) {
    return Status::NotFound("audit signing key " + path +
                            " does not exist; create it with: muster-keygen --signing muster/<broker-name> --dir " +
                            DirName(path));
  }
  return key;
}

}  // namespace muster::broker
