"""tests/ref/test_io_layouts.py: round trips through the HDF5 feature reader
(src/io/features.c, via the test tool tests/tools/read_features) for every
layout of DESIGN.md and every numeric type, compared bit for bit with numpy's
astype(float32); `retain info --json` statistics against numpy; and
`retain gen users` read back with h5py against its stored churn model.

Fixtures are made in a scratch folder by h5py (2-D datasets: every numeric
type, contiguous, odd chunk shapes, gzip+shuffle; names from the attribute or
/feature_names; ids int64 and strings; labels int8, bool, float) and by pandas
itself (to_hdf(format="fixed") with mixed dtypes, with and without
complevel). Environment: READ_FEATURES, RETAIN, TMPROOT (from ctest).
Exit 77 (skipped) when numpy, h5py or pandas is missing."""
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile

try:
    import numpy as np
    import h5py
    import pandas as pd
except ImportError as e:  # pragma: no cover
    print(f"SKIP: {e}; install numpy, h5py, pandas and PyTables for this test")
    sys.exit(77)
try:
    import tables  # noqa: F401  (pandas' HDF5 writer)
except ImportError:
    print("SKIP: PyTables is missing, pandas cannot write HDF5")
    sys.exit(77)

RF = os.environ.get("READ_FEATURES")
RETAIN = os.environ.get("RETAIN")
if not RF or not RETAIN:
    print("SKIP: READ_FEATURES and RETAIN must name the built tools (run under ctest)")
    sys.exit(77)

root = os.environ.get("TMPROOT") or tempfile.gettempdir()
os.makedirs(root, exist_ok=True)
TMP = tempfile.mkdtemp(prefix="io_layouts.", dir=root)
failures = []
checks = 0


def check(cond, what):
    global checks
    checks += 1
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def path(name):
    return os.path.join(TMP, name)


def read(fname, *args, expect_rc=0):
    """Runs read_features; returns (header, values, labels, ids)."""
    p = subprocess.run([RF, fname, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=120)
    if p.returncode != expect_rc:
        raise AssertionError(f"read_features {fname} {' '.join(args)}: rc {p.returncode}, "
                             f"wanted {expect_rc}: {p.stderr.decode(errors='replace')}")
    if expect_rc:
        return p.stderr.decode(errors="replace")
    out = p.stdout
    nl = out.index(b"\n")
    h = json.loads(out[:nl])
    body = out[nl + 1:]
    n, c = h["count"], h["cols"]
    x = np.frombuffer(body, dtype="<f4", count=n * c).reshape(n, c)
    off = n * c * 4
    lab = None
    if h["label"] is not None:
        lab = np.frombuffer(body, dtype="<f8", count=n, offset=off)
        off += n * 8
    ids = None
    if h["ids"] == "int":
        ids = np.frombuffer(body, dtype="<i8", count=n, offset=off)
        off += n * 8
    elif h["ids"] == "string":
        ids = h["id_strings"]
    check(off == len(body), f"{fname}: {len(body) - off} unexpected trailing bytes")
    return h, x, lab, ids


def same_bits(a, b):
    a = np.ascontiguousarray(a, dtype=np.float32)
    b = np.ascontiguousarray(b, dtype=np.float32)
    return a.shape == b.shape and np.array_equal(a.view(np.uint32), b.view(np.uint32))


def first_diff(a, b):
    if a.shape != b.shape:
        return f"shape {a.shape} vs {b.shape}"
    bad = np.argwhere(a.view(np.uint32) != b.view(np.uint32))
    if len(bad) == 0:
        return "none"
    i, j = bad[0]
    return f"first at [{i},{j}]: got {a[i, j]!r}, want {b[i, j]!r}"


def check_values(tag, got, want):
    check(same_bits(got, want), f"{tag}: values differ from numpy astype(float32): "
          f"{first_diff(np.asarray(got, np.float32), np.asarray(want, np.float32))}")


def check_ranges(tag, fname, expect, args=(), ranges=None):
    """Reads row ranges (also in small blocks) and compares with expect."""
    n = expect.shape[0]
    ranges = ranges or [(0, n), (0, 1), (n - 1, 1), (n // 3, n // 2), (5, 0)]
    for first, count in ranges:
        for block in (None, 7):
            extra = ["--first", str(first), "--count", str(count)]
            if block:
                extra += ["--block", str(block)]
            h, x, _, _ = read(fname, *args, *extra)
            check(h["first"] == first and h["count"] == count,
                  f"{tag}: header range {h['first']},{h['count']}")
            check_values(f"{tag} rows {first}+{count} block {block}", x,
                         expect[first:first + count])


def typed_values(dtype, n, c, rng):
    """Values of dtype covering its extremes and rounding cases."""
    dt = np.dtype(dtype)
    if dt.kind == "f":
        v = rng.standard_normal((n, c)) * 1000.0
        if dt == np.float64:
            # round-to-nearest cases, tiny and large values that still fit
            special = [1.0 + 2.0 ** -24 + 2.0 ** -60, 1.0 + 2.0 ** -24, 3.0e38, -3.4e38,
                       1e-40, 1e-50, 16777217.0, 0.1, -0.0, 2.0 ** 127 * 1.9999999]
            v.flat[:len(special)] = special
        return v.astype(dt)
    info = np.iinfo(dt)
    lo, hi = max(info.min, -(2 ** 62)), min(info.max, 2 ** 62)
    v = rng.integers(lo, hi, size=(n, c), dtype=dt.newbyteorder("="),
                     endpoint=True).astype(dt)
    special = [info.min, info.max, 0, 1, info.max - 1, info.min + 1]
    if dt.itemsize == 8:
        # values where rounding through float64 first would give another float32
        if dt.kind == "i":
            special += [2 ** 60 + 2 ** 36 + 1, -(2 ** 60 + 2 ** 36 + 1), 2 ** 53 + 1,
                        2 ** 62 + 2 ** 38 + 1, 16777217]
        else:
            special += [2 ** 63 + 2 ** 39 + 1, 2 ** 64 - 2 ** 39 - 1, 2 ** 60 + 2 ** 36 + 1]
    if dt.itemsize == 4:
        special += [16777217, 16777219, info.max - 64]
    v.flat[:len(special)] = np.array(special, dtype=dt)
    return v


# ---- layout 1: 2-D datasets ------------------------------------------------
def test_2d():
    rng = np.random.default_rng(7)
    types = ["float32", "float64", "int8", "int16", "int32", "int64", "uint8", "uint16",
             "uint32", "uint64", ">f4", ">f8", ">i4", "float16"]
    storages = {
        "contiguous": {},
        "chunk7x3": {"chunks": (7, 3)},
        "chunk1000x1": {"chunks": (1000, 1)},
        "gzip_shuffle": {"chunks": (17, 5), "compression": "gzip", "compression_opts": 4,
                         "shuffle": True},
    }
    n, c = 1234, 7
    names = [f"f_{j}" for j in range(c)]
    for t in types:
        v = typed_values(t, n, c, rng)
        want = v.astype(np.float32)
        for sname, kw in storages.items():
            fname = path(f"d2_{t.replace('>', 'be')}_{sname}.h5")
            with h5py.File(fname, "w") as f:
                d = f.create_dataset("features", data=v, **kw)
                d.attrs["feature_names"] = names
            tag = f"2-D {t} {sname}"
            h, x, _, _ = read(fname)
            check(h["layout"] == "2-D dataset", f"{tag}: layout {h['layout']}")
            check(h["names"] == names, f"{tag}: names {h['names']}")
            check(h["rows"] == n and h["cols"] == c, f"{tag}: shape")
            check_values(tag, x, want)
            if sname in ("chunk7x3", "gzip_shuffle") or t in ("float64", "int64"):
                check_ranges(tag, fname, want, ranges=[(0, n), (6, 15), (16, 35), (n - 20, 20)])
            # the same file read whole through the size-checked path
            _, xa, _, _ = read(fname, "--all")
            check_values(tag + " --all", xa, want)
            # a selection of columns, reordered
            h, xs, _, _ = read(fname, "--columns", "f_3,f_0,f_6")
            check(h["names"] == ["f_3", "f_0", "f_6"], f"{tag}: selected names")
            check_values(tag + " --columns", xs, want[:, [3, 0, 6]])


def test_2d_names_ids_labels():
    rng = np.random.default_rng(11)
    n, c = 500, 4
    v = rng.standard_normal((n, c)).astype(np.float32)
    ids = np.arange(n, dtype=np.int64) * 1000003 + 2 ** 40
    lab_int = (rng.random(n) < 0.3).astype(np.int8)
    # names from /feature_names (fixed-length bytes), ids int64, label int8
    fname = path("d2_names_dataset.h5")
    with h5py.File(fname, "w") as f:
        f.create_dataset("features", data=v)
        f.create_dataset("feature_names", data=np.array([b"a", b"bb", b"ccc", b"d"]))
        f.create_dataset("user_id", data=ids)
        f.create_dataset("churned", data=lab_int)
    h, x, lab, got_ids = read(fname, "--label", "/churned")
    check(h["names"] == ["a", "bb", "ccc", "d"], f"/feature_names: {h['names']}")
    check_values("/feature_names file", x, v)
    check(h["ids"] == "int" and np.array_equal(got_ids, ids), "int64 user ids")
    check(np.array_equal(lab, lab_int.astype(np.float64)), "int8 label")
    h, x, lab, got_ids = read(fname, "--label", "churned", "--first", "123", "--count", "77")
    check(np.array_equal(lab, lab_int[123:200]), "int8 label, bare name, row range")
    check(np.array_equal(got_ids, ids[123:200]), "ids row range")
    check_values("range with ids", x, v[123:200])

    # no names at all: x0.., bool label (h5py enum), vlen string ids
    fname = path("d2_bool_label.h5")
    lab_bool = rng.random(n) < 0.5
    sids = [f"user-{i:05d}-ü" for i in range(n)]
    with h5py.File(fname, "w") as f:
        f.create_dataset("features", data=v, chunks=(64, 4))
        f.create_dataset("churned", data=lab_bool)
        f.create_dataset("user_id", data=sids, dtype=h5py.string_dtype())
    h, x, lab, got = read(fname, "--label", "/churned")
    check(h["names"] == ["x0", "x1", "x2", "x3"], f"default names {h['names']}")
    check(np.array_equal(lab, lab_bool.astype(np.float64)), "bool (enum) label")
    check(h["ids"] == "string" and got == sids, "variable-length string ids")
    h, x, lab, got = read(fname, "--label", "/churned", "--first", "490", "--count", "10")
    check(got == sids[490:], "vlen string ids, row range")
    check(np.array_equal(lab, lab_bool[490:].astype(np.float64)), "bool label, row range")

    # fixed-length string ids, float label, names attribute as fixed bytes
    fname = path("d2_fixed_ids.h5")
    fids = np.array([f"u{i}".encode() for i in range(n)], dtype="S8")
    lab_f = rng.random(n).round(2)
    with h5py.File(fname, "w") as f:
        d = f.create_dataset("features", data=v.astype(np.float64))
        d.attrs["feature_names"] = np.array([b"w", b"x", b"y", b"z"])
        f.create_dataset("ids", data=fids)
        f.create_dataset("target", data=lab_f)
    h, x, lab, got = read(fname, "--label", "/target", "--user-id", "/ids")
    check(h["names"] == ["w", "x", "y", "z"], f"fixed-bytes names attribute: {h['names']}")
    check(got == [s.decode() for s in fids], "fixed-length string ids")
    check(np.array_equal(lab, lab_f), "float label")
    check_values("float64 with fixed ids", x, v.astype(np.float64).astype(np.float32))


def test_2d_large_blocks():
    """Ranges crossing the reader's internal sub-blocks (64 Ki rows, or the
    4 MiB scratch buffer for wide matrices)."""
    rng = np.random.default_rng(3)
    v = rng.standard_normal((70000, 3))  # float64: through the scratch buffer
    fname = path("d2_tall.h5")
    with h5py.File(fname, "w") as f:
        f.create_dataset("features", data=v, chunks=(4099, 3), compression="gzip",
                         shuffle=True)
    want = v.astype(np.float32)
    check_ranges("tall float64", fname, want,
                 ranges=[(0, 70000), (65530, 12), (1, 69999), (4000, 66000)])
    v32 = v.astype(np.float32)
    fname = path("d2_tall32.h5")
    with h5py.File(fname, "w") as f:
        f.create_dataset("features", data=v32, chunks=(1000, 3))
    check_ranges("tall float32 (direct)", fname, v32, ranges=[(0, 70000), (65530, 12)])
    w = rng.integers(-10 ** 12, 10 ** 12, size=(300, 3000), dtype=np.int64)
    fname = path("d2_wide.h5")
    with h5py.File(fname, "w") as f:
        f.create_dataset("features", data=w, chunks=(50, 128))
    check_ranges("wide int64", fname, w.astype(np.float32),
                 ranges=[(0, 300), (170, 20), (1, 298)])
    h, x, _, _ = read(fname, "--columns", "x2999,x5")
    check_values("wide int64 --columns", x, w[:, [2999, 5]].astype(np.float32))


# ---- layout 2: pandas fixed format -------------------------------------------
def pandas_frame(n, rng):
    return pd.DataFrame({
        "recency": rng.standard_normal(n) * 30 + 100,                 # float64
        "spend": (rng.standard_normal(n) * 10).astype(np.float32),    # float32
        "orders": rng.integers(-2 ** 62, 2 ** 62, n),                 # int64
        "vip": rng.random(n) < 0.2,                                   # bool
        "city": [f"city{i % 7}" for i in range(n)],                   # object
        "visits": rng.integers(0, 100, n).astype(np.int8),            # int8
        "big": rng.integers(0, 2 ** 63, n, dtype=np.uint64),          # uint64
        "churned": (rng.random(n) < 0.25),                            # bool label
    })


def expect_frame(df, cols):
    return np.stack([df[c].to_numpy().astype(np.float32) for c in cols], axis=1)


def test_pandas():
    rng = np.random.default_rng(5)
    n = 2000
    df = pandas_frame(n, rng)
    df.loc[3, "orders"] = 2 ** 60 + 2 ** 36 + 1
    numeric = ["recency", "spend", "orders", "vip", "visits", "big"]
    for comp in (None, 5):
        fname = path(f"pandas_{comp}.h5")
        kw = {"complevel": comp, "complib": "zlib"} if comp else {}
        df.to_hdf(fname, key="users", mode="w", format="fixed", **kw)
        tag = f"pandas complevel={comp}"
        h, x, lab, ids = read(fname, "--label", "churned")
        check(h["layout"] == "pandas frame", f"{tag}: layout {h['layout']}")
        check(h["source"] == "/users", f"{tag}: source {h['source']}")
        check(h["names"] == numeric, f"{tag}: default columns {h['names']} (frame order, "
              "numeric only, label excluded)")
        check_values(tag, x, expect_frame(df, numeric))
        check(np.array_equal(lab, df["churned"].to_numpy().astype(np.float64)),
              f"{tag}: bool label")
        check(h["ids"] == "int" and np.array_equal(ids, np.arange(n)), f"{tag}: index ids")
        sel = ["big", "vip", "recency"]
        h, x, _, _ = read(fname, "--columns", ",".join(sel))
        check(h["names"] == sel, f"{tag}: selected {h['names']}")
        check_values(tag + " --columns", x, expect_frame(df, sel))
        check_ranges(tag, fname, expect_frame(df, sel), args=("--columns", ",".join(sel)),
                     ranges=[(0, n), (8190, 5) if n > 8195 else (1990, 10), (999, 2)])

    # a user_id column and a string index
    df2 = df.drop(columns=["city"]).copy()
    df2["user_id"] = np.arange(n, dtype=np.int64) * 7 + 1
    fname = path("pandas_user_id.h5")
    df2.to_hdf(fname, key="df", mode="w", format="fixed")
    h, x, _, ids = read(fname)
    check("user_id" not in h["names"], f"user_id column excluded: {h['names']}")
    check(h["ids"] == "int" and np.array_equal(ids, df2["user_id"].to_numpy()),
          "ids from the user_id column")
    # datasets beside a frame are not its columns: a root /user_id of another
    # length must not be taken as the frame's ids
    fname = path("pandas_beside.h5")
    df.to_hdf(fname, key="df", mode="w", format="fixed")
    with h5py.File(fname, "a") as f:
        f.create_dataset("user_id", data=np.arange(5))
    h, x, _, ids = read(fname, "--first", "0", "--count", "3")
    check(h["ids"] == "int" and list(ids) == [0, 1, 2] and h["ids_source"] == "/df/axis1",
          f"frame ids from its index, not /user_id: {h['ids_source']}")
    df3 = df.drop(columns=["city"]).copy()
    df3.index = [f"cust_{i}" for i in range(n)]
    fname = path("pandas_str_index.h5")
    df3.to_hdf(fname, key="df", mode="w", format="fixed")
    h, x, _, ids = read(fname, "--first", "10", "--count", "5")
    check(h["ids"] == "string" and ids == [f"cust_{i}" for i in range(10, 15)],
          f"string index ids: {ids}")
    check_values("pandas string index", x, expect_frame(df3, h["names"])[10:15])


# ---- layout 3: group of 1-D columns -------------------------------------------
def test_columns():
    rng = np.random.default_rng(9)
    n = 3001
    cols = {
        "age": rng.integers(18, 90, n).astype(np.int32),
        "bonus": rng.standard_normal(n),
        "clicks": rng.integers(0, 2 ** 32, n, dtype=np.uint64),
        "active": rng.random(n) < 0.5,
        "score": rng.standard_normal(n).astype(np.float32),
        "tiny": rng.integers(0, 255, n).astype(np.uint8),
    }
    fname = path("columns.h5")
    with h5py.File(fname, "w") as f:
        g = f.create_group("users")
        for k, v in cols.items():
            kw = {"chunks": (97,), "compression": "gzip", "shuffle": True} if k in (
                "bonus", "clicks") else {}
            g.create_dataset(k, data=v, **kw)
        g.create_dataset("user_id", data=np.arange(n, dtype=np.int64) + 100)
        g.create_dataset("churned", data=(rng.random(n) < 0.3).astype(np.int8))
        g.create_dataset("matrix", data=np.zeros((n, 2)))
        g.create_dataset("label_text", data=[b"x"] * n)
    default = sorted(k for k in cols)  # HDF5 lists links by name
    h, x, lab, ids = read(fname, "--dataset", "/users", "--label", "churned")
    check(h["layout"] == "group of 1-D columns", f"columns layout: {h['layout']}")
    check(h["names"] == default, f"default columns {h['names']}, want {default}")
    want = np.stack([cols[k].astype(np.float32) for k in default], axis=1)
    check_values("column group", x, want)
    with h5py.File(fname) as f:
        check(np.array_equal(lab, f["users/churned"][:].astype(np.float64)), "group label")
        check(np.array_equal(ids, f["users/user_id"][:]), "group user ids")
    sel = ["score", "clicks", "active"]
    h, x, _, _ = read(fname, "--dataset", "users", "--columns", ",".join(sel))
    check(h["names"] == sel, f"selected columns {h['names']}")
    check_ranges("column group --columns", fname,
                 np.stack([cols[k].astype(np.float32) for k in sel], axis=1),
                 args=("--dataset", "/users", "--columns", ",".join(sel)),
                 ranges=[(0, n), (90, 20), (n - 3, 3)])


# ---- retain info --json -------------------------------------------------------
def info_json(fname, *args):
    p = subprocess.run([RETAIN, "info", "--json", fname, *args], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=120)
    if p.returncode != 0:
        raise AssertionError(f"retain info {fname}: rc {p.returncode}: {p.stderr.decode()}")
    return json.loads(p.stdout)


def check_info_stats(tag, cols_json, x32):
    for j, c in enumerate(cols_json):
        col = x32[:, j].astype(np.float64)
        fin = col[np.isfinite(col)]
        check(c["nan"] == int(np.isnan(col).sum()), f"{tag} col {j}: nan {c['nan']}")
        check(c["inf"] == int(np.isinf(col).sum()), f"{tag} col {j}: inf {c['inf']}")
        if len(fin) == 0:
            check(c["min"] is None and c["mean"] is None, f"{tag} col {j}: no finite values")
            continue
        check(c["min"] == fin.min() and c["max"] == fin.max(),
              f"{tag} col {j}: min/max {c['min']}/{c['max']} vs {fin.min()}/{fin.max()}")
        mean = math.fsum(fin) / len(fin)
        scale = abs(mean) + 1e-9 * float(np.abs(fin).mean())
        check(abs(c["mean"] - mean) <= 1e-6 * scale,
              f"{tag} col {j}: mean {c['mean']} vs {mean}")


def test_info():
    rng = np.random.default_rng(21)
    n, c = 4000, 5
    v = rng.standard_normal((n, c)) * 5 + 3
    v[10, 0] = np.nan
    v[11, 0] = np.inf
    v[12, 0] = -np.inf
    v[200:300, 2] = np.nan
    v[:, 4] = np.nan  # no finite value at all
    for kw_name, kw in {"plain": {}, "gzip": {"chunks": (333, 2), "compression": "gzip",
                                              "shuffle": True}}.items():
        for dt in ("float32", "float64"):
            fname = path(f"info_{dt}_{kw_name}.h5")
            with h5py.File(fname, "w") as f:
                f.create_dataset("features", data=v.astype(dt), **kw)
            j = info_json(fname)
            feats = j["features"]
            check(feats["rows"] == n and feats["cols"] == c, f"info {fname}: shape")
            check_info_stats(f"info {dt} {kw_name}", feats["columns"], v.astype(np.float32))
    # integer and pandas files
    w = rng.integers(-1000, 100000, size=(999, 3)).astype(np.int64)
    fname = path("info_int64.h5")
    with h5py.File(fname, "w") as f:
        f.create_dataset("features", data=w, chunks=(100, 1))
    check_info_stats("info int64", info_json(fname)["features"]["columns"],
                     w.astype(np.float32))
    df = pandas_frame(777, rng)
    fname = path("info_pandas.h5")
    df.to_hdf(fname, key="df", mode="w", format="fixed", complevel=3)
    j = info_json(fname)
    names = [c["name"] for c in j["features"]["columns"]]
    check(names == ["recency", "spend", "orders", "vip", "visits", "big", "churned"],
          f"info pandas columns {names}")
    check_info_stats("info pandas", j["features"]["columns"], expect_frame(df, names))
    # every layout-1 fixture written above describes itself
    j = info_json(path("columns.h5"), "--dataset", "/users")
    check(j["features"]["layout"] == "group of 1-D columns", "info on a column group")


# ---- retain gen users, read back --------------------------------------------------
def test_gen_users():
    fname = path("gen_users.h5")
    p = subprocess.run([RETAIN, "gen", "users", "-n", "5000", "-d", "12", "-k", "4",
                        "-o", fname, "--quiet"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=120)
    check(p.returncode == 0, f"gen users rc {p.returncode}: {p.stderr.decode()}")
    if p.returncode:
        return
    with h5py.File(fname) as f:
        X = f["features"][:]
        names = [s.decode() if isinstance(s, bytes) else s
                 for s in f["features"].attrs["feature_names"]]
        ids = f["user_id"][:]
        churned = f["churned"][:]
        seg = f["segment_true"][:]
        b0 = float(f["churned"].attrs["intercept"])
        coef = np.asarray(f["churned"].attrs["coef"], dtype=np.float64)
    check(X.shape == (5000, 12) and X.dtype == np.float32, f"gen users shape {X.shape}")
    check(len(names) == 12 and len(set(names)) == 12, "gen users: 12 distinct names")
    check(np.array_equal(ids, np.arange(1, 5001)), "gen users: ids 1..n")
    check(set(np.unique(churned)) <= {0, 1}, "gen users: churned is 0/1")
    check(seg.min() >= 0 and seg.max() < 4, "gen users: segments in 0..3")
    check(np.isfinite(X).all(), "gen users: finite features")
    prob = 1.0 / (1.0 + np.exp(-(b0 + X.astype(np.float64) @ coef)))
    expected, rate = prob.mean(), churned.mean()
    sigma = math.sqrt((prob * (1 - prob)).sum()) / len(prob)
    check(abs(rate - expected) <= 4 * sigma,
          f"gen users: churn rate {rate:.4f} vs model mean {expected:.4f} (4 sigma "
          f"{4 * sigma:.4f})")
    h, x, lab, got_ids = read(fname, "--label", "/churned")
    check(h["names"] == names, "gen users: names through the reader")
    check_values("gen users through the reader", x, X)
    check(np.array_equal(lab, churned.astype(np.float64)), "gen users: label")
    check(np.array_equal(got_ids, ids), "gen users: ids")


def main():
    tests = [test_2d, test_2d_names_ids_labels, test_2d_large_blocks, test_pandas,
             test_columns, test_info, test_gen_users]
    for t in tests:
        try:
            t()
        except AssertionError as e:
            failures.append(f"{t.__name__}: {e}")
            print(f"FAIL: {t.__name__}: {e}")
    print(f"{checks} checks, {len(failures)} failures")
    if not failures:
        shutil.rmtree(TMP, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
