/*
** kernels/cpu/clv_alive_avx2.c: BG/NBD and MBG/NBD P(alive) for AVX2 + FMA,
** four customers a step: the loop of clv_alive_loop.h, compiled for this
** ISA; chosen by dispatch.c.
*/
#if !defined(__AVX2__) || !defined(__FMA__)
#error "clv_alive_avx2.c must be built with -mavx2 -mfma"
#endif
#define RT_CLV_ALIVE_FN rt_clv_alive_avx2
#include "clv_alive_loop.h"
