//===- ProblemFile.cpp - read s2-compile's problem.txt --------------------===//

#include "ProblemFile.h"

#include <fstream>
#include <map>
#include <sstream>

using namespace s2attn;
using namespace s2attn::gpucheck;

namespace {
using Fields = std::map<std::string, std::string>;

int64_t integer(const Fields &fields, const std::string &key) {
  auto it = fields.find(key);
  return it == fields.end() ? 0 : std::stoll(it->second);
}

std::unique_ptr<ref::BlockPattern> buildPattern(const Fields &fields,
                                                const ref::ProblemShape &shape,
                                                bool causal) {
  const std::string &kind = fields.at("pattern");
  int64_t block = integer(fields, "block");
  if (kind == "dense")
    return std::make_unique<ref::DensePattern>(block, causal);
  if (kind == "block_mask") {
    std::istringstream dims(fields.at("mask_shape"));
    int64_t maskHeads, qBlocks, kvBlocks;
    dims >> maskHeads >> qBlocks >> kvBlocks;
    std::vector<uint8_t> bits;
    for (char c : fields.at("mask"))
      bits.push_back(c == '1');
    return std::make_unique<ref::BlockMaskPattern>(
        block, causal, maskHeads, qBlocks, kvBlocks, std::move(bits),
        shape.heads, shape.kvHeads);
  }
  ref::LocalStrideParams params;
  params.blockSize = block;
  params.localBlocks = integer(fields, "local");
  params.rightBlocks = integer(fields, "right");
  params.vertStride = integer(fields, "stride");
  params.headStep = integer(fields, "head_step");
  params.headOffset = integer(fields, "head_offset");
  params.numDenseHeads = integer(fields, "dense_heads");
  params.homoHead = integer(fields, "homo_head") != 0;
  params.causal = causal;
  int64_t vert = integer(fields, "vert");
  if (vert >= 0)
    params.vertPosition =
        vert == 0 ? ref::VertPosition::Absolute : ref::VertPosition::Relative;
  return std::make_unique<ref::LocalStridePattern>(params, shape.heads,
                                                   shape.kvHeads);
}
} // namespace

std::optional<Problem> gpucheck::readProblem(const std::string &directory,
                                             std::string &error) {
  std::ifstream file(directory + "/problem.txt");
  if (!file) {
    error = directory + "/problem.txt cannot be read";
    return std::nullopt;
  }
  Fields fields;
  std::string line;
  while (std::getline(file, line)) {
    auto space = line.find(' ');
    if (space != std::string::npos)
      fields[line.substr(0, space)] = line.substr(space + 1);
  }
  for (const char *key : {"batch", "q_len", "kv_len", "heads", "kv_heads",
                          "head_dim", "dtype", "causal", "scale", "q_start",
                          "kv_start", "lse", "pattern", "block"})
    if (!fields.count(key)) {
      error = directory + "/problem.txt lacks '" + key + "'";
      return std::nullopt;
    }
  Problem problem;
  problem.shape.batch = integer(fields, "batch");
  problem.shape.qLen = integer(fields, "q_len");
  problem.shape.kvLen = integer(fields, "kv_len");
  problem.shape.heads = integer(fields, "heads");
  problem.shape.kvHeads = integer(fields, "kv_heads");
  problem.shape.headDim = integer(fields, "head_dim");
  problem.positions.qStart = integer(fields, "q_start");
  problem.positions.kvStart = integer(fields, "kv_start");
  problem.dtype = fields["dtype"];
  problem.causal = integer(fields, "causal") != 0;
  problem.hasLse = integer(fields, "lse") != 0;
  problem.scale = std::stod(fields["scale"]);
  problem.pattern = buildPattern(fields, problem.shape, problem.causal);
  std::ostringstream summary;
  summary << fields["pattern"] << " B=" << fields["block"] << " "
          << problem.dtype << " b" << problem.shape.batch << " q"
          << problem.shape.qLen << " kv" << problem.shape.kvLen << " h"
          << problem.shape.heads << "/" << problem.shape.kvHeads << " d"
          << problem.shape.headDim << (problem.causal ? " causal" : " bidir");
  problem.summary = summary.str();
  return problem;
}
