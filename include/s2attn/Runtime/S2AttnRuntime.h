/*===- S2AttnRuntime.h - C API for running compiled s2attn kernels -*- C -*-===*
 *
 * A framework-facing C API: open a compiled kernel artifact (a directory with
 * kernel.cubin and kernel.json, see docs/artifact-format.md), check a launch
 * against the artifact's contract, and launch it on device pointers on a
 * stream. The CUDA driver (libcuda.so.1) is loaded with dlopen on first use,
 * so this library loads on machines without a driver and reports
 * S2ATTN_ERROR_NO_DRIVER there.
 *
 * Every function that can fail returns an s2attn_status; on failure
 * s2attn_last_error_message() says what was wrong and what was expected.
 * Arguments are validated before any driver call, so a bad launch never
 * reaches the GPU.
 *
 *===----------------------------------------------------------------------===*/

#ifndef S2ATTN_RUNTIME_S2ATTNRUNTIME_H
#define S2ATTN_RUNTIME_S2ATTNRUNTIME_H

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define S2ATTN_RUNTIME_EXPORT __attribute__((visibility("default")))
#else
#define S2ATTN_RUNTIME_EXPORT
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes. Values are stable: frameworks may hard-code them. */
typedef enum s2attn_status {
  S2ATTN_SUCCESS = 0,
  /* A null handle or output pointer, or an inconsistent argument count. */
  S2ATTN_ERROR_INVALID_ARGUMENT = 1,
  /* libcuda.so.1 could not be loaded: no NVIDIA driver on this machine. */
  S2ATTN_ERROR_NO_DRIVER = 2,
  /* The driver library loaded but cannot be used (cuInit failed, a needed
     entry point is missing, or it is the toolkit's link stub). */
  S2ATTN_ERROR_DRIVER_INIT = 3,
  /* No CUDA device, or the device ordinal is out of range. */
  S2ATTN_ERROR_NO_DEVICE = 4,
  /* A CUDA driver call failed; the message names the call and the error. */
  S2ATTN_ERROR_CUDA = 5,
  /* The artifact directory or one of its files could not be read. */
  S2ATTN_ERROR_ARTIFACT_IO = 6,
  /* kernel.json is not well-formed JSON. */
  S2ATTN_ERROR_ARTIFACT_PARSE = 7,
  /* kernel.json is JSON but does not follow the artifact format. */
  S2ATTN_ERROR_ARTIFACT_INVALID = 8,
  /* The number of tensors differs from the artifact's tensor list. */
  S2ATTN_ERROR_TENSOR_COUNT = 9,
  /* A tensor's name differs from the artifact's tensor at that position. */
  S2ATTN_ERROR_TENSOR_NAME = 10,
  /* A tensor's rank or a dimension differs from what the artifact expects,
     or a shape symbol breaks its constraint (min, max, multiple_of). */
  S2ATTN_ERROR_SHAPE_MISMATCH = 11,
  /* A tensor's dtype is valid but not the one the artifact was built for. */
  S2ATTN_ERROR_UNSUPPORTED_DTYPE = 12,
  /* A dtype value that is not one of s2attn_dtype. */
  S2ATTN_ERROR_INVALID_DTYPE = 13,
  /* A tensor's data pointer is NULL. */
  S2ATTN_ERROR_NULL_POINTER = 14,
  /* A tensor's data pointer is not aligned as the artifact requires. */
  S2ATTN_ERROR_MISALIGNED_POINTER = 15,
  /* A tensor's strides do not match the layout the artifact requires. */
  S2ATTN_ERROR_LAYOUT = 16,
  /* A scalar parameter without a default was not given, or an unknown
     scalar name was given. */
  S2ATTN_ERROR_SCALAR = 17,
  /* The kernel needs more shared memory per block than the device allows. */
  S2ATTN_ERROR_SHARED_MEMORY_LIMIT = 18,
  /* Grid, block or cluster dimensions the device cannot launch. */
  S2ATTN_ERROR_LAUNCH_CONFIG = 19,
  /* The artifact was built for another GPU architecture than the device's. */
  S2ATTN_ERROR_ARCH_MISMATCH = 20,
  /* The kernel's entry point is not in the cubin. */
  S2ATTN_ERROR_KERNEL_NOT_FOUND = 21,
  /* A tensor's pointer is not device-accessible memory, or its allocation
     is smaller than the tensor's extent. */
  S2ATTN_ERROR_BAD_DEVICE_POINTER = 22,
  /* A feature this runtime or driver does not provide. */
  S2ATTN_ERROR_UNSUPPORTED = 23,
  S2ATTN_ERROR_INTERNAL = 24
} s2attn_status;

/* Element types. */
typedef enum s2attn_dtype {
  S2ATTN_DTYPE_INVALID = 0,
  S2ATTN_DTYPE_F16 = 1,
  S2ATTN_DTYPE_BF16 = 2,
  S2ATTN_DTYPE_F32 = 3,
  S2ATTN_DTYPE_F64 = 4,
  S2ATTN_DTYPE_I32 = 5,
  S2ATTN_DTYPE_I64 = 6,
  S2ATTN_DTYPE_U8 = 7,
  S2ATTN_DTYPE_I8 = 8
} s2attn_dtype;

#define S2ATTN_MAX_RANK 8

/* A tensor in device memory. */
typedef struct s2attn_tensor {
  /* Optional: when not NULL it must equal the artifact's tensor name at this
     position (catches arguments passed in the wrong order). */
  const char *name;
  /* Device address (a CUdeviceptr value). */
  void *data;
  int32_t dtype; /* an s2attn_dtype */
  int32_t rank;
  int64_t shape[S2ATTN_MAX_RANK];
  /* Strides in elements. All zero means row-major contiguous. */
  int64_t strides[S2ATTN_MAX_RANK];
} s2attn_tensor;

/* A row-major contiguous tensor (strides all zero) of `rank` dimensions
   taken from `shape`. Only the first S2ATTN_MAX_RANK are copied; a larger
   rank is kept as given, for the launch checks to reject. */
static inline s2attn_tensor s2attn_make_tensor(const char *name, void *data,
                                               int32_t dtype, int32_t rank,
                                               const int64_t *shape) {
  s2attn_tensor tensor;
  int32_t d;
  tensor.name = name;
  tensor.data = data;
  tensor.dtype = dtype;
  tensor.rank = rank;
  for (d = 0; d < S2ATTN_MAX_RANK; ++d) {
    tensor.shape[d] = d < rank ? shape[d] : 0;
    tensor.strides[d] = 0;
  }
  return tensor;
}

/* A named scalar kernel parameter (e.g. softmax_scale). */
typedef struct s2attn_scalar {
  const char *name;
  double value;
} s2attn_scalar;

typedef struct s2attn_launch_args {
  /* In the order of the artifact's "tensors" list. */
  const s2attn_tensor *tensors;
  size_t num_tensors;
  const s2attn_scalar *scalars;
  size_t num_scalars;
  /* CUDA device ordinal the pointers and the stream belong to. */
  int32_t device;
  /* A CUstream (cudaStream_t); NULL is the legacy default stream. */
  void *stream;
} s2attn_launch_args;

/* What a device allows; filled by s2attn_device_get_limits. */
typedef struct s2attn_device_limits {
  int32_t compute_capability_major;
  int32_t compute_capability_minor;
  int32_t multiprocessor_count;
  int32_t max_threads_per_block;
  int32_t max_block_dim[3];
  int32_t max_grid_dim[3];
  /* Largest shared memory per block a kernel may opt in to (bytes). */
  int32_t max_shared_memory_per_block_optin;
} s2attn_device_limits;

/* The launch a validated call resolves to. */
typedef struct s2attn_launch_config {
  uint32_t grid[3];
  uint32_t block[3];
  uint32_t cluster[3];
  uint32_t dynamic_shared_memory;
} s2attn_launch_config;

typedef struct s2attn_artifact s2attn_artifact;

/* --- Errors ------------------------------------------------------------- */

/* A stable name such as "S2ATTN_ERROR_NO_DRIVER". */
S2ATTN_RUNTIME_EXPORT const char *s2attn_status_name(s2attn_status status);
/* The status of the most recent failing call on this thread. */
S2ATTN_RUNTIME_EXPORT s2attn_status s2attn_last_error(void);
/* Its message ("" when none); valid until the next failure on this thread. */
S2ATTN_RUNTIME_EXPORT const char *s2attn_last_error_message(void);
S2ATTN_RUNTIME_EXPORT void s2attn_clear_last_error(void);

/* --- Driver and devices --------------------------------------------------- */

/* Loads libcuda.so.1 and initializes it (done implicitly by every call that
   needs the driver). The environment variable S2ATTN_CUDA_DRIVER names
   another driver library to load instead. */
S2ATTN_RUNTIME_EXPORT s2attn_status s2attn_runtime_init(void);
S2ATTN_RUNTIME_EXPORT s2attn_status s2attn_driver_version(int *version);
S2ATTN_RUNTIME_EXPORT s2attn_status s2attn_device_count(int *count);
S2ATTN_RUNTIME_EXPORT s2attn_status s2attn_device_name(int device, char *buffer,
                                                       size_t buffer_size);
S2ATTN_RUNTIME_EXPORT s2attn_status
s2attn_device_get_limits(int device, s2attn_device_limits *limits);

/* --- Artifacts ------------------------------------------------------------ */

/* Reads and checks <directory>/kernel.json and its cubin. Needs no driver. */
S2ATTN_RUNTIME_EXPORT s2attn_status
s2attn_artifact_open(const char *directory, s2attn_artifact **artifact);
/* The same from memory (json_text need not be NUL-terminated). */
S2ATTN_RUNTIME_EXPORT s2attn_status s2attn_artifact_open_memory(
    const char *json_text, size_t json_size, const void *cubin,
    size_t cubin_size, s2attn_artifact **artifact);
/* Unloads the artifact's modules and frees it. NULL is ignored. */
S2ATTN_RUNTIME_EXPORT void s2attn_artifact_destroy(s2attn_artifact *artifact);

S2ATTN_RUNTIME_EXPORT const char *
s2attn_artifact_entry(const s2attn_artifact *artifact);
S2ATTN_RUNTIME_EXPORT size_t
s2attn_artifact_num_tensors(const s2attn_artifact *artifact);
/* NULL when index is out of range. */
S2ATTN_RUNTIME_EXPORT const char *
s2attn_artifact_tensor_name(const s2attn_artifact *artifact, size_t index);

/* Checks a launch without running it. With limits == NULL only the checks
   that need no device run (tensors, dtypes, pointers, scalars, grid); with
   limits the device checks run too (shared memory, grid and block sizes).
   config, when not NULL, receives the resolved launch. Needs no driver. */
S2ATTN_RUNTIME_EXPORT s2attn_status s2attn_artifact_validate(
    const s2attn_artifact *artifact, const s2attn_launch_args *args,
    const s2attn_device_limits *limits, s2attn_launch_config *config);

/* Loads the cubin on a device ahead of the first launch (optional). */
S2ATTN_RUNTIME_EXPORT s2attn_status
s2attn_artifact_prepare(s2attn_artifact *artifact, int device);

/* Validates, then launches asynchronously on args->stream. */
S2ATTN_RUNTIME_EXPORT s2attn_status s2attn_artifact_launch(
    s2attn_artifact *artifact, const s2attn_launch_args *args);

/* --- dtype helpers -------------------------------------------------------- */

/* "bf16" etc.; "invalid" for unknown values. */
S2ATTN_RUNTIME_EXPORT const char *s2attn_dtype_name(int32_t dtype);
/* Bytes per element; 0 for unknown values. */
S2ATTN_RUNTIME_EXPORT size_t s2attn_dtype_size(int32_t dtype);

#ifdef __cplusplus
}

#include <initializer_list>

/* C++: s2attn_make_tensor with the shape as a list, as in
   s2attn_make_tensor("q", q, S2ATTN_DTYPE_BF16, {1, 4096, 32, 128}). */
static inline s2attn_tensor
s2attn_make_tensor(const char *name, void *data, int32_t dtype,
                   std::initializer_list<int64_t> shape) {
  return s2attn_make_tensor(name, data, dtype, int32_t(shape.size()),
                            shape.begin());
}
#endif

#endif /* S2ATTN_RUNTIME_S2ATTNRUNTIME_H */
