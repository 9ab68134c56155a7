// libFuzzer target: arbitrary text -> policy loader (TOML). Relative key_file paths resolve
// against MUSTER_FUZZ_POLICY_BASE_DIR (tests/fuzz/policy_base, which holds the demo principals'
// public keys), so seeds written like the demo policy load their keys.
//
// Invariants checked beyond "no crash":
//   - errors are InvalidArgument and name the source (policy_loader.h: every error names the
//     file, the line and what to change);
//   - an accepted policy lists at least one principal, and every principal can be found by id
//     and by key and belongs to a defined organisation.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/status.h"
#include "security/policy.h"
#include "security/policy_loader.h"

#ifndef MUSTER_FUZZ_POLICY_BASE_DIR
#error "MUSTER_FUZZ_POLICY_BASE_DIR must name the directory key_file paths resolve against"
#endif

namespace {

constexpr char kSource[] = "fuzz-policy.toml";

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "policy: %s\n", what.c_str());
  std::abort();
}

// key_file reads whatever path it names, in full. Keep the fuzzer away from device and kernel
// files (an endless /dev/zero is a hang, not a parser bug). A path spelled with TOML escapes
// could still get there; libFuzzer is not going to find one.
bool NamesSpecialFiles(std::string_view text) {
  for (std::string_view dir : {"/dev", "/proc", "/sys", "/run"}) {
    if (text.find(dir) != std::string_view::npos) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  if (NamesSpecialFiles(text)) return 0;

  auto policy = muster::security::ParsePolicy(text, kSource, MUSTER_FUZZ_POLICY_BASE_DIR);
  if (!policy.ok()) {
    const muster::Status& s = policy.status();
    if (s.code() != muster::StatusCode::kInvalidArgument ||
        s.message().compare(0, sizeof(kSource) - 1, kSource) != 0) {
      Fail("unexpected error: " + s.ToString());
    }
    return 0;
  }
  const muster::security::Policy& p = **policy;
  if (p.principals().empty()) Fail("accepted a policy without principals");
  for (const auto& principal : p.principals()) {
    if (p.FindPrincipal(principal.id) != &principal) {
      Fail("principal not found by id: " + principal.id);
    }
    if (p.FindPrincipalByKey(principal.public_key) != &principal) {
      Fail("principal not found by key: " + principal.id);
    }
    if (p.OrganisationOf(principal) == nullptr) {
      Fail("principal without organisation: " + principal.id);
    }
  }
  return 0;
}
