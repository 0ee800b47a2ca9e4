#!/usr/bin/python3
"""bench/run.py: the benchmark runner. Builds retain (Release) unless told
which binary to use, runs the named cases, each timing retain and its
baselines (Python tools) in the same run on the same data, and writes
bench/RESULTS.md: the machine at the top, then one table of ratios. A full
run (all cases, not --quick) also copies the table into README.md.

    /usr/bin/python3 bench/run.py                 # every case
    /usr/bin/python3 bench/run.py --cases read    # some cases
    /usr/bin/python3 bench/run.py --quick         # small sizes, to try it

Cases live in bench/cases/*.py; each defines CASES = [(name, function)],
the function taking a Bench and returning a list of Row. Speed is only ever
measured here, never asserted in a test.
"""
import argparse
import datetime
import importlib.util
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEFAULT_OUTPUT = os.path.join(HERE, "RESULTS.md")


@dataclass
class Row:
    case: str          # e.g. "read 4M x 32 float32"
    metric: str        # what is compared, e.g. "seconds", "GB/s"
    retain: float
    baseline_name: str
    baseline: float
    higher_is_better: bool = False
    note: str = ""

    def ratio(self):
        """How many times better retain is than the baseline."""
        if not self.retain or not self.baseline:
            return float("nan")
        return self.retain / self.baseline if self.higher_is_better else self.baseline / self.retain


@dataclass
class Bench:
    retain: str
    workdir: str
    quick: bool
    Row = Row

    def run(self, *args, env=None):
        """Runs retain with args; returns (seconds, stdout)."""
        cmd = [self.retain, *map(str, args)]
        t0 = time.perf_counter()
        out = subprocess.run(cmd, check=True, capture_output=True, text=True,
                             env={**os.environ, **(env or {})})
        return time.perf_counter() - t0, out.stdout

    def path(self, name):
        return os.path.join(self.workdir, name)

    def peak(self, cmd, env=None):
        """Runs cmd under GNU time; returns (wall seconds, peak resident
        bytes, stdout). Not os.wait4: a child forked from this (large)
        Python process inherits its high-water mark across exec, so
        ru_maxrss would report the parent's size, not the child's."""
        stats = self.path("peak.txt")
        t0 = time.perf_counter()
        out = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", stats, *map(str, cmd)],
                             check=True, stdout=subprocess.PIPE, text=True,
                             env=env if env is not None else dict(os.environ))
        seconds = time.perf_counter() - t0
        with open(stats) as f:
            kib = int(f.read().split()[-1])
        os.remove(stats)
        return seconds, kib * 1024, out.stdout

    @staticmethod
    def best_of(fn, repeats=3):
        """Smallest wall time of `repeats` calls of fn()."""
        best = float("inf")
        for _ in range(repeats):
            t0 = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - t0)
        return best


def machine_description():
    def sh(cmd):
        try:
            return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()
        except OSError:
            return ""
    cpu = sh("lscpu | sed -n 's/^Model name: *//p'") or platform.processor()
    cores = os.cpu_count()
    mem = sh("awk '/MemTotal/ {printf \"%.1f GiB\", $2/1048576}' /proc/meminfo")
    flags = sh("grep -o -w -E 'avx2|avx512f|avx512_vpopcntdq' /proc/cpuinfo | sort -u | tr '\\n' ' '")
    osname = sh(". /etc/os-release && echo $PRETTY_NAME")
    cc = sh("gcc --version | head -1")
    commit = sh(f"git -C {ROOT} rev-parse --short HEAD")
    return [
        f"- CPU: {cpu}, {cores} cores ({flags.strip()})",
        f"- Memory: {mem}; OS: {osname}; compiler: {cc}",
        f"- retain commit {commit}, measured {datetime.date.today().isoformat()}",
        f"- OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')} in the runner; "
        "cases that time BLAS (k-means, SGEMM) unset it for every process they time",
    ]


def load_cases():
    cases = []
    folder = os.path.join(HERE, "cases")
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".py"):
            continue
        spec = importlib.util.spec_from_file_location(name[:-3], os.path.join(folder, name))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        cases.extend(module.CASES)
    return cases


def fmt(v):
    if v != v:  # NaN
        return "-"
    return f"{v:.3g}" if abs(v) < 1000 else f"{v:,.0f}"


def write_results(rows, machine, path):
    lines = ["# Benchmark results", "",
             "Written by `bench/run.py`; every ratio compares retain with a baseline timed in",
             "the same run on the same data (ratio > 1: retain is better).", ""]
    lines += machine + [""]
    lines.append("| case | metric | retain | baseline | baseline value | ratio | note |")
    lines.append("|---|---|---|---|---|---|---|")
    for r in rows:
        lines.append(f"| {r.case} | {r.metric} | {fmt(r.retain)} | {r.baseline_name} | "
                     f"{fmt(r.baseline)} | {fmt(r.ratio())}x | {r.note} |")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return lines[lines.index(machine[0]):]


def update_readme(table_lines):
    """Puts the table between the bench markers of README.md."""
    readme = os.path.join(ROOT, "README.md")
    with open(readme) as f:
        text = f.read()
    begin, end = "<!-- bench:begin -->\n", "<!-- bench:end -->"
    if begin not in text or end not in text:
        print("README.md has no bench markers; table not copied", file=sys.stderr)
        return
    head, rest = text.split(begin, 1)
    tail = rest.split(end, 1)[1]
    with open(readme, "w") as f:
        f.write(head + begin + "\n".join(table_lines) + "\n" + end + tail)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--retain", help="retain binary (default: build Release into build-bench)")
    ap.add_argument("--cases", help="comma-separated case names (default: all)")
    ap.add_argument("--quick", action="store_true", help="small sizes, for trying the runner")
    ap.add_argument("--workdir", default=os.path.join(HERE, "work"), help="scratch folder")
    ap.add_argument("--output", default=DEFAULT_OUTPUT)
    args = ap.parse_args()

    retain = args.retain
    if not retain:
        build = os.path.join(ROOT, "build-bench")
        subprocess.run(["cmake", "-S", ROOT, "-B", build, "-DCMAKE_BUILD_TYPE=Release",
                        "-DRETAIN_TESTS=OFF"], check=True, stdout=subprocess.DEVNULL)
        subprocess.run(["cmake", "--build", build, "-j", str(os.cpu_count())], check=True,
                       stdout=subprocess.DEVNULL)
        retain = os.path.join(build, "retain")
    os.makedirs(args.workdir, exist_ok=True)
    bench = Bench(os.path.abspath(retain), args.workdir, args.quick)

    wanted = set(args.cases.split(",")) if args.cases else None
    rows = []
    for name, fn in load_cases():
        if wanted and name not in wanted:
            continue
        print(f"== {name}", file=sys.stderr, flush=True)
        for row in fn(bench):
            print(f"   {row.case}: {row.metric} retain {fmt(row.retain)}, {row.baseline_name} "
                  f"{fmt(row.baseline)}, ratio {fmt(row.ratio())}x", file=sys.stderr, flush=True)
            rows.append(row)
    table = write_results(rows, machine_description(), args.output)
    print(f"wrote {args.output}", file=sys.stderr)
    if args.cases is None and not args.quick and args.output == DEFAULT_OUTPUT:
        update_readme(table)
        print("copied the table into README.md", file=sys.stderr)


if __name__ == "__main__":
    main()
