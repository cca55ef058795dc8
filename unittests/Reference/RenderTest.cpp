//===- RenderTest.cpp - SVG pictures of block patterns --------------------===//

#include "s2attn/Reference/Render.h"

#include "gtest/gtest.h"

#include <regex>

using namespace s2attn::ref;

namespace {

int64_t countOccurrences(const std::string &text, const std::string &needle) {
  int64_t count = 0;
  for (size_t at = text.find(needle); at != std::string::npos;
       at = text.find(needle, at + needle.size()))
    ++count;
  return count;
}

/// Checks that every tag closes in order; returns the first problem or "".
std::string tagStructureError(const std::string &svg) {
  std::vector<std::string> open;
  std::regex tag(R"(<(/?)([A-Za-z][A-Za-z0-9]*)[^<>]*?(/?)>)");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), tag);
       it != std::sregex_iterator(); ++it) {
    const std::smatch &match = *it;
    std::string name = match[2];
    if (match[3] == "/")
      continue; // self-closing
    if (match[1] == "/") {
      if (open.empty() || open.back() != name)
        return "unexpected </" + name + ">";
      open.pop_back();
    } else {
      open.push_back(name);
    }
  }
  return open.empty() ? "" : "unclosed <" + open.back() + ">";
}

LocalStridePattern specExample(int64_t heads) {
  LocalStrideParams params;
  params.localBlocks = 2;
  params.vertStride = 4;
  params.headStep = 1;
  return LocalStridePattern(params, heads, heads);
}

TEST(Render, OnePanelPerHeadWithItsDensity) {
  LocalStridePattern pattern = specExample(4);
  std::string svg = renderPatternSVG(pattern, 4, 8, 8, "spec <example> & co");
  EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
  EXPECT_NE(svg.find("<svg xmlns=\"http://www.w3.org/2000/svg\""),
            std::string::npos);
  EXPECT_EQ(svg.substr(svg.size() - 7), "</svg>\n");
  EXPECT_EQ(tagStructureError(svg), "");
  EXPECT_EQ(countOccurrences(svg, "class=\"head-panel\""), 4);
  EXPECT_NE(svg.find("spec &lt;example&gt; &amp; co"), std::string::npos);
  EXPECT_EQ(svg.find("<example>"), std::string::npos);
  // 23, 18, 19 and 21 of 36 causal block pairs.
  for (const char *label :
       {"head 0: 63.9%", "head 1: 50.0%", "head 2: 52.8%", "head 3: 58.3%"})
    EXPECT_NE(svg.find(label), std::string::npos) << label;
}

TEST(Render, LargeConfigurationsStayCompact) {
  LocalStrideParams params;
  params.localBlocks = 16;
  params.vertStride = 8;
  params.headOffset = 1;
  LocalStridePattern pattern(params, 32, 8);
  std::string svg = renderPatternSVG(pattern, 32, 512, 512, "phi-3-small");
  EXPECT_EQ(tagStructureError(svg), "");
  EXPECT_EQ(countOccurrences(svg, "class=\"head-panel\""), 32);
  std::smatch width;
  ASSERT_TRUE(
      std::regex_search(svg, width, std::regex(R"re(width="(\d+)")re")));
  EXPECT_LE(std::stoi(width[1]), 1200);
  EXPECT_LT(svg.size(), 2000000u);
  EXPECT_NE(svg.find("fill-opacity"), std::string::npos); // coarsened cells
}

TEST(Render, ManyHeadsWrapAtEightPanelsPerLine) {
  LocalStridePattern pattern = specExample(12);
  std::string svg = renderPatternSVG(pattern, 12, 16, 16, "twelve");
  EXPECT_EQ(countOccurrences(svg, "class=\"head-panel\""), 12);
  std::smatch match;
  std::regex translate(
      R"re(class="head-panel" transform="translate\((\d+),(\d+)\)")re");
  std::vector<std::pair<int, int>> origins;
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), translate);
       it != std::sregex_iterator(); ++it)
    origins.push_back({std::stoi((*it)[1]), std::stoi((*it)[2])});
  ASSERT_EQ(origins.size(), 12u);
  EXPECT_EQ(origins[0].second, origins[7].second);
  EXPECT_LT(origins[7].second, origins[8].second);
  EXPECT_EQ(origins[0].first, origins[8].first);
}

} // namespace
