//===- JsonTest.cpp - The strict JSON reader ------------------------------===//

#include "s2attn/Runtime/Json.h"

#include "gtest/gtest.h"

#include <cstdint>
#include <string>

using namespace s2attn::rt;

namespace {

JsonValue parseOk(const std::string &text) {
  JsonValue value;
  JsonError error;
  EXPECT_TRUE(parseJson(text, value, error)) << text << ": " << error.format();
  return value;
}

JsonError parseFails(const std::string &text) {
  JsonValue value;
  JsonError error;
  EXPECT_FALSE(parseJson(text, value, error)) << "accepted: " << text;
  return error;
}

TEST(JsonTest, Literals) {
  EXPECT_TRUE(parseOk("null").isNull());
  EXPECT_TRUE(parseOk("true").getBool());
  EXPECT_FALSE(parseOk("false").getBool());
  EXPECT_EQ(parseOk("\"text\"").getString(), "text");
  EXPECT_TRUE(parseOk("  \t\r\n 7 \n").isInteger());
}

TEST(JsonTest, IntegersStayExact) {
  EXPECT_EQ(parseOk("0").getInteger(), 0);
  EXPECT_EQ(parseOk("-7").getInteger(), -7);
  // 2^53 + 1 is not representable as a double.
  EXPECT_EQ(parseOk("9007199254740993").getInteger(), 9007199254740993LL);
  EXPECT_EQ(parseOk("9223372036854775807").getInteger(), INT64_MAX);
  EXPECT_EQ(parseOk("-9223372036854775808").getInteger(), INT64_MIN);
  JsonValue tooBig = parseOk("9223372036854775808");
  EXPECT_TRUE(tooBig.isNumber());
  EXPECT_FALSE(tooBig.isInteger());
  EXPECT_DOUBLE_EQ(tooBig.getNumber(), 9223372036854775808.0);
}

TEST(JsonTest, NonIntegerNumbers) {
  EXPECT_FALSE(parseOk("1.0").isInteger());
  EXPECT_DOUBLE_EQ(parseOk("1.5").getNumber(), 1.5);
  EXPECT_DOUBLE_EQ(parseOk("-2.5e-3").getNumber(), -2.5e-3);
  EXPECT_DOUBLE_EQ(parseOk("1E3").getNumber(), 1000.0);
  EXPECT_FALSE(parseOk("1e3").isInteger());
  EXPECT_DOUBLE_EQ(parseOk("0.08838834764831845").getNumber(),
                   0.08838834764831845);
}

TEST(JsonTest, StringEscapes) {
  EXPECT_EQ(parseOk(R"("\"\\\/\b\f\n\r\t")").getString(), "\"\\/\b\f\n\r\t");
  EXPECT_EQ(parseOk(R"("\u0041\u00e9")").getString(), "A\xc3\xa9");
  EXPECT_EQ(parseOk(R"("\u20AC")").getString(), "\xe2\x82\xac");
  // A surrogate pair becomes one 4-byte UTF-8 sequence.
  EXPECT_EQ(parseOk(R"("\ud83d\ude00")").getString(), "\xf0\x9f\x98\x80");
  // Raw UTF-8 passes through.
  EXPECT_EQ(parseOk("\"\xc3\xa9\"").getString(), "\xc3\xa9");
}

TEST(JsonTest, NestedValuesKeepOrder) {
  JsonValue value =
      parseOk(R"({"b": [1, {"c": null}], "a": {}, "z": [[]], "s": "x"})");
  ASSERT_TRUE(value.isObject());
  ASSERT_EQ(value.getObject().size(), 4u);
  EXPECT_EQ(value.getObject()[0].first, "b");
  EXPECT_EQ(value.getObject()[1].first, "a");
  const JsonValue *b = value.find("b");
  ASSERT_NE(b, nullptr);
  ASSERT_EQ(b->getArray().size(), 2u);
  EXPECT_TRUE(b->getArray()[1].find("c")->isNull());
  EXPECT_EQ(value.find("missing"), nullptr);
  EXPECT_EQ(b->find("anything"), nullptr); // not an object
  EXPECT_TRUE(value.find("z")->getArray()[0].getArray().empty());
}

struct BadJson {
  const char *text;
  const char *messagePart;
};

class JsonRejectTest : public ::testing::TestWithParam<BadJson> {};

TEST_P(JsonRejectTest, RejectsWithMessage) {
  JsonError error = parseFails(GetParam().text);
  EXPECT_NE(error.message.find(GetParam().messagePart), std::string::npos)
      << "message: " << error.message;
  EXPECT_GE(error.line, 1u);
  EXPECT_GE(error.column, 1u);
}

INSTANTIATE_TEST_SUITE_P(
    Malformed, JsonRejectTest,
    ::testing::Values(
        BadJson{"", "unexpected end of input"},
        BadJson{"   ", "unexpected end of input"},
        BadJson{"{", "expected a string key"},
        BadJson{"[1,]", "trailing comma in array"},
        BadJson{"{\"a\": 1,}", "trailing comma in object"},
        BadJson{"{\"a\": 1 \"b\": 2}", "expected ',' or '}'"},
        BadJson{"[1 2]", "expected ',' or ']'"},
        BadJson{"{1: 2}", "expected a string key"},
        BadJson{"{\"a\" 1}", "expected ':'"},
        BadJson{"// comment\n1", "unexpected character '/'"},
        BadJson{"01", "leading zeros"}, BadJson{"1.", "expected a digit"},
        BadJson{".5", "unexpected character '.'"},
        BadJson{"+1", "unexpected character '+'"},
        BadJson{"-", "expected a digit"}, BadJson{"1e", "expected a digit"},
        BadJson{"NaN", "unexpected character 'N'"},
        BadJson{"Infinity", "unexpected character 'I'"},
        BadJson{"tru", "invalid literal"}, BadJson{"nul", "invalid literal"},
        BadJson{"\"abc", "unterminated string"},
        BadJson{"\"a\tb\"", "control character"},
        BadJson{"\"\\x\"", "invalid escape"},
        BadJson{"\"\\u12zz\"", "invalid hex digit"},
        BadJson{"\"\\u12\"", "truncated \\u escape"},
        BadJson{"\"\\ud800\"", "high surrogate without a low surrogate"},
        BadJson{"\"\\udc00\"", "lone low surrogate"},
        BadJson{"{\"a\": 1, \"a\": 2}", "duplicate key \"a\""},
        BadJson{"1 2", "unexpected text after the JSON value"},
        BadJson{"{} x", "unexpected text after the JSON value"},
        BadJson{"1e999", "number out of range"},
        BadJson{"'single'", "unexpected character '''"}),
    [](const ::testing::TestParamInfo<BadJson> &info) {
      return "Case" + std::to_string(info.index);
    });

TEST(JsonTest, RejectsDeepNesting) {
  std::string deep(kMaxJsonDepth + 2, '[');
  deep += std::string(kMaxJsonDepth + 2, ']');
  EXPECT_NE(parseFails(deep).message.find("nesting deeper"), std::string::npos);
  std::string fine(kMaxJsonDepth, '[');
  fine += std::string(kMaxJsonDepth, ']');
  parseOk(fine);
}

TEST(JsonTest, ErrorsCarryLineAndColumn) {
  JsonError error = parseFails("{\n  \"a\": ,\n}");
  EXPECT_EQ(error.line, 2u);
  EXPECT_EQ(error.column, 8u);
  EXPECT_EQ(error.format().rfind("line 2, column 8: ", 0), 0u)
      << error.format();
}

TEST(JsonTest, SurvivesArbitraryBytes) {
  // Every prefix of a valid document is either valid or an error, never a
  // crash (the reader must not run past the end).
  std::string document =
      R"({"k": [1, -2.5e3, "s\u00e9\n", true, null, {"x": {}}]})";
  for (size_t length = 0; length <= document.size(); ++length) {
    JsonValue value;
    JsonError error;
    bool ok =
        parseJson(std::string_view(document.data(), length), value, error);
    EXPECT_EQ(ok, length == document.size()) << "prefix " << length;
  }
}

} // namespace
