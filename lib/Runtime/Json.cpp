//===- Json.cpp - A small strict JSON reader ------------------------------===//

#include "s2attn/Runtime/Json.h"

#include <charconv>
#include <cmath>
#include <system_error>

namespace s2attn::rt {

//===----------------------------------------------------------------------===//
// JsonValue
//===----------------------------------------------------------------------===//

const JsonValue *JsonValue::find(std::string_view key) const {
  for (const Member &member : members)
    if (member.first == key)
      return &member.second;
  return nullptr;
}

JsonValue JsonValue::makeBool(bool value) {
  JsonValue result;
  result.kind = Kind::Bool;
  result.boolValue = value;
  return result;
}

JsonValue JsonValue::makeNumber(double value) {
  JsonValue result;
  result.kind = Kind::Number;
  result.numberValue = value;
  return result;
}

JsonValue JsonValue::makeInteger(int64_t value) {
  JsonValue result = makeNumber(static_cast<double>(value));
  result.exactInteger = true;
  result.integerValue = value;
  return result;
}

JsonValue JsonValue::makeString(std::string value) {
  JsonValue result;
  result.kind = Kind::String;
  result.stringValue = std::move(value);
  return result;
}

JsonValue JsonValue::makeArray(std::vector<JsonValue> elements) {
  JsonValue result;
  result.kind = Kind::Array;
  result.elements = std::move(elements);
  return result;
}

JsonValue JsonValue::makeObject(std::vector<Member> members) {
  JsonValue result;
  result.kind = Kind::Object;
  result.members = std::move(members);
  return result;
}

const char *JsonValue::describe(Kind kind) {
  switch (kind) {
  case Kind::Null:
    return "null";
  case Kind::Bool:
    return "a boolean";
  case Kind::Number:
    return "a number";
  case Kind::String:
    return "a string";
  case Kind::Array:
    return "an array";
  case Kind::Object:
    return "an object";
  }
  return "a value";
}

std::string JsonError::format() const {
  return "line " + std::to_string(line) + ", column " + std::to_string(column) +
         ": " + message;
}

//===----------------------------------------------------------------------===//
// The reader
//===----------------------------------------------------------------------===//

namespace {

class JsonReader {
public:
  JsonReader(std::string_view text, JsonError &error)
      : text(text), error(error) {}

  bool readDocument(JsonValue &out) {
    skipWhitespace();
    if (!readValue(out, /*depth=*/0))
      return false;
    skipWhitespace();
    if (pos != text.size())
      return fail("unexpected text after the JSON value");
    return true;
  }

private:
  std::string_view text;
  JsonError &error;
  size_t pos = 0;

  bool atEnd() const { return pos >= text.size(); }
  char peek() const { return atEnd() ? '\0' : text[pos]; }

  bool fail(const std::string &message) { return failAt(pos, message); }

  bool failAt(size_t offset, const std::string &message) {
    size_t line = 1, column = 1;
    for (size_t i = 0; i < offset && i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    error.line = line;
    error.column = column;
    error.message = message;
    return false;
  }

  void skipWhitespace() {
    while (!atEnd() && (text[pos] == ' ' || text[pos] == '\t' ||
                        text[pos] == '\n' || text[pos] == '\r'))
      ++pos;
  }

  bool expectLiteral(std::string_view literal) {
    if (text.substr(pos, literal.size()) != literal)
      return fail("invalid literal (expected '" + std::string(literal) + "')");
    pos += literal.size();
    return true;
  }

  bool readValue(JsonValue &out, size_t depth) {
    if (depth > kMaxJsonDepth)
      return fail("nesting deeper than " + std::to_string(kMaxJsonDepth));
    if (atEnd())
      return fail("unexpected end of input (expected a value)");
    switch (peek()) {
    case '{':
      return readObject(out, depth);
    case '[':
      return readArray(out, depth);
    case '"': {
      std::string value;
      if (!readString(value))
        return false;
      out = JsonValue::makeString(std::move(value));
      return true;
    }
    case 't':
      out = JsonValue::makeBool(true);
      return expectLiteral("true");
    case 'f':
      out = JsonValue::makeBool(false);
      return expectLiteral("false");
    case 'n':
      out = JsonValue::makeNull();
      return expectLiteral("null");
    default:
      if (peek() == '-' || (peek() >= '0' && peek() <= '9'))
        return readNumber(out);
      return fail(std::string("unexpected character '") + peek() +
                  "' (expected a value)");
    }
  }

  bool readObject(JsonValue &out, size_t depth) {
    ++pos; // '{'
    std::vector<JsonValue::Member> members;
    skipWhitespace();
    if (peek() == '}') {
      ++pos;
      out = JsonValue::makeObject(std::move(members));
      return true;
    }
    while (true) {
      skipWhitespace();
      if (peek() != '"')
        return fail("expected a string key in object");
      size_t keyStart = pos;
      std::string key;
      if (!readString(key))
        return false;
      for (const JsonValue::Member &member : members)
        if (member.first == key)
          return failAt(keyStart, "duplicate key \"" + key + "\"");
      skipWhitespace();
      if (peek() != ':')
        return fail("expected ':' after object key");
      ++pos;
      skipWhitespace();
      JsonValue value;
      if (!readValue(value, depth + 1))
        return false;
      members.emplace_back(std::move(key), std::move(value));
      skipWhitespace();
      if (peek() == ',') {
        ++pos;
        skipWhitespace();
        if (peek() == '}')
          return fail("trailing comma in object");
        continue;
      }
      if (peek() == '}') {
        ++pos;
        out = JsonValue::makeObject(std::move(members));
        return true;
      }
      return fail("expected ',' or '}' in object");
    }
  }

  bool readArray(JsonValue &out, size_t depth) {
    ++pos; // '['
    std::vector<JsonValue> elements;
    skipWhitespace();
    if (peek() == ']') {
      ++pos;
      out = JsonValue::makeArray(std::move(elements));
      return true;
    }
    while (true) {
      skipWhitespace();
      JsonValue element;
      if (!readValue(element, depth + 1))
        return false;
      elements.push_back(std::move(element));
      skipWhitespace();
      if (peek() == ',') {
        ++pos;
        skipWhitespace();
        if (peek() == ']')
          return fail("trailing comma in array");
        continue;
      }
      if (peek() == ']') {
        ++pos;
        out = JsonValue::makeArray(std::move(elements));
        return true;
      }
      return fail("expected ',' or ']' in array");
    }
  }

  static void appendUtf8(std::string &out, uint32_t codePoint) {
    if (codePoint < 0x80) {
      out += static_cast<char>(codePoint);
    } else if (codePoint < 0x800) {
      out += static_cast<char>(0xC0 | (codePoint >> 6));
      out += static_cast<char>(0x80 | (codePoint & 0x3F));
    } else if (codePoint < 0x10000) {
      out += static_cast<char>(0xE0 | (codePoint >> 12));
      out += static_cast<char>(0x80 | ((codePoint >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (codePoint & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (codePoint >> 18));
      out += static_cast<char>(0x80 | ((codePoint >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((codePoint >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (codePoint & 0x3F));
    }
  }

  bool readHex4(uint32_t &value) {
    if (pos + 4 > text.size())
      return fail("truncated \\u escape");
    value = 0;
    for (int i = 0; i < 4; ++i) {
      char c = text[pos++];
      value <<= 4;
      if (c >= '0' && c <= '9')
        value |= static_cast<uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f')
        value |= static_cast<uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        value |= static_cast<uint32_t>(c - 'A' + 10);
      else
        return failAt(pos - 1, "invalid hex digit in \\u escape");
    }
    return true;
  }

  /// \uXXXX, with UTF-16 surrogate pairs joined; lone surrogates are errors.
  bool readUnicodeEscape(std::string &out) {
    size_t escapeStart = pos - 2;
    uint32_t unit;
    if (!readHex4(unit))
      return false;
    if (unit >= 0xDC00 && unit <= 0xDFFF)
      return failAt(escapeStart, "lone low surrogate in \\u escape");
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      if (text.substr(pos, 2) != "\\u")
        return failAt(escapeStart, "high surrogate without a low surrogate");
      pos += 2;
      uint32_t low;
      if (!readHex4(low))
        return false;
      if (low < 0xDC00 || low > 0xDFFF)
        return failAt(escapeStart, "high surrogate without a low surrogate");
      unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
    }
    appendUtf8(out, unit);
    return true;
  }

  bool readEscape(std::string &out) {
    if (atEnd())
      return fail("unterminated string");
    char c = text[pos++];
    switch (c) {
    case '"':
    case '\\':
    case '/':
      out += c;
      return true;
    case 'b':
      out += '\b';
      return true;
    case 'f':
      out += '\f';
      return true;
    case 'n':
      out += '\n';
      return true;
    case 'r':
      out += '\r';
      return true;
    case 't':
      out += '\t';
      return true;
    case 'u':
      return readUnicodeEscape(out);
    default:
      return failAt(pos - 1, std::string("invalid escape '\\") + c + "'");
    }
  }

  bool readString(std::string &out) {
    size_t start = pos;
    ++pos; // '"'
    while (true) {
      if (atEnd())
        return failAt(start, "unterminated string");
      unsigned char c = static_cast<unsigned char>(text[pos]);
      if (c == '"') {
        ++pos;
        return true;
      }
      if (c < 0x20)
        return fail("control character in string (escape it)");
      ++pos;
      if (c == '\\') {
        if (!readEscape(out))
          return false;
        continue;
      }
      out += static_cast<char>(c);
    }
  }

  bool readDigits() {
    if (atEnd() || !(peek() >= '0' && peek() <= '9'))
      return fail("expected a digit");
    while (!atEnd() && peek() >= '0' && peek() <= '9')
      ++pos;
    return true;
  }

  bool readNumber(JsonValue &out) {
    size_t start = pos;
    if (peek() == '-')
      ++pos;
    if (peek() == '0') {
      ++pos;
      if (peek() >= '0' && peek() <= '9')
        return fail("leading zeros are not allowed");
    } else if (!readDigits()) {
      return false;
    }
    bool integerLiteral = true;
    if (peek() == '.') {
      integerLiteral = false;
      ++pos;
      if (!readDigits())
        return false;
    }
    if (peek() == 'e' || peek() == 'E') {
      integerLiteral = false;
      ++pos;
      if (peek() == '+' || peek() == '-')
        ++pos;
      if (!readDigits())
        return false;
    }
    // from_chars, unlike strtod, ignores the C locale's decimal separator.
    const char *first = text.data() + start;
    const char *last = text.data() + pos;
    if (integerLiteral) {
      int64_t value = 0;
      std::from_chars_result result = std::from_chars(first, last, value);
      if (result.ec == std::errc() && result.ptr == last) {
        out = JsonValue::makeInteger(value);
        return true;
      }
      // Out of int64 range: read it as a double instead.
    }
    double value = 0.0;
    std::from_chars_result result = std::from_chars(first, last, value);
    if (result.ec != std::errc() || result.ptr != last || !std::isfinite(value))
      return failAt(start, "number out of range");
    out = JsonValue::makeNumber(value);
    return true;
  }
};

} // namespace

bool parseJson(std::string_view text, JsonValue &out, JsonError &error) {
  JsonReader reader(text, error);
  return reader.readDocument(out);
}

} // namespace s2attn::rt
