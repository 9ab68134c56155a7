// Tests for Ed25519 note keys: the golang.org/x/mod/sumdb/note known-answer key and signature,
// the C2SP key ID rule, sign/verify round trips, key text forms and key files (modes, refusals).
#include "security/signing_key.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <string>

#include "common/files.h"
#include "security/note_encoding.h"
#include "security/sha256.h"

namespace muster::security {
namespace {

// The example key pair and signature of golang.org/x/mod/sumdb/note (its package documentation
// and note_test.go); the same key format C2SP signed-note describes.
constexpr char kPeterSecret[] =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
constexpr char kPeterVerifier[] =
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
constexpr char kPeterText[] =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";
// base64(key ID || signature) of kPeterText.
constexpr char kPeterSignature[] =
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=";
constexpr char kEnochVerifier[] = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/muster-signing-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { std::system(("rm -rf " + path_).c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

mode_t FileMode(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 0777;
}

TEST(SigningKeyTest, GoNoteKnownAnswer) {
  auto key = SigningKey::Parse(kPeterSecret);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ((*key)->name(), "PeterNeumann");
  EXPECT_EQ((*key)->key_id(), 0xc74f20a3u);
  EXPECT_EQ(FormatVerifierKey((*key)->verifier_key()), kPeterVerifier);
  EXPECT_EQ((*key)->FormatSecret(), kPeterSecret);

  auto sig = (*key)->Sign(kPeterText);
  ASSERT_TRUE(sig.ok());
  std::string blob = {'\xc7', '\x4f', '\x20', '\xa3'};
  blob.append(reinterpret_cast<const char*>(sig->data()), sig->size());
  EXPECT_EQ(EncodeBase64(blob), kPeterSignature);  // Ed25519 is deterministic

  auto verifier = ParseVerifierKey(kPeterVerifier);
  ASSERT_TRUE(verifier.ok()) << verifier.status().ToString();
  EXPECT_EQ(*verifier, (*key)->verifier_key());
  std::string raw_sig = DecodeBase64(kPeterSignature)->substr(4);
  EXPECT_TRUE(VerifyEd25519(verifier->public_key, kPeterText, raw_sig).ok());
}

TEST(SigningKeyTest, KeyIdFollowsTheC2spRule) {
  for (const char* text : {kPeterVerifier, kEnochVerifier}) {
    auto key = ParseVerifierKey(text);
    ASSERT_TRUE(key.ok()) << text << ": " << key.status().ToString();
    // key ID = SHA-256(name || 0x0A || 0x01 || public key)[:4], big-endian
    std::string input = key->name + "\n\x01";
    input.append(reinterpret_cast<const char*>(key->public_key.data()), 32);
    Digest h = Sha256(input);
    uint32_t want = (uint32_t{h[0]} << 24) | (uint32_t{h[1]} << 16) | (uint32_t{h[2]} << 8) | h[3];
    EXPECT_EQ(key->key_id, want);
    EXPECT_EQ(NoteKeyId(key->name, key->public_key), want);
    EXPECT_EQ(FormatVerifierKey(*key), text);
  }
  EXPECT_EQ(ParseVerifierKey(kEnochVerifier)->key_id, 0xaf0cfe78u);
  // The same key under another name has another ID.
  auto peter = ParseVerifierKey(kPeterVerifier);
  EXPECT_NE(NoteKeyId("PeterNeumann2", peter->public_key), peter->key_id);
}

TEST(SigningKeyTest, SignVerifyRoundTrip) {
  auto key = SigningKey::Generate("muster.example/audit");
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  std::string message = "muster.example/audit\n42\n";
  auto sig = (*key)->Sign(message);
  ASSERT_TRUE(sig.ok());
  std::string_view sig_bytes(reinterpret_cast<const char*>(sig->data()), sig->size());
  const Ed25519PublicKey& pub = (*key)->public_key();
  EXPECT_TRUE(VerifyEd25519(pub, message, sig_bytes).ok());

  // Tampered message, tampered signature, wrong key, wrong length.
  std::string tampered = message;
  tampered[tampered.size() - 2] = '3';
  EXPECT_EQ(VerifyEd25519(pub, tampered, sig_bytes).code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(VerifyEd25519(pub, message + "x", sig_bytes).code(), StatusCode::kUnauthenticated);
  std::string bad_sig(sig_bytes);
  bad_sig[10] ^= 0x04;
  EXPECT_EQ(VerifyEd25519(pub, message, bad_sig).code(), StatusCode::kUnauthenticated);
  auto other = SigningKey::Generate("muster.example/audit");
  ASSERT_TRUE(other.ok());
  EXPECT_NE((*other)->public_key(), pub);
  EXPECT_EQ(VerifyEd25519((*other)->public_key(), message, sig_bytes).code(),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(VerifyEd25519(pub, message, sig_bytes.substr(0, 63)).code(),
            StatusCode::kInvalidArgument);
  // An empty message signs and verifies too.
  auto empty_sig = (*key)->Sign("");
  ASSERT_TRUE(empty_sig.ok());
  EXPECT_TRUE(
      VerifyEd25519(pub, "", std::string_view(reinterpret_cast<const char*>(empty_sig->data()), 64))
          .ok());
}

TEST(SigningKeyTest, FromSeedIsDeterministic) {
  std::string seed(32, '\x07');
  auto a = SigningKey::FromSeed("a.example/log", seed);
  auto b = SigningKey::FromSeed("a.example/log", seed);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ((*a)->public_key(), (*b)->public_key());
  EXPECT_EQ(*(*a)->Sign("x"), *(*b)->Sign("x"));
  EXPECT_EQ(SigningKey::FromSeed("a.example/log", seed.substr(1)).status().code(),
            StatusCode::kInvalidArgument);
  // The secret text form round-trips.
  auto c = SigningKey::Parse((*a)->FormatSecret());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ((*c)->verifier_key(), (*a)->verifier_key());
}

TEST(SigningKeyTest, KeyNames) {
  EXPECT_TRUE(IsValidNoteKeyName("example.com/log42"));
  EXPECT_TRUE(IsValidNoteKeyName("quasimodo.example/salvatore"));
  EXPECT_TRUE(IsValidNoteKeyName("caf\xc3\xa9"));
  EXPECT_FALSE(IsValidNoteKeyName(""));
  EXPECT_FALSE(IsValidNoteKeyName("a+b"));
  EXPECT_FALSE(IsValidNoteKeyName("a b"));
  EXPECT_FALSE(IsValidNoteKeyName("a\tb"));
  EXPECT_FALSE(
      IsValidNoteKeyName("a\xc2\xa0"
                         "b"));  // U+00A0 no-break space
  EXPECT_FALSE(
      IsValidNoteKeyName("a\xe3\x80\x80"
                         "b"));  // U+3000 ideographic space
  EXPECT_FALSE(IsValidNoteKeyName("a\nb"));
  EXPECT_FALSE(IsValidNoteKeyName("\xff"));
  EXPECT_EQ(SigningKey::Generate("bad name").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SigningKey::Generate("bad+name").status().code(), StatusCode::kInvalidArgument);
}

TEST(SigningKeyTest, RejectsMalformedVerifierKeys) {
  std::string good = kPeterVerifier;
  EXPECT_TRUE(ParseVerifierKey(good).ok());
  // Every proper prefix and every single-character truncation from the end is rejected.
  for (size_t len = 0; len < good.size(); ++len) {
    EXPECT_FALSE(ParseVerifierKey(good.substr(0, len)).ok()) << good.substr(0, len);
  }
  EXPECT_FALSE(ParseVerifierKey(good + "A").ok());
  EXPECT_FALSE(
      ParseVerifierKey("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
          .ok());  // wrong key ID
  EXPECT_FALSE(
      ParseVerifierKey("PeterNeumanx+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
          .ok());  // name does not match the ID
  EXPECT_FALSE(
      ParseVerifierKey("PeterNeumann+c74f20a3+AhpcMQcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
          .ok());  // type 0x02
  EXPECT_FALSE(ParseVerifierKey("PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
                   .ok());  // 7 hex digits
  EXPECT_FALSE(
      ParseVerifierKey("PeterNeumann+c74f20ag+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW").ok());
  EXPECT_FALSE(ParseVerifierKey("+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW").ok());
  auto wrong_id =
      ParseVerifierKey("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
  EXPECT_NE(wrong_id.status().message().find("does not match"), std::string::npos)
      << wrong_id.status().ToString();
}

TEST(SigningKeyTest, RejectsMalformedSecretKeys) {
  EXPECT_FALSE(SigningKey::Parse("").ok());
  EXPECT_FALSE(SigningKey::Parse(kPeterVerifier).ok());  // no PRIVATE+KEY+ prefix
  EXPECT_FALSE(SigningKey::Parse("PRIVATE+KEY+PeterNeumann+c74f20a4+"
                                 "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz")
                   .ok());  // wrong key ID
  auto truncated = SigningKey::Parse("PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1");
  ASSERT_FALSE(truncated.ok());
  // Errors never repeat the secret.
  EXPECT_EQ(truncated.status().message().find("AYEKFALV"), std::string::npos)
      << truncated.status().ToString();
}

TEST(SigningKeyTest, KeyFilesRoundTripWithModes) {
  TempDir dir;
  auto key = SigningKey::Generate("muster.example/audit");
  ASSERT_TRUE(key.ok());
  std::string secret_path = dir.path() + "/audit.note-key";
  std::string public_path = dir.path() + "/audit.note-pub";
  ASSERT_TRUE(WriteSigningKeyFile(secret_path, **key).ok());
  ASSERT_TRUE(WriteVerifierKeyFile(public_path, (*key)->verifier_key()).ok());
  EXPECT_EQ(FileMode(secret_path), 0600u);
  EXPECT_EQ(FileMode(public_path), 0644u);

  auto contents = ReadFile(public_path);
  ASSERT_TRUE(contents.ok());
  EXPECT_NE(contents->find(FormatVerifierKey((*key)->verifier_key()) + "\n"), std::string::npos);
  EXPECT_EQ(contents->rfind("# ", 0), 0u);  // starts with a comment line

  auto loaded = SigningKey::LoadFile(secret_path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ((*loaded)->verifier_key(), (*key)->verifier_key());
  EXPECT_EQ(*(*loaded)->Sign("m"), *(*key)->Sign("m"));
  auto verifier = LoadVerifierKeyFile(public_path);
  ASSERT_TRUE(verifier.ok()) << verifier.status().ToString();
  EXPECT_EQ(*verifier, (*key)->verifier_key());

  // Never overwrite a key by accident.
  EXPECT_EQ(WriteSigningKeyFile(secret_path, **key).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(WriteVerifierKeyFile(public_path, (*key)->verifier_key()).code(),
            StatusCode::kAlreadyExists);
  EXPECT_TRUE(WriteSigningKeyFile(secret_path, **key, /*overwrite=*/true).ok());
  EXPECT_EQ(FileMode(secret_path), 0600u);
}

TEST(SigningKeyTest, RefusesSecretFileReadableByOthers) {
  TempDir dir;
  auto key = SigningKey::Parse(kPeterSecret);
  ASSERT_TRUE(key.ok());
  std::string path = dir.path() + "/open.note-key";
  ASSERT_TRUE(WriteSigningKeyFile(path, **key).ok());
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  auto loaded = SigningKey::LoadFile(path);
  EXPECT_EQ(loaded.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(loaded.status().message().find("chmod 600"), std::string::npos);
  ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  EXPECT_TRUE(SigningKey::LoadFile(path).ok());
}

TEST(SigningKeyTest, KeyFileErrors) {
  TempDir dir;
  EXPECT_EQ(SigningKey::LoadFile(dir.path() + "/none").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(LoadVerifierKeyFile(dir.path() + "/none").status().code(), StatusCode::kNotFound);
  std::string bad = dir.path() + "/bad";
  ASSERT_TRUE(WriteFileAtomic(bad, "# only a comment\n\n", 0600).ok());
  EXPECT_EQ(SigningKey::LoadFile(bad).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(LoadVerifierKeyFile(bad).status().code(), StatusCode::kInvalidArgument);
  // A hand-written file with comments, blank lines and CRLF is accepted.
  std::string hand = dir.path() + "/hand";
  ASSERT_TRUE(
      WriteFileAtomic(hand, std::string("# pinned key\r\n\r\n  ") + kPeterVerifier + "\r\n").ok());
  auto v = LoadVerifierKeyFile(hand);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->name, "PeterNeumann");
}

}  // namespace
}  // namespace muster::security
