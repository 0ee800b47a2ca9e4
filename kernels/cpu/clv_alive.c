/*
** kernels/cpu/clv_alive.c: BG/NBD and MBG/NBD P(alive), the scalar
** reference: the loop of clv_alive_loop.h for the baseline ISA.
*/
#define RT_CLV_ALIVE_FN rt_clv_alive_scalar
#include "clv_alive_loop.h"
