//===- Render.cpp - SVG pictures of block patterns ------------------------===//
//
// Small, dependency-free SVG: consecutive cells of the same shade in a row
// are merged into one rectangle so that even coarsened 2048-block grids stay
// a few hundred kilobytes.
//
//===----------------------------------------------------------------------===//

#include "s2attn/Reference/Render.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>

using namespace s2attn::ref;

namespace {

constexpr int64_t kMaxPanelsPerLine = 8;
constexpr int64_t kMaxCellsPerSide = 48;
constexpr int64_t kTargetWidth = 1180;
constexpr int64_t kMaxWidth = 1200;
/// Average glyph widths of the title (14 px bold) and the other text (11 px).
constexpr int64_t kTitleGlyph = 8;
constexpr int64_t kTextGlyph = 6;
constexpr int64_t kMargin = 12;
constexpr int64_t kGap = 14;
constexpr int64_t kMaxCellPixels = 14;
constexpr int64_t kMinPanelSlot = 84; // Room for the density label.
constexpr int64_t kTitleHeight = 44;
constexpr int64_t kLabelHeight = 20;
/// Shades are quantised so that runs of nearly equal cells merge.
constexpr int kShadeLevels = 8;

std::string escapeXml(const std::string &text) {
  std::string escaped;
  for (char c : text) {
    switch (c) {
    case '&':
      escaped += "&amp;";
      break;
    case '<':
      escaped += "&lt;";
      break;
    case '>':
      escaped += "&gt;";
      break;
    case '"':
      escaped += "&quot;";
      break;
    default:
      escaped += c;
    }
  }
  return escaped;
}

std::string percent(double fraction) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.1f%%", 100.0 * fraction);
  return buffer;
}

/// One head's grid after coarsening: per display cell, how many of its
/// blocks are legal and how many are attended.
struct HeadGrid {
  int64_t rows = 0, cols = 0;
  std::vector<int64_t> legal, attended;
  int64_t totalLegal = 0, totalAttended = 0;

  double density() const {
    return totalLegal > 0 ? static_cast<double>(totalAttended) / totalLegal
                          : 0.0;
  }
  /// 0 for an empty cell, kShadeLevels for a fully attended one.
  int shade(int64_t row, int64_t col) const {
    int64_t cell = row * cols + col;
    if (attended[cell] == 0)
      return 0;
    double fraction = static_cast<double>(attended[cell]) / legal[cell];
    return std::max(1, static_cast<int>(fraction * kShadeLevels + 0.5));
  }
  bool isLegal(int64_t row, int64_t col) const {
    return legal[row * cols + col] > 0;
  }
};

HeadGrid scanHead(const BlockPattern &pattern, int64_t head, int64_t qBlocks,
                  int64_t kvBlocks, int64_t factor) {
  HeadGrid grid;
  grid.rows = ceilDiv(qBlocks, factor);
  grid.cols = ceilDiv(kvBlocks, factor);
  grid.legal.assign(grid.rows * grid.cols, 0);
  grid.attended.assign(grid.rows * grid.cols, 0);
  for (int64_t qBlock = 0; qBlock < qBlocks; ++qBlock) {
    int64_t rowEnd =
        pattern.causal() ? std::min(qBlock + 1, kvBlocks) : kvBlocks;
    for (int64_t kvBlock = 0; kvBlock < rowEnd; ++kvBlock) {
      int64_t cell = (qBlock / factor) * grid.cols + kvBlock / factor;
      ++grid.legal[cell];
      ++grid.totalLegal;
      if (pattern.attendsBlock(head, qBlock, kvBlock)) {
        ++grid.attended[cell];
        ++grid.totalAttended;
      }
    }
  }
  return grid;
}

/// Pixel layout of the whole picture.
struct Layout {
  int64_t factor, cell, panelWidth, panelHeight, slotWidth, panelsPerLine,
      lines;
  /// Room the header lines need, estimated from their length.
  int64_t textWidth = 0;

  int64_t width() const {
    int64_t panels =
        2 * kMargin + panelsPerLine * slotWidth + (panelsPerLine - 1) * kGap;
    return std::max(panels, std::min(textWidth, kMaxWidth));
  }
  int64_t height() const {
    return kTitleHeight + lines * (panelHeight + kLabelHeight + kGap) + kMargin;
  }
  int64_t panelX(int64_t head) const {
    return kMargin + (head % panelsPerLine) * (slotWidth + kGap) +
           (slotWidth - panelWidth) / 2;
  }
  int64_t panelY(int64_t head) const {
    return kTitleHeight +
           (head / panelsPerLine) * (panelHeight + kLabelHeight + kGap);
  }
};

Layout computeLayout(int64_t heads, int64_t qBlocks, int64_t kvBlocks) {
  Layout layout;
  layout.factor = std::max<int64_t>(
      1, ceilDiv(std::max(qBlocks, kvBlocks), kMaxCellsPerSide));
  int64_t rows = ceilDiv(qBlocks, layout.factor);
  int64_t cols = ceilDiv(kvBlocks, layout.factor);
  layout.panelsPerLine =
      std::max<int64_t>(1, std::min(heads, kMaxPanelsPerLine));
  layout.lines = ceilDiv(std::max<int64_t>(heads, 1), layout.panelsPerLine);
  int64_t slotBudget =
      (kTargetWidth - 2 * kMargin - (layout.panelsPerLine - 1) * kGap) /
      layout.panelsPerLine;
  layout.cell = std::clamp<int64_t>(slotBudget / std::max<int64_t>(cols, 1), 1,
                                    kMaxCellPixels);
  layout.panelWidth = cols * layout.cell;
  layout.panelHeight = rows * layout.cell;
  layout.slotWidth = std::max(layout.panelWidth, kMinPanelSlot);
  return layout;
}

/// Emits one rectangle per run of equal, non-zero `styleOf` values in each
/// row; `fill` turns a style value into SVG attributes.
template <typename StyleFn, typename FillFn>
void emitRuns(std::ostringstream &svg, const HeadGrid &grid, int64_t cell,
              StyleFn styleOf, FillFn fill) {
  for (int64_t row = 0; row < grid.rows; ++row) {
    int64_t col = 0;
    while (col < grid.cols) {
      int style = styleOf(row, col);
      int64_t end = col + 1;
      while (end < grid.cols && styleOf(row, end) == style)
        ++end;
      if (style != 0)
        svg << "<rect x=\"" << col * cell << "\" y=\"" << row * cell
            << "\" width=\"" << (end - col) * cell << "\" height=\"" << cell
            << "\" " << fill(style) << "/>\n";
      col = end;
    }
  }
}

void emitPanel(std::ostringstream &svg, const Layout &layout,
               const HeadGrid &grid, int64_t head) {
  svg << "<g class=\"head-panel\" transform=\"translate(" << layout.panelX(head)
      << "," << layout.panelY(head) << ")\">\n";
  svg << "<rect width=\"" << layout.panelWidth << "\" height=\""
      << layout.panelHeight << "\" fill=\"#ffffff\"/>\n";
  emitRuns(
      svg, grid, layout.cell,
      [&](int64_t row, int64_t col) { return grid.isLegal(row, col) ? 1 : 0; },
      [](int) { return std::string("fill=\"#e6ebf2\""); });
  emitRuns(
      svg, grid, layout.cell,
      [&](int64_t row, int64_t col) { return grid.shade(row, col); },
      [](int shade) {
        std::ostringstream attributes;
        attributes << "fill=\"#1f5fa8\"";
        if (shade < kShadeLevels)
          attributes << " fill-opacity=\""
                     << static_cast<double>(shade) / kShadeLevels << "\"";
        return attributes.str();
      });
  svg << "<rect width=\"" << layout.panelWidth << "\" height=\""
      << layout.panelHeight
      << "\" fill=\"none\" stroke=\"#8a8f98\" stroke-width=\"0.5\"/>\n";
  svg << "<text x=\"" << layout.panelWidth / 2 << "\" y=\""
      << layout.panelHeight + 14 << "\" text-anchor=\"middle\">head " << head
      << ": " << percent(grid.density()) << "</text>\n";
  svg << "</g>\n";
}

std::string subtitle(const Layout &layout, int64_t qBlocks, int64_t kvBlocks) {
  std::ostringstream text;
  text << "rows: " << qBlocks << " query blocks, columns: " << kvBlocks
       << " key blocks; dark = attended, light = legal";
  if (layout.factor > 1)
    text << "; a cell is " << layout.factor << "x" << layout.factor
         << " blocks, shaded by the fraction attended";
  return text.str();
}

void emitHeader(std::ostringstream &svg, const Layout &layout,
                const std::string &title, const std::string &subtitle) {
  svg << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << layout.width()
      << "\" height=\"" << layout.height() << "\" viewBox=\"0 0 "
      << layout.width() << " " << layout.height()
      << "\" font-family=\"sans-serif\" font-size=\"11\">\n";
  svg << "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n";
  svg << "<text x=\"" << kMargin << "\" y=\"18\" font-size=\"14\" "
      << "font-weight=\"bold\">" << escapeXml(title) << "</text>\n";
  svg << "<text x=\"" << kMargin << "\" y=\"34\" fill=\"#555555\">"
      << escapeXml(subtitle) << "</text>\n";
}

} // namespace

std::string s2attn::ref::renderPatternSVG(const BlockPattern &pattern,
                                          int64_t heads, int64_t qBlocks,
                                          int64_t kvBlocks,
                                          const std::string &title) {
  Layout layout = computeLayout(heads, qBlocks, kvBlocks);
  std::string note = subtitle(layout, qBlocks, kvBlocks);
  layout.textWidth = 2 * kMargin + std::max<int64_t>(title.size() * kTitleGlyph,
                                                     note.size() * kTextGlyph);
  std::ostringstream svg;
  emitHeader(svg, layout, title, note);
  std::map<int64_t, HeadGrid> gridOfPattern;
  for (int64_t head = 0; head < heads; ++head) {
    int64_t canonical = pattern.canonicalHead(head);
    auto it = gridOfPattern.find(canonical);
    if (it == gridOfPattern.end())
      it = gridOfPattern
               .emplace(canonical, scanHead(pattern, canonical, qBlocks,
                                            kvBlocks, layout.factor))
               .first;
    emitPanel(svg, layout, it->second, head);
  }
  svg << "</svg>\n";
  return svg.str();
}
