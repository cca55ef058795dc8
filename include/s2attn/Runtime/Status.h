//===- Status.h - Error codes with messages for the runtime ------*- C++
//-*-===//
//
// The runtime never throws (it is called from C and from Debian's
// -fno-exceptions LLVM builds): every fallible step returns a Status, which the
// C API turns into an s2attn_status plus a thread-local message.
//
//===----------------------------------------------------------------------===//

#ifndef S2ATTN_RUNTIME_STATUS_H
#define S2ATTN_RUNTIME_STATUS_H

#include "s2attn/Runtime/S2AttnRuntime.h"

#include <sstream>
#include <string>
#include <utility>

namespace s2attn::rt {

class [[nodiscard]] Status {
public:
  Status() = default;
  Status(s2attn_status code, std::string message)
      : code(code), message(std::move(message)) {}

  static Status success() { return Status(); }

  bool ok() const { return code == S2ATTN_SUCCESS; }
  s2attn_status getCode() const { return code; }
  const std::string &getMessage() const { return message; }

private:
  s2attn_status code = S2ATTN_SUCCESS;
  std::string message;
};

/// Concatenates streamable values: makeError(code, "tensor '", name, "'").
template <typename... Parts>
Status makeError(s2attn_status code, const Parts &...parts) {
  std::ostringstream os;
  (os << ... << parts);
  return Status(code, os.str());
}

template <typename... Parts> std::string concat(const Parts &...parts) {
  std::ostringstream os;
  (os << ... << parts);
  return os.str();
}

} // namespace s2attn::rt

#endif // S2ATTN_RUNTIME_STATUS_H
