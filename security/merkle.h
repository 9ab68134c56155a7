// RFC 6962 / RFC 9162 Merkle tree math for the audit log: leaf and node hashes, the right-edge
// "compact range" used to append without recomputing the tree, inclusion and consistency proof
// generation from stored complete-subtree hashes, and proof verification (RFC 9162 §2.1.3.2 and
// §2.1.4.2). Pure computation: no storage, no I/O.
//
// Addressing: the subtree at (level, index) covers leaves [index * 2^level, (index + 1) * 2^level)
// and is "complete" in a tree of size n when (index + 1) * 2^level <= n. A store keeps exactly the
// complete subtrees (level 0 = leaf hashes); every other hash is computed from them.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/status.h"
#include "security/sha256.h"

namespace muster::security {

// SHA-256(0x00 || leaf_bytes).
Digest LeafHash(std::string_view leaf_bytes);
// SHA-256(0x01 || left || right).
Digest NodeHash(const Digest& left, const Digest& right);
// SHA-256(""), the root of the empty tree.
Digest EmptyRoot();

// Copies exactly 32 bytes into a Digest; InvalidArgument for any other length.
Result<Digest> DigestFromBytes(std::string_view bytes);

// Returns the stored hash of the complete subtree (level, index). Errors (NotFound, IoError, ...)
// are passed through to the caller of the function that asked.
using SubtreeHashLookup = std::function<Result<Digest>(int level, uint64_t index)>;

// One complete-subtree hash to persist.
struct SubtreeHash {
  int level = 0;
  uint64_t index = 0;
  Digest hash{};

  bool operator==(const SubtreeHash&) const = default;
};

// The right edge of a tree: the roots of the O(log n) maximal complete subtrees that partition the
// leaves [0, n). Appending a leaf merges equal-sized subtrees and reports each newly completed one,
// so that a store can persist every complete subtree as it appears (the leaf itself plus one hash
// per merge: at most 1 + log2(n), two on average). Root() folds the edge; it never reads the tree.
//
// Value type; not thread-safe (the single appender owns it). Restore() rebuilds it from stored
// hashes after a restart in O(log n) lookups.
class CompactRange {
 public:
  CompactRange() = default;

  // Rebuilds the range for a tree of `size` leaves by looking up its maximal complete subtrees.
  // Fails with the lookup's error, with the missing subtree named in the message.
  static Result<CompactRange> Restore(uint64_t size, const SubtreeHashLookup& lookup);

  // Adds one leaf hash (already LeafHash()ed). Returns the hashes completed by this append,
  // level 0 (the leaf, index == old size) first, then each merged parent in increasing level.
  std::vector<SubtreeHash> Append(const Digest& leaf_hash);

  // RFC 6962 root of the current tree (EmptyRoot() when empty).
  Digest Root() const;

  uint64_t size() const { return size_; }
  // The maximal complete subtree roots, leftmost (largest) first; one per set bit of size().
  const std::vector<Digest>& edge() const { return edge_; }

 private:
  uint64_t size_ = 0;
  std::vector<Digest> edge_;
};

// Reference RFC 6962 root of a list of leaf hashes (recursive definition, O(n)). For tools and
// tests; the broker uses CompactRange.
Digest ComputeRoot(const std::vector<Digest>& leaf_hashes);

// Hash of the leaves [begin, end) of a tree, computed from stored complete subtrees with the RFC
// 6962 recursion. REQUIRES: begin < end and begin is a multiple of the smallest power of two >= end
// - begin (true of every range in the RFC recursion); violations return InvalidArgument.
Result<Digest> RangeHash(uint64_t begin, uint64_t end, const SubtreeHashLookup& lookup);

// RFC 6962 §2.1.1 audit path for leaf `index` in the tree of `size` leaves, leaf-side first.
// InvalidArgument if index >= size; lookup errors are passed through.
Result<std::vector<Digest>> InclusionProof(uint64_t index, uint64_t size,
                                           const SubtreeHashLookup& lookup);

// RFC 6962 §2.1.2 consistency proof from the tree of `old_size` leaves to the tree of `new_size`
// leaves. Empty when old_size is 0 or equals new_size. InvalidArgument if old_size > new_size.
Result<std::vector<Digest>> ConsistencyProof(uint64_t old_size, uint64_t new_size,
                                             const SubtreeHashLookup& lookup);

// Number of hashes in a correct inclusion proof for (index, size); 0 when index >= size.
size_t InclusionProofLength(uint64_t index, uint64_t size);
// Number of hashes in a correct consistency proof between the two sizes (0 if old_size is 0,
// equals new_size, or is larger).
size_t ConsistencyProofLength(uint64_t old_size, uint64_t new_size);

// The root implied by an inclusion proof (RFC 9162 §2.1.3.2 steps 1-4). InvalidArgument when index
// >= size or the proof has the wrong number of hashes for (index, size).
Result<Digest> RootFromInclusionProof(uint64_t index, uint64_t size, const Digest& leaf_hash,
                                      const std::vector<Digest>& proof);

// Verifies that `leaf_hash` is leaf `index` of the tree of `size` leaves with root `root`.
// InvalidArgument: impossible index/size or wrong proof length. Corruption: the proof leads to a
// different root (the entry, the proof or the root has been altered).
Status VerifyInclusion(uint64_t index, uint64_t size, const Digest& leaf_hash,
                       const std::vector<Digest>& proof, const Digest& root);

// Verifies that the tree of `size1` leaves with root `root1` is a prefix of the tree of `size2`
// leaves with root `root2` (RFC 9162 §2.1.4.2, plus the trivial cases: size1 == 0 needs an empty
// proof; size1 == size2 needs an empty proof and equal roots). InvalidArgument: size1 > size2 or
// wrong proof length. Corruption: the proof does not reproduce root1 or root2.
Status VerifyConsistency(uint64_t size1, uint64_t size2, const std::vector<Digest>& proof,
                         const Digest& root1, const Digest& root2);

}  // namespace muster::security
