//===- Ptxas.cpp - assemble PTX with the CUDA toolkit's ptxas -------------===//

#include "s2attn/Conversion/S2AttnToGPU/Ptxas.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cstdlib>

using namespace mlir::s2attn;

llvm::Expected<std::string> mlir::s2attn::findPtxas() {
  if (const char *chosen = std::getenv("S2ATTN_PTXAS"); chosen && *chosen) {
    if (llvm::sys::fs::can_execute(chosen))
      return std::string(chosen);
    return llvm::createStringError("ptxas not found: $S2ATTN_PTXAS is '" +
                                   std::string(chosen) +
                                   "', which is not an executable file");
  }
  std::string looked;
  for (const char *variable : {"CUDA_ROOT", "CUDA_HOME", "CUDA_PATH"}) {
    const char *root = std::getenv(variable);
    if (!root || !*root)
      continue;
    llvm::SmallString<256> path(root);
    llvm::sys::path::append(path, "bin", "ptxas");
    if (llvm::sys::fs::can_execute(path))
      return std::string(path);
    looked += std::string(path) + " ($" + variable + "), ";
  }
  if (llvm::ErrorOr<std::string> onPath = llvm::sys::findProgramByName("ptxas"))
    return *onPath;
  const char *fallback = "/usr/local/cuda/bin/ptxas";
  if (llvm::sys::fs::can_execute(fallback))
    return std::string(fallback);
  return llvm::createStringError(
      "ptxas not found (looked at " + looked +
      "PATH and /usr/local/cuda/bin); set CUDA_HOME to the CUDA toolkit");
}

/// The number right before `marker` in `line`, if any.
static std::optional<int64_t> numberBefore(llvm::StringRef line,
                                           llvm::StringRef marker) {
  size_t at = line.find(marker);
  if (at == llvm::StringRef::npos)
    return std::nullopt;
  llvm::StringRef before = line.take_front(at).rtrim();
  size_t start = before.size();
  while (start > 0 && llvm::isDigit(before[start - 1]))
    --start;
  llvm::StringRef digits = before.drop_front(start);
  int64_t value;
  if (digits.empty() || digits.getAsInteger(10, value))
    return std::nullopt;
  return value;
}

AssembledKernel mlir::s2attn::parsePtxasLog(llvm::StringRef log) {
  AssembledKernel kernel;
  llvm::SmallVector<llvm::StringRef> lines;
  log.split(lines, '\n');
  for (llvm::StringRef line : lines) {
    // A module of several functions reports each: keep the largest.
    if (std::optional<int64_t> registers = numberBefore(line, " registers"))
      if (line.contains("Used "))
        kernel.registers = std::max(kernel.registers, *registers);
    if (std::optional<int64_t> stores =
            numberBefore(line, " bytes spill stores"))
      kernel.spillStoreBytes = std::max(kernel.spillStoreBytes, *stores);
    if (std::optional<int64_t> loads = numberBefore(line, " bytes spill loads"))
      kernel.spillLoadBytes = std::max(kernel.spillLoadBytes, *loads);
  }
  return kernel;
}

static llvm::Expected<std::string> readWholeFile(llvm::StringRef path) {
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                  /*RequiresNullTerminator=*/false);
  if (!buffer)
    return llvm::createStringError(buffer.getError(),
                                   "cannot read " + path.str());
  return (*buffer)->getBuffer().str();
}

static llvm::Error writeWholeFile(llvm::StringRef path, llvm::StringRef text) {
  std::error_code ec;
  llvm::raw_fd_ostream file(path, ec);
  if (ec)
    return llvm::createStringError(ec, "cannot write " + path.str());
  file << text;
  file.close();
  if (file.has_error()) {
    std::error_code error = file.error();
    file.clear_error();
    return llvm::createStringError(error, "cannot write " + path.str());
  }
  return llvm::Error::success();
}

llvm::Expected<AssembledKernel>
mlir::s2attn::assemblePtx(llvm::StringRef ptx, llvm::StringRef chip) {
  llvm::Expected<std::string> ptxas = findPtxas();
  if (!ptxas)
    return ptxas.takeError();
  llvm::SmallString<128> ptxPath, cubinPath, logPath;
  llvm::scope_exit removeFiles([&] {
    for (const llvm::SmallString<128> *path : {&ptxPath, &cubinPath, &logPath})
      if (!path->empty())
        llvm::sys::fs::remove(*path);
  });
  for (auto [path, suffix] :
       {std::pair{&ptxPath, "ptx"}, {&cubinPath, "cubin"}, {&logPath, "log"}})
    if (std::error_code ec =
            llvm::sys::fs::createTemporaryFile("s2attn-kernel", suffix, *path))
      return llvm::createStringError(ec, "cannot create a temporary file");
  if (llvm::Error err = writeWholeFile(ptxPath, ptx))
    return std::move(err);
  std::string arch = ("-arch=" + chip).str();
  llvm::SmallVector<llvm::StringRef> args = {*ptxas,  arch, "-O2",    "-v",
                                             ptxPath, "-o", cubinPath};
  std::optional<llvm::StringRef> redirects[] = {std::nullopt, logPath.str(),
                                                logPath.str()};
  std::string launchError;
  int status = llvm::sys::ExecuteAndWait(*ptxas, args, std::nullopt, redirects,
                                         /*SecondsToWait=*/0,
                                         /*MemoryLimit=*/0, &launchError);
  llvm::Expected<std::string> log = readWholeFile(logPath);
  if (status != 0) {
    std::string output =
        log ? *log : "(no log: " + llvm::toString(log.takeError()) + ")";
    return llvm::createStringError(
        "ptxas (" + *ptxas + ") failed" +
        (launchError.empty() ? "" : ": " + launchError) + "\n" + output);
  }
  if (!log)
    return log.takeError();
  llvm::Expected<std::string> cubin = readWholeFile(cubinPath);
  if (!cubin)
    return cubin.takeError();
  if (cubin->empty())
    return llvm::createStringError("ptxas (" + *ptxas +
                                   ") succeeded but wrote no cubin\n" + *log);
  AssembledKernel kernel = parsePtxasLog(*log);
  kernel.cubin = std::move(*cubin);
  return kernel;
}
