//===- FloatFormats.h - f32, f16 and bf16 on the host -----------*- C++ -*-===//
//
// The runner keeps every tensor as float32 values that are exactly
// representable in the problem's element type, and converts to the packed
// 16-bit storage only at the boundary with the compiled code. Conversions
// round to nearest even, like numpy and ml_dtypes do.
//
//===----------------------------------------------------------------------===//

#ifndef S2RUN_FLOATFORMATS_H
#define S2RUN_FLOATFORMATS_H

#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <cstring>
#include <optional>

namespace s2run {

enum class ElementType { F32, F16, BF16 };

inline llvm::StringRef elementTypeName(ElementType type) {
  switch (type) {
  case ElementType::F32:
    return "f32";
  case ElementType::F16:
    return "f16";
  case ElementType::BF16:
    return "bf16";
  }
  return "?";
}

inline int64_t elementTypeBytes(ElementType type) {
  return type == ElementType::F32 ? 4 : 2;
}

inline uint32_t floatBits(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  return bits;
}

inline float floatFromBits(uint32_t bits) {
  float value;
  std::memcpy(&value, &bits, sizeof(value));
  return value;
}

inline uint16_t floatToBF16(float value) {
  uint32_t bits = floatBits(value);
  // Keep NaNs NaN: rounding could carry a NaN payload into infinity.
  if ((bits & 0x7fffffffu) > 0x7f800000u)
    return static_cast<uint16_t>((bits >> 16) | 0x0040u);
  uint32_t roundingBias = 0x7fffu + ((bits >> 16) & 1u);
  return static_cast<uint16_t>((bits + roundingBias) >> 16);
}

inline float bf16ToFloat(uint16_t bits) {
  return floatFromBits(static_cast<uint32_t>(bits) << 16);
}

/// IEEE binary16, round to nearest even, with subnormals and overflow to
/// infinity.
inline uint16_t floatToF16(float value) {
  uint32_t bits = floatBits(value);
  uint16_t sign = static_cast<uint16_t>((bits >> 16) & 0x8000u);
  uint32_t magnitude = bits & 0x7fffffffu;
  if (magnitude > 0x7f800000u) // NaN
    return sign | 0x7e00u;
  if (magnitude >= 0x477ff000u) // rounds to >= 65520: infinity
    return sign | 0x7c00u;
  int32_t exponent = static_cast<int32_t>(magnitude >> 23) - 127;
  if (exponent < -25) // below half the smallest subnormal: zero
    return sign;
  uint32_t mantissa = (magnitude & 0x7fffffu) | 0x800000u;
  // Normal results keep 10 of the 23 fraction bits; subnormal ones fewer.
  int32_t shift = exponent >= -14 ? 13 : 13 + (-14 - exponent);
  uint32_t kept = mantissa >> shift;
  uint32_t rest = mantissa & ((1u << shift) - 1u);
  uint32_t half = 1u << (shift - 1);
  if (rest > half || (rest == half && (kept & 1u)))
    ++kept; // may carry into the exponent, which is still the right encoding
  if (exponent >= -14)
    return sign |
           static_cast<uint16_t>(((static_cast<uint32_t>(exponent + 15) << 10) +
                                  (kept - 0x400u)));
  return sign | static_cast<uint16_t>(kept);
}

inline float f16ToFloat(uint16_t bits) {
  uint32_t sign = static_cast<uint32_t>(bits & 0x8000u) << 16;
  uint32_t exponent = (bits >> 10) & 0x1fu;
  uint32_t mantissa = bits & 0x3ffu;
  if (exponent == 0x1fu)
    return floatFromBits(sign | 0x7f800000u | (mantissa << 13));
  if (exponent != 0)
    return floatFromBits(sign | ((exponent + 112u) << 23) | (mantissa << 13));
  // Subnormal: mantissa * 2^-24 is exact in float.
  float magnitude = static_cast<float>(mantissa) * 5.9604644775390625e-8f;
  return sign ? -magnitude : magnitude;
}

/// The nearest value of `type`, as a float.
inline float roundToElementType(float value, ElementType type) {
  switch (type) {
  case ElementType::F32:
    return value;
  case ElementType::F16:
    return f16ToFloat(floatToF16(value));
  case ElementType::BF16:
    return bf16ToFloat(floatToBF16(value));
  }
  return value;
}

} // namespace s2run

#endif // S2RUN_FLOATFORMATS_H
