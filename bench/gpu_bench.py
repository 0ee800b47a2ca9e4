"""bench/gpu_bench.py: GPU benchmarks of retain, run by bench/gpu_check.sh
on a machine with a GPU and python3 with torch, numpy and h5py.

  * The device's two ceilings, measured here: bandwidth from a 1 GiB
    device-to-device copy (bytes read plus written) and the FP32 matrix rate
    from an 8192^3 float32 matmul with TF32 off (torch), medians of timed
    repeats with CUDA events after a warm-up.
  * k-means Lloyd iterations on n x 32 float32 rows (n = 10M unless --n),
    k = 64 and 256, from the same initial centroids: retain (`kmeans fit
    --device cuda --algorithm lloyd --scale none --tol 0`), seconds per
    iteration from the difference of an ITERS and a 2 ITERS run (set-up and
    the final pass cancel), against the floor max(bytes of one read of the
    rows / bandwidth, 2 n k d / matrix rate) and against a plain PyTorch
    k-means on the same device (cdist, argmin, index_add_; median of timed
    iterations).
  * The logistic-regression pass: retain `logreg fit --device cuda`, its
    pass seconds over passes, as a share of the bandwidth (bytes: the rows,
    the labels and the row weights read once).
Prints a Markdown table last (and writes it to --table). Without torch or
a usable GPU it says so and exits 0 (gpu_check.sh shows the skip)."""
import argparse
import json
import os
import subprocess
import sys

import numpy as np

ITERS = 10


def note(msg):
    print(msg, flush=True)


def median_ms(torch, fn, repeats=20, warmup=3):
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(repeats):
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record()
        fn()
        b.record()
        b.synchronize()
        times.append(a.elapsed_time(b))
    return float(np.median(times))


def ceilings(torch):
    n = 1 << 28  # floats: 1 GiB
    x = torch.rand(n, device="cuda")
    y = torch.empty_like(x)
    bw = 2 * 4 * n / (median_ms(torch, lambda: y.copy_(x)) / 1e3)
    torch.backends.cuda.matmul.allow_tf32 = False
    m = 8192
    a = torch.randn(m, m, device="cuda")
    b = torch.randn(m, m, device="cuda")
    rate = 2 * m ** 3 / (median_ms(torch, lambda: a @ b, repeats=10) / 1e3)
    del x, y, a, b
    torch.cuda.empty_cache()
    return bw, rate


def make_data(work, n, d, ks):
    import h5py
    data = os.path.join(work, f"gpu_{n}x{d}.h5")
    rng = np.random.default_rng(0)
    x = None
    if not os.path.exists(data):
        # overlapping blobs: Lloyd keeps moving for 2 ITERS iterations
        centres = rng.normal(scale=1.5, size=(512, d)).astype(np.float32)
        x = centres[rng.integers(0, 512, size=n)]
        x += rng.standard_normal(size=(n, d), dtype=np.float32)
        beta = rng.normal(size=d).astype(np.float32) / np.float32(d ** 0.5)
        y = (rng.uniform(size=n) < 1 / (1 + np.exp(-(x @ beta)))).astype(np.int8)
        with h5py.File(data + ".tmp", "w") as f:
            f.create_dataset("features", data=x)
            f.create_dataset("churned", data=y)
        os.replace(data + ".tmp", data)
    inits = {}
    for k in ks:
        inits[k] = os.path.join(work, f"gpu_{n}x{d}_k{k}_init.h5")
        if not os.path.exists(inits[k]):
            if x is None:
                with h5py.File(data) as f:
                    x = f["features"][...]
            with h5py.File(inits[k], "w") as f:
                f.create_dataset("centroids", data=x[rng.choice(n, size=k, replace=False)])
    return data, inits


def retain_json(retain, args):
    r = subprocess.run([retain, *args, "--json", "--quiet"], capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"retain {' '.join(args)}: exit {r.returncode}: {r.stderr[-600:]}")
    return json.loads(r.stdout)


def retain_iteration(retain, work, data, init, k):
    runs = []
    for iters in (ITERS, 2 * ITERS):
        best = None
        for _ in range(2):
            s = retain_json(retain, ["kmeans", "fit", data, "-k", str(k), "--init-centroids", init,
                                     "--scale", "none", "--algorithm", "lloyd", "--tol", "0",
                                     "--max-iter", str(iters), "--device", "cuda",
                                     "-o", os.path.join(work, "model.h5")])
            best = s if best is None or s["seconds_lloyd"] < best["seconds_lloyd"] else best
        runs.append(best)
    extra = runs[1]["n_iter"] - runs[0]["n_iter"]
    if extra <= 0:
        raise SystemExit(f"k = {k}: converged within {ITERS} iterations; no difference to time")
    return (runs[1]["seconds_lloyd"] - runs[0]["seconds_lloyd"]) / extra


def torch_iteration(torch, data, init):
    import h5py
    with h5py.File(data) as f:
        x = torch.from_numpy(f["features"][...]).cuda()
    with h5py.File(init) as f:
        c0 = torch.from_numpy(f["centroids"][...]).cuda()
    k, d = c0.shape
    state = {"c": c0.clone()}

    def step():
        lab = torch.cdist(x, state["c"]).argmin(dim=1)
        sums = torch.zeros(k, d, device="cuda").index_add_(0, lab, x)
        counts = torch.bincount(lab, minlength=k).clamp(min=1).unsqueeze(1)
        state["c"] = sums / counts

    t = median_ms(torch, step, repeats=ITERS, warmup=2) / 1e3
    del x
    torch.cuda.empty_cache()
    return t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--retain", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--table", required=True)
    ap.add_argument("--n", type=int, default=10_000_000)
    ap.add_argument("--d", type=int, default=32)
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    try:
        import torch
    except ImportError as e:
        note(f"skip: no torch ({e})")
        return 0
    if not torch.cuda.is_available():
        note("skip: torch sees no CUDA device")
        return 0
    info = subprocess.run([a.retain, "info"], capture_output=True, text=True).stdout
    if "none usable" in info or "not built" in info:
        note(f"skip: retain has no usable GPU: {info.strip()}")
        return 0
    n, d, ks = a.n, a.d, (64, 256)
    bw, rate = ceilings(torch)
    note(f"{torch.cuda.get_device_name()}: copy {bw / 1e12:.2f} TB/s, FP32 matmul "
         f"{rate / 1e12:.1f} TFLOP/s")
    data, inits = make_data(a.work, n, d, ks)
    rows = [f"GPU: {torch.cuda.get_device_name()}; measured: copy {bw / 1e12:.2f} TB/s "
            f"(read + write), FP32 matmul (TF32 off) {rate / 1e12:.1f} TFLOP/s", "",
            "| case | retain | floor | retain / floor | PyTorch | PyTorch / retain |",
            "| --- | --- | --- | --- | --- | --- |"]
    for k in ks:
        t = retain_iteration(a.retain, a.work, data, inits[k], k)
        floor = max(n * d * 4 / bw, 2 * n * k * d / rate)
        tt = torch_iteration(torch, data, inits[k])
        note(f"k-means k={k}: retain {t * 1e3:.2f} ms/iteration, floor {floor * 1e3:.2f} ms, "
             f"PyTorch {tt * 1e3:.2f} ms")
        rows.append(f"| k-means iteration {n // 1_000_000}M x {d}, k {k} | {t * 1e3:.2f} ms | "
                    f"{floor * 1e3:.2f} ms | {t / floor:.2f}x | {tt * 1e3:.2f} ms | "
                    f"{tt / t:.2f}x |")
    s = retain_json(a.retain, ["logreg", "fit", data, "--device", "cuda", "--max-iter", "30",
                               "-o", os.path.join(a.work, "churn.h5")])
    per_pass = s["seconds_passes"] / s["passes"]
    bytes_pass = n * d * 4 + n * (1 + 8)
    share = bytes_pass / per_pass / bw
    note(f"logreg pass: {per_pass * 1e3:.2f} ms, {bytes_pass / per_pass / 1e9:.0f} GB/s")
    rows.append(f"| logistic pass {n // 1_000_000}M x {d} | {per_pass * 1e3:.2f} ms | "
                f"{bytes_pass / bw * 1e3:.2f} ms | {share * 100:.0f}% of bandwidth | | |")
    table = "\n".join(rows) + "\n"
    with open(a.table, "w") as f:
        f.write(table)
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
