//===- Pattern.h - S2 attention block patterns (SPEC section 2, 3) -*- C++ -*-===//
//
// The SPEC's sparsity patterns at block level and token level, with no MLIR
// dependency. The dialect's attributes, the analysis, the schedule and every
// backend agree with these definitions; tests compare against them.
//
//===----------------------------------------------------------------------===//

#ifndef S2ATTN_REFERENCE_PATTERN_H
#define S2ATTN_REFERENCE_PATTERN_H

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace s2attn::ref {

/// Problem sizes in the SPEC's layout: Q [batch, qLen, heads, headDim],
/// K/V [batch, kvLen, kvHeads, headDim].
struct ProblemShape {
  int64_t batch = 1;
  int64_t qLen = 0;
  int64_t kvLen = 0;
  int64_t heads = 1;
  int64_t kvHeads = 1;
  int64_t headDim = 0;

  int64_t groupSize() const { return heads / kvHeads; }
};

/// Absolute positions of the first query and the first key. `qStart` unset
/// means the SPEC default: bottom-right aligned (kvStart + kvLen - qLen) when
/// causal, kvStart when bidirectional.
struct Positions {
  std::optional<int64_t> qStart;
  int64_t kvStart = 0;

  int64_t resolvedQStart(const ProblemShape &shape, bool causal) const;
};

inline int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }
/// Floor division that also rounds negative numerators toward -infinity.
inline int64_t floorDiv(int64_t a, int64_t b) {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

enum class VertPosition { Absolute, Relative };

/// Every parameter of the local + vertical-stride pattern (SPEC section 2).
/// Negative optional fields take the SPEC defaults once resolved against a
/// head count (see `resolved`).
struct LocalStrideParams {
  int64_t blockSize = 64;
  int64_t localBlocks = 1;
  /// Right window for bidirectional attention; -1: same as localBlocks.
  int64_t rightBlocks = -1;
  int64_t vertStride = 1;
  /// -1: max(1, vertStride / heads) (division by *query* heads).
  int64_t headStep = -1;
  int64_t headOffset = 0;
  /// Counted in KV heads; the last ones are dense.
  int64_t numDenseHeads = 0;
  bool homoHead = false;
  bool causal = true;
  /// Unset: Absolute when causal, Relative when bidirectional.
  std::optional<VertPosition> vertPosition;

  /// The same parameters with every default filled in for `heads` query heads.
  LocalStrideParams resolved(int64_t heads) const;
};

/// Returns a message naming the wrong parameter and the legal values, or
/// nothing when the parameters are valid for `heads`/`kvHeads`.
std::optional<std::string> validate(const LocalStrideParams &params,
                                    int64_t heads, int64_t kvHeads);

/// A block-sparse pattern: which key blocks each query head attends from each
/// query block. Block indices are absolute (position / blockSize).
class BlockPattern {
public:
  virtual ~BlockPattern();
  virtual int64_t blockSize() const = 0;
  virtual bool causal() const = 0;
  /// blk(head, bq, bk) of the SPEC, including `bq >= bk` when causal.
  virtual bool attendsBlock(int64_t head, int64_t qBlock,
                            int64_t kvBlock) const = 0;
  /// attend(b, h, i, j) of the SPEC for absolute positions; `kvEnd` is the
  /// absolute end (exclusive) of the keys that exist.
  bool attendsToken(int64_t head, int64_t qPos, int64_t kvPos,
                    int64_t kvEnd) const;
  /// A query head <= `head` whose block pattern equals `head`'s (GQA groups,
  /// homo heads, dense heads, shared masks), so that analyses and schedules
  /// can evaluate each distinct pattern once. Heads with the same canonical
  /// head share a pattern; the default (every head its own) is always valid.
  virtual int64_t canonicalHead(int64_t head) const { return head; }
};

class LocalStridePattern final : public BlockPattern {
public:
  /// `params` must validate for `heads`/`kvHeads`.
  LocalStridePattern(const LocalStrideParams &params, int64_t heads,
                     int64_t kvHeads);
  int64_t blockSize() const override { return params.blockSize; }
  bool causal() const override { return params.causal; }
  bool attendsBlock(int64_t head, int64_t qBlock,
                    int64_t kvBlock) const override;
  int64_t canonicalHead(int64_t head) const override;

  const LocalStrideParams &resolvedParams() const { return params; }
  /// Whether KV head `kvHead` is dense (one of the last numDenseHeads).
  bool isDenseKVHead(int64_t kvHead) const;
  /// The vertical residue class of a sparse KV head in Z_V (absolute mode):
  /// key block bk is vertical for it iff bk mod V == residue.
  int64_t verticalResidue(int64_t kvHead) const;

private:
  bool vertical(int64_t kvHead, int64_t qBlock, int64_t kvBlock) const;
  bool local(int64_t qBlock, int64_t kvBlock) const;

  LocalStrideParams params;
  int64_t heads;
  int64_t kvHeads;
};

/// How many heads a block mask carries.
enum class MaskGranularity { Shared, PerKVHead, PerQueryHead };

/// An arbitrary boolean block matrix [numMaskHeads, qBlocks, kvBlocks] indexed
/// by absolute block indices (SPEC section 3).
class BlockMaskPattern final : public BlockPattern {
public:
  BlockMaskPattern(int64_t blockSize, bool causal, int64_t numMaskHeads,
                   int64_t qBlocks, int64_t kvBlocks, std::vector<uint8_t> bits,
                   int64_t heads, int64_t kvHeads);
  int64_t blockSize() const override { return block; }
  bool causal() const override { return isCausal; }
  bool attendsBlock(int64_t head, int64_t qBlock,
                    int64_t kvBlock) const override;
  int64_t canonicalHead(int64_t head) const override;

  MaskGranularity granularity() const;
  int64_t numMaskHeads() const { return maskHeads; }
  int64_t numQBlocks() const { return qBlocks; }
  int64_t numKVBlocks() const { return kvBlocks; }

private:
  int64_t block;
  bool isCausal;
  int64_t maskHeads, qBlocks, kvBlocks;
  std::vector<uint8_t> bits;
  int64_t heads, kvHeads;
};

/// Every block attended (only `bq >= bk` when causal).
class DensePattern final : public BlockPattern {
public:
  DensePattern(int64_t blockSize, bool causal)
      : block(blockSize), isCausal(causal) {}
  int64_t blockSize() const override { return block; }
  bool causal() const override { return isCausal; }
  bool attendsBlock(int64_t, int64_t qBlock, int64_t kvBlock) const override {
    return !isCausal || qBlock >= kvBlock;
  }
  int64_t canonicalHead(int64_t) const override { return 0; }

private:
  int64_t block;
  bool isCausal;
};

} // namespace s2attn::ref

#endif // S2ATTN_REFERENCE_PATTERN_H
