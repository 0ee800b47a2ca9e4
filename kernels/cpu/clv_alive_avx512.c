/*
** kernels/cpu/clv_alive_avx512.c: BG/NBD and MBG/NBD P(alive) for
** AVX-512, eight customers a step: the loop of clv_alive_loop.h, compiled
** for this ISA; chosen by dispatch.c.
*/
#if !defined(__AVX512F__)
#error "clv_alive_avx512.c must be built with -mavx512f"
#endif
#define RT_CLV_ALIVE_FN rt_clv_alive_avx512
#include "clv_alive_loop.h"
