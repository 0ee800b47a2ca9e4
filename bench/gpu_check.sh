#!/usr/bin/env bash
# bench/gpu_check.sh: the one command for a GPU machine (an H100/H200 with
# nvcc, CMake and python3 with torch, numpy and h5py, but no HDF5, no
# OpenBLAS and no package registry). In order:
#   1. unpacks the Debian packages of gpu-bundle/ (scripts/gpu-bundle.sh,
#      run beforehand on the development machine) into a private prefix,
#      never into /, keeping the machine's own copy of any library it has;
#   2. configures and builds retain there against that prefix, with CUDA
#      for the GPU's architecture (sm_90 on Hopper; sm_80 and sm_90 when no
#      GPU answers);
#   3. runs the GPU tests (unit.test_cuda, ref.test_gpu, cli.test_device),
#      unit.test_cuda again under compute-sanitizer's memcheck when the
#      machine has it, and with GPU_CHECK_FULL=1 every other test too;
#   4. runs bench/gpu_bench.py (k-means iterations on 10M x 32, k 64 and 256,
#      against the device's floor and a plain PyTorch k-means; the logistic
#      pass against the device's bandwidth);
#   5. with ncu on the machine, profiles the kernels of one k-means iteration
#      and one logistic pass (profile.log), and prints the benchmarks' table
#      last.
# GPU_CHECK_PYTHON names the interpreter for the tests (default: python3 on
# the PATH, the one with torch there). Logs and the table go to $OUT when set (the device tool's output folder),
# else to build-gpu/out. Steps 3 and 4 report a skip without a GPU.
# From a development session: the device tool's run with
# carry ["gpu-bundle"] and command "bash bench/gpu_check.sh".
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=${GPU_CHECK_DIR:-$root/build-gpu}
prefix=$work/prefix
build=$work/build
out=${OUT:-$work/out}
mkdir -p "$work" "$out"
say() { echo "== gpu_check: $*"; }
# the optional steps (memcheck, profile) run only while this many seconds
# of GPU_CHECK_BUDGET (default 540, inside the device tool's 600 a call)
# are left, so the verdict and the table always print
start=$SECONDS
left() { echo $(( ${GPU_CHECK_BUDGET:-540} - (SECONDS - start) )); }
die() { echo "gpu_check: $*" >&2; exit 1; }

# ---- 1. the private prefix -------------------------------------------------
ls "$root"/gpu-bundle/*.deb >/dev/null 2>&1 ||
    die "no gpu-bundle/*.deb: run scripts/gpu-bundle.sh on the development machine and carry gpu-bundle"
rm -rf "$prefix"
mkdir -p "$prefix"
for deb in "$root"/gpu-bundle/*.deb; do
    if command -v dpkg >/dev/null; then
        dpkg -x "$deb" "$prefix" || die "dpkg -x $deb failed"
    else # ar and tar are everywhere binutils is
        member=$(ar t "$deb" | grep '^data\.tar') || die "$deb has no data member"
        case $member in
            *.xz) z=--xz ;; *.zst) z=--zstd ;; *.gz) z=--gzip ;; *) z= ;;
        esac
        ar p "$deb" "$member" | tar -x $z -f - -C "$prefix" || die "cannot unpack $deb"
    fi
done
lib=$(echo "$prefix"/usr/lib/*-linux-gnu)
[ -d "$lib" ] || die "the bundle holds no $prefix/usr/lib/*-linux-gnu"
blas=$lib/openblas-openmp
# the .pc files name /usr; point them at the prefix
for pc in "$lib"/pkgconfig/hdf5*.pc "$blas"/pkgconfig/openblas.pc; do
    [ -f "$pc" ] && sed -i "s|/usr/|$prefix/usr/|g" "$pc"
done
# a library the machine has itself (same soname) stays the machine's, so
# nothing older shadows what its own programs (python, torch) load; HDF5
# (whose headers come from here) and OpenBLAS always come from the prefix
# (Debian 12 still ships a few under /lib: those are looked at too)
kept=()
have=$(/sbin/ldconfig -p 2>/dev/null) # once: grep -q on a pipe can kill it mid-write
syslib=$(echo "$prefix"/lib/*-linux-gnu)
for so in "$lib"/lib*.so.* "$syslib"/lib*.so.*; do
    [ -e "$so" ] || continue
    name=$(basename "$so")
    case $name in libhdf5*) continue ;; esac
    [[ $name =~ \.so\.[0-9]+$ ]] || continue
    if grep -q "^[[:space:]]*${name//./\\.} " <<<"$have"; then
        rm -f "$(dirname "$so")/$name"*
    else
        kept+=("$name")
    fi
done
say "prefix $prefix; bundled libraries kept beside HDF5/OpenBLAS: ${kept[*]:-none}"
export LD_LIBRARY_PATH=$lib:$blas:$lib/hdf5/serial${syslib:+:$syslib}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export PKG_CONFIG_PATH=$lib/pkgconfig:$blas/pkgconfig
pkgconfig=$(command -v pkg-config || echo "$prefix/usr/bin/pkgconf")

# ---- 2. configure and build ------------------------------------------------
cap=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | head -1 | tr -d ' .')
archs=${GPU_CHECK_ARCH:-${cap:-80;90}}
nvcc=$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)
python=${GPU_CHECK_PYTHON:-$(command -v python3)}
say "GPU: $(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null || echo none); CUDA architectures $archs; python $python"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DRETAIN_CUDA=ON \
    -DCMAKE_CUDA_COMPILER="$nvcc" -DCMAKE_CUDA_ARCHITECTURES="$archs" \
    -DPKG_CONFIG_EXECUTABLE="$pkgconfig" -DRETAIN_OPENBLAS_OPENMP="$blas" \
    -DRETAIN_PYTHON="$python" >"$out/configure.log" 2>&1 ||
    { tail -30 "$out/configure.log"; die "configure failed (log: $out/configure.log)"; }
grep -E "retain: CUDA|HDF5" "$out/configure.log" | head -3
cmake --build "$build" -j "$(nproc)" >"$out/build.log" 2>&1 ||
    { grep -E "error|Error" "$out/build.log" | head -30; die "build failed (log: $out/build.log)"; }
"$build/retain" info | head -3
ldd "$build/retain" | grep -E "not found|hdf5|openblas" || true
ldd "$build/retain" | grep -q "not found" && die "the build misses a shared library (above)"

# ---- 3. tests -----------------------------------------------------------------
say "GPU tests"
(cd "$build" && ctest -R "test_gpu|test_device|test_cuda" --output-on-failure -V) >"$out/ctest_gpu.log" 2>&1
gpu_tests=$?
grep -E "(^|: )(ok|FAIL|skip)[ :]|CHECK\(|Test +#|tests passed" "$out/ctest_gpu.log" | tail -60
# memcheck over the kernels' own test, when the machine has compute-sanitizer
# and the budget leaves room for the benchmarks after it: an out-of-bounds
# access or a failed CUDA call there names its kernel and line
sanitizer=$(command -v compute-sanitizer || ls /usr/local/cuda/bin/compute-sanitizer 2>/dev/null)
memcheck=skipped
if [ -n "$sanitizer" ] && [ -x "$build/tests/test_cuda" ] && [ "$(left)" -gt 360 ]; then
    say "compute-sanitizer memcheck over unit.test_cuda"
    timeout 120 "$sanitizer" --tool memcheck --error-exitcode 9 "$build/tests/test_cuda" \
        >"$out/memcheck.log" 2>&1
    case $? in
        0) memcheck=clean ;;
        124) memcheck="timed out after 120 s (log: memcheck.log)" ;;
        *) memcheck="FAILED (log: memcheck.log)" ;;
    esac
    grep -E "ERROR SUMMARY|Invalid|out of bounds|FAIL" "$out/memcheck.log" | head -20
fi
full_tests=skipped
if [ "${GPU_CHECK_FULL:-0}" = 1 ]; then
    say "every other test"
    (cd "$build" && ctest -E 'test_gpu|test_device|test_cuda' -j "$(nproc)" --output-on-failure) \
        >"$out/ctest_all.log" 2>&1 && full_tests=passed || full_tests=FAILED
    tail -15 "$out/ctest_all.log"
fi

# ---- 4. benchmarks --------------------------------------------------------------
say "benchmarks"
"$python" "$root/bench/gpu_bench.py" --retain "$build/retain" --work "$work/bench" \
    --table "$out/gpu_table.md" >"$out/bench.log" 2>&1
bench=$?
tail -25 "$out/bench.log" | grep -v '^|' || true

# ---- 5. kernel profile ------------------------------------------------------------
# Nsight Compute's speed-of-light figures for each kernel of one k-means
# iteration (k 256) and one logistic pass on the benchmark's file, when the
# machine has ncu: which kernel takes the time, and how near it runs to the
# memory or compute ceiling.
ncu=$(command -v ncu || ls /usr/local/cuda/bin/ncu 2>/dev/null)
data=$(ls "$work"/bench/gpu_*x*.h5 2>/dev/null | grep -v _init | head -1)
init=$(ls "$work"/bench/gpu_*_k256_init.h5 2>/dev/null | head -1)
if [ -n "$ncu" ] && [ -n "$data" ] && [ -n "$init" ] && [ "$(left)" -gt 90 ]; then
    say "kernel profile (ncu)"
    ( timeout $(( $(left) / 2 - 20 )) "$ncu" --clock-control none --section SpeedOfLight -k 'regex:assign|sums|partials' \
        --launch-count 3 "$build/retain" kmeans fit "$data" -k 256 --init-centroids "$init" \
        --scale none --algorithm lloyd --max-iter 1 --device cuda -o "$work/profile_km.h5" --quiet
      timeout $(( $(left) - 30 )) "$ncu" --clock-control none --section SpeedOfLight -k 'regex:pass_kernel|partials' \
        --launch-count 2 "$build/retain" logreg fit "$data" --max-iter 1 --device cuda \
        -o "$work/profile_lr.h5" --quiet ) >"$out/profile.log" 2>&1
    grep -E "^  [a-z_]+.*\(|Duration|DRAM Throughput|Memory Throughput|Compute \(SM\) Throughput" \
        "$out/profile.log" | head -40
fi
echo
if [ $gpu_tests != 0 ]; then gpu_state=FAILED
elif grep -q "skip:" "$out/ctest_gpu.log" && [ -n "$cap" ]; then
    gpu_state="FAILED: a GPU answers, yet a GPU test skipped (see the skip: lines above)"
    gpu_tests=1
elif grep -q "skip:" "$out/ctest_gpu.log"; then gpu_state="passed, with skips (no usable GPU)"
else gpu_state=passed; fi
say "GPU tests $gpu_state; memcheck $memcheck; other tests $full_tests; benchmarks $([ $bench = 0 ] && echo ran || echo FAILED)"
[ -f "$out/gpu_table.md" ] && cat "$out/gpu_table.md"
[ $gpu_tests = 0 ] && [ $bench = 0 ] && [ "$full_tests" != FAILED ]
