/*===- S2AttnCAPI.h - C API of the s2attn CPU JIT path -------------*- C -*-===*
 *
 * A small C API over the compiler for frameworks and for the Python package
 * (which loads it with ctypes): describe a problem in a plain struct, compile
 * it for the host CPU (s2attn IR -> s2attn-lower-to-cpu -> LLVM JIT) into a
 * kernel handle, and run the kernel on host pointers. The same description
 * also yields the problem's MLIR (the input of s2-compile, for GPU artifacts)
 * and an SVG picture of its pattern.
 *
 * Every function that can fail returns an s2attn_capi_status; on failure
 * s2attn_capi_last_error_message() says what was wrong (the compiler's
 * diagnostics included). No C++ exception ever crosses this boundary.
 *
 *===----------------------------------------------------------------------===*/

#ifndef S2ATTN_CAPI_S2ATTNCAPI_H
#define S2ATTN_CAPI_S2ATTNCAPI_H

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define S2ATTN_CAPI_EXPORT __attribute__((visibility("default")))
#else
#define S2ATTN_CAPI_EXPORT
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped whenever s2attn_capi_problem or a signature changes, so that a
   binding built against another layout refuses to load. */
#define S2ATTN_CAPI_ABI_VERSION 1

typedef enum s2attn_capi_status {
  S2ATTN_CAPI_SUCCESS = 0,
  /* A NULL pointer, an unknown enum value or a non-positive size. */
  S2ATTN_CAPI_ERROR_INVALID_ARGUMENT = 1,
  /* The compiler rejected the problem (verifier diagnostics in the message),
     e.g. a query row that attends no key or bad pattern parameters. */
  S2ATTN_CAPI_ERROR_INVALID_PROBLEM = 2,
  /* Lowering or JIT compilation failed. */
  S2ATTN_CAPI_ERROR_COMPILE = 3,
  S2ATTN_CAPI_ERROR_INTERNAL = 4
} s2attn_capi_status;

typedef enum s2attn_capi_dtype {
  S2ATTN_CAPI_F32 = 0,
  S2ATTN_CAPI_F16 = 1,
  S2ATTN_CAPI_BF16 = 2
} s2attn_capi_dtype;

typedef enum s2attn_capi_pattern_kind {
  S2ATTN_CAPI_PATTERN_DENSE = 0,
  S2ATTN_CAPI_PATTERN_LOCAL_STRIDE = 1,
  S2ATTN_CAPI_PATTERN_BLOCK_MASK = 2
} s2attn_capi_pattern_kind;

/* A problem as in SPEC.md: Q [batch, q_len, heads, head_dim], K and V
   [batch, kv_len, kv_heads, head_dim], out like Q, lse [batch, heads, q_len]
   in f32. Fields marked "-1: default" take the SPEC default when negative.
   Fill it with s2attn_capi_problem_init first, then set what differs. */
typedef struct s2attn_capi_problem {
  int64_t batch, q_len, kv_len, heads, kv_heads, head_dim;
  int32_t dtype;  /* s2attn_capi_dtype */
  int32_t causal; /* 0 or 1 */
  int32_t has_scale;
  double scale; /* used when has_scale; default 1/sqrt(head_dim) */
  int32_t has_q_start;
  int64_t q_start; /* used when has_q_start; default per SPEC section 1 */
  int64_t kv_start;

  int32_t pattern_kind; /* s2attn_capi_pattern_kind */
  int64_t block;
  /* Local + vertical stride. */
  int64_t local_blocks;
  int64_t right_blocks; /* -1: default (= local_blocks) */
  int64_t vert_stride;
  int64_t head_step; /* -1: default */
  int64_t head_offset;
  int64_t dense_heads; /* counted in KV heads */
  int32_t homo_head;
  int32_t vert_position; /* -1: default, 0: absolute, 1: relative */
  /* Block mask: mask_heads * mask_q_blocks * mask_kv_blocks bytes (0/1),
     row-major; mask_heads is 1, kv_heads or heads. Copied at compile. */
  int64_t mask_heads, mask_q_blocks, mask_kv_blocks;
  const uint8_t *mask;

  /* OpenMP threads of the compiled code; 0: every core. */
  int32_t num_threads;
} s2attn_capi_problem;

typedef struct s2attn_capi_kernel s2attn_capi_kernel;

S2ATTN_CAPI_EXPORT int32_t s2attn_capi_abi_version(void);
/* sizeof(s2attn_capi_problem), so that bindings can check their layout. */
S2ATTN_CAPI_EXPORT size_t s2attn_capi_problem_size(void);
/* Dense causal f32 problem with every optional field at its default. */
S2ATTN_CAPI_EXPORT void s2attn_capi_problem_init(s2attn_capi_problem *problem);

/* The message of the most recent failure on this thread ("" when none). */
S2ATTN_CAPI_EXPORT const char *s2attn_capi_last_error_message(void);

/* Builds, verifies, lowers and JIT-compiles the problem. */
S2ATTN_CAPI_EXPORT s2attn_capi_status s2attn_capi_compile(
    const s2attn_capi_problem *problem, s2attn_capi_kernel **kernel);
/* Frees the kernel; NULL is ignored. */
S2ATTN_CAPI_EXPORT void s2attn_capi_kernel_destroy(s2attn_capi_kernel *kernel);
/* Seconds spent lowering and generating code for the kernel. */
S2ATTN_CAPI_EXPORT double
s2attn_capi_kernel_compile_seconds(const s2attn_capi_kernel *kernel);

/* Runs the kernel on contiguous row-major host buffers of the compiled
   shapes and dtype; lse (f32) may be NULL when it is not wanted. Safe to call
   from several threads at once on distinct output buffers. */
S2ATTN_CAPI_EXPORT s2attn_capi_status s2attn_capi_run(
    const s2attn_capi_kernel *kernel, const void *q, const void *k,
    const void *v, void *out, float *lse);

/* The verified module of the problem as MLIR text: one function
   @s2attn_main(q, k, v, out, lse) on static memrefs (s2-compile's input).
   Free *text with s2attn_capi_free. */
S2ATTN_CAPI_EXPORT s2attn_capi_status
s2attn_capi_emit_mlir(const s2attn_capi_problem *problem, char **text);

/* An SVG picture of the problem's pattern over q_blocks x kv_blocks blocks
   from block 0 (only the pattern fields, heads and kv_heads are read).
   Free *svg with s2attn_capi_free. */
S2ATTN_CAPI_EXPORT s2attn_capi_status s2attn_capi_render_svg(
    const s2attn_capi_problem *problem, int64_t q_blocks, int64_t kv_blocks,
    const char *title, char **svg);

/* Frees strings returned by this API. */
S2ATTN_CAPI_EXPORT void s2attn_capi_free(void *pointer);

#ifdef __cplusplus
}
#endif

#endif /* S2ATTN_CAPI_S2ATTNCAPI_H */
