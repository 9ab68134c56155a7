// Tests for the RFC 6962 Merkle tree code: known roots, node hashes and proofs of the 8-leaf
// reference tree used by certificate-transparency and transparency-dev/merkle, the transparency-dev
// inclusion/consistency JSON vectors (tests/fixtures/merkle, happy paths and tampered variants),
// randomized proof properties, and the compact range (append, root, restore).
#include "security/merkle.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "security/note_encoding.h"

namespace muster::security {
namespace {

std::string FromHex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

Digest D(std::string_view hex) {
  EXPECT_EQ(hex.size(), 64u) << hex;
  return *DigestFromBytes(FromHex(hex));
}

// The reference tree: leaf inputs, complete-subtree hashes by (level, index) and roots by size
// (from transparency-dev/merkle testonly/constants.go and RFC 6962 test data).
const std::vector<std::string>& ReferenceLeaves() {
  static const std::vector<std::string> leaves = {FromHex(""),
                                                  FromHex("00"),
                                                  FromHex("10"),
                                                  FromHex("2021"),
                                                  FromHex("3031"),
                                                  FromHex("40414243"),
                                                  FromHex("5051525354555657"),
                                                  FromHex("606162636465666768696a6b6c6d6e6f")};
  return leaves;
}

const std::vector<std::vector<Digest>>& ReferenceNodes() {
  static const std::vector<std::vector<Digest>> nodes = {
      {D("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
       D("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
       D("0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7"),
       D("07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7"),
       D("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
       D("4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658"),
       D("b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"),
       D("46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1")},
      {D("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"),
       D("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
       D("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
       D("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0")},
      {D("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
       D("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")},
      {D("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")}};
  return nodes;
}

const std::vector<Digest>& ReferenceRoots() {
  static const std::vector<Digest> roots = {
      D("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
      D("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
      D("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"),
      D("aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77"),
      D("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
      D("4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4"),
      D("76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef"),
      D("ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c"),
      D("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")};
  return roots;
}

// An in-memory store of complete-subtree hashes, filled the way the broker fills RocksDB: by
// persisting whatever CompactRange::Append reports.
class HashStore {
 public:
  void Put(const std::vector<SubtreeHash>& hashes) {
    for (const SubtreeHash& h : hashes) {
      auto [it, inserted] = hashes_.emplace(std::make_pair(h.level, h.index), h.hash);
      EXPECT_TRUE(inserted) << "subtree reported twice: level " << h.level << " index " << h.index;
    }
  }
  size_t count() const { return hashes_.size(); }

  // A lookup that also checks that only complete subtrees of a tree of `tree_size` are asked for.
  SubtreeHashLookup LookupFor(uint64_t tree_size) const {
    return [this, tree_size](int level, uint64_t index) -> Result<Digest> {
      EXPECT_LE((index + 1) << level, tree_size) << "asked for an incomplete subtree";
      auto it = hashes_.find({level, index});
      if (it == hashes_.end()) return Status::NotFound("no such subtree");
      return it->second;
    };
  }

 private:
  std::map<std::pair<int, uint64_t>, Digest> hashes_;
};

// A log of `n` distinct leaves with its store and the root at every size.
struct TestLog {
  explicit TestLog(uint64_t n) {
    CompactRange range;
    roots.push_back(range.Root());
    for (uint64_t i = 0; i < n; ++i) {
      leaves.push_back(LeafHash("entry " + std::to_string(i)));
      store.Put(range.Append(leaves.back()));
      roots.push_back(range.Root());
    }
  }
  std::vector<Digest> leaves;
  std::vector<Digest> roots;  // roots[k] = root of the first k leaves
  HashStore store;
};

std::vector<Digest> Hashes(const std::vector<std::string>& inputs) {
  std::vector<Digest> out;
  for (const std::string& s : inputs) out.push_back(LeafHash(s));
  return out;
}

TEST(MerkleTest, HashKnownAnswers) {
  EXPECT_EQ(ToHex(EmptyRoot()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  // The hash of an empty leaf is not the empty tree's root.
  EXPECT_EQ(ToHex(LeafHash("")),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
  EXPECT_EQ(ToHex(LeafHash("L123456")),
            "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56");
  const auto& nodes = ReferenceNodes();
  EXPECT_EQ(NodeHash(nodes[0][0], nodes[0][1]), nodes[1][0]);
  EXPECT_EQ(NodeHash(nodes[1][0], nodes[1][1]), nodes[2][0]);
  EXPECT_EQ(NodeHash(nodes[2][0], nodes[2][1]), nodes[3][0]);
}

TEST(MerkleTest, DomainSeparationAndOrder) {
  Digest a = LeafHash("Hello"), b = LeafHash("World");
  EXPECT_NE(a, b);
  std::string concat(reinterpret_cast<const char*>(a.data()), 32);
  concat.append(reinterpret_cast<const char*>(b.data()), 32);
  EXPECT_NE(NodeHash(a, b), LeafHash(concat));  // a leaf cannot pose as an interior node
  EXPECT_NE(NodeHash(a, b), NodeHash(b, a));
}

TEST(MerkleTest, DigestFromBytesNeedsExactly32Bytes) {
  EXPECT_TRUE(DigestFromBytes(std::string(32, 'x')).ok());
  EXPECT_EQ(DigestFromBytes("WrongLeaf").status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(DigestFromBytes(std::string(33, 'x')).ok());
  EXPECT_FALSE(DigestFromBytes("").ok());
}

TEST(MerkleTest, ReferenceTreeRoots) {
  std::vector<Digest> leaves = Hashes(ReferenceLeaves());
  CompactRange range;
  EXPECT_EQ(range.Root(), ReferenceRoots()[0]);
  for (size_t n = 0; n <= leaves.size(); ++n) {
    std::vector<Digest> prefix(leaves.begin(), leaves.begin() + n);
    EXPECT_EQ(ToHex(ComputeRoot(prefix)), ToHex(ReferenceRoots()[n])) << "size " << n;
    if (n > 0) {
      range.Append(leaves[n - 1]);
      EXPECT_EQ(ToHex(range.Root()), ToHex(ReferenceRoots()[n])) << "size " << n;
    }
  }
  EXPECT_EQ(ToHex(range.Root()),
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");
}

TEST(MerkleTest, CompactRangeEdgeAndStoredHashesMatchReferenceNodes) {
  const auto& nh = ReferenceNodes();
  // The right edge after each size (transparency-dev testonly CompactTrees).
  const std::vector<std::vector<Digest>> edges = {
      {},         {nh[0][0]},           {nh[1][0]},           {nh[1][0], nh[0][2]},
      {nh[2][0]}, {nh[2][0], nh[0][4]}, {nh[2][0], nh[1][2]}, {nh[2][0], nh[1][2], nh[0][6]},
      {nh[3][0]}};
  std::vector<Digest> leaves = Hashes(ReferenceLeaves());
  CompactRange range;
  std::vector<SubtreeHash> stored;
  EXPECT_EQ(range.edge(), edges[0]);
  for (size_t i = 0; i < leaves.size(); ++i) {
    std::vector<SubtreeHash> added = range.Append(leaves[i]);
    // The leaf itself plus one merge per trailing one bit of the old size.
    size_t merges = static_cast<size_t>(std::countr_one(static_cast<uint64_t>(i)));
    ASSERT_EQ(added.size(), 1 + merges) << "append #" << i;
    EXPECT_EQ(added[0], (SubtreeHash{0, i, leaves[i]}));
    stored.insert(stored.end(), added.begin(), added.end());
    EXPECT_EQ(range.edge(), edges[i + 1]) << "size " << i + 1;
    EXPECT_EQ(range.size(), i + 1);
  }
  // Exactly the 15 complete subtrees of the 8-leaf tree, each with the reference hash.
  ASSERT_EQ(stored.size(), 15u);
  for (const SubtreeHash& h : stored) {
    EXPECT_EQ(h.hash, nh[h.level][h.index]) << "level " << h.level << " index " << h.index;
  }
}

TEST(MerkleTest, KnownInclusionProofs) {
  // (leaf index, tree size, audit path) from transparency-dev/merkle proof/verify_test.go.
  const auto& nh = ReferenceNodes();
  struct Case {
    uint64_t index, size;
    std::vector<Digest> proof;
  };
  const std::vector<Case> cases = {
      {0, 1, {}},
      {0,
       8,
       {D("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
        D("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
        D("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")}},
      {5,
       8,
       {D("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
        D("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
        D("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")}},
      {2, 3, {D("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")}},
      {1,
       5,
       {D("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
        D("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
        D("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")}},
  };
  HashStore store;
  CompactRange range;
  for (const Digest& leaf : Hashes(ReferenceLeaves())) store.Put(range.Append(leaf));
  for (const Case& c : cases) {
    SCOPED_TRACE("leaf " + std::to_string(c.index) + " of " + std::to_string(c.size));
    auto proof = InclusionProof(c.index, c.size, store.LookupFor(c.size));
    ASSERT_TRUE(proof.ok()) << proof.status().ToString();
    EXPECT_EQ(*proof, c.proof);
    EXPECT_EQ(InclusionProofLength(c.index, c.size), c.proof.size());
    const Digest& leaf = nh[0][c.index];
    EXPECT_TRUE(VerifyInclusion(c.index, c.size, leaf, c.proof, ReferenceRoots()[c.size]).ok());
    auto root = RootFromInclusionProof(c.index, c.size, leaf, c.proof);
    ASSERT_TRUE(root.ok());
    EXPECT_EQ(*root, ReferenceRoots()[c.size]);
  }
}

TEST(MerkleTest, KnownConsistencyProofs) {
  struct Case {
    uint64_t size1, size2;
    std::vector<Digest> proof;
  };
  const std::vector<Case> cases = {
      {1, 1, {}},
      {1,
       8,
       {D("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
        D("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
        D("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")}},
      {6,
       8,
       {D("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
        D("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
        D("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")}},
      {2,
       5,
       {D("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
        D("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")}},
      {6,
       7,
       {D("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
        D("b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"),
        D("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")}},
  };
  HashStore store;
  CompactRange range;
  for (const Digest& leaf : Hashes(ReferenceLeaves())) store.Put(range.Append(leaf));
  const auto& roots = ReferenceRoots();
  for (const Case& c : cases) {
    SCOPED_TRACE("sizes " + std::to_string(c.size1) + " -> " + std::to_string(c.size2));
    auto proof = ConsistencyProof(c.size1, c.size2, store.LookupFor(c.size2));
    ASSERT_TRUE(proof.ok()) << proof.status().ToString();
    EXPECT_EQ(*proof, c.proof);
    EXPECT_EQ(ConsistencyProofLength(c.size1, c.size2), c.proof.size());
    Status s = VerifyConsistency(c.size1, c.size2, c.proof, roots[c.size1], roots[c.size2]);
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
}

// ---- transparency-dev/merkle testdata (transcribed into tests/fixtures/merkle) ----

std::vector<std::filesystem::path> FixtureFiles(const std::string& kind) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(
           std::string(MUSTER_MERKLE_FIXTURES) + "/" + kind)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

nlohmann::json ReadJson(const std::filesystem::path& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

// Base64 hash field → Digest; a value that is not a 32-byte hash is itself a verification failure.
Result<Digest> JsonDigest(const nlohmann::json& v) {
  MUSTER_ASSIGN_OR_RETURN(std::string raw, DecodeBase64(v.get<std::string>()));
  return DigestFromBytes(raw);
}

Result<std::vector<Digest>> JsonProof(const nlohmann::json& v) {
  std::vector<Digest> proof;
  if (v.is_null()) return proof;
  for (const auto& item : v) {
    MUSTER_ASSIGN_OR_RETURN(Digest d, JsonDigest(item));
    proof.push_back(d);
  }
  return proof;
}

Status VerifyInclusionVector(const nlohmann::json& j) {
  MUSTER_ASSIGN_OR_RETURN(Digest root, JsonDigest(j["root"]));
  MUSTER_ASSIGN_OR_RETURN(Digest leaf, JsonDigest(j["leafHash"]));
  MUSTER_ASSIGN_OR_RETURN(std::vector<Digest> proof, JsonProof(j["proof"]));
  return VerifyInclusion(j["leafIdx"].get<uint64_t>(), j["treeSize"].get<uint64_t>(), leaf, proof,
                         root);
}

Status VerifyConsistencyVector(const nlohmann::json& j) {
  MUSTER_ASSIGN_OR_RETURN(Digest root1, JsonDigest(j["root1"]));
  MUSTER_ASSIGN_OR_RETURN(Digest root2, JsonDigest(j["root2"]));
  MUSTER_ASSIGN_OR_RETURN(std::vector<Digest> proof, JsonProof(j["proof"]));
  return VerifyConsistency(j["size1"].get<uint64_t>(), j["size2"].get<uint64_t>(), proof, root1,
                           root2);
}

TEST(MerkleTest, TransparencyDevInclusionVectors) {
  std::vector<std::filesystem::path> files = FixtureFiles("inclusion");
  ASSERT_GE(files.size(), 80u) << "fixtures missing under " << MUSTER_MERKLE_FIXTURES;
  int happy = 0, tampered = 0;
  for (const auto& path : files) {
    nlohmann::json j = ReadJson(path);
    bool want_err = j["wantErr"].get<bool>();
    Status s = VerifyInclusionVector(j);
    EXPECT_EQ(!s.ok(), want_err) << path << " (" << j["desc"] << "): " << s.ToString();
    if (!want_err) ++happy;
    if (want_err) {
      ++tampered;
      EXPECT_FALSE(s.message().empty()) << path;
    }
  }
  EXPECT_EQ(happy, 5);
  EXPECT_GE(tampered, 75);
}

TEST(MerkleTest, TransparencyDevConsistencyVectors) {
  std::vector<std::filesystem::path> files = FixtureFiles("consistency");
  ASSERT_GE(files.size(), 80u) << "fixtures missing under " << MUSTER_MERKLE_FIXTURES;
  int happy = 0, tampered = 0;
  for (const auto& path : files) {
    nlohmann::json j = ReadJson(path);
    bool want_err = j["wantErr"].get<bool>();
    Status s = VerifyConsistencyVector(j);
    EXPECT_EQ(!s.ok(), want_err) << path << " (" << j["desc"] << "): " << s.ToString();
    if (!want_err) ++happy;
    if (want_err) ++tampered;
  }
  EXPECT_EQ(happy, 5);
  EXPECT_GE(tampered, 75);
}

// ---- Edge cases of verification ----

TEST(MerkleTest, InclusionRejectsImpossibleIndexAndSize) {
  Digest some = D("abacaba000000000000000000000000000000000000000000060061e00123456");
  for (auto [index, size] : std::vector<std::pair<uint64_t, uint64_t>>{{0, 0}, {1, 0}, {2, 1}}) {
    Status s = VerifyInclusion(index, size, some, {}, EmptyRoot());
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << index << "/" << size;
    EXPECT_NE(s.message().find("outside a tree of size"), std::string::npos) << s.ToString();
  }
  Status s = VerifyInclusion(0, 1, some, {}, EmptyRoot());
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("leads to root"), std::string::npos) << s.ToString();
  // A single-entry tree: root == leaf hash, empty proof.
  Digest leaf = LeafHash("data");
  EXPECT_TRUE(VerifyInclusion(0, 1, leaf, {}, leaf).ok());
  s = VerifyInclusion(0, 1, leaf, {leaf}, leaf);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("has 1 hashes"), std::string::npos) << s.ToString();
}

TEST(MerkleTest, ConsistencyTrivialCases) {
  Digest r1 = LeafHash("don't care 1"), r2 = LeafHash("don't care 2"), e = EmptyRoot();
  struct Case {
    uint64_t size1, size2;
    Digest root1, root2;
    std::vector<Digest> proof;
    bool ok;
  };
  const std::vector<Case> cases = {
      {0, 0, r1, r2, {}, false}, {1, 1, r1, r2, {}, false},
      {0, 0, r1, r1, {}, true},  {0, 1, r1, r2, {}, true},   // always consistent
      {1, 1, r2, r2, {}, true},  {1, 0, r1, r2, {}, false},  // time travel
      {2, 1, r1, r2, {}, false}, {1, 2, r1, r2, {}, false},  // empty proof
      {0, 0, e, e, {e}, false},  {0, 1, e, e, {e}, false},   // proof must be empty
      {1, 1, e, e, {e}, false},
  };
  for (const Case& c : cases) {
    Status s = VerifyConsistency(c.size1, c.size2, c.proof, c.root1, c.root2);
    EXPECT_EQ(s.ok(), c.ok) << c.size1 << " -> " << c.size2 << ": " << s.ToString();
  }
  EXPECT_NE(VerifyConsistency(2, 1, {}, r1, r2).message().find("cannot shrink"), std::string::npos);
}

TEST(MerkleTest, GenerationRejectsBadArguments) {
  TestLog log(10);
  auto lookup = log.store.LookupFor(10);
  EXPECT_EQ(InclusionProof(10, 10, lookup).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(InclusionProof(0, 0, lookup).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ConsistencyProof(5, 4, lookup).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(ConsistencyProof(0, 10, lookup)->empty());
  EXPECT_TRUE(ConsistencyProof(7, 7, lookup)->empty());
  EXPECT_EQ(RangeHash(1, 3, lookup).status().code(), StatusCode::kInvalidArgument);  // unaligned
  EXPECT_EQ(RangeHash(4, 4, lookup).status().code(), StatusCode::kInvalidArgument);  // empty
  auto r = RangeHash(8, 10, lookup);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, NodeHash(log.leaves[8], log.leaves[9]));
}

TEST(MerkleTest, MissingStoredHashIsReportedWithItsAddress) {
  auto missing = [](int level, uint64_t index) -> Result<Digest> {
    return Status::NotFound("not in the store");
  };
  auto proof = InclusionProof(3, 8, missing);
  ASSERT_EQ(proof.status().code(), StatusCode::kNotFound);
  EXPECT_NE(proof.status().message().find("level"), std::string::npos);
  auto restored = CompactRange::Restore(6, missing);
  ASSERT_EQ(restored.status().code(), StatusCode::kNotFound);
  EXPECT_NE(restored.status().message().find("level 2, index 0"), std::string::npos)
      << restored.status().ToString();
}

// ---- Properties over random trees ----

TEST(MerkleTest, CompactRangeRootEqualsReferenceRootUpTo1000) {
  std::vector<Digest> leaves;
  CompactRange range;
  for (uint64_t n = 1; n <= 1000; ++n) {
    leaves.push_back(LeafHash("leaf " + std::to_string(n)));
    range.Append(leaves.back());
    ASSERT_EQ(range.Root(), ComputeRoot(leaves)) << "size " << n;
    ASSERT_EQ(range.edge().size(), static_cast<size_t>(std::popcount(n)));
  }
}

TEST(MerkleTest, RestoredRangeContinuesIdentically) {
  constexpr uint64_t kMax = 600;
  TestLog log(kMax);
  for (uint64_t n = 0; n <= kMax; ++n) {
    auto restored = CompactRange::Restore(n, log.store.LookupFor(n));
    ASSERT_TRUE(restored.ok()) << restored.status().ToString();
    CompactRange range = std::move(restored).value();
    ASSERT_EQ(range.size(), n);
    ASSERT_EQ(range.Root(), log.roots[n]) << "restored at " << n;
    // Continue appending and compare with the original log, including what gets persisted.
    HashStore again;
    for (uint64_t i = n; i < kMax; ++i) {
      std::vector<SubtreeHash> added = range.Append(log.leaves[i]);
      auto lookup = log.store.LookupFor(kMax);
      for (const SubtreeHash& h : added) {
        auto stored = lookup(h.level, h.index);
        ASSERT_TRUE(stored.ok());
        ASSERT_EQ(*stored, h.hash) << "level " << h.level << " index " << h.index;
      }
      ASSERT_EQ(range.Root(), log.roots[i + 1]) << "restored at " << n << ", size " << i + 1;
    }
  }
}

TEST(MerkleTest, StoreGrowsByAboutTwoHashesPerLeaf) {
  TestLog log(4096);
  EXPECT_EQ(log.store.count(), 2u * 4096 - 1);  // a full binary tree's nodes
}

class MerkleProperty : public ::testing::Test {
 protected:
  static constexpr uint64_t kLeaves = 3000;
  static void SetUpTestSuite() { log_ = new TestLog(kLeaves); }
  static void TearDownTestSuite() {
    delete log_;
    log_ = nullptr;
  }
  static TestLog* log_;
  std::mt19937_64 rng_{20240611};
  uint64_t Uniform(uint64_t lo, uint64_t hi) {  // inclusive
    return std::uniform_int_distribution<uint64_t>(lo, hi)(rng_);
  }
};
TestLog* MerkleProperty::log_ = nullptr;

TEST_F(MerkleProperty, InclusionProofsVerifyAndEveryTamperingFails) {
  const TestLog& log = *log_;
  for (int trial = 0; trial < 400; ++trial) {
    uint64_t n = Uniform(1, kLeaves);
    uint64_t i = Uniform(0, n - 1);
    SCOPED_TRACE("leaf " + std::to_string(i) + " of " + std::to_string(n));
    auto proof_or = InclusionProof(i, n, log.store.LookupFor(n));
    ASSERT_TRUE(proof_or.ok()) << proof_or.status().ToString();
    const std::vector<Digest>& proof = *proof_or;
    const Digest& leaf = log.leaves[i];
    ASSERT_EQ(proof.size(), InclusionProofLength(i, n));
    Status ok = VerifyInclusion(i, n, leaf, proof, log.roots[n]);
    ASSERT_TRUE(ok.ok()) << ok.ToString();

    // Any single bit flipped in any element.
    for (size_t k = 0; k < proof.size(); ++k) {
      std::vector<Digest> bad = proof;
      uint64_t bit = Uniform(0, 255);
      bad[k][bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
      EXPECT_FALSE(VerifyInclusion(i, n, leaf, bad, log.roots[n]).ok()) << "flip in " << k;
    }
    // A flipped bit in the leaf hash or the root.
    Digest bad_leaf = leaf;
    bad_leaf[Uniform(0, 31)] ^= 0x01;
    EXPECT_FALSE(VerifyInclusion(i, n, bad_leaf, proof, log.roots[n]).ok());
    Digest bad_root = log.roots[n];
    bad_root[Uniform(0, 31)] ^= 0x80;
    EXPECT_FALSE(VerifyInclusion(i, n, leaf, proof, bad_root).ok());
    // Wrong index (with the entry at that index or the original entry).
    for (uint64_t j : {i - 1, i + 1, i ^ 2, i ^ 1}) {
      if (j >= n || j == i) continue;
      EXPECT_FALSE(VerifyInclusion(j, n, leaf, proof, log.roots[n]).ok()) << "index " << j;
      EXPECT_FALSE(VerifyInclusion(j, n, log.leaves[j], proof, log.roots[n]).ok()) << "index " << j;
    }
    // Wrong size, checked against the root of that size (a checkpoint pairs size and root; an
    // audit path does not encode the size by itself, so size+1 with the *old* root can pass when
    // both sizes have the same path shape — the root is what binds the size).
    for (uint64_t m : {n - 1, n + 1, n * 2, n / 2}) {
      if (m == n || m <= i || m > kLeaves) continue;
      EXPECT_FALSE(VerifyInclusion(i, m, leaf, proof, log.roots[m]).ok()) << "size " << m;
    }
    // Truncated and extended proofs.
    if (!proof.empty()) {
      std::vector<Digest> shorter(proof.begin(), proof.end() - 1);
      EXPECT_FALSE(VerifyInclusion(i, n, leaf, shorter, log.roots[n]).ok());
      std::vector<Digest> front_cut(proof.begin() + 1, proof.end());
      EXPECT_FALSE(VerifyInclusion(i, n, leaf, front_cut, log.roots[n]).ok());
    }
    std::vector<Digest> longer = proof;
    longer.push_back(log.roots[n]);
    EXPECT_FALSE(VerifyInclusion(i, n, leaf, longer, log.roots[n]).ok());
    std::vector<Digest> prefixed = proof;
    prefixed.insert(prefixed.begin(), leaf);
    EXPECT_FALSE(VerifyInclusion(i, n, leaf, prefixed, log.roots[n]).ok());
  }
}

TEST_F(MerkleProperty, ConsistencyProofsVerifyAndEveryTamperingFails) {
  const TestLog& log = *log_;
  for (int trial = 0; trial < 400; ++trial) {
    uint64_t n = Uniform(2, kLeaves);
    uint64_t m = Uniform(1, n - 1);
    SCOPED_TRACE("sizes " + std::to_string(m) + " -> " + std::to_string(n));
    auto proof_or = ConsistencyProof(m, n, log.store.LookupFor(n));
    ASSERT_TRUE(proof_or.ok()) << proof_or.status().ToString();
    const std::vector<Digest>& proof = *proof_or;
    ASSERT_FALSE(proof.empty());
    ASSERT_EQ(proof.size(), ConsistencyProofLength(m, n));
    Status ok = VerifyConsistency(m, n, proof, log.roots[m], log.roots[n]);
    ASSERT_TRUE(ok.ok()) << ok.ToString();

    for (size_t k = 0; k < proof.size(); ++k) {
      std::vector<Digest> bad = proof;
      uint64_t bit = Uniform(0, 255);
      bad[k][bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
      EXPECT_FALSE(VerifyConsistency(m, n, bad, log.roots[m], log.roots[n]).ok())
          << "flip in " << k;
    }
    EXPECT_FALSE(VerifyConsistency(m, n, proof, log.roots[n], log.roots[m]).ok());  // swapped
    EXPECT_FALSE(VerifyConsistency(m, n, proof, log.roots[m - 1], log.roots[n]).ok());
    if (n < kLeaves) {
      EXPECT_FALSE(VerifyConsistency(m, n, proof, log.roots[m], log.roots[n + 1]).ok());
    }
    // Wrong sizes, each with the root of that size.
    for (uint64_t m2 : {m - 1, m + 1, m ^ 2}) {
      if (m2 == m || m2 == 0 || m2 >= n) continue;
      EXPECT_FALSE(VerifyConsistency(m2, n, proof, log.roots[m2], log.roots[n]).ok())
          << "size1 " << m2;
    }
    for (uint64_t n2 : {n - 1, n + 1, n * 2, n / 2}) {
      if (n2 == n || n2 <= m || n2 > kLeaves) continue;
      EXPECT_FALSE(VerifyConsistency(m, n2, proof, log.roots[m], log.roots[n2]).ok())
          << "size2 " << n2;
    }
    std::vector<Digest> shorter(proof.begin(), proof.end() - 1);
    EXPECT_FALSE(VerifyConsistency(m, n, shorter, log.roots[m], log.roots[n]).ok());
    std::vector<Digest> longer = proof;
    longer.push_back(log.roots[n]);
    EXPECT_FALSE(VerifyConsistency(m, n, longer, log.roots[m], log.roots[n]).ok());
    std::vector<Digest> prefixed = proof;
    prefixed.insert(prefixed.begin(), proof[0]);
    EXPECT_FALSE(VerifyConsistency(m, n, prefixed, log.roots[m], log.roots[n]).ok());
    EXPECT_FALSE(VerifyConsistency(m, n, {}, log.roots[m], log.roots[n]).ok());
  }
}

TEST_F(MerkleProperty, ProofsAgainstOlderTreesUseOnlyTheirOwnSubtrees) {
  // Proofs for an old size are served from a store that already holds a bigger tree; the lookup
  // asserts that only subtrees complete in the old tree are read.
  const TestLog& log = *log_;
  for (uint64_t n : {1u, 2u, 3u, 5u, 8u, 13u, 1000u, 1023u, 1024u, 1025u, 2999u}) {
    for (uint64_t i : {uint64_t{0}, n / 2, n - 1}) {
      auto proof = InclusionProof(i, n, log.store.LookupFor(n));
      ASSERT_TRUE(proof.ok());
      EXPECT_TRUE(VerifyInclusion(i, n, log.leaves[i], *proof, log.roots[n]).ok());
    }
    for (uint64_t m : {uint64_t{1}, n / 3 + 1, n - 1}) {
      if (m == 0 || m >= n) continue;
      auto proof = ConsistencyProof(m, n, log.store.LookupFor(n));
      ASSERT_TRUE(proof.ok());
      EXPECT_TRUE(VerifyConsistency(m, n, *proof, log.roots[m], log.roots[n]).ok());
    }
  }
}

}  // namespace
}  // namespace muster::security
