//===- s2-pattern.cpp - Inspect S2 local + vertical-stride patterns -------===//
//
// Prints density, coverage and KV-cache efficiency of one local-stride
// configuration and optionally draws it as SVG. Plain C++ on top of the
// reference library, so that it runs wherever that library builds.
//
//===----------------------------------------------------------------------===//

#include "s2attn/Reference/Analysis.h"
#include "s2attn/Reference/Pattern.h"
#include "s2attn/Reference/Render.h"

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <vector>

using namespace s2attn::ref;

namespace {

const char *const kTool = "s2-pattern";
/// Keeps an accidental huge grid from running for minutes.
constexpr int64_t kMaxBlocks = 1 << 16;
constexpr int64_t kMaxHeads = 4096;

struct Options {
  LocalStrideParams params;
  int64_t heads = 1;
  std::optional<int64_t> kvHeads; ///< unset: equal to heads
  int64_t blocks = 16;
  std::string svgPath;
  bool printRows = false;
  bool help = false;
};

int fail(const std::string &message) {
  std::fprintf(stderr, "%s: error: %s\n", kTool, message.c_str());
  return 1;
}

void printUsage() {
  std::printf(
      "usage: %s [options]\n"
      "Analyses an S2-Attention local + vertical-stride block pattern.\n\n"
      "  --heads N          query heads (default 1)\n"
      "  --kv-heads N       KV heads, dividing --heads (default: --heads)\n"
      "  --blocks N         query and key blocks analysed (default 16)\n"
      "  --block B          block size, power of two >= 16 (default 64)\n"
      "  --local L          local (left) window in blocks (default 1)\n"
      "  --right R          right window, bidirectional only (default L)\n"
      "  --stride V         vertical stride, 1 = dense (default 1)\n"
      "  --head-step S      residue step between KV heads\n"
      "                     (default max(1, V / heads))\n"
      "  --head-offset O    residue offset (default 0; Phi-3-small uses 1)\n"
      "  --dense-heads D    the last D KV heads are dense (default 0)\n"
      "  --homo-head        every head uses head 0's pattern\n"
      "  --relative         vertical stride relative to the query block\n"
      "  --absolute         vertical stride on absolute key blocks\n"
      "                     (default when causal)\n"
      "  --bidirectional    no causal mask (vertical default: relative)\n"
      "  --rows             also print every head's block rows\n"
      "  --svg FILE         write an SVG picture of the pattern\n"
      "  --help             this text\n",
      kTool);
}

std::optional<int64_t> parseInteger(const std::string &text) {
  if (text.empty())
    return std::nullopt;
  errno = 0;
  char *end = nullptr;
  long long value = std::strtoll(text.c_str(), &end, 10);
  if (errno == ERANGE || *end != '\0')
    return std::nullopt;
  return value;
}

struct IntegerFlag {
  const char *name;
  const char *expected;
  int64_t minimum, maximum;
  std::function<void(Options &, int64_t)> set;
};

struct SwitchFlag {
  const char *name;
  std::function<void(Options &)> set;
};

const std::vector<IntegerFlag> &integerFlags() {
  static const std::vector<IntegerFlag> flags = {
      {"--heads", "a number of query heads in [1, 4096]", 1, kMaxHeads,
       [](Options &o, int64_t v) { o.heads = v; }},
      {"--kv-heads", "a number of KV heads in [1, 4096]", 1, kMaxHeads,
       [](Options &o, int64_t v) { o.kvHeads = v; }},
      {"--blocks", "a number of blocks in [1, 65536]", 1, kMaxBlocks,
       [](Options &o, int64_t v) { o.blocks = v; }},
      {"--block", "an integer block size (a power of two >= 16)", INT64_MIN,
       INT64_MAX, [](Options &o, int64_t v) { o.params.blockSize = v; }},
      {"--local", "an integer number of blocks", INT64_MIN, INT64_MAX,
       [](Options &o, int64_t v) { o.params.localBlocks = v; }},
      {"--right", "an integer number of blocks", INT64_MIN, INT64_MAX,
       [](Options &o, int64_t v) { o.params.rightBlocks = v; }},
      {"--stride", "an integer vertical stride >= 1", INT64_MIN, INT64_MAX,
       [](Options &o, int64_t v) { o.params.vertStride = v; }},
      {"--head-step", "an integer step >= 1", INT64_MIN, INT64_MAX,
       [](Options &o, int64_t v) { o.params.headStep = v; }},
      {"--head-offset", "an integer offset", INT64_MIN, INT64_MAX,
       [](Options &o, int64_t v) { o.params.headOffset = v; }},
      {"--dense-heads", "an integer number of KV heads", INT64_MIN, INT64_MAX,
       [](Options &o, int64_t v) { o.params.numDenseHeads = v; }},
  };
  return flags;
}

const std::vector<SwitchFlag> &switchFlags() {
  static const std::vector<SwitchFlag> flags = {
      {"--homo-head", [](Options &o) { o.params.homoHead = true; }},
      {"--relative",
       [](Options &o) { o.params.vertPosition = VertPosition::Relative; }},
      {"--absolute",
       [](Options &o) { o.params.vertPosition = VertPosition::Absolute; }},
      {"--bidirectional", [](Options &o) { o.params.causal = false; }},
      {"--rows", [](Options &o) { o.printRows = true; }},
      {"--help", [](Options &o) { o.help = true; }},
      {"-h", [](Options &o) { o.help = true; }},
  };
  return flags;
}

std::optional<std::string> applyInteger(const IntegerFlag &flag,
                                        const std::string &text,
                                        Options &options) {
  std::optional<int64_t> value = parseInteger(text);
  if (!value || *value < flag.minimum || *value > flag.maximum)
    return std::string(flag.name) + " expects " + flag.expected + ", got '" +
           text + "'";
  flag.set(options, *value);
  return std::nullopt;
}

/// Splits "--flag=value" so that both spellings work.
void splitInlineValue(std::string &name, std::optional<std::string> &value) {
  size_t equals = name.find('=');
  if (equals == std::string::npos)
    return;
  value = name.substr(equals + 1);
  name.resize(equals);
}

std::optional<std::string> parseArguments(int argc, char **argv,
                                          Options &options) {
  for (int i = 1; i < argc; ++i) {
    std::string name = argv[i];
    std::optional<std::string> value;
    splitInlineValue(name, value);
    auto takeValue = [&]() -> std::optional<std::string> {
      if (value)
        return value;
      if (i + 1 < argc)
        return std::string(argv[++i]);
      return std::nullopt;
    };
    bool known = false;
    for (const IntegerFlag &flag : integerFlags()) {
      if (name != flag.name)
        continue;
      known = true;
      std::optional<std::string> text = takeValue();
      if (!text)
        return name + " expects " + flag.expected + ", got nothing";
      if (auto error = applyInteger(flag, *text, options))
        return error;
    }
    for (const SwitchFlag &flag : switchFlags()) {
      if (name != flag.name)
        continue;
      known = true;
      if (value)
        return name + " takes no value, got '" + *value + "'";
      flag.set(options);
    }
    if (name == "--svg") {
      known = true;
      std::optional<std::string> path = takeValue();
      if (!path || path->empty())
        return std::string("--svg expects an output file name");
      options.svgPath = *path;
    }
    if (!known)
      return "unknown flag '" + name + "' (see --help)";
  }
  return std::nullopt;
}

/// The flag to blame for a validate() message.
const char *flagForMessage(const std::string &message) {
  static const std::pair<const char *, const char *> prefixes[] = {
      {"heads ", "--heads/--kv-heads"},
      {"KV heads", "--kv-heads"},
      {"block size", "--block"},
      {"local blocks", "--local"},
      {"right blocks", "--right"},
      {"vertical stride", "--stride"},
      {"head step", "--head-step"},
      {"dense heads", "--dense-heads"},
      {"homo heads", "--homo-head/--dense-heads"}};
  for (const auto &[prefix, flag] : prefixes)
    if (message.rfind(prefix, 0) == 0)
      return flag;
  return "the pattern flags";
}

void printConfiguration(const Options &options, int64_t kvHeads,
                        const LocalStrideParams &resolved) {
  bool absolute = *resolved.vertPosition == VertPosition::Absolute;
  std::printf("S2 local + vertical-stride pattern\n");
  std::printf("  heads %lld, KV heads %lld, query heads per KV head %lld\n",
              (long long)options.heads, (long long)kvHeads,
              (long long)(options.heads / kvHeads));
  std::printf("  %lld x %lld blocks of %lld tokens (%lld tokens)\n",
              (long long)options.blocks, (long long)options.blocks,
              (long long)resolved.blockSize,
              (long long)(options.blocks * resolved.blockSize));
  std::printf("  %s, %s vertical stride %lld, local %lld",
              resolved.causal ? "causal" : "bidirectional",
              absolute ? "absolute" : "relative",
              (long long)resolved.vertStride, (long long)resolved.localBlocks);
  if (!resolved.causal)
    std::printf(" left / %lld right", (long long)resolved.rightBlocks);
  std::printf("\n  head step %lld, head offset %lld, dense KV heads %lld%s\n",
              (long long)resolved.headStep, (long long)resolved.headOffset,
              (long long)resolved.numDenseHeads,
              resolved.homoHead ? ", homo heads" : "");
}

void printHeadDensities(const LocalStridePattern &pattern,
                        const PatternStats &stats, int64_t heads,
                        int64_t kvHeads) {
  const LocalStrideParams &params = pattern.resolvedParams();
  bool absolute = *params.vertPosition == VertPosition::Absolute;
  std::printf("density per head:\n");
  for (int64_t head = 0; head < heads; ++head) {
    int64_t kvHead = head / (heads / kvHeads);
    std::printf("  head %3lld  KV head %3lld  density %.4f", (long long)head,
                (long long)kvHead, stats.headDensity[head]);
    if (pattern.isDenseKVHead(kvHead))
      std::printf("  (dense)");
    else if (absolute && params.vertStride > 1)
      std::printf("  (vertical columns = %lld mod %lld)",
                  (long long)pattern.verticalResidue(kvHead),
                  (long long)params.vertStride);
    std::printf("\n");
  }
  std::printf("overall density: %.4f\n", stats.overallDensity);
}

void printCoverage(const PatternStats &stats, int64_t vertStride) {
  if (stats.coversContext) {
    std::printf("coverage: full (every context block is seen by some head)\n");
  } else {
    std::printf("coverage: incomplete; first unseen block: q block %lld, "
                "key block %lld\n",
                (long long)stats.firstUncovered->qBlock,
                (long long)stats.firstUncovered->kvBlock);
  }
  if (stats.uncoveredResidues.empty())
    return;
  std::printf("  key-block residues mod %lld no head's vertical columns hit:",
              (long long)vertStride);
  for (int64_t residue : stats.uncoveredResidues)
    std::printf(" %lld", (long long)residue);
  std::printf("\n");
}

void printKVCacheEfficiency(const PatternStats &stats) {
  if (stats.kvCacheEfficient) {
    std::printf("KV-cache efficiency: yes (a key block a query block drops is "
                "never used again; Merge-Q is exact)\n");
    return;
  }
  const BlockCoordinate &where = *stats.kvInefficiency;
  std::printf("KV-cache efficiency: no (head %lld: q block %lld uses key block "
              "%lld but q block %lld does not)\n",
              (long long)where.head, (long long)(where.qBlock + 1),
              (long long)where.kvBlock, (long long)where.qBlock);
}

void printRows(const BlockPattern &pattern, int64_t heads, int64_t blocks) {
  for (int64_t head = 0; head < heads; ++head) {
    std::printf("head %lld:\n", (long long)head);
    for (int64_t qBlock = 0; qBlock < blocks; ++qBlock) {
      std::string row;
      for (int64_t kvBlock = 0; kvBlock < blocks; ++kvBlock)
        row += pattern.attendsBlock(head, qBlock, kvBlock) ? '1' : '0';
      std::printf("  q%-4lld %s\n", (long long)qBlock, row.c_str());
    }
  }
}

std::string svgTitle(const Options &options, int64_t kvHeads,
                     const LocalStrideParams &resolved) {
  bool absolute = *resolved.vertPosition == VertPosition::Absolute;
  return std::string("S2-Attention ") +
         (resolved.causal ? "causal" : "bidirectional") + ", " +
         (absolute ? "absolute" : "relative") +
         " stride V=" + std::to_string(resolved.vertStride) +
         ", local L=" + std::to_string(resolved.localBlocks) +
         ", heads=" + std::to_string(options.heads) +
         ", KV heads=" + std::to_string(kvHeads) +
         ", step=" + std::to_string(resolved.headStep) +
         ", offset=" + std::to_string(resolved.headOffset) +
         ", dense KV heads=" + std::to_string(resolved.numDenseHeads) +
         ", B=" + std::to_string(resolved.blockSize);
}

int writeSVG(const Options &options, const BlockPattern &pattern,
             const std::string &title) {
  std::ofstream file(options.svgPath);
  if (!file)
    return fail("--svg: cannot open '" + options.svgPath + "' for writing");
  file << renderPatternSVG(pattern, options.heads, options.blocks,
                           options.blocks, title);
  if (!file)
    return fail("--svg: cannot write '" + options.svgPath + "'");
  std::printf("wrote %s\n", options.svgPath.c_str());
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  Options options;
  if (auto error = parseArguments(argc, argv, options))
    return fail(*error);
  if (options.help) {
    printUsage();
    return 0;
  }
  int64_t kvHeads = options.kvHeads.value_or(options.heads);
  if (auto error = validate(options.params, options.heads, kvHeads))
    return fail(*error + " [" + flagForMessage(*error) + "]");

  LocalStridePattern pattern(options.params, options.heads, kvHeads);
  const LocalStrideParams &resolved = pattern.resolvedParams();
  PatternStats stats = analyzePattern(pattern, options.heads, kvHeads,
                                      options.blocks, options.blocks);
  printConfiguration(options, kvHeads, resolved);
  printHeadDensities(pattern, stats, options.heads, kvHeads);
  printCoverage(stats, resolved.vertStride);
  printKVCacheEfficiency(stats);
  if (options.printRows)
    printRows(pattern, options.heads, options.blocks);
  if (!options.svgPath.empty())
    return writeSVG(options, pattern, svgTitle(options, kvHeads, resolved));
  return 0;
}
