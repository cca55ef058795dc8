//===- ArtifactWriter.cpp - kernel.json for a compiled attention ----------===//

#include "ArtifactWriter.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

using namespace s2compile;

static void writeTriple(llvm::raw_ostream &os, const std::array<int64_t, 3> &v) {
  os << "[" << v[0] << ", " << v[1] << ", " << v[2] << "]";
}

static void writeString(llvm::raw_ostream &os, llvm::StringRef text) {
  os << '"';
  for (char c : text) {
    if (c == '"' || c == '\\')
      os << '\\' << c;
    else if (static_cast<unsigned char>(c) < 0x20)
      os << llvm::format("\\u%04x", c);
    else
      os << c;
  }
  os << '"';
}

std::string s2compile::toJson(const KernelDescription &kernel) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "{\n  \"format\": \"s2attn.kernel\",\n  \"version\": 1,\n";
  os << "  \"entry\": ";
  writeString(os, kernel.entry);
  os << ",\n  \"target\": ";
  writeString(os, kernel.target);
  os << ",\n  \"block\": ";
  writeTriple(os, kernel.block);
  os << ",\n  \"grid\": ";
  writeTriple(os, kernel.grid);
  os << ",\n  \"dynamic_shared_memory\": " << kernel.dynamicSharedMemory
     << ",\n  \"tensors\": [\n";
  for (auto [i, tensor] : llvm::enumerate(kernel.tensors)) {
    os << "    {\"name\": ";
    writeString(os, tensor.name);
    os << ", \"dtype\": ";
    writeString(os, tensor.dtype);
    os << ", \"shape\": [";
    llvm::interleaveComma(tensor.shape, os);
    os << "]";
    if (tensor.written)
      os << ", \"access\": \"write\"";
    os << "}" << (i + 1 < kernel.tensors.size() ? "," : "") << "\n";
  }
  os << "  ],\n  \"parameters\": [\n";
  for (auto [i, tensor] : llvm::enumerate(kernel.tensors)) {
    os << "    {\"kind\": \"pointer\", \"tensor\": ";
    writeString(os, tensor.name);
    os << "}" << (i + 1 < kernel.tensors.size() ? "," : "") << "\n";
  }
  os << "  ],\n  \"info\": {\"problem\": ";
  writeString(os, kernel.info);
  os << "}\n}\n";
  return text;
}
