// Tests for CURVE key generation and key files.
#include "security/curve_keys.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "common/files.h"

namespace muster::security {
namespace {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/muster-keys-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { std::system(("rm -rf " + path_).c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(CurveKeysTest, GeneratesDistinctValidPairs) {
  auto a = GenerateCurveKeyPair();
  auto b = GenerateCurveKeyPair();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->public_z85.size(), 40u);
  EXPECT_EQ(a->secret_z85.size(), 40u);
  EXPECT_NE(a->public_z85, b->public_z85);
  EXPECT_TRUE(DecodeZ85Key(a->public_z85).ok());
  EXPECT_EQ(EncodeZ85Key(*DecodeZ85Key(a->public_z85)), a->public_z85);
}

TEST(CurveKeysTest, WritesFilesWithModesAndReadsThemBack) {
  TempDir dir;
  auto keys = GenerateCurveKeyPair();
  ASSERT_TRUE(keys.ok());
  ASSERT_TRUE(WriteCurveKeyFiles(dir.path(), "station", *keys).ok());
  struct stat st{};
  ASSERT_EQ(stat((dir.path() + "/station.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto loaded = LoadCurveSecretKeyFile(dir.path() + "/station.key");
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->public_z85, keys->public_z85);
  EXPECT_EQ(loaded->secret_z85, keys->secret_z85);
  auto pub = LoadCurvePublicKeyFile(dir.path() + "/station.pub");
  ASSERT_TRUE(pub.ok());
  EXPECT_EQ(*pub, keys->public_z85);
  // Never overwrite an existing key by accident.
  EXPECT_EQ(WriteCurveKeyFiles(dir.path(), "station", *keys).code(), StatusCode::kAlreadyExists);
}

TEST(CurveKeysTest, RefusesBadKeys) {
  EXPECT_FALSE(DecodeZ85Key("short").ok());
  EXPECT_FALSE(DecodeZ85Key(std::string(40, '"')).ok());
  TempDir dir;
  ASSERT_TRUE(WriteFileAtomic(dir.path() + "/bad.key", "not a key\n").ok());
  EXPECT_FALSE(LoadCurveSecretKeyFile(dir.path() + "/bad.key").ok());
  EXPECT_EQ(LoadCurveSecretKeyFile(dir.path() + "/none.key").status().code(),
            StatusCode::kNotFound);
  // An endless "file" is refused, not read forever.
  EXPECT_EQ(LoadCurvePublicKeyFile("/dev/zero").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace muster::security
