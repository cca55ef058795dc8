//===- Json.h - A small strict JSON reader -----------------------*- C++
//-*-===//
//
// Reads RFC 8259 JSON and nothing more: no comments, no trailing commas, no
// NaN/Infinity, no duplicate object keys, no control characters in strings, no
// text after the value. Integers written without fraction or exponent that fit
// in int64 are kept exact. Errors carry a line and column. It exists so that
// the runtime can read kernel.json with no dependency.
//
//===----------------------------------------------------------------------===//

#ifndef S2ATTN_RUNTIME_JSON_H
#define S2ATTN_RUNTIME_JSON_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace s2attn::rt {

class JsonValue {
public:
  enum class Kind { Null, Bool, Number, String, Array, Object };
  using Member = std::pair<std::string, JsonValue>;

  Kind getKind() const { return kind; }
  bool isNull() const { return kind == Kind::Null; }
  bool isBool() const { return kind == Kind::Bool; }
  bool isNumber() const { return kind == Kind::Number; }
  /// A number written as an integer literal that fits in int64.
  bool isInteger() const { return kind == Kind::Number && exactInteger; }
  bool isString() const { return kind == Kind::String; }
  bool isArray() const { return kind == Kind::Array; }
  bool isObject() const { return kind == Kind::Object; }

  bool getBool() const { return boolValue; }
  double getNumber() const { return numberValue; }
  int64_t getInteger() const { return integerValue; }
  const std::string &getString() const { return stringValue; }
  const std::vector<JsonValue> &getArray() const { return elements; }
  /// Members in the order they were written.
  const std::vector<Member> &getObject() const { return members; }

  /// The member called `key`, or nullptr (also when this is no object).
  const JsonValue *find(std::string_view key) const;

  static JsonValue makeNull() { return JsonValue(); }
  static JsonValue makeBool(bool value);
  static JsonValue makeNumber(double value);
  static JsonValue makeInteger(int64_t value);
  static JsonValue makeString(std::string value);
  static JsonValue makeArray(std::vector<JsonValue> elements);
  static JsonValue makeObject(std::vector<Member> members);

  /// "null", "a boolean", "a number", ... for error messages.
  static const char *describe(Kind kind);

private:
  Kind kind = Kind::Null;
  bool boolValue = false;
  bool exactInteger = false;
  double numberValue = 0.0;
  int64_t integerValue = 0;
  std::string stringValue;
  std::vector<JsonValue> elements;
  std::vector<Member> members;
};

struct JsonError {
  size_t line = 0;   // 1-based
  size_t column = 0; // 1-based, in bytes
  std::string message;

  /// "line L, column C: message".
  std::string format() const;
};

/// Nesting deeper than this is rejected (guards the recursive reader).
constexpr size_t kMaxJsonDepth = 64;

/// Parses `text` into `out`. Returns false and fills `error` on failure.
bool parseJson(std::string_view text, JsonValue &out, JsonError &error);

} // namespace s2attn::rt

#endif // S2ATTN_RUNTIME_JSON_H
