//===- TestRandom.h - seeded random choices for the tests -------*- C++ -*-===//

#ifndef S2ATTN_UNITTESTS_REFERENCE_TESTRANDOM_H
#define S2ATTN_UNITTESTS_REFERENCE_TESTRANDOM_H

#include <cstdint>
#include <random>

namespace s2attn::ref::test {

/// Seeded, so a failing randomized test fails the same way again.
class Random {
public:
  explicit Random(uint64_t seed) : engine(seed) {}
  int64_t pick(int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(engine);
  }
  bool coin() { return pick(0, 1) == 1; }

private:
  std::mt19937_64 engine;
};

} // namespace s2attn::ref::test

#endif // S2ATTN_UNITTESTS_REFERENCE_TESTRANDOM_H
