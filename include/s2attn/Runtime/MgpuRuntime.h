/*===- MgpuRuntime.h - mgpu* entry points for gpu-to-llvm code -*- C -*-===*
 *
 * The functions that host code produced by MLIR's `gpu-to-llvm` conversion
 * (LLVM 22) calls, with the signatures that conversion declares:
 *
 *   ptr  @mgpuModuleLoad(ptr, i64)
 *   ptr  @mgpuModuleLoadJIT(ptr, i32)
 *   void @mgpuModuleUnload(ptr)
 *   ptr  @mgpuModuleGetFunction(ptr, ptr)
 *   void @mgpuLaunchKernel(ptr, i64 x 6, i32, ptr, ptr, ptr, i64)
 *   void @mgpuLaunchClusterKernel(ptr, i64 x 9, i32, ptr, ptr, ptr)
 *   ptr  @mgpuStreamCreate()
 *   void @mgpuStreamDestroy(ptr)
 *   void @mgpuStreamSynchronize(ptr)
 *   void @mgpuStreamWaitEvent(ptr, ptr)
 *   ptr  @mgpuEventCreate()
 *   void @mgpuEventDestroy(ptr)
 *   void @mgpuEventSynchronize(ptr)
 *   void @mgpuEventRecord(ptr, ptr)
 *   ptr  @mgpuMemAlloc(i64, ptr, i8)
 *   void @mgpuMemFree(ptr, ptr)
 *   void @mgpuMemcpy(ptr, ptr, i64, ptr)
 *   void @mgpuMemset32(ptr, i32, i64, ptr)
 *   void @mgpuMemset16(ptr, i16, i64, ptr)
 *   void @mgpuSetDefaultDevice(i32)
 *   void @mgpuMemHostRegisterMemRef(i64, ptr, i64)
 *   void @mgpuMemHostUnregisterMemRef(i64, ptr, i64)
 *
 * They return no status, so a failure is printed to stderr (unless the
 * environment variable S2ATTN_MGPU_QUIET is set) and recorded; the program
 * continues, and later calls on a failed handle (a NULL module or function)
 * are refused with a recorded error instead of crashing. Query the record with
 * s2attn_mgpu_last_error*().
 *
 * Launches of a kernel that keeps state in its module (grid splits'
 * counters, s2attn/Runtime/ModuleState.h) wait for each other across
 * streams, as the C API's ordered launches do: mgpuModuleGetFunction notes
 * such kernels, mgpuModuleUnload forgets them.
 *
 *===----------------------------------------------------------------------===*/

#ifndef S2ATTN_RUNTIME_MGPURUNTIME_H
#define S2ATTN_RUNTIME_MGPURUNTIME_H

#include "s2attn/Runtime/S2AttnRuntime.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

S2ATTN_RUNTIME_EXPORT void *mgpuModuleLoad(void *data, size_t size);
/* data is NUL-terminated PTX; the driver compiles it at optLevel (0-4). */
S2ATTN_RUNTIME_EXPORT void *mgpuModuleLoadJIT(void *data, int optLevel);
S2ATTN_RUNTIME_EXPORT void mgpuModuleUnload(void *module);
S2ATTN_RUNTIME_EXPORT void *mgpuModuleGetFunction(void *module,
                                                  const char *name);

S2ATTN_RUNTIME_EXPORT void
mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY, intptr_t gridZ,
                 intptr_t blockX, intptr_t blockY, intptr_t blockZ,
                 int32_t sharedMemBytes, void *stream, void **params,
                 void **extra, size_t paramsCount);
S2ATTN_RUNTIME_EXPORT void
mgpuLaunchClusterKernel(void *function, intptr_t clusterX, intptr_t clusterY,
                        intptr_t clusterZ, intptr_t gridX, intptr_t gridY,
                        intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                        intptr_t blockZ, int32_t sharedMemBytes, void *stream,
                        void **params, void **extra);

S2ATTN_RUNTIME_EXPORT void *mgpuStreamCreate(void);
S2ATTN_RUNTIME_EXPORT void mgpuStreamDestroy(void *stream);
S2ATTN_RUNTIME_EXPORT void mgpuStreamSynchronize(void *stream);
S2ATTN_RUNTIME_EXPORT void mgpuStreamWaitEvent(void *stream, void *event);

S2ATTN_RUNTIME_EXPORT void *mgpuEventCreate(void);
S2ATTN_RUNTIME_EXPORT void mgpuEventDestroy(void *event);
S2ATTN_RUNTIME_EXPORT void mgpuEventSynchronize(void *event);
S2ATTN_RUNTIME_EXPORT void mgpuEventRecord(void *event, void *stream);

/* isHostShared != 0 allocates managed memory. The IR passes an i8 without
   zero-extension, hence uint8_t rather than bool. */
S2ATTN_RUNTIME_EXPORT void *mgpuMemAlloc(uint64_t sizeBytes, void *stream,
                                         uint8_t isHostShared);
S2ATTN_RUNTIME_EXPORT void mgpuMemFree(void *ptr, void *stream);
S2ATTN_RUNTIME_EXPORT void mgpuMemcpy(void *dst, void *src, size_t sizeBytes,
                                      void *stream);
/* count is in 32-bit (16-bit) elements, as the conversion passes it. */
S2ATTN_RUNTIME_EXPORT void mgpuMemset32(void *dst, uint32_t value, size_t count,
                                        void *stream);
S2ATTN_RUNTIME_EXPORT void mgpuMemset16(void *dst, uint16_t value, size_t count,
                                        void *stream);

S2ATTN_RUNTIME_EXPORT void mgpuSetDefaultDevice(int32_t device);

/* descriptor points at a ranked memref descriptor {allocated, aligned,
   offset, sizes[rank], strides[rank]}; the memref's extent is page-locked. */
S2ATTN_RUNTIME_EXPORT void mgpuMemHostRegisterMemRef(int64_t rank,
                                                     void *descriptor,
                                                     int64_t elementSizeBytes);
S2ATTN_RUNTIME_EXPORT void
mgpuMemHostUnregisterMemRef(int64_t rank, void *descriptor,
                            int64_t elementSizeBytes);
S2ATTN_RUNTIME_EXPORT void mgpuMemHostRegister(void *ptr, uint64_t sizeBytes);
S2ATTN_RUNTIME_EXPORT void mgpuMemHostUnregister(void *ptr);

/* --- The error record ------------------------------------------------------
 */

/* Status of the most recent failing mgpu* call in the process. */
S2ATTN_RUNTIME_EXPORT s2attn_status s2attn_mgpu_last_error(void);
/* Copies its message into buffer (always NUL-terminated when buffer_size >
   0); returns the message's full length. */
S2ATTN_RUNTIME_EXPORT size_t s2attn_mgpu_last_error_message(char *buffer,
                                                            size_t buffer_size);
/* Failing mgpu* calls since the start or the last clear. */
S2ATTN_RUNTIME_EXPORT uint64_t s2attn_mgpu_error_count(void);
S2ATTN_RUNTIME_EXPORT void s2attn_mgpu_clear_errors(void);

#ifdef __cplusplus
}
#endif

#endif /* S2ATTN_RUNTIME_MGPURUNTIME_H */
