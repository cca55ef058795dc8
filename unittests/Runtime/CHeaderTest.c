/* The runtime's C API header compiles as strict C99 (frameworks include it
   from C), and its inline helper fills a tensor the way the checks expect. */
#include "s2attn/Runtime/S2AttnRuntime.h"

#include <stdio.h>

int main(void) {
  const int64_t shape[3] = {2, 3, 4};
  s2attn_tensor t = s2attn_make_tensor("q", NULL, S2ATTN_DTYPE_F16, 3, shape);
  int d, failures = 0;
  failures += t.rank != 3 || t.dtype != S2ATTN_DTYPE_F16;
  for (d = 0; d < S2ATTN_MAX_RANK; ++d)
    failures += t.shape[d] != (d < 3 ? shape[d] : 0) || t.strides[d] != 0;
  if (failures)
    printf("s2attn_make_tensor: %d wrong fields\n", failures);
  return failures != 0;
}
