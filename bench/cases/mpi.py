"""bench/cases/mpi.py: `retain` under mpirun (the RETAIN_MPI build), measured
for P = 1 and 2 ranks on this machine and modelled on paper for 8 and 64
nodes.

Measured. The MPI build (Release, -DRETAIN_MPI=ON, built here into
build-mpi-bench; the case prints a skip and gives no rows without mpicc and
Debian's hdf5-openmpi) fits on `retain gen users` data, 2,000,000 x 32
float32 (200,000 with --quick):
  * `kmeans fit -k 64 --init-centroids (the first 64 rows) --tol 0
    --max-iter 20` (20 Lloyd/Hamerly iterations, no early stop) and
  * `logreg fit` (defaults: the churn model on /churned),
each through `mpirun --allow-run-as-root --oversubscribe --bind-to none -np P`
with P x threads = 2 (P = 1: 2 threads; P = 2: 1 thread each), against the
serial binary (bench.retain, no MPI) on 2 threads. Best of 3 by the command's
own `seconds` from --json (file reading included, MPI start-up not); ratio =
speed-up over the serial binary. The note gives the seconds rank 0 spent
inside MPI collectives (--json "mpi": communication_seconds; waiting for the
slower rank included) and their share of rank 0's seconds, the most of any
rank, and whether the answer agrees with the serial run (k-means inertia,
logreg objective, within 1e-12 relative; "MISMATCH" otherwise).

Modelled (core/dist.c, n = 10,000,000 rows, d = 32, 8 bytes a double,
B = RT_BLOCK_ROWS = 4096, nb = ceil(n / B) blocks). Every row pass is one
rt_dist_reduce_rows of width W: a k-means iteration W = k d + k (centroid
sums and weights; empty-cluster relocation adds one more gather only when a
cluster empties), a churn-model objective pass (loss and gradient) W = d + 2.
rt_dist_reduce_rows makes 2 collectives:
  1. an allgather of 3 doubles per rank (row count, flag, status):
     every rank receives 24 (P - 1) bytes;
  2. span = rt_reduce_span(n, W) = max(1, ceil(nb / 256), ceil(nb 8 W / 2 MiB))
     blocks. Rank r starts at block r floor(nb / P) + min(r, nb mod P). If
     every rank starts on a multiple of span ("span partials" path), each
     rank sends its ceil(blocks_r / span) span partials (+1 status) and
     every rank receives all ceil(nb / span) W + P doubles but its own;
     otherwise ("rank order" path) an allgather of W + 1 doubles per rank:
     every rank receives 8 (W + 1) (P - 1) bytes.
Bytes = what one rank receives per iteration (per pass); the baseline column
is the data one iteration reads over all ranks, n d 4 bytes (float32), so the
ratio says how many bytes of data each byte of communication stands for.
Time on an assumed network: 10 GB/s per link and 2 us latency per
collective x ceil(log2 P) steps: 2 x 2 us x log2 P + bytes / 10 GB/s.
"""
import json
import math
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, "build-mpi-bench")
SHAPE = (2_000_000, 32)
QUICK_SHAPE = (200_000, 32)
K = 64
CORES = 2  # P x threads
RANKS = (1, 2)
BLOCK_ROWS = 4096      # RT_BLOCK_ROWS, core/parallel.h
REDUCE_BYTES = 2 << 20  # RT_REDUCE_BYTES
LINK_BYTES_PER_S = 10e9
LATENCY_S = 2e-6


def build_mpi():
    """The MPI binary, or None (with a printed reason) when it cannot be built."""
    if not shutil.which("mpicc") or not shutil.which("mpirun") or \
            not os.path.isdir("/usr/lib/x86_64-linux-gnu/hdf5/openmpi"):
        print("   mpi: skipped: needs mpicc, mpirun and libhdf5-openmpi-dev", file=sys.stderr)
        return None
    subprocess.run(["cmake", "-S", ROOT, "-B", BUILD, "-DCMAKE_BUILD_TYPE=Release",
                    "-DRETAIN_MPI=ON", "-DRETAIN_CUDA=OFF"], check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run(["cmake", "--build", BUILD, "-j", str(os.cpu_count()), "--target", "retain"],
                   check=True, stdout=subprocess.DEVNULL)
    return os.path.join(BUILD, "retain")


def make_data(bench, n, d):
    import h5py
    data = bench.path(f"mpi_users_{n}x{d}.h5")
    init = bench.path(f"mpi_init_{n}x{d}_k{K}.h5")
    if not os.path.exists(data):
        bench.run("gen", "users", "-n", n, "-d", d, "-k", 8, "--seed", 1, "-q", "-o", data)
    if not os.path.exists(init):
        with h5py.File(data) as f, h5py.File(init, "w") as g:
            g["centroids"] = f["features"][:K]
    return data, init


def fit_args(bench, command, data, init):
    if command == "kmeans":
        return ["kmeans", "fit", data, "-k", K, "--init-centroids", init, "--tol", 0,
                "--max-iter", 20, "--json", "-o", bench.path("mpi_km.h5")]
    return ["logreg", "fit", data, "--json", "-o", bench.path("mpi_lr.h5")]


def best_run(cmd, threads, repeats=3):
    """The run with the least --json seconds of `repeats`."""
    env = {**os.environ, "OMP_NUM_THREADS": str(threads)}
    env.pop("OPENBLAS_CORETYPE", None)
    runs = []
    for _ in range(repeats):
        out = subprocess.run(list(map(str, cmd)), check=True, capture_output=True, text=True,
                             env=env)
        runs.append(json.loads(out.stdout))
    return min(runs, key=lambda r: r["seconds"])


def measured_rows(bench, mpi_retain, data, init, n, d):
    rows = []
    for command, answer in (("kmeans", "inertia"), ("logreg", "objective")):
        args = fit_args(bench, command, data, init)
        serial = best_run([bench.retain, *args, "--threads", CORES], CORES)
        name = (f"mpi {command} fit {n // 1000}k x {d} float32"
                + (f", k={K}, 20 iterations" if command == "kmeans" else ""))
        for p in RANKS:
            threads = CORES // p
            run = best_run(["mpirun", "--allow-run-as-root", "--oversubscribe", "--bind-to",
                            "none", "-np", p, mpi_retain, *args, "--threads", threads], threads)
            comm = run["mpi"]["communication_seconds"]
            rel = abs(run[answer] - serial[answer]) / abs(serial[answer])
            agree = f"{answer} agrees ({rel:.1e} rel.)" if rel <= 1e-12 else \
                f"MISMATCH: {answer} {run[answer]!r} vs serial {serial[answer]!r}"
            rows.append(bench.Row(
                name, f"seconds, P={p} x {threads} thread{'s' if threads > 1 else ''}",
                run["seconds"], "serial binary, 2 threads", serial["seconds"],
                note=f"communication {comm:.3f} s = {100 * comm / run['seconds']:.1f}% of "
                     f"rank 0's time (most of any rank {run['mpi']['communication_seconds_max']:.3f}"
                     f" s); {agree}"))
    return rows


def reduce_span(n, width):
    nb = math.ceil(n / BLOCK_ROWS)
    return max(1, math.ceil(nb / 256), math.ceil(nb * width * 8 / REDUCE_BYTES))


def bytes_received(n, width, p):
    """(bytes one rank receives in one rt_dist_reduce_rows, the path taken)."""
    nb = math.ceil(n / BLOCK_ROWS)
    span = reduce_span(n, width)
    base, extra = divmod(nb, p)
    firsts = [r * base + min(r, extra) for r in range(p)]
    header = 3 * 8 * (p - 1)
    if all(f % span == 0 for f in firsts):
        counts = [math.ceil((base + (r < extra)) / span) * width + 1 for r in range(p)]
        return header + 8 * (sum(counts) - counts[0]), f"span partials (span {span} blocks)"
    return header + 8 * (width + 1) * (p - 1), f"rank order (span {span} blocks)"


def model_rows(bench):
    n, d, rows = 10_000_000, 32, []
    data_mb = n * d * 4 / 1e6
    models = [(f"k-means iteration, k={k}", k * d + k) for k in (64, 256)]
    models.append(("churn-model objective pass", d + 2))
    for what, width in models:
        for p in (8, 64):
            got, path = bytes_received(n, width, p)
            seconds = 2 * LATENCY_S * math.ceil(math.log2(p)) + got / LINK_BYTES_PER_S
            rows.append(bench.Row(
                f"mpi model: {what}, n=10M, d={d}, {p} nodes", "MB/iter received per rank",
                got / 1e6, "data MB/iter (n x d x 4)", data_mb,
                note=f"W={width} doubles; {path}; 2 collectives; {seconds * 1e6:.0f} us at "
                     f"10 GB/s and 2 us x log2 P latency per collective"))
    return rows


def mpi_case(bench):
    mpi_retain = build_mpi()
    if not mpi_retain:
        return []
    n, d = QUICK_SHAPE if bench.quick else SHAPE
    data, init = make_data(bench, n, d)
    return measured_rows(bench, mpi_retain, data, init, n, d) + model_rows(bench)


CASES = [("mpi", mpi_case)]
