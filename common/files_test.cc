// Tests for the filesystem helpers against a real temporary directory.
#include "common/files.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>

namespace muster {
namespace {

TEST(FilesTest, AtomicWriteThenReadWithMode) {
  char tmpl[] = "/tmp/muster-files-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string dir = JoinPath(tmpl, "a/b");
  ASSERT_TRUE(MakeDirs(dir).ok());
  std::string path = JoinPath(dir, "secret.key");
  ASSERT_TRUE(WriteFileAtomic(path, "hello\n", 0600).ok());
  auto read = ReadFile(path);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, "hello\n");
  struct stat st{};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_FALSE(PathExists(path + ".tmp"));
  EXPECT_EQ(ReadFile(JoinPath(dir, "missing")).status().code(), StatusCode::kNotFound);
  std::system((std::string("rm -rf ") + tmpl).c_str());
}

TEST(FilesTest, PathParts) {
  EXPECT_EQ(DirName("a/b/c"), "a/b");
  EXPECT_EQ(DirName("c"), ".");
  EXPECT_EQ(DirName("/c"), "/");
  EXPECT_EQ(JoinPath("a", "b"), "a/b");
  EXPECT_EQ(JoinPath("a/", "b"), "a/b");
  EXPECT_EQ(JoinPath("a", "/abs"), "/abs");
}

}  // namespace
}  // namespace muster
