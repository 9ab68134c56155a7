// RFC 6962 / RFC 9162 Merkle tree hashing, compact range, proof generation and verification.
#include "security/merkle.h"

#include <algorithm>
#include <bit>
#include <string>

namespace muster::security {
namespace {

// A node of the tree by the leaves it covers: [begin, end).
struct NodeRange {
  uint64_t begin;
  uint64_t end;
};

// Largest power of two strictly smaller than n. REQUIRES: n >= 2.
uint64_t SplitPoint(uint64_t n) { return uint64_t{1} << (std::bit_width(n - 1) - 1); }

Result<Digest> Lookup(const SubtreeHashLookup& lookup, int level, uint64_t index) {
  Result<Digest> r = lookup(level, index);
  if (!r.ok()) {
    return r.status().WithContext("stored hash (level " + std::to_string(level) + ", index " +
                                  std::to_string(index) + ")");
  }
  return r;
}

// The nodes of the RFC 6962 §2.1.1 audit path, leaf side first. REQUIRES: index < size.
std::vector<NodeRange> InclusionRanges(uint64_t index, uint64_t size) {
  std::vector<NodeRange> ranges;
  uint64_t begin = 0, end = size;
  while (end - begin > 1) {
    uint64_t k = SplitPoint(end - begin);
    if (index < begin + k) {
      ranges.push_back({begin + k, end});
      end = begin + k;
    } else {
      ranges.push_back({begin, begin + k});
      begin += k;
    }
  }
  std::reverse(ranges.begin(), ranges.end());
  return ranges;
}

// The nodes of the RFC 6962 §2.1.2 consistency proof, deepest first.
// REQUIRES: 0 < old_size < new_size.
std::vector<NodeRange> ConsistencyRanges(uint64_t old_size, uint64_t new_size) {
  std::vector<NodeRange> ranges;
  uint64_t begin = 0, end = new_size;
  bool whole_old_tree = true;  // SUBPROOF's b: the current node is a prefix of the old tree.
  while (old_size != end) {
    uint64_t k = SplitPoint(end - begin);
    if (old_size - begin <= k) {
      ranges.push_back({begin + k, end});
      end = begin + k;
    } else {
      ranges.push_back({begin, begin + k});
      begin += k;
      whole_old_tree = false;
    }
  }
  if (!whole_old_tree) ranges.push_back({begin, end});
  std::reverse(ranges.begin(), ranges.end());
  return ranges;
}

Result<std::vector<Digest>> HashRanges(const std::vector<NodeRange>& ranges,
                                       const SubtreeHashLookup& lookup) {
  std::vector<Digest> out;
  out.reserve(ranges.size());
  for (const NodeRange& r : ranges) {
    MUSTER_ASSIGN_OR_RETURN(Digest h, RangeHash(r.begin, r.end, lookup));
    out.push_back(h);
  }
  return out;
}

Digest ComputeRootOf(const Digest* leaves, uint64_t n) {
  if (n == 1) return leaves[0];
  uint64_t k = SplitPoint(n);
  return NodeHash(ComputeRootOf(leaves, k), ComputeRootOf(leaves + k, n - k));
}

// Right-shifts fn and sn together until fn's lowest bit is set or fn is 0.
void ShiftWhileEven(uint64_t& fn, uint64_t& sn) {
  while ((fn & 1) == 0 && fn != 0) {
    fn >>= 1;
    sn >>= 1;
  }
}

}  // namespace

Digest LeafHash(std::string_view leaf_bytes) {
  static const char kLeafPrefix = 0x00;
  return Sha256(std::string_view(&kLeafPrefix, 1), leaf_bytes);
}

Digest NodeHash(const Digest& left, const Digest& right) {
  char buf[1 + 2 * 32];
  buf[0] = 0x01;
  std::copy(left.begin(), left.end(), buf + 1);
  std::copy(right.begin(), right.end(), buf + 33);
  return Sha256(std::string_view(buf, sizeof(buf)));
}

Digest EmptyRoot() { return Sha256(std::string_view()); }

Result<Digest> DigestFromBytes(std::string_view bytes) {
  if (bytes.size() != 32) {
    return Status::InvalidArgument("a SHA-256 hash is 32 bytes, got " +
                                   std::to_string(bytes.size()));
  }
  Digest d{};
  std::copy(bytes.begin(), bytes.end(), d.begin());
  return d;
}

// ---- CompactRange ----

Result<CompactRange> CompactRange::Restore(uint64_t size, const SubtreeHashLookup& lookup) {
  CompactRange range;
  uint64_t begin = 0;
  for (int level = 63; level >= 0; --level) {
    uint64_t width = uint64_t{1} << level;
    if ((size & width) == 0) continue;
    Result<Digest> h = Lookup(lookup, level, begin >> level);
    if (!h.ok()) {
      return h.status().WithContext("restoring the tree edge at size " + std::to_string(size));
    }
    range.edge_.push_back(*h);
    begin += width;
  }
  range.size_ = size;
  return range;
}

std::vector<SubtreeHash> CompactRange::Append(const Digest& leaf_hash) {
  MUSTER_CHECK(size_ < ~uint64_t{0});
  std::vector<SubtreeHash> completed;
  completed.push_back({0, size_, leaf_hash});
  Digest h = leaf_hash;
  int level = 0;
  uint64_t index = size_;
  // Every set low bit of the old size is a complete subtree of the same width to merge with.
  while ((size_ >> level) & 1) {
    MUSTER_CHECK(!edge_.empty());
    h = NodeHash(edge_.back(), h);
    edge_.pop_back();
    ++level;
    index >>= 1;
    completed.push_back({level, index, h});
  }
  edge_.push_back(h);
  ++size_;
  return completed;
}

Digest CompactRange::Root() const {
  if (edge_.empty()) return EmptyRoot();
  Digest r = edge_.back();
  for (size_t i = edge_.size() - 1; i-- > 0;) r = NodeHash(edge_[i], r);
  return r;
}

// ---- Reference root and range hashes ----

Digest ComputeRoot(const std::vector<Digest>& leaf_hashes) {
  if (leaf_hashes.empty()) return EmptyRoot();
  return ComputeRootOf(leaf_hashes.data(), leaf_hashes.size());
}

Result<Digest> RangeHash(uint64_t begin, uint64_t end, const SubtreeHashLookup& lookup) {
  if (end <= begin) {
    return Status::InvalidArgument("empty leaf range [" + std::to_string(begin) + ", " +
                                   std::to_string(end) + ")");
  }
  uint64_t len = end - begin;
  // A node of width len starts at a multiple of the next power of two (above 2^63 only 0 does).
  bool aligned = len > (uint64_t{1} << 63) ? begin == 0 : begin % std::bit_ceil(len) == 0;
  if (!aligned) {
    return Status::InvalidArgument("leaf range [" + std::to_string(begin) + ", " +
                                   std::to_string(end) + ") is not a node of any tree");
  }
  // Maximal complete subtrees left to right, then fold from the right (RFC 6962 recursion).
  std::vector<Digest> parts;
  uint64_t pos = begin;
  for (int level = 63; level >= 0; --level) {
    uint64_t width = uint64_t{1} << level;
    if ((len & width) == 0) continue;
    MUSTER_ASSIGN_OR_RETURN(Digest h, Lookup(lookup, level, pos >> level));
    parts.push_back(h);
    pos += width;
  }
  Digest r = parts.back();
  for (size_t i = parts.size() - 1; i-- > 0;) r = NodeHash(parts[i], r);
  return r;
}

// ---- Proof generation ----

Result<std::vector<Digest>> InclusionProof(uint64_t index, uint64_t size,
                                           const SubtreeHashLookup& lookup) {
  if (index >= size) {
    return Status::InvalidArgument("leaf index " + std::to_string(index) +
                                   " is outside a tree of size " + std::to_string(size));
  }
  return HashRanges(InclusionRanges(index, size), lookup);
}

Result<std::vector<Digest>> ConsistencyProof(uint64_t old_size, uint64_t new_size,
                                             const SubtreeHashLookup& lookup) {
  if (old_size > new_size) {
    return Status::InvalidArgument("no consistency proof from size " + std::to_string(old_size) +
                                   " to the smaller size " + std::to_string(new_size));
  }
  if (old_size == 0 || old_size == new_size) return std::vector<Digest>{};
  return HashRanges(ConsistencyRanges(old_size, new_size), lookup);
}

size_t InclusionProofLength(uint64_t index, uint64_t size) {
  if (index >= size) return 0;
  return InclusionRanges(index, size).size();
}

size_t ConsistencyProofLength(uint64_t old_size, uint64_t new_size) {
  if (old_size == 0 || old_size >= new_size) return 0;
  return ConsistencyRanges(old_size, new_size).size();
}

// ---- Verification (RFC 9162 §2.1.3.2 and §2.1.4.2) ----

Result<Digest> RootFromInclusionProof(uint64_t index, uint64_t size, const Digest& leaf_hash,
                                      const std::vector<Digest>& proof) {
  if (index >= size) {
    return Status::InvalidArgument("leaf index " + std::to_string(index) +
                                   " is outside a tree of size " + std::to_string(size));
  }
  size_t want = InclusionProofLength(index, size);
  if (proof.size() != want) {
    return Status::InvalidArgument("inclusion proof has " + std::to_string(proof.size()) +
                                   " hashes; leaf " + std::to_string(index) +
                                   " of a tree of size " + std::to_string(size) + " needs " +
                                   std::to_string(want));
  }
  uint64_t fn = index, sn = size - 1;
  Digest r = leaf_hash;
  for (const Digest& p : proof) {
    if (sn == 0) return Status::InvalidArgument("inclusion proof is too long");
    if ((fn & 1) || fn == sn) {
      r = NodeHash(p, r);
      if ((fn & 1) == 0) ShiftWhileEven(fn, sn);
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return Status::InvalidArgument("inclusion proof is too short");
  return r;
}

Status VerifyInclusion(uint64_t index, uint64_t size, const Digest& leaf_hash,
                       const std::vector<Digest>& proof, const Digest& root) {
  MUSTER_ASSIGN_OR_RETURN(Digest computed, RootFromInclusionProof(index, size, leaf_hash, proof));
  if (computed != root) {
    return Status::Corruption("inclusion proof for leaf " + std::to_string(index) +
                              " of a tree of size " + std::to_string(size) + " leads to root " +
                              ToHex(computed) + ", expected " + ToHex(root));
  }
  return Status::Ok();
}

Status VerifyConsistency(uint64_t size1, uint64_t size2, const std::vector<Digest>& proof,
                         const Digest& root1, const Digest& root2) {
  std::string sizes = "from size " + std::to_string(size1) + " to size " + std::to_string(size2);
  if (size1 > size2) {
    return Status::InvalidArgument("no consistency " + sizes + ": a log cannot shrink");
  }
  if (size1 == size2) {
    if (!proof.empty()) {
      return Status::InvalidArgument("consistency proof between equal sizes must be empty, got " +
                                     std::to_string(proof.size()) + " hashes");
    }
    if (root1 != root2) {
      return Status::Corruption("two different roots for tree size " + std::to_string(size1) +
                                ": " + ToHex(root1) + " and " + ToHex(root2));
    }
    return Status::Ok();
  }
  if (size1 == 0) {
    if (!proof.empty()) {
      return Status::InvalidArgument("consistency proof from the empty tree must be empty, got " +
                                     std::to_string(proof.size()) + " hashes");
    }
    return Status::Ok();
  }
  size_t want = ConsistencyProofLength(size1, size2);
  if (proof.size() != want) {
    return Status::InvalidArgument("consistency proof " + sizes + " has " +
                                   std::to_string(proof.size()) + " hashes, needs " +
                                   std::to_string(want));
  }
  // Step 2: if size1 is a power of two the old root is itself a node of the new tree.
  std::vector<Digest> path;
  path.reserve(proof.size() + 1);
  if (std::has_single_bit(size1)) path.push_back(root1);
  path.insert(path.end(), proof.begin(), proof.end());

  uint64_t fn = size1 - 1, sn = size2 - 1;
  while (fn & 1) {
    fn >>= 1;
    sn >>= 1;
  }
  Digest fr = path[0], sr = path[0];
  for (size_t i = 1; i < path.size(); ++i) {
    const Digest& c = path[i];
    if (sn == 0) return Status::InvalidArgument("consistency proof " + sizes + " is too long");
    if ((fn & 1) || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      if ((fn & 1) == 0) ShiftWhileEven(fn, sn);
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return Status::InvalidArgument("consistency proof " + sizes + " is too short");
  if (fr != root1) {
    return Status::Corruption("consistency proof " + sizes + " leads to old root " + ToHex(fr) +
                              ", expected " + ToHex(root1));
  }
  if (sr != root2) {
    return Status::Corruption("consistency proof " + sizes + " leads to new root " + ToHex(sr) +
                              ", expected " + ToHex(root2));
  }
  return Status::Ok();
}

}  // namespace muster::security
