/*
** src/core/build_info.c: version string and the one-line build description
** (version, instruction set, threads, CUDA, HDF5, MPI when built with it)
** for `retain info` and logs.
*/
#include "retain.h"

#include "parallel.h"

#include <stdio.h>

#ifndef RETAIN_HDF5_VERSION
#define RETAIN_HDF5_VERSION "unknown"
#endif
#ifdef RETAIN_WITH_CUDA
#define CUDA_STATE "cuda built"
#else
#define CUDA_STATE "no cuda"
#endif
#ifdef RETAIN_WITH_MPI
#define MPI_STATE "; mpi, parallel hdf5"
#else
#define MPI_STATE ""
#endif

const char *retain_version(void) { return RETAIN_VERSION_STRING; }

const char *retain_build_info(void)
{
    static _Thread_local char line[256];
    snprintf(line, sizeof line,
             "retain %s; isa %s; openmp %d threads; %s; hdf5 %s%s",
             RETAIN_VERSION_STRING, retain_isa_name(), rt_threads(), CUDA_STATE,
             RETAIN_HDF5_VERSION, MPI_STATE);
    return line;
}
