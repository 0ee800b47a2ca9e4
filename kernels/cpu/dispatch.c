/*
** kernels/cpu/dispatch.c: probes the CPU once, applies the RETAIN_ISA cap
** (scalar|avx2|avx512) and fills the kernel table everything else calls
** through. libgcc's __builtin_cpu_supports also checks that the OS saves the
** wide registers (XCR0), so a supported flag means the variant can run.
*/
#include "kernels.h"

#include "retain.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static rt_kernels variants[RT_ISA_COUNT] = {
    {RT_ISA_SCALAR, "scalar", rt_colstats_scalar, rt_first_nonfinite_scalar,
     rt_nearest_centroid_scalar, rt_label_sums_scalar, rt_logreg_pass_scalar,
     rt_and_popcount_scalar, rt_clv_alive_scalar, rt_seed_dist_scalar},
    {RT_ISA_AVX2, "avx2", rt_colstats_avx2, rt_first_nonfinite_avx2, rt_nearest_centroid_avx2,
     rt_label_sums_avx2, rt_logreg_pass_avx2, rt_and_popcount_avx2, rt_clv_alive_avx2,
     rt_seed_dist_avx2},
    {RT_ISA_AVX512, "avx512", rt_colstats_avx512, rt_first_nonfinite_avx512,
     rt_nearest_centroid_avx512, rt_label_sums_avx512, rt_logreg_pass_avx512,
     rt_and_popcount_avx512, rt_clv_alive_avx512, rt_seed_dist_avx512},
};

/* VPOPCNTDQ is an AVX-512 extension of its own: without it the AVX-512
** table counts bits with the AVX2 variant. */
static pthread_once_t extensions_once = PTHREAD_ONCE_INIT;
static void check_extensions(void)
{
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx512vpopcntdq"))
        variants[RT_ISA_AVX512].and_popcount = rt_and_popcount_avx2;
}

static rt_isa cpu_best(void)
{
    pthread_once(&extensions_once, check_extensions);
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl"))
        return RT_ISA_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return RT_ISA_AVX2;
    return RT_ISA_SCALAR;
}

/* RT_ISA_COUNT when the variable is unset or not a known name. */
static rt_isa env_cap(void)
{
    const char *v = getenv("RETAIN_ISA");
    if (!v || !*v)
        return RT_ISA_COUNT;
    for (int i = 0; i < RT_ISA_COUNT; i++)
        if (strcmp(v, variants[i].name) == 0)
            return (rt_isa)i;
    return RT_ISA_COUNT;
}

static const rt_kernels *chosen;
static pthread_once_t chosen_once = PTHREAD_ONCE_INIT;

static void choose(void)
{
    rt_isa best = cpu_best(), cap = env_cap();
    chosen = &variants[cap < best ? cap : best];
}

const rt_kernels *rt_kernels_get(void)
{
    pthread_once(&chosen_once, choose);
    return chosen;
}

const rt_kernels *rt_kernels_for(rt_isa isa)
{
    if (isa < 0 || isa >= RT_ISA_COUNT || isa > cpu_best())
        return NULL;
    return &variants[isa];
}

const char *rt_kernels_env_problem(void)
{
    const char *v = getenv("RETAIN_ISA");
    if (!v || !*v || env_cap() != RT_ISA_COUNT)
        return NULL;
    return "RETAIN_ISA must be one of scalar, avx2, avx512 (or unset for the "
           "best this CPU supports)";
}

const char *retain_isa_name(void) { return rt_kernels_get()->name; }
