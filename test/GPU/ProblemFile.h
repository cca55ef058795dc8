//===- ProblemFile.h - read s2-compile's problem.txt ------------*- C++ -*-===//

#ifndef S2ATTN_TEST_GPU_PROBLEMFILE_H
#define S2ATTN_TEST_GPU_PROBLEMFILE_H

#include "s2attn/Reference/Pattern.h"

#include <memory>
#include <optional>
#include <string>

namespace s2attn::gpucheck {

struct Problem {
  ref::ProblemShape shape;
  ref::Positions positions;
  std::string dtype;
  bool causal = true;
  bool hasLse = false;
  double scale = 0.0;
  std::unique_ptr<ref::BlockPattern> pattern;
  std::string summary;
};

/// Reads DIR/problem.txt; on failure returns nothing and sets `error`.
std::optional<Problem> readProblem(const std::string &directory,
                                   std::string &error);

} // namespace s2attn::gpucheck

#endif // S2ATTN_TEST_GPU_PROBLEMFILE_H
