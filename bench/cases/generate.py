"""bench/cases/generate.py: `retain gen users` at scale. The users file is
written in batches, so peak memory must stay far below the matrix it writes;
the row compares the peak resident set of the generator (and of `retain info`
reading the file back) with the size of the float32 matrix.
"""
import os


def gen_users_case(bench):
    n = 1_000_000 if bench.quick else 10_000_000
    d = 32
    path = bench.path(f"gen_{n}x{d}.h5")
    matrix = n * d * 4
    t_gen, peak_gen, _ = bench.peak([bench.retain, "gen", "users", "-n", n, "-d", d, "-k", 8,
                                     "--quiet", "-o", path])
    t_info, peak_info, _ = bench.peak([bench.retain, "info", path, "--quiet"])
    size = os.path.getsize(path)
    os.remove(path)
    mib = 1 << 20
    case = f"gen users {n // 1_000_000}M x {d}"
    return [
        bench.Row(case, "peak MiB", peak_gen / mib, "matrix size", matrix / mib,
                  note=f"{t_gen:.1f} s, {n / t_gen / 1e6:.2f}M rows/s, file {size / mib:.0f} MiB"),
        bench.Row(f"info on that file", "peak MiB", peak_info / mib, "matrix size", matrix / mib,
                  note=f"{t_info:.1f} s, {size / t_info / 1e9:.2f} GB/s"),
    ]


CASES = [("generate", gen_users_case)]
