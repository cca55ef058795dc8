//===- ErrorState.h - The C API's per-thread last error ----------*- C++
//-*-===//

#ifndef S2ATTN_LIB_RUNTIME_ERRORSTATE_H
#define S2ATTN_LIB_RUNTIME_ERRORSTATE_H

#include "s2attn/Runtime/Status.h"

namespace s2attn::rt {

/// Records a failing status as this thread's last error and returns its code;
/// a success is returned as is and leaves the record alone.
s2attn_status reportStatus(const Status &status);

} // namespace s2attn::rt

#endif // S2ATTN_LIB_RUNTIME_ERRORSTATE_H
