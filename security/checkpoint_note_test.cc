// Tests for signed notes and checkpoints: the strict base64 codec, the Go sumdb/note known-answer
// note, the C2SP spec examples, checkpoint round trips, tampering, foreign and unknown keys, and
// malformed notes (each rejected with a specific error).
#include "security/checkpoint_note.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "security/merkle.h"
#include "security/note_encoding.h"

namespace muster::security {
namespace {

constexpr char kPeterSecret[] =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
constexpr char kPeterVerifier[] =
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
constexpr char kPeterNote[] =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
    "\n"
    "\xE2\x80\x94 PeterNeumann "
    "x08go/ZJkuBS9UG/"
    "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
constexpr char kEmDash[] = "\xE2\x80\x94 ";
constexpr char kOrigin[] = "muster.example/audit";

std::unique_ptr<SigningKey> NewKey(const std::string& name = kOrigin) {
  auto key = SigningKey::Generate(name);
  EXPECT_TRUE(key.ok()) << key.status().ToString();
  return std::move(key).value();
}

Digest SomeRoot() { return LeafHash("some root"); }

// Replaces the first occurrence of `from` in `s` (which must exist).
std::string Replace(std::string s, const std::string& from, const std::string& to) {
  size_t pos = s.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  if (pos != std::string::npos) s.replace(pos, from.size(), to);
  return s;
}

// The signature line of a note signed by `key` over `text`.
std::string SignatureLine(const std::string& text, const SigningKey& key) {
  auto note = SignNote(text, key);
  EXPECT_TRUE(note.ok());
  return note->substr(text.size() + 1);
}

void ExpectInvalid(const Result<Checkpoint>& r, const std::string& fragment) {
  ASSERT_FALSE(r.ok()) << "accepted; expected an error containing '" << fragment << "'";
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
  EXPECT_NE(r.status().message().find(fragment), std::string::npos) << r.status().ToString();
}

// ---- base64 and UTF-8 ----

TEST(NoteEncodingTest, Base64KnownAnswers) {
  // RFC 4648 §10.
  const std::pair<const char*, const char*> cases[] = {{"", ""},
                                                       {"f", "Zg=="},
                                                       {"fo", "Zm8="},
                                                       {"foo", "Zm9v"},
                                                       {"foob", "Zm9vYg=="},
                                                       {"fooba", "Zm9vYmE="},
                                                       {"foobar", "Zm9vYmFy"}};
  for (auto [plain, encoded] : cases) {
    EXPECT_EQ(EncodeBase64(plain), encoded);
    auto decoded = DecodeBase64(encoded);
    ASSERT_TRUE(decoded.ok()) << encoded;
    EXPECT_EQ(*decoded, plain);
  }
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  EXPECT_EQ(*DecodeBase64(EncodeBase64(all)), all);
}

TEST(NoteEncodingTest, Base64IsStrict) {
  for (const char* bad : {"Zg", "Zg=", "Zh==", "Zm9=", "Zm9v\n", " Zm9v",
                          "Zm9v=", "====", "Z===", "Zm=v", "Zg==Zg==", "-_8=", "Zm9v Zm9v"}) {
    auto r = DecodeBase64(bad);
    EXPECT_FALSE(r.ok()) << "accepted '" << bad << "'";
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  }
  EXPECT_NE(DecodeBase64("Zh==").status().message().find("non-canonical"), std::string::npos);
}

TEST(NoteEncodingTest, Utf8) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("ed \xc3\xa8 subito sera \xE2\x80\x94 \xF0\x9F\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // > U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xe2\x80"));          // truncated
  EXPECT_FALSE(IsValidUtf8("\x80"));
}

// ---- signed notes ----

TEST(SignedNoteTest, GoNoteKnownAnswer) {
  auto key = SigningKey::Parse(kPeterSecret);
  ASSERT_TRUE(key.ok());
  std::string text =
      "If you think cryptography is the answer to your problem,\n"
      "then you don't know what your problem is.\n";
  auto note = SignNote(text, **key);
  ASSERT_TRUE(note.ok());
  EXPECT_EQ(*note, kPeterNote);

  auto verifier = ParseVerifierKey(kPeterVerifier);
  ASSERT_TRUE(verifier.ok());
  auto opened = OpenNote(kPeterNote, {&*verifier, 1});
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(*opened, text);
}

TEST(SignedNoteTest, C2spSpecExampleParses) {
  // The example of c2sp.org/signed-note: its text contains a blank line, so the signatures start
  // after the *last* blank line. The spec does not publish the key, so no known key signed it.
  const std::string note =
      "Ognuno sta solo sul cuor della terra\n"
      "trafitto da un raggio di sole:\n"
      "\n"
      "ed \xC3\xA8 subito sera.\n"
      "\n"
      "\xE2\x80\x94 quasimodo.example/salvatore "
      "NnugSzTjtVAewIS+Z/iJhUPeFDkO/"
      "5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n";
  auto parsed = ParseSignedNote(note);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->text,
            "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\n"
            "ed \xC3\xA8 subito sera.\n");
  ASSERT_EQ(parsed->signatures.size(), 1u);
  EXPECT_EQ(parsed->signatures[0].key_name, "quasimodo.example/salvatore");
  EXPECT_EQ(parsed->signatures[0].key_id, 0x367ba04bu);
  EXPECT_EQ(parsed->signatures[0].signature.size(), 64u);

  auto peter = ParseVerifierKey(kPeterVerifier);
  auto opened = OpenNote(note, {&*peter, 1});
  EXPECT_EQ(opened.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(opened.status().message().find("no signature by a known key"), std::string::npos);
}

TEST(SignedNoteTest, C2spCheckpointSpecExampleParses) {
  const std::string note =
      "example.com/behind-the-sofa\n"
      "20852163\n"
      "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
      "\n"
      "\xE2\x80\x94 example.com/behind-the-sofa "
      "Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/"
      "Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n";
  auto parsed = ParseSignedNote(note);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->signatures.size(), 1u);
  EXPECT_EQ(parsed->signatures[0].key_id, 0x033de0aeu);
  auto body = ParseCheckpointBody(parsed->text);
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  EXPECT_EQ(body->origin, "example.com/behind-the-sofa");
  EXPECT_EQ(body->size, 20852163u);
  EXPECT_EQ(EncodeBase64(body->root.data(), 32), "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=");
  EXPECT_TRUE(body->extensions.empty());
}

TEST(SignedNoteTest, SignNoteRejectsBadText) {
  auto key = NewKey();
  EXPECT_EQ(SignNote("no newline", *key).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SignNote("", *key).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SignNote("tab\there\n", *key).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SignNote("bad \xff utf8\n", *key).status().code(), StatusCode::kInvalidArgument);
}

// ---- checkpoints ----

// The 8-leaf RFC 6962 reference tree's root (see merkle_test.cc).
Digest ReferenceRootOf8() {
  std::vector<Digest> leaves;
  for (const char* hex : {"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                          "606162636465666768696a6b6c6d6e6f"}) {
    std::string bytes;
    for (const char* p = hex; *p; p += 2) {
      bytes.push_back(static_cast<char>(std::stoi(std::string(p, 2), nullptr, 16)));
    }
    leaves.push_back(LeafHash(bytes));
  }
  return ComputeRoot(leaves);
}

TEST(CheckpointTest, FormatsTheC2spBody) {
  Digest root = ReferenceRootOf8();
  EXPECT_EQ(FormatCheckpointBody("example.com/log42", 8, root),
            "example.com/log42\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n");
  EXPECT_EQ(FormatCheckpointBody("o", 0, EmptyRoot()),
            "o\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n");
  EXPECT_TRUE(IsValidCheckpointOrigin("example.com/log42"));
  EXPECT_FALSE(IsValidCheckpointOrigin(""));
  EXPECT_FALSE(IsValidCheckpointOrigin("two\nlines"));
}

TEST(CheckpointTest, RoundTrip) {
  auto key = NewKey();
  std::string body = FormatCheckpointBody(kOrigin, 123456789, SomeRoot());
  auto note = SignCheckpoint(body, *key);
  ASSERT_TRUE(note.ok()) << note.status().ToString();
  // body, blank line, one "— name base64(id || sig)" line.
  EXPECT_EQ(note->substr(0, body.size() + 1), body + "\n");
  EXPECT_EQ(note->substr(body.size() + 1, 4 + sizeof(kOrigin)),
            std::string(kEmDash) + kOrigin + " ");
  EXPECT_EQ(note->back(), '\n');

  auto cp = ParseAndVerifyCheckpoint(*note, key->verifier_key());
  ASSERT_TRUE(cp.ok()) << cp.status().ToString();
  EXPECT_EQ(cp->origin, kOrigin);
  EXPECT_EQ(cp->size, 123456789u);
  EXPECT_EQ(cp->root, SomeRoot());
  EXPECT_TRUE(cp->extensions.empty());

  // Size 0 (empty log) and the largest size.
  for (uint64_t size : {uint64_t{0}, ~uint64_t{0}}) {
    auto n = SignCheckpoint(FormatCheckpointBody(kOrigin, size, EmptyRoot()), *key);
    ASSERT_TRUE(n.ok());
    auto c = ParseAndVerifyCheckpoint(*n, key->verifier_key());
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_EQ(c->size, size);
  }
}

TEST(CheckpointTest, ExtensionLinesAreSignedAndReturned) {
  auto key = NewKey();
  std::string body = FormatCheckpointBody(kOrigin, 7, SomeRoot()) + "ext one\next two\n";
  auto note = SignCheckpoint(body, *key);
  ASSERT_TRUE(note.ok());
  auto cp = ParseAndVerifyCheckpoint(*note, key->verifier_key());
  ASSERT_TRUE(cp.ok()) << cp.status().ToString();
  EXPECT_EQ(cp->extensions, (std::vector<std::string>{"ext one", "ext two"}));
  // Dropping an extension line breaks the signature.
  auto dropped = ParseAndVerifyCheckpoint(Replace(*note, "ext two\n", ""), key->verifier_key());
  EXPECT_EQ(dropped.status().code(), StatusCode::kUnauthenticated);
}

TEST(CheckpointTest, TamperedSizeRootOrOriginFails) {
  auto key = NewKey();
  Digest root = SomeRoot();
  std::string root_b64 = EncodeBase64(root.data(), root.size());
  auto note = SignCheckpoint(FormatCheckpointBody(kOrigin, 1000, root), *key);
  ASSERT_TRUE(note.ok());
  Digest other_root = root;
  other_root[31] ^= 1;
  const std::string tampered[] = {
      Replace(*note, "\n1000\n", "\n1001\n"),
      Replace(*note, "\n1000\n", "\n999\n"),
      Replace(*note, root_b64, EncodeBase64(other_root.data(), other_root.size())),
      Replace(*note, "muster.example/audit\n", "muster.example/audi7\n"),
      Replace(*note, "muster.example/audit\n", "other.example/audit\n"),
  };
  for (const std::string& t : tampered) {
    auto cp = ParseAndVerifyCheckpoint(t, key->verifier_key());
    ASSERT_FALSE(cp.ok()) << t;
    EXPECT_EQ(cp.status().code(), StatusCode::kUnauthenticated) << cp.status().ToString();
    EXPECT_NE(cp.status().message().find("is invalid"), std::string::npos)
        << cp.status().ToString();
  }
  // A flipped bit in the signature itself.
  std::string line = note->substr(note->rfind(' ') + 1);
  std::string flipped_line = line;
  flipped_line[20] = flipped_line[20] == 'A' ? 'B' : 'A';
  auto cp = ParseAndVerifyCheckpoint(Replace(*note, line, flipped_line), key->verifier_key());
  EXPECT_EQ(cp.status().code(), StatusCode::kUnauthenticated) << cp.status().ToString();
}

TEST(CheckpointTest, SignatureByAnotherKeyFails) {
  auto log_key = NewKey();
  auto impostor = NewKey();  // same name, different key: a different key ID
  ASSERT_NE(impostor->key_id(), log_key->key_id());
  auto forged = SignCheckpoint(FormatCheckpointBody(kOrigin, 5, SomeRoot()), *impostor);
  ASSERT_TRUE(forged.ok());
  auto cp = ParseAndVerifyCheckpoint(*forged, log_key->verifier_key());
  EXPECT_EQ(cp.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(cp.status().message().find("no signature by a known key"), std::string::npos);

  // An impostor that copies the real key ID into its line is caught by the signature check.
  std::string body = FormatCheckpointBody(kOrigin, 5, SomeRoot());
  auto sig = impostor->Sign(body);
  ASSERT_TRUE(sig.ok());
  uint32_t id = log_key->key_id();
  std::string blob = {static_cast<char>(id >> 24), static_cast<char>(id >> 16),
                      static_cast<char>(id >> 8), static_cast<char>(id)};
  blob.append(reinterpret_cast<const char*>(sig->data()), 64);
  std::string spoofed = body + "\n" + kEmDash + kOrigin + " " + EncodeBase64(blob) + "\n";
  cp = ParseAndVerifyCheckpoint(spoofed, log_key->verifier_key());
  EXPECT_EQ(cp.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(cp.status().message().find("is invalid"), std::string::npos);
}

TEST(CheckpointTest, UnknownKeySignaturesAreIgnoredButNotEnough) {
  auto log_key = NewKey();
  auto witness1 = NewKey("witness.example/one");
  auto witness2 = NewKey("witness.example/two");
  std::string body = FormatCheckpointBody(kOrigin, 77, SomeRoot());
  // Only unknown keys: rejected.
  std::string only_unknown =
      body + "\n" + SignatureLine(body, *witness1) + SignatureLine(body, *witness2);
  auto cp = ParseAndVerifyCheckpoint(only_unknown, log_key->verifier_key());
  EXPECT_EQ(cp.status().code(), StatusCode::kUnauthenticated);
  // Unknown lines before and after a valid known one: accepted.
  std::string mixed = body + "\n" + SignatureLine(body, *witness1) + SignatureLine(body, *log_key) +
                      SignatureLine(body, *witness2);
  cp = ParseAndVerifyCheckpoint(mixed, log_key->verifier_key());
  ASSERT_TRUE(cp.ok()) << cp.status().ToString();
  EXPECT_EQ(cp->size, 77u);
  // An unknown line with a garbage (but well-formed) signature is still ignored.
  std::string garbage = body + "\n" + kEmDash + "stranger.example " +
                        EncodeBase64(std::string(68, 'x')) + "\n" + SignatureLine(body, *log_key);
  EXPECT_TRUE(ParseAndVerifyCheckpoint(garbage, log_key->verifier_key()).ok());
  // Several known keys (key rotation, witnesses): any one verifying is enough, all must be valid.
  std::vector<VerifierKey> known = {witness1->verifier_key(), log_key->verifier_key()};
  EXPECT_TRUE(ParseAndVerifyCheckpoint(mixed, known).ok());
  std::string bad_witness =
      body + "\n" + SignatureLine(body + "x\n", *witness1) + SignatureLine(body, *log_key);
  EXPECT_EQ(ParseAndVerifyCheckpoint(bad_witness, known).status().code(),
            StatusCode::kUnauthenticated);
}

TEST(CheckpointTest, SignedByTwoKeysVerifiesUnderEitherAlone) {
  // A signing-key rotation: the new key signs, the old one co-signs, in that order.
  auto next = NewKey();
  auto previous = NewKey();
  const SigningKey* both[] = {next.get(), previous.get()};
  std::string body = FormatCheckpointBody(kOrigin, 12, SomeRoot());
  auto note = SignCheckpoint(body, both);
  ASSERT_TRUE(note.ok()) << note.status().ToString();
  EXPECT_EQ(*note, body + "\n" + SignatureLine(body, *next) + SignatureLine(body, *previous));
  EXPECT_TRUE(ParseAndVerifyCheckpoint(*note, next->verifier_key()).ok());
  EXPECT_TRUE(ParseAndVerifyCheckpoint(*note, previous->verifier_key()).ok());
  std::vector<VerifierKey> known = {next->verifier_key(), previous->verifier_key()};
  EXPECT_TRUE(ParseAndVerifyCheckpoint(*note, known).ok());
  EXPECT_FALSE(SignCheckpoint(body, std::span<const SigningKey* const>()).ok()) << "no key";
}

TEST(CheckpointTest, AcceptsSixteenSignaturesRejectsMoreThanAHundred) {
  auto log_key = NewKey();
  std::string body = FormatCheckpointBody(kOrigin, 3, SomeRoot());
  std::string unknown_line = SignatureLine(body, *NewKey("witness.example/w"));
  std::string note = body + "\n";
  for (int i = 0; i < 15; ++i) note += unknown_line;
  note += SignatureLine(body, *log_key);
  EXPECT_TRUE(ParseAndVerifyCheckpoint(note, log_key->verifier_key()).ok());
  for (int i = 16; i < 100; ++i) note += unknown_line;
  EXPECT_TRUE(ParseAndVerifyCheckpoint(note, log_key->verifier_key()).ok());  // exactly 100
  note += unknown_line;
  ExpectInvalid(ParseAndVerifyCheckpoint(note, log_key->verifier_key()),
                "more than 100 signature lines");
}

TEST(CheckpointTest, DuplicateSignatureByTheKnownKeyIsMalformed) {
  auto key = NewKey();
  std::string body = FormatCheckpointBody(kOrigin, 3, SomeRoot());
  std::string line = SignatureLine(body, *key);
  ExpectInvalid(ParseAndVerifyCheckpoint(body + "\n" + line + line, key->verifier_key()),
                "two signatures");
}

TEST(CheckpointTest, MalformedNotesFailWithSpecificErrors) {
  auto key = NewKey();
  VerifierKey v = key->verifier_key();
  std::string body = FormatCheckpointBody(kOrigin, 42, SomeRoot());
  std::string good = *SignCheckpoint(body, *key);
  std::string line = SignatureLine(body, *key);  // "— name base64\n"
  ASSERT_TRUE(ParseAndVerifyCheckpoint(good, v).ok());

  ExpectInvalid(ParseAndVerifyCheckpoint(body + line, v), "no blank line");
  ExpectInvalid(ParseAndVerifyCheckpoint(good.substr(0, good.size() - 1), v),
                "does not end with a newline");
  ExpectInvalid(ParseAndVerifyCheckpoint(body + "\n", v), "no signature lines");
  ExpectInvalid(ParseAndVerifyCheckpoint("", v), "does not end with a newline");
  ExpectInvalid(ParseAndVerifyCheckpoint(body + "\n" + Replace(line, kEmDash, "-- "), v),
                "em dash");
  ExpectInvalid(ParseAndVerifyCheckpoint(body + "\n" + Replace(line, kEmDash, "\xE2\x80\x94"), v),
                "em dash");
  ExpectInvalid(ParseAndVerifyCheckpoint(body + "\n" + std::string(kEmDash) + kOrigin + "\n", v),
                "no space");
  ExpectInvalid(
      ParseAndVerifyCheckpoint(
          body + "\n" + Replace(line, std::string(kOrigin) + " ", std::string(kOrigin) + "+x "), v),
      "invalid key name");
  // Bad base64 in the signature: a character outside the alphabet, and a missing '='.
  std::string sig_b64 = line.substr(line.rfind(' ') + 1, line.size() - line.rfind(' ') - 2);
  ExpectInvalid(
      ParseAndVerifyCheckpoint(body + "\n" + Replace(line, sig_b64, "!" + sig_b64.substr(1)), v),
      "invalid base64 character");
  ExpectInvalid(
      ParseAndVerifyCheckpoint(body + "\n" + Replace(line, sig_b64, sig_b64.substr(0, 87)), v),
      "not a multiple of 4");
  ExpectInvalid(ParseAndVerifyCheckpoint(body + "\n" + Replace(line, sig_b64, "AAAA"), v),
                "too short");
  // Control characters and invalid UTF-8 anywhere.
  ExpectInvalid(ParseAndVerifyCheckpoint(Replace(good, "muster", "mus\rter"), v),
                "control character");
  ExpectInvalid(ParseAndVerifyCheckpoint(Replace(good, "muster", "mus\xfftter"), v),
                "not valid UTF-8");
}

TEST(CheckpointTest, MalformedBodiesFailWithSpecificErrors) {
  auto key = NewKey();
  VerifierKey v = key->verifier_key();
  std::string root_b64 = EncodeBase64(SomeRoot().data(), 32);
  // Signed properly, so that only the body is at fault.
  auto check = [&](const std::string& body, const std::string& fragment) {
    auto note = SignNote(body, *key);
    ASSERT_TRUE(note.ok()) << note.status().ToString();
    ExpectInvalid(ParseAndVerifyCheckpoint(*note, v), fragment);
    ExpectInvalid(ParseCheckpointBody(body), fragment);
    auto refused = SignCheckpoint(body, *key);
    EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(refused.status().message().find("refusing to sign"), std::string::npos);
  };
  check(std::string(kOrigin) + "\nforty-two\n" + root_b64 + "\n", "is not a decimal number");
  check(std::string(kOrigin) + "\n-1\n" + root_b64 + "\n", "is not a decimal number");
  check(std::string(kOrigin) + "\n+1\n" + root_b64 + "\n", "is not a decimal number");
  check(std::string(kOrigin) + "\n0x10\n" + root_b64 + "\n", "is not a decimal number");
  check(std::string(kOrigin) + "\n 42\n" + root_b64 + "\n", "is not a decimal number");
  check(std::string(kOrigin) + "\n042\n" + root_b64 + "\n", "leading zero");
  check(std::string(kOrigin) + "\n18446744073709551616\n" + root_b64 + "\n", "64 bits");
  check(std::string(kOrigin) + "\n42\n" + EncodeBase64(std::string(31, 'r')) + "\n",
        "31 bytes, expected 32");
  check(std::string(kOrigin) + "\n42\n" + EncodeBase64(std::string(33, 'r')) + "\n",
        "33 bytes, expected 32");
  check(std::string(kOrigin) + "\n42\n" + root_b64.substr(0, 43) + "\n", "checkpoint root hash");
  check(std::string(kOrigin) + "\n42\n", "needs origin, tree size and root hash");
  check(std::string(kOrigin) + "\n42\n" + root_b64 + "\n\x65xt\n\nmore\n", "is empty");
  check("\n42\n" + root_b64 + "\n", "line 1 is empty");
}

}  // namespace
}  // namespace muster::security
