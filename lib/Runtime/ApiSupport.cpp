//===- ApiSupport.cpp - Status and dtype names, the last error ------------===//

#include "ErrorState.h"

#include "s2attn/Runtime/S2AttnRuntime.h"

#include <string>

namespace s2attn::rt {

namespace {

struct LastError {
  s2attn_status code = S2ATTN_SUCCESS;
  std::string message;
};

LastError &lastError() {
  // Per thread, like errno: concurrent callers never see each other's errors.
  thread_local LastError error;
  return error;
}

} // namespace

s2attn_status reportStatus(const Status &status) {
  if (!status.ok()) {
    lastError().code = status.getCode();
    lastError().message = status.getMessage();
  }
  return status.getCode();
}

} // namespace s2attn::rt

using namespace s2attn::rt;

extern "C" {

const char *s2attn_status_name(s2attn_status status) {
  switch (status) {
#define S2ATTN_STATUS_CASE(name)                                               \
  case name:                                                                   \
    return #name;
    S2ATTN_STATUS_CASE(S2ATTN_SUCCESS)
    S2ATTN_STATUS_CASE(S2ATTN_ERROR_INVALID_ARGUMENT)
    S2ATTN_STATUS_CASE(S2ATTN_ERROR_NO_DRIVER)
    S2ATTN_STATUS_CASE(S2ATTN_ERROR_DRIVER_INIT)
    S2ATTN_STATUS_CASE(S2ATTN_ERROR_NO_DEVICE)
    S2ATTN_STATUS_CASE(S2ATTN_ERROR_CUDA)
    S2ATTN_STATUS_CASE(S2ATTN_ERROR_ARTIFACT_IO)
    S2ATTN_STATUS_CASE(S2ATTN_ERROR_ARTIFACT_PARSE)
    S2ATTN_STATUS_CASE(S2ATTN_ERROR_ARTIFACT_INVALID)
    S2ATTN_STATUS_CASE(S2ATTN_ERROR_TENSOR_COUNT)
    S2ATTN_STATUS_CASE(S2ATTN_ERROR_TENSOR_NAME)
    S2ATTN_STATUS_CASE(S2ATTN_ERROR_SHAPE_MISMATCH)
    S2ATTN_STATUS_CASE(S2ATTN_ERROR_UNSUPPORTED_DTYPE)
    S2ATTN_STATUS_CASE(S2ATTN_ERROR_INVALID_DTYPE)
    S2ATTN_STATUS_CASE(S2ATTN_ERROR_NULL_POINTER)
    S2ATTN_STATUS_CASE(S2ATTN_ERROR_MISALIGNED_POINTER)
    S2ATTN_STATUS_CASE(S2ATTN_ERROR_LAYOUT)
    S2ATTN_STATUS_CASE(S2ATTN_ERROR_SCALAR)
    S2ATTN_STATUS_CASE(S2ATTN_ERROR_SHARED_MEMORY_LIMIT)
    S2ATTN_STATUS_CASE(S2ATTN_ERROR_LAUNCH_CONFIG)
    S2ATTN_STATUS_CASE(S2ATTN_ERROR_ARCH_MISMATCH)
    S2ATTN_STATUS_CASE(S2ATTN_ERROR_KERNEL_NOT_FOUND)
    S2ATTN_STATUS_CASE(S2ATTN_ERROR_BAD_DEVICE_POINTER)
    S2ATTN_STATUS_CASE(S2ATTN_ERROR_UNSUPPORTED)
    S2ATTN_STATUS_CASE(S2ATTN_ERROR_INTERNAL)
#undef S2ATTN_STATUS_CASE
  }
  return "S2ATTN_ERROR_UNKNOWN";
}

s2attn_status s2attn_last_error(void) { return lastError().code; }

const char *s2attn_last_error_message(void) {
  return lastError().message.c_str();
}

void s2attn_clear_last_error(void) {
  lastError().code = S2ATTN_SUCCESS;
  lastError().message.clear();
}

const char *s2attn_dtype_name(int32_t dtype) {
  switch (dtype) {
  case S2ATTN_DTYPE_F16:
    return "f16";
  case S2ATTN_DTYPE_BF16:
    return "bf16";
  case S2ATTN_DTYPE_F32:
    return "f32";
  case S2ATTN_DTYPE_F64:
    return "f64";
  case S2ATTN_DTYPE_I32:
    return "i32";
  case S2ATTN_DTYPE_I64:
    return "i64";
  case S2ATTN_DTYPE_U8:
    return "u8";
  case S2ATTN_DTYPE_I8:
    return "i8";
  default:
    return "invalid";
  }
}

size_t s2attn_dtype_size(int32_t dtype) {
  switch (dtype) {
  case S2ATTN_DTYPE_U8:
  case S2ATTN_DTYPE_I8:
    return 1;
  case S2ATTN_DTYPE_F16:
  case S2ATTN_DTYPE_BF16:
    return 2;
  case S2ATTN_DTYPE_F32:
  case S2ATTN_DTYPE_I32:
    return 4;
  case S2ATTN_DTYPE_F64:
  case S2ATTN_DTYPE_I64:
    return 8;
  default:
    return 0;
  }
}

} // extern "C"
